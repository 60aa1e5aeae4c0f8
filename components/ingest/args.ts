/**
 * IngestEndpoint's arguments: their types (with defaults documented per field) and the
 * construction-time resolution that checks them and applies the defaults.
 */
import * as pulumi from "@pulumi/pulumi";
import { IngestMode } from "./openapi";
import { COLLECTOR_SECONDS_PER_REQUEST, MAX_RESERVED_CONCURRENCY, reservedConcurrencyFor } from "./functionUrl";
import {
    checkApiKeyNames,
    checkBasePath,
    checkCorsOrigins,
    checkDomainName,
    checkPositiveInt,
    checkRetentionDays,
    checkStageName,
    checkThrottle,
    fail,
    MAX_BATCH_EVENTS_LIMIT,
    MAX_STREAM_RETENTION_HOURS,
    MIN_STREAM_RETENTION_HOURS,
} from "./validate";

export type { IngestMode } from "./openapi";

/** Settings of the Kinesis data stream created in "stream" mode. */
export interface IngestStreamArgs {
    /**
     * Number of shards. Setting it switches the stream to PROVISIONED capacity (1 MB/s or 1,000
     * records/s in per shard). Defaults to unset: ON_DEMAND, which scales without shard planning.
     */
    shardCount?: number;
    /** Hours records stay readable (24-8760; replay window). Defaults to 24. */
    retentionHours?: number;
    /** KMS key (ARN) that encrypts the stream. Defaults to a new customer-managed key with rotation. */
    kmsKeyArn?: pulumi.Input<string>;
}

/** Usage-plan quota per API key. */
export interface IngestQuotaArgs {
    /** Most requests per period per key. Required (no default). */
    limit: number;
    /** "DAY", "WEEK" or "MONTH". Required (no default). */
    period: "DAY" | "WEEK" | "MONTH";
}

/** Serve the API on a custom domain (the only place API Gateway takes a TLS security policy). */
export interface IngestCustomDomainArgs {
    /** DNS name, e.g. "ingest.example.com". Required (no default). You create the DNS alias record to the customDomainTarget output. */
    domainName: string;
    /** ACM certificate ARN for the name, in the API's region. Required (no default). */
    certificateArn: pulumi.Input<string>;
    /** Path segment the stage is mapped under. Defaults to none: the routes are served at the domain root. */
    basePath?: string;
}

/** What serves the routes: an API Gateway REST or HTTP API, or a Lambda collector behind a function URL. */
export type IngestApiType = "rest" | "http" | "function-url";

export interface IngestEndpointArgs {
    /**
     * "rest": an API Gateway REST API (OpenAPI body, request validation, usage plans and API keys,
     * WAF, mapping templates that wrap each request in the envelope; $3.50 per million requests).
     * "http": an HTTP API with its first-class Kinesis PutRecord integration and a cached Lambda
     * authorizer for write keys ($1.00 per million requests): stream mode only; no WAF, no request
     * validation, no usage plans (keys are checked by the authorizer); the record is the request body
     * itself (no source IP or user agent). See docs/ingest.md "HTTP API".
     * "function-url": a Lambda collector behind a Lambda function URL (HTTPS only, auth type NONE for
     * browser trackers): the code validates the same request models, checks write keys, builds the
     * same envelope (source IP and user agent included) and PutRecords into the stream; throttled by
     * reserved concurrency, CORS from the function URL's configuration. No per-request API price
     * ($0.20 per million Lambda requests plus duration): stream mode only; no WAF, no usage plans, no
     * stages, no custom domain (put CloudFront in front for those). See docs/ingest.md "Function URL".
     * Defaults to "rest".
     */
    api?: IngestApiType;
    /**
     * Where records go. "firehose": PutRecord into an existing delivery stream (FirehoseLake);
     * cheapest. "stream": PutRecord into a Kinesis data stream this component creates, which
     * FirehoseLake and the analytics windows read. Defaults to "firehose".
     */
    mode?: IngestMode;
    /** Firehose delivery stream name (FirehoseLake's deliveryStreamName). Required in "firehose" mode, not allowed in "stream" mode. */
    deliveryStreamName?: pulumi.Input<string>;
    /** Firehose delivery stream ARN (FirehoseLake's deliveryStreamArn): the only resource the integration role may put into. Required in "firehose" mode. */
    deliveryStreamArn?: pulumi.Input<string>;
    /**
     * KMS key ARN of the delivery stream's server-side encryption (FirehoseLake's kmsKeyArn). When
     * given, the integration role may kms:GenerateDataKey under it, for key policies that require
     * the caller's permission. Defaults to none (Firehose encrypts through its own grant).
     */
    deliveryStreamKmsKeyArn?: pulumi.Input<string>;
    /** Kinesis stream settings; only in "stream" mode. Defaults to on-demand, 24 h retention, a new CMK. */
    stream?: IngestStreamArgs;
    /** Stage name, the first path segment of the execute-api URL. Defaults to "live". */
    stageName?: string;
    /**
     * Steady-state requests per second the stage accepts (over all keys), 1-10,000. Defaults to
     * 1,000: Firehose direct PUT takes 1,000-2,000 PutRecord requests/s per stream depending on the
     * region, so more would only turn into 429s from Firehose.
     */
    throttleRateLimit?: number;
    /** Burst of requests the stage accepts, 1-5,000 (need not be >= the rate). Defaults to 500. */
    throttleBurstLimit?: number;
    /**
     * Origins browsers may call the API from ("https://www.example.com"), or ["*"]. Empty: no CORS
     * (server-side trackers only). Defaults to [].
     */
    corsAllowedOrigins?: string[];
    /** Require an API key (x-api-key, or the Segment write key with acceptSegmentWriteKey) on every POST. Defaults to true when apiKeyNames is non-empty, else false. */
    requireApiKeys?: boolean;
    /** API keys to create (one per app/tracker), all in one usage plan. Defaults to []. */
    apiKeyNames?: string[];
    /** Per-key request quota of the usage plan. Needs API keys. Defaults to none (throttling only). */
    apiKeyQuota?: IngestQuotaArgs;
    /**
     * Accept Segment's write key (`Authorization: Basic base64("<key>:")`, as Segment's server
     * libraries send it) as the API key: apiKeySource AUTHORIZER plus a cached REQUEST Lambda
     * authorizer (identity source Authorization, TTL 300 s) that hands the key to the usage plan.
     * Trackers then use an API key's value as their write key. Needs API keys. Defaults to false.
     */
    acceptSegmentWriteKey?: boolean;
    /** WAFv2 regional web ACL ARN to associate with the stage. Defaults to none. */
    webAclArn?: pulumi.Input<string>;
    /** Retention of the access, execution and authorizer log groups, in CloudWatch's allowed days. Defaults to 30. */
    logRetentionDays?: number;
    /** KMS key ARN that encrypts the log groups (its policy must allow CloudWatch Logs). Defaults to a new customer-managed key with rotation. */
    logsKmsKeyArn?: pulumi.Input<string>;
    /** Custom domain with TLS 1.2 minimum; turns off the default execute-api endpoint. Defaults to none. */
    customDomain?: IngestCustomDomainArgs;
    /** Most events in one /v1/batch or /v1/events request (the model's maxItems). Defaults to 500. */
    maxBatchEvents?: number;
    /**
     * Set the region's API Gateway account CloudWatch role (aws.apigateway.Account), which stage
     * logging needs. It is ONE setting per account and region: enable it in one stack only, or
     * leave it off where the account already has a role. Defaults to false.
     */
    manageAccountLogging?: boolean;
    /** SNS topic the collector's throttle and error alarms notify (api "function-url"), e.g. AnomalyAlerts.notificationTopicArn. Defaults to none (the alarms exist, without actions). */
    alarmTopicArn?: pulumi.Input<string>;
    /** Tags for every taggable resource. Defaults to none. */
    tags?: Record<string, string>;
}

/** Arguments after checks and defaults. */
export interface ResolvedIngestArgs {
    api: IngestApiType;
    mode: IngestMode;
    stageName: string;
    throttleRateLimit: number;
    throttleBurstLimit: number;
    corsAllowedOrigins: string[];
    requireApiKeys: boolean;
    apiKeyNames: string[];
    acceptSegmentWriteKey: boolean;
    logRetentionDays: number;
    maxBatchEvents: number;
}

/** What api "function-url" cannot do, each with its fix. */
function checkFunctionUrlArgs(args: IngestEndpointArgs, mode: IngestMode): void {
    if (mode !== "stream") fail("api", `"function-url" needs mode "stream": the collector puts records into the Kinesis stream this component creates`, `set mode: "stream", or api: "rest"`);
    if (args.webAclArn !== undefined) fail("webAclArn", `cannot be used with api "function-url": WAF cannot be associated with a Lambda function URL`, `remove webAclArn (put CloudFront with WAF in front instead, docs/ingest.md), or set api: "rest"`);
    if (args.apiKeyQuota !== undefined) fail("apiKeyQuota", `needs a usage plan, which a function URL does not have`, `remove apiKeyQuota (reserved concurrency still throttles), or set api: "rest"`);
    if (args.customDomain !== undefined) fail("customDomain", `cannot be used with api "function-url": function URLs have no custom domains`, `remove customDomain (put CloudFront with your certificate in front instead), or set api: "http"`);
    if (args.stageName !== undefined) fail("stageName", `has no meaning with api "function-url": a function URL has no stages`, `remove stageName, or set api: "http"`);
    const reserved = reservedConcurrencyFor(args.throttleRateLimit ?? 1000, args.throttleBurstLimit ?? 500);
    if (reserved > MAX_RESERVED_CONCURRENCY) {
        fail("throttleBurstLimit", `with api "function-url" becomes ${reserved} reserved concurrent executions (the larger of rate and burst x ${COLLECTOR_SECONDS_PER_REQUEST} s), over the ${MAX_RESERVED_CONCURRENCY} an account can reserve by default`, `lower throttleRateLimit/throttleBurstLimit to at most ${MAX_RESERVED_CONCURRENCY / COLLECTOR_SECONDS_PER_REQUEST}, or raise the account's Lambda concurrency quota first`);
    }
}

/** Validates the arguments and applies defaults; throws naming the field and the fix. */
export function resolveIngestArgs(args: IngestEndpointArgs): ResolvedIngestArgs {
    const mode = args.mode ?? "firehose";
    if (mode !== "firehose" && mode !== "stream") fail("mode", `must be "firehose" or "stream" (got ${JSON.stringify(mode)})`, `use "firehose" (cheapest) or "stream" (analytics, replay)`);
    if (mode === "firehose") {
        if (args.deliveryStreamArn === undefined) fail("deliveryStreamArn", `is required in "firehose" mode`, "pass FirehoseLake's deliveryStreamArn, or set mode: \"stream\"");
        if (args.deliveryStreamName === undefined) fail("deliveryStreamName", `is required in "firehose" mode`, "pass FirehoseLake's deliveryStreamName, or set mode: \"stream\"");
        if (args.stream !== undefined) fail("stream", `applies to "stream" mode only (mode is "firehose")`, `remove stream, or set mode: "stream"`);
    } else {
        for (const field of ["deliveryStreamArn", "deliveryStreamName", "deliveryStreamKmsKeyArn"] as const) {
            if (args[field] !== undefined) fail(field, `is not used in "stream" mode (FirehoseLake reads from this component's stream instead)`, `remove ${field}, and give FirehoseLake this component's streamArn`);
        }
        checkPositiveInt("stream.shardCount", args.stream?.shardCount, 10_000, "use a whole number of shards, or leave it unset for on-demand capacity");
        const hours = args.stream?.retentionHours;
        if (hours !== undefined && (!Number.isInteger(hours) || hours < MIN_STREAM_RETENTION_HOURS || hours > MAX_STREAM_RETENTION_HOURS)) {
            fail("stream.retentionHours", `must be a whole number of hours from ${MIN_STREAM_RETENTION_HOURS} to ${MAX_STREAM_RETENTION_HOURS} (got ${hours})`, "use e.g. 24 (one day) or 168 (one week)");
        }
    }
    checkStageName(args.stageName);
    checkThrottle(args.throttleRateLimit, args.throttleBurstLimit);
    checkCorsOrigins(args.corsAllowedOrigins);
    checkApiKeyNames(args.apiKeyNames);
    checkRetentionDays("logRetentionDays", args.logRetentionDays);
    checkPositiveInt("maxBatchEvents", args.maxBatchEvents, MAX_BATCH_EVENTS_LIMIT, `use 1-${MAX_BATCH_EVENTS_LIMIT}; 500 matches Segment's clients`);
    const apiKeyNames = args.apiKeyNames ?? [];
    const requireApiKeys = args.requireApiKeys ?? apiKeyNames.length > 0;
    if (requireApiKeys && apiKeyNames.length === 0) fail("requireApiKeys", "is true but apiKeyNames is empty, so no caller could get in", `name the keys to create, e.g. apiKeyNames: ["web"]`);
    if (!requireApiKeys && apiKeyNames.length > 0) fail("apiKeyNames", "creates keys but requireApiKeys is false, so the keys would not be checked", "set requireApiKeys: true, or remove apiKeyNames");
    if (args.apiKeyQuota !== undefined) {
        if (!requireApiKeys) fail("apiKeyQuota", "needs API keys (a usage plan meters keys)", "set apiKeyNames, or remove apiKeyQuota");
        checkPositiveInt("apiKeyQuota.limit", args.apiKeyQuota.limit, Number.MAX_SAFE_INTEGER, "use a whole number of requests per period");
        if (!["DAY", "WEEK", "MONTH"].includes(args.apiKeyQuota.period)) fail("apiKeyQuota.period", `must be "DAY", "WEEK" or "MONTH" (got ${JSON.stringify(args.apiKeyQuota.period)})`, `use "DAY"`);
    }
    const api = args.api ?? "rest";
    if (api !== "rest" && api !== "http" && api !== "function-url") fail("api", `must be "rest", "http" or "function-url" (got ${JSON.stringify(api)})`, `use "function-url" (cheapest), "http" or "rest" (WAF, request validation, usage plans)`);
    if (api === "function-url") checkFunctionUrlArgs(args, mode);
    if (api === "http") {
        if (mode !== "stream") fail("api", `"http" needs mode "stream": HTTP APIs integrate with Kinesis PutRecord but not with Firehose`, `set mode: "stream", or api: "rest"`);
        if (args.webAclArn !== undefined) fail("webAclArn", `cannot be used with api "http": WAF cannot be associated with an HTTP API`, `remove webAclArn (put CloudFront with WAF in front instead), or set api: "rest"`);
        if (args.apiKeyQuota !== undefined) fail("apiKeyQuota", `needs a usage plan, which HTTP APIs do not have`, `remove apiKeyQuota (stage throttling still applies), or set api: "rest"`);
        if (args.maxBatchEvents !== undefined) fail("maxBatchEvents", `is enforced by the REST API's request model; HTTP APIs validate no bodies (the transform's size limits apply)`, `remove maxBatchEvents, or set api: "rest"`);
    }
    const acceptSegmentWriteKey = args.acceptSegmentWriteKey ?? false;
    if (acceptSegmentWriteKey && !requireApiKeys) fail("acceptSegmentWriteKey", "needs API keys: the write key is checked as an API key of the usage plan", `set apiKeyNames, e.g. ["segment"], and use a key's value as the write key`);
    if (args.customDomain !== undefined) {
        checkDomainName(args.customDomain.domainName);
        checkBasePath(args.customDomain.basePath);
    }
    return {
        api,
        mode,
        stageName: args.stageName ?? "live",
        throttleRateLimit: args.throttleRateLimit ?? 1000,
        throttleBurstLimit: args.throttleBurstLimit ?? 500,
        corsAllowedOrigins: args.corsAllowedOrigins ?? [],
        requireApiKeys,
        apiKeyNames,
        acceptSegmentWriteKey,
        logRetentionDays: args.logRetentionDays ?? 30,
        maxBatchEvents: args.maxBatchEvents ?? 500,
    };
}
