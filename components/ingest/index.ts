/**
 * The ingest endpoint component and the plain builders behind it (OpenAPI, templates, models,
 * policies), exported with ingest-specific names so `export * from "./ingest"` clashes with nothing.
 */
export { IngestEndpoint, resolveIngestArgs, INGEST_PATHS } from "./ingestEndpoint";
export { ACCESS_LOG_FIELDS as INGEST_ACCESS_LOG_FIELDS, accessLogFormat as ingestAccessLogFormat } from "./ingestEndpoint";
export type { IngestEndpointArgs, IngestStreamArgs, IngestQuotaArgs, IngestCustomDomainArgs, IngestMode } from "./ingestEndpoint";
export { buildOpenApiDocument as buildIngestOpenApiDocument } from "./openapi";
export type { OpenApiOptions as IngestOpenApiOptions } from "./openapi";
export { requestModels as ingestRequestModels, requestModelFor as ingestRequestModelFor } from "./models";
export { firehosePutRecordTemplate, kinesisPutRecordTemplate } from "./templates";
export { integrationRolePolicy as ingestIntegrationRolePolicy } from "./policies";
