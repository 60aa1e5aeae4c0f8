/**
 * clickstream-pipeline: Pulumi components for a click-stream pipeline on AWS.
 *
 *     import { FirehoseLake, IngestEndpoint } from "clickstream-pipeline";
 */
export * from "../dataplane/schema";
export type { TransformConfig, PiiConfig } from "../dataplane/transform/config";
