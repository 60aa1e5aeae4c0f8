/**
 * IAM and KMS policy documents of the ingest endpoint, as plain functions of resolved ARNs so
 * tests assert their exact scope.
 */
import { baseKeyStatements } from "../kms/keyPolicy";
import { IngestMode } from "./openapi";

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Array<Record<string, unknown>>;
}

/**
 * Trust policy of a role assumed by an AWS service. No aws:SourceAccount / aws:SourceArn
 * condition: neither API Gateway (integration credentials) nor Lambda (execution roles) is
 * documented to send those keys when assuming a role, and a condition they do not satisfy would
 * break every request. The confused-deputy guard here is iam:PassRole: a role cannot be passed to
 * another account's API or function.
 */
export function serviceAssumeRolePolicy(service: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole" }],
    };
}

/**
 * What API Gateway may do with the integration role: put records into exactly one stream, and
 * (stream mode) generate data keys under exactly the stream's KMS key, which Kinesis
 * server-side encryption with a customer-managed key requires of producers.
 */
export function integrationRolePolicy(mode: IngestMode, streamArn: string, kmsKeyArn?: string): PolicyDocument {
    const statements: Array<Record<string, unknown>> = [
        mode === "firehose"
            ? { Sid: "PutIntoDeliveryStream", Effect: "Allow", Action: ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource: streamArn }
            : { Sid: "PutIntoStream", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: streamArn },
    ];
    if (kmsKeyArn) statements.push({ Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: kmsKeyArn });
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * Key policy of the key that encrypts the API's log groups: the account administers it and
 * delegates use to IAM (in a key policy "Resource": "*" means this key), and CloudWatch Logs in
 * this region may use it only for this account's log groups.
 */
export function logsKeyPolicy(accountId: string, region: string, partition = "aws"): PolicyDocument {
    return { Version: "2012-10-17", Statement: baseKeyStatements(partition, accountId, region) };
}

/** What the write-key authorizer Lambda may do: write its own log group, nothing else. */
export function authorizerRolePolicy(logGroupArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` }],
    };
}

/**
 * The account-level role API Gateway uses to write execution and access logs (one per account and
 * region; see `manageAccountLogging`). Scoped to API Gateway's execution log groups and this
 * endpoint's access log group.
 */
export function apiGatewayLoggingPolicy(accountId: string, region: string, accessLogGroupArn: string, partition = "aws"): PolicyDocument {
    const executionLogs = `arn:${partition}:logs:${region}:${accountId}:log-group:API-Gateway-Execution-Logs_*`;
    return {
        Version: "2012-10-17",
        Statement: [
            // DescribeLogGroups has no resource-level permissions: IAM only grants it on "*" (a log-group ARN grants nothing).
            { Sid: "DescribeForDelivery", Effect: "Allow", Action: ["logs:DescribeLogGroups"], Resource: "*" },
            {
                Sid: "WriteApiLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: [executionLogs, `${executionLogs}:*`, accessLogGroupArn, `${accessLogGroupArn}:*`],
            },
        ],
    };
}
