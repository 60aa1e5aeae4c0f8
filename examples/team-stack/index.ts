/**
 * A product team's stack: the checkout team wants its own small lake, fed directly by Firehose (no
 * Kinesis, no real-time windows), one KMS key for everything it owns, stricter PII rules for its
 * order events, and its analysts on Lake Formation. It imports the components by package name,
 * exactly as it would after `npm install clickstream-pipeline`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { FirehoseLake, IngestEndpoint, LakeFormationGrants } from "clickstream-pipeline";

const config = new pulumi.Config();
const allowedOrigin = config.require("allowedOrigin");

// One team key, passed to every component instead of letting each create its own.
const caller = aws.getCallerIdentityOutput();
const key = new aws.kms.Key("checkout-key", {
    description: "checkout click-stream data",
    enableKeyRotation: true,
    deletionWindowInDays: 30,
    policy: pulumi.jsonStringify({
        Version: "2012-10-17",
        Statement: [
            { Sid: "AccountAdmin", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:aws:iam::${caller.accountId}:root` }, Action: ["kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant"], Resource: "*" },
            { Sid: "CloudWatchLogs", Effect: "Allow", Principal: { Service: pulumi.interpolate`logs.${aws.getRegionOutput().name}.amazonaws.com` }, Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource: "*" },
        ],
    }),
});

const lake = new FirehoseLake("checkout", {
    kmsKeyArn: key.arn,
    rawRetentionDays: 3,
    logRetentionDays: 14,
    // Order events carry the shipping e-mail and phone in properties; pseudonymize them (joinable,
    // not readable) and drop the free-text delivery note outright.
    transform: {
        pii: {
            pseudonymize: ["anonymous_id", "user_id", "properties.shipping_email", "properties.shipping_phone"],
            drop: ["properties.delivery_note"],
        },
        maxEventsPerRequest: 100,
    },
    // A quiet stream: flush every 5 minutes rather than every minute, for fewer, larger Parquet files.
    buffering: { intervalSeconds: 300, sizeMiB: 128 },
    databaseName: "checkout_clickstream",
    manageCatalogEncryption: true,
});

const ingest = new IngestEndpoint("checkout", {
    mode: "firehose",
    deliveryStreamName: lake.deliveryStreamName,
    deliveryStreamArn: lake.deliveryStreamArn,
    deliveryStreamKmsKeyArn: key.arn,
    logsKmsKeyArn: key.arn,
    corsAllowedOrigins: [allowedOrigin],
    throttleRateLimit: 200,
    throttleBurstLimit: 400,
    logRetentionDays: 14,
});

new LakeFormationGrants("checkout", {
    databaseName: lake.databaseName,
    tableNames: [lake.tableName],
    lakeBucketArn: lake.lakeBucketArn,
    // The platform team owns the account-wide Lake Formation settings and LF-tag keys.
    manageDataLakeSettings: false,
    createTags: false,
    domain: "checkout",
    analystPrincipals: [pulumi.interpolate`arn:aws:iam::${caller.accountId}:role/checkout-analyst`],
    writerPrincipals: [lake.firehoseRoleArn],
});

export const ingestUrl = ingest.url;
export const lakeBucket = lake.lakeBucketName;
export const athenaWorkgroup = lake.workgroupName;
