/**
 * The function URL variant of IngestEndpoint (api: "function-url"): a Lambda collector
 * (dataplane/handlers/functionUrlCollector.ts) behind a Lambda function URL, HTTPS only. The code
 * does what API Gateway does on the other paths (request models, write keys, the envelope with source
 * IP and user agent) and PutRecords into the KMS-encrypted stream. No per-request API price: a request
 * costs one Lambda request plus its duration. Throttling is the function's reserved concurrency
 * (reservedConcurrencyFor), CORS the function URL's own configuration. Trade-offs: docs/ingest.md
 * ("Function URL").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { aboveZeroAlarm } from "../alarms/dlqAlarm";
import { CORS_ALLOWED_HEADERS, PREFLIGHT_MAX_AGE_SECONDS } from "../../dataplane/ingest/http";
import { ENV_WRITE_KEY_HASHES } from "../../dataplane/auth/writeKey";
import { ENV_AUTH, ENV_CORS_ORIGINS, ENV_MAX_BATCH_EVENTS, ENV_STREAM_NAME } from "../../dataplane/handlers/functionUrlCollector";
import { handlerArchive, LAMBDA_RUNTIME } from "../lambda/bundle";
import { PolicyDocument, serviceAssumeRolePolicy } from "./policies";

/**
 * Seconds one request may hold a collector instance at the throttle rate: Kinesis PutRecords in the
 * same region answers in tens of milliseconds, and the collector's own work is under a millisecond
 * of CPU (npm run bench:collector). Reserved concurrency = peak requests/s x this.
 */
export const COLLECTOR_SECONDS_PER_REQUEST = 0.1;

/** Lambda keeps 100 of an account's default 1,000 concurrent executions unreserved, so at most 900 can be reserved. */
export const MAX_RESERVED_CONCURRENCY = 900;

/** Memory of the collector: the work is JSON parsing and one network call; more memory buys CPU it does not need. */
export const COLLECTOR_MEMORY_MB = 128;

/**
 * The reserved concurrency that enforces the stage-style throttle settings. Concurrency is requests/s
 * times seconds per request (Little's law), so the burst (the peak rate the throttle admits) times
 * COLLECTOR_SECONDS_PER_REQUEST is the number of requests in flight the function must take; more
 * are refused by Lambda with 429 before the code runs. When Kinesis slows down, each request holds an
 * instance longer and the same cap admits fewer requests/s: back-pressure instead of a pile-up.
 */
export function reservedConcurrencyFor(throttleRateLimit: number, throttleBurstLimit: number): number {
    return Math.max(2, Math.ceil(Math.max(throttleRateLimit, throttleBurstLimit) * COLLECTOR_SECONDS_PER_REQUEST));
}

export interface FunctionUrlCollectorArgs {
    streamName: pulumi.Input<string>;
    streamArn: pulumi.Input<string>;
    streamKmsKeyArn: pulumi.Input<string>;
    throttleRateLimit: number;
    throttleBurstLimit: number;
    corsAllowedOrigins: string[];
    maxBatchEvents: number;
    /** SHA-256 -> key name table (JSON), when write keys are required. */
    writeKeyHashes?: pulumi.Input<string>;
    logRetentionDays: number;
    logsKmsKeyArn: pulumi.Input<string>;
    /** Topics the throttle and error alarms notify. */
    alarmActions: pulumi.Input<string>[];
    tags?: Record<string, string>;
}

export interface FunctionUrlCollector {
    fn: aws.lambda.Function;
    url: aws.lambda.FunctionUrl;
    role: aws.iam.Role;
    logGroup: aws.cloudwatch.LogGroup;
    reservedConcurrency: number;
}

/** Creates the collector function, its role, log group, function URL, invoke permissions and alarms as children of `parent`. */
export function createFunctionUrlCollector(parent: pulumi.Resource, name: string, args: FunctionUrlCollectorArgs): FunctionUrlCollector {
    const opts = { parent };
    const tags = args.tags;
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-collector-logs`, { retentionInDays: args.logRetentionDays, kmsKeyId: args.logsKmsKeyArn, tags }, opts);
    const role = new aws.iam.Role(`${name}-collector-role`, {
        description: `Ingest collector of ${name}: puts records into its Kinesis stream, writes its own logs`,
        assumeRolePolicy: JSON.stringify(serviceAssumeRolePolicy("lambda.amazonaws.com")),
        tags,
    }, opts);
    const policy = new aws.iam.RolePolicy(`${name}-collector-policy`, {
        role: role.id,
        policy: pulumi.all([args.streamArn, args.streamKmsKeyArn, logGroup.arn]).apply(([stream, key, logs]) => JSON.stringify(collectorRolePolicy(stream, key, logs))),
    }, opts);
    const reservedConcurrency = reservedConcurrencyFor(args.throttleRateLimit, args.throttleBurstLimit);
    const variables: Record<string, pulumi.Input<string>> = {
        [ENV_STREAM_NAME]: args.streamName,
        [ENV_AUTH]: args.writeKeyHashes !== undefined ? "write-keys" : "none",
        [ENV_CORS_ORIGINS]: JSON.stringify(args.corsAllowedOrigins),
        [ENV_MAX_BATCH_EVENTS]: String(args.maxBatchEvents),
    };
    if (args.writeKeyHashes !== undefined) variables[ENV_WRITE_KEY_HASHES] = args.writeKeyHashes;
    const fn = new aws.lambda.Function(`${name}-collector`, {
        description: "Ingest collector: validates each request, checks its write key, puts the envelope into Kinesis",
        runtime: LAMBDA_RUNTIME,
        architectures: ["arm64"],
        handler: "index.handler",
        code: handlerArchive("functionUrlCollector"),
        environment: { variables },
        role: role.arn,
        memorySize: COLLECTOR_MEMORY_MB,
        timeout: 6,
        // The throttle: requests beyond this many in flight get 429 from Lambda (reservedConcurrencyFor).
        reservedConcurrentExecutions: reservedConcurrency,
        // WARN for both: no START/REPORT lines and no per-request INFO lines, the largest log bill at
        // 100 requests/s; failures (records not stored) are logged at WARN.
        loggingConfig: { logFormat: "JSON", logGroup: logGroup.name, applicationLogLevel: "WARN", systemLogLevel: "WARN" },
        tags,
    }, { parent, dependsOn: [policy] });

    const url = new aws.lambda.FunctionUrl(`${name}-url`, {
        functionName: fn.name,
        // Browser trackers cannot SigV4-sign: the collector checks write keys itself.
        authorizationType: "NONE",
        invokeMode: "BUFFERED",
        cors: args.corsAllowedOrigins.length > 0 ? {
            allowOrigins: args.corsAllowedOrigins,
            allowMethods: ["POST"],
            allowHeaders: [...CORS_ALLOWED_HEADERS],
            allowCredentials: false,
            maxAge: PREFLIGHT_MAX_AGE_SECONDS,
        } : undefined,
    }, opts);
    // Since October 2025 a function URL needs both statements: InvokeFunctionUrl for the URL's auth
    // type, and InvokeFunction limited to calls that come through a function URL.
    new aws.lambda.Permission(`${name}-url-invoke`, {
        action: "lambda:InvokeFunctionUrl",
        function: fn.name,
        principal: "*",
        functionUrlAuthType: "NONE",
    }, opts);
    new aws.lambda.Permission(`${name}-url-invoke-function`, {
        action: "lambda:InvokeFunction",
        function: fn.name,
        principal: "*",
        invokedViaFunctionUrl: true,
    }, opts);

    collectorAlarm(`${name}-collector-throttles`, fn.name, "Throttles", "Ingest requests refused by the collector's reserved concurrency (trackers got 429 and retry): traffic above the throttle, or Kinesis slowing down. Raise clickstream:throttleRateLimit/throttleBurstLimit with the shards, or find the abusive client.", args.alarmActions, opts, tags);
    collectorAlarm(`${name}-collector-errors`, fn.name, "Errors", "The ingest collector failed (trackers got 5xx and retry): check its log group for 'request not stored' and the stream's permissions and key.", args.alarmActions, opts, tags);
    return { fn, url, role, logGroup, reservedConcurrency };
}

/** A Sum > 0 over 5 minutes alarm on one of the collector's Lambda metrics. */
function collectorAlarm(name: string, functionName: pulumi.Input<string>, metricName: "Throttles" | "Errors", description: string, actions: pulumi.Input<string>[], opts: pulumi.CustomResourceOptions, tags?: Record<string, string>): aws.cloudwatch.MetricAlarm {
    return aboveZeroAlarm(name, { namespace: "AWS/Lambda", metricName, dimensions: { FunctionName: functionName }, statistic: "Sum", description, actions, tags }, opts);
}

/**
 * What the collector may do: put records into exactly one stream, generate data keys under exactly
 * the stream's KMS key (Kinesis SSE with a customer-managed key requires it of producers), and write
 * its own log group.
 */
export function collectorRolePolicy(streamArn: string, kmsKeyArn: string, logGroupArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            // PutRecords only: the collector writes one request per call with it (it reports per-record failures).
            { Sid: "PutIntoStream", Effect: "Allow", Action: "kinesis:PutRecords", Resource: streamArn },
            { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: kmsKeyArn },
            { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:*` },
        ],
    };
}
