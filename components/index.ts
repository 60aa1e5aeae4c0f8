/**
 * clickstream-pipeline: Pulumi components for a click-stream pipeline on AWS.
 *
 *     import { FirehoseLake, IngestEndpoint } from "clickstream-pipeline";
 *
 * Each component also exports the plain functions that build its documents (IAM policies, OpenAPI,
 * Glue columns), so a team can inspect or reuse them without creating resources.
 */
export * from "./lake/firehoseLake";
export { firehosePolicyDocument, transformPolicyDocument, lakeKeyPolicyDocument } from "./lake/policies";
export type { PolicyDocument, PolicyStatement } from "./lake/policies";
export { glueColumns, gluePartitionKeys, projectionParameters, namedQueries, EVENTS_PREFIX, ATHENA_RESULTS_PREFIX } from "./lake/glueTable";
export * from "./storage/secureBucket";
export * from "./ingest";
export * from "./analytics";
export * from "./alerts";
export * from "./governance";
export * from "./audit";
export { ModelSchedule } from "./models/modelSchedule";
export type { ModelScheduleArgs } from "./models/modelSchedule";
export { LAMBDA_RUNTIME } from "./lambda/bundle";

// The shared row schema and the transform's configuration types (data-plane, no Pulumi).
export * from "../dataplane/schema";
export { INGEST_ROUTES } from "../dataplane/envelope";
export type { RequestEnvelope, IngestPath } from "../dataplane/envelope";
export type { TransformConfig, PiiConfig } from "../dataplane/transform/config";
