/**
 * A DELIBERATELY CARELESS click-stream stack, built from plain @pulumi/aws resources the way a
 * team in a hurry might write it. It exists to prove the policy pack: `clickstream policy-check
 * --program examples/insecure` must flag exactly the mistakes listed below (the test
 * test/policies/insecureExample.test.ts asserts the exact set). Never deploy it.
 *
 * Mistakes, one per resource:
 * - `events` bucket: no SSE-KMS, no TLS-only policy, no public access block.
 * - `firehose-policy`: `s3:*` on every resource.
 * - `events` Firehose stream: no encryption at rest, no KMS key on the S3 destination, and no PII
 *   transform: raw events with emails and user ids land in the bucket.
 * - `events` bucket again: it holds those raw events, and no CloudTrail trail records who reads them.
 * - `app-logs` log group: kept forever, not encrypted with our key.
 * - `events` Glue table: `user_id` and `email` columns with no pii LF-tag, and no catalog encryption.
 * - `analyst-grant`: an analyst role gets SELECT on `user_id` and `email`.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

const config = new pulumi.Config();
const analystRoleArn = config.require("analystRoleArn");

const bucket = new aws.s3.Bucket("events", {});

const role = new aws.iam.Role("firehose-role", {
    assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "firehose.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
});

new aws.iam.RolePolicy("firehose-policy", {
    role: role.id,
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:*", Resource: "*" }] }),
});

const stream = new aws.kinesis.FirehoseDeliveryStream("events", {
    destination: "extended_s3",
    extendedS3Configuration: { roleArn: role.arn, bucketArn: bucket.arn },
});

new aws.cloudwatch.LogGroup("app-logs", {});

const database = new aws.glue.CatalogDatabase("events-db", { name: "events" });
const table = new aws.glue.CatalogTable("events", {
    databaseName: database.name,
    name: "events",
    tableType: "EXTERNAL_TABLE",
    storageDescriptor: {
        location: pulumi.interpolate`s3://${bucket.bucket}/events/`,
        columns: [
            { name: "event_name", type: "string" },
            { name: "user_id", type: "string" },
            { name: "email", type: "string" },
        ],
    },
});

new aws.lakeformation.Permissions("analyst-grant", {
    principal: analystRoleArn,
    permissions: ["SELECT"],
    tableWithColumns: { databaseName: database.name, name: table.name, columnNames: ["event_name", "user_id", "email"] },
});

export const bucketName = bucket.bucket;
export const streamName = stream.name;
