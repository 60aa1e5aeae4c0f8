/**
 * The Pulumi program: `pulumi up --stack dev|prod`. The composition for each stack lives in
 * stacks/; this file picks it by stack name and exports its outputs.
 */
import * as pulumi from "@pulumi/pulumi";
import { deployStack } from "./stacks";

const outputs = deployStack(pulumi.getStack());

export const ingestUrl = outputs.ingestUrl;
export const ingestEndpoints = outputs.ingestEndpoints;
export const lakeBucket = outputs.lakeBucket;
export const rawBucket = outputs.rawBucket;
export const deliveryStream = outputs.deliveryStream;
export const glueDatabase = outputs.glueDatabase;
export const glueTable = outputs.glueTable;
export const athenaWorkgroup = outputs.athenaWorkgroup;
export const kmsKeyArn = outputs.kmsKeyArn;
export const ingestStream = outputs.ingestStream;
export const apiKeyIds = outputs.apiKeyIds;
export const alertTopicArn = outputs.alertTopicArn;
export const anomaliesTable = outputs.anomaliesTable;
export const windowMetrics = outputs.windowMetrics;
