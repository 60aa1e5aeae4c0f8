/** The ingest endpoint component and the plain builders behind it (OpenAPI, templates, models, policies). */
export * from "./ingestEndpoint";
export { buildOpenApiDocument, integrationUri } from "./openapi";
export type { OpenApiOptions } from "./openapi";
export { requestModels, requestModelFor, nativeBatchSchema, segmentBatchSchema, segmentMessageSchema } from "./models";
export { firehosePutRecordTemplate, kinesisPutRecordTemplate } from "./templates";
export { integrationRolePolicy } from "./policies";
