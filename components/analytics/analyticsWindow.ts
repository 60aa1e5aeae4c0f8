/**
 * AnalyticsWindow: tumbling-window aggregations over the click-stream Kinesis data stream (issue 5),
 * rebuilding what the article did with Kinesis Data Analytics for SQL (discontinued 2026-01-27).
 *
 *   Kinesis stream -> event source mapping (tumblingWindowInSeconds) -> window Lambda
 *      (normalize with the lake's transform, aggregate per spec, state <= budget per shard)
 *   -> on each closed window:  EMF on stdout -> CloudWatch metrics  (AnomalyAlerts alarms on them)
 *                              PutRecordBatch -> aggregates Firehose -> Parquet in s3://lake/aggregates/
 *   failed batches (after bounded retries) -> KMS-encrypted SQS dead-letter queue
 */
import { componentLogGroup } from "../logs/componentLogGroup";
import { dlqNotEmptyAlarm } from "../alarms/dlqAlarm";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TIMESTAMP_FORMAT } from "../../dataplane/schema";
import type { TransformConfig } from "../../dataplane/transform/config";
import { ENV_PII_SECRET_ARN, ENV_PII_SECRET_PARAMETER, ENV_TRANSFORM_CONFIG } from "../../dataplane/transform/config";
import {
    ENV_AGGREGATES_STREAM, ENV_DEDUPE_CAPACITY, ENV_MAX_DIMENSION_VALUES, ENV_METRIC_NAMESPACE, ENV_STATE_BUDGET_BYTES, ENV_WINDOW_SPECS,
} from "../../dataplane/analytics/env";
import { alarmStatisticOf } from "../../dataplane/analytics/output";
import { MetricKind, WindowSpec, cloudWatchMetricName, dimensionNameOf, metricNameOf, validateSpecs } from "../../dataplane/analytics/spec";
import { DEFAULT_MAX_DIMENSION_VALUES, DEFAULT_STATE_BUDGET_BYTES, validateWindowSettings } from "../../dataplane/analytics/window";
import { DEFAULT_DEDUPE_CAPACITY } from "../../dataplane/analytics/aggregator";
import type { PiiSecretSource } from "../lake/firehoseLake";
import { serviceAssumeRolePolicy, ssmParameterArn, type PiiSecretRef } from "../lake/policies";
import { isGlueName } from "../lake/glueTable";
import { validateTransformConfig } from "../lake/transformConfig";
import { checkDate, checkInteger, checkKeyArn, checkLogRetention, fail } from "../lake/validate";
import { handlerArchive, LAMBDA_RUNTIME } from "../lambda/bundle";
import {
    FIREHOSE_AGGREGATES_ERROR_PREFIX, FIREHOSE_AGGREGATES_PREFIX, aggregatePartitionKeys, aggregatesStorageDescriptor, aggregatesTableParameters,
} from "./aggregatesTable";
import { aggregatesFirehosePolicyDocument, windowFunctionPolicyDocument } from "./policies";
import { awsEnvironment } from "../aws/environment";

const COMPONENT = "AnalyticsWindow";

export type StartingPosition = "LATEST" | "TRIM_HORIZON";

export interface AnalyticsWindowArgs {
    /** ARN of the Kinesis data stream to aggregate (IngestEndpoint's stream mode). Required. */
    streamArn: pulumi.Input<string>;
    /** KMS key the Glue Data Catalog is encrypted with (FirehoseLake's catalogKmsKeyArn, or the lake key with manageCatalogEncryption); the aggregates Firehose decrypts the table with it. Defaults to none (catalog not CMK-encrypted). */
    catalogKmsKeyArn?: pulumi.Input<string>;
    /** Customer-managed KMS key of that stream; the function gets kms:Decrypt on it via Kinesis. Defaults to none (AWS-managed or unencrypted stream). */
    streamKmsKeyArn?: pulumi.Input<string>;
    /** Window specs, all with the same `windowSeconds`, e.g. `[PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE]`. Required. */
    specs: WindowSpec[];
    /** Lake bucket ARN (FirehoseLake.lakeBucketArn): aggregates land under aggregates/. Required. */
    lakeBucketArn: pulumi.Input<string>;
    /** Lake bucket name (FirehoseLake.lakeBucketName), for the table location. Required. */
    lakeBucketName: pulumi.Input<string>;
    /** Lake KMS key ARN (FirehoseLake.kmsKeyArn): encrypts aggregates, the Firehose buffer, the DLQ, logs and the function environment. Its policy must let CloudWatch Logs use it (FirehoseLake's does). Required. */
    kmsKeyArn: pulumi.Input<string>;
    /** Glue database of the lake (FirehoseLake.databaseName); the aggregates table is created in it. Required. */
    databaseName: pulumi.Input<string>;
    /**
     * The lake's pseudonymization key, so window rows carry the same pseudonyms as lake rows: pass the
     * `piiSecret` given to FirehoseLake, or `{ secretArn: lake.piiSecretArn }` when the lake generated it. Required.
     */
    piiSecret: PiiSecretSource;
    /** Transform configuration; pass the lake's so both normalize identically. Defaults to the transform's defaults. */
    transform?: TransformConfig;
    /** CloudWatch namespace of the window metrics. Defaults to `Clickstream/<name>`. */
    metricNamespace?: string;
    /** Name of the aggregates Glue table. Defaults to "aggregates". */
    aggregatesTableName?: string;
    /** Where a new mapping starts reading. Defaults to "LATEST" (windows are about now; TRIM_HORIZON replays the stream's retention). */
    startingPosition?: StartingPosition;
    /** Records per invocation. Defaults to 500 (1-10,000). */
    batchSize?: number;
    /** Seconds Lambda gathers records before invoking. Defaults to 5 (0-300). */
    maximumBatchingWindowInSeconds?: number;
    /** Concurrent batches per shard. Defaults to 1 (1-10). Window state is per shard; see docs/analytics.md before raising it. */
    parallelizationFactor?: number;
    /** Retries of a failing batch before it goes to the DLQ. Defaults to 10 (0-10,000; unbounded -1 is rejected so a poison batch cannot stall a shard forever). */
    maximumRetryAttempts?: number;
    /** Oldest record age in seconds before it goes to the DLQ unprocessed. Defaults to 3600 (60-604,800). */
    maximumRecordAgeInSeconds?: number;
    /** Split a failing batch in two and retry each half. Defaults to true. */
    bisectBatchOnFunctionError?: boolean;
    /** Serialized window state that triggers an early, partial emit. Defaults to 900,000 bytes (Lambda caps state at 1 MB per shard). */
    stateBudgetBytes?: number;
    /** Event ids remembered per window state for de-duplication. Defaults to 20,000. */
    dedupeCapacity?: number;
    /** Dimension values per spec and window before the tail folds into "other". Defaults to 50. */
    maxDimensionValues?: number;
    /** Window function memory in MB. Defaults to 512 (128-10,240). */
    memoryMb?: number;
    /** Window function timeout in seconds. Defaults to 60 (10-900). */
    timeoutSeconds?: number;
    /** Retention of the function and Firehose log groups. Defaults to 30 (a CloudWatch Logs value). */
    logRetentionDays?: number;
    /** Days discarded-batch records stay in the DLQ. Defaults to 14 (1-14, SQS's maximum). */
    dlqRetentionDays?: number;
    /** Seconds the aggregates Firehose buffers before writing Parquet. Defaults to 300 (60-900). */
    aggregatesBufferingSeconds?: number;
    /** First dt the aggregates table's partition projection covers. Defaults to "2026-01-01". */
    partitionProjectionStartDate?: string;
    /** SNS topic the operational alarms (DLQ not empty, iterator age) notify, e.g. AnomalyAlerts.notificationTopicArn. Defaults to none (the alarms exist, without actions). */
    alarmTopicArn?: pulumi.Input<string>;
    /** Iterator age, in seconds, above which the window function is considered behind. Defaults to 3 windows or 600 s, whichever is larger. */
    iteratorAgeAlarmSeconds?: number;
    /** Tags for every taggable child resource. Defaults to none. */
    tags?: Record<string, string>;
}

/** A CloudWatch metric a window publishes, with the statistic an alarm on it should use. */
export interface WindowMetricRef {
    spec: string;
    /** Metric name within the spec ("avg_price"). */
    metric: string;
    kind: MetricKind;
    namespace: string;
    /** CloudWatch metric name ("purchase_price_by_group_avg_price"). */
    metricName: string;
    statistic: "Sum" | "Average" | "Minimum" | "Maximum";
    periodSeconds: number;
    /** Dimensions of the metric; {} is the roll-up over all groups. */
    dimensions: Record<string, string>;
    /** Dimension names the per-group series use (the spec's group-by fields). */
    groupDimensions: string[];
}

export interface AnalyticsWindowSettings {
    specs: WindowSpec[];
    windowSeconds: number;
    metricNamespace: string;
    aggregatesTableName: string;
    startingPosition: StartingPosition;
    batchSize: number;
    maximumBatchingWindowInSeconds: number;
    parallelizationFactor: number;
    maximumRetryAttempts: number;
    maximumRecordAgeInSeconds: number;
    bisectBatchOnFunctionError: boolean;
    stateBudgetBytes: number;
    dedupeCapacity: number;
    maxDimensionValues: number;
    memoryMb: number;
    timeoutSeconds: number;
    logRetentionDays: number;
    dlqRetentionSeconds: number;
    aggregatesBufferingSeconds: number;
    partitionProjectionStartDate: string;
    iteratorAgeAlarmSeconds: number;
    transformConfigJson: string;
    specsJson: string;
}

/** Validates `args` and applies defaults; throws an Error naming the field and the fix. Exported for tests. */
export function resolveAnalyticsWindowSettings(name: string, args: AnalyticsWindowArgs): AnalyticsWindowSettings {
    const c = COMPONENT;
    if (!args || typeof args !== "object") fail(c, "args", "are missing", "pass { streamArn, specs, lakeBucketArn, lakeBucketName, kmsKeyArn, databaseName, piiSecret }");
    for (const field of ["streamArn", "lakeBucketArn", "lakeBucketName", "kmsKeyArn", "databaseName", "piiSecret"] as const) {
        if (args[field] === undefined || args[field] === null || args[field] === "") fail(c, field, "is missing", `pass it (from IngestEndpoint for streamArn, from FirehoseLake for the lake's ${field})`);
    }
    if (typeof args.streamArn === "string" && !/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/.+/.test(args.streamArn)) {
        fail(c, "streamArn", `is "${args.streamArn}", not a Kinesis data stream ARN`, "pass arn:aws:kinesis:<region>:<account>:stream/<name> (Firehose cannot be a Lambda event source)");
    }
    checkKeyArn(c, "kmsKeyArn", args.kmsKeyArn);
    checkKeyArn(c, "streamKmsKeyArn", args.streamKmsKeyArn);
    checkKeyArn(c, "catalogKmsKeyArn", args.catalogKmsKeyArn);
    checkKeyArn(c, "piiSecret.kmsKeyArn", args.piiSecret.kmsKeyArn);
    const pii = args.piiSecret as unknown as Record<string, unknown>;
    if (("parameterName" in pii) === ("secretArn" in pii)) fail(c, "piiSecret", "must have exactly one of parameterName or secretArn", "pass the lake's key source, e.g. { secretArn: lake.piiSecretArn }");
    if (typeof args.databaseName === "string" && !isGlueName(args.databaseName)) fail(c, "databaseName", `is "${args.databaseName}"`, "pass the lake's Glue database name");

    let specs: WindowSpec[];
    try {
        specs = validateSpecs(args.specs, "specs");
    } catch (err) {
        throw new Error(`${c}: ${(err as Error).message}`);
    }
    const namespace = args.metricNamespace ?? `Clickstream/${name}`;
    if (!/^[A-Za-z0-9._/#:-]{1,255}$/.test(namespace) || namespace.startsWith("AWS/")) {
        fail(c, "metricNamespace", `is "${namespace}"`, "use 1-255 letters, digits and . _ / # : - not starting with AWS/ (reserved)");
    }
    const tableName = args.aggregatesTableName ?? "aggregates";
    if (!isGlueName(tableName)) fail(c, "aggregatesTableName", `is "${tableName}"`, "use lower-case letters, digits and underscores");
    const startingPosition = args.startingPosition ?? "LATEST";
    if (startingPosition !== "LATEST" && startingPosition !== "TRIM_HORIZON") fail(c, "startingPosition", `is "${String(startingPosition)}"`, 'use "LATEST" or "TRIM_HORIZON"');

    const s: AnalyticsWindowSettings = {
        specs,
        windowSeconds: specs[0].windowSeconds,
        metricNamespace: namespace,
        aggregatesTableName: tableName,
        startingPosition,
        batchSize: checkInteger(c, "batchSize", args.batchSize ?? 500, 1, 10_000, "Kinesis event source mappings take 1-10,000"),
        maximumBatchingWindowInSeconds: checkInteger(c, "maximumBatchingWindowInSeconds", args.maximumBatchingWindowInSeconds ?? 5, 0, 300),
        parallelizationFactor: checkInteger(c, "parallelizationFactor", args.parallelizationFactor ?? 1, 1, 10),
        maximumRetryAttempts: checkInteger(c, "maximumRetryAttempts", args.maximumRetryAttempts ?? 10, 0, 10_000, "retries must be bounded so a poison batch reaches the DLQ instead of stalling its shard"),
        maximumRecordAgeInSeconds: checkInteger(c, "maximumRecordAgeInSeconds", args.maximumRecordAgeInSeconds ?? 3600, 60, 604_800, "bounded so a stuck shard hands old records to the DLQ"),
        bisectBatchOnFunctionError: args.bisectBatchOnFunctionError ?? true,
        stateBudgetBytes: args.stateBudgetBytes ?? DEFAULT_STATE_BUDGET_BYTES,
        dedupeCapacity: args.dedupeCapacity ?? DEFAULT_DEDUPE_CAPACITY,
        maxDimensionValues: args.maxDimensionValues ?? DEFAULT_MAX_DIMENSION_VALUES,
        memoryMb: checkInteger(c, "memoryMb", args.memoryMb ?? 512, 128, 10_240),
        timeoutSeconds: checkInteger(c, "timeoutSeconds", args.timeoutSeconds ?? 60, 10, 900),
        logRetentionDays: checkLogRetention(c, "logRetentionDays", args.logRetentionDays ?? 30),
        dlqRetentionSeconds: checkInteger(c, "dlqRetentionDays", args.dlqRetentionDays ?? 14, 1, 14, "SQS keeps messages at most 14 days") * 86_400,
        aggregatesBufferingSeconds: checkInteger(c, "aggregatesBufferingSeconds", args.aggregatesBufferingSeconds ?? 300, 60, 900),
        partitionProjectionStartDate: checkDate(c, "partitionProjectionStartDate", args.partitionProjectionStartDate ?? "2026-01-01"),
        iteratorAgeAlarmSeconds: checkInteger(c, "iteratorAgeAlarmSeconds", args.iteratorAgeAlarmSeconds ?? Math.max(600, 3 * specs[0].windowSeconds), 60, 604_800),
        transformConfigJson: JSON.stringify(args.transform ?? {}),
        specsJson: JSON.stringify(specs),
    };
    try {
        validateWindowSettings({ specs, namespace, stateBudgetBytes: s.stateBudgetBytes, dedupeCapacity: s.dedupeCapacity, maxDimensionValues: s.maxDimensionValues });
    } catch (err) {
        throw new Error(`${c}: ${(err as Error).message}`);
    }
    validateTransformConfig(args.transform ?? {});
    // Lambda caps all environment variables together at 4 KB.
    const envBytes = s.specsJson.length + s.transformConfigJson.length + namespace.length + 400;
    if (envBytes > 4000) fail(c, "specs", `and transform serialize to about ${envBytes} bytes of environment`, "keep them under 4 KB together (Lambda's limit): split specs across two AnalyticsWindows or shorten names");
    return s;
}

/** The metrics each spec publishes (roll-up dimensions {}), for alarms. */
export function windowMetricRefs(settings: Pick<AnalyticsWindowSettings, "specs" | "metricNamespace" | "windowSeconds">): WindowMetricRef[] {
    return settings.specs.flatMap((spec) => spec.metrics.map((m) => ({
        spec: spec.name,
        metric: metricNameOf(m),
        kind: m.kind,
        namespace: settings.metricNamespace,
        metricName: cloudWatchMetricName(spec, m),
        statistic: alarmStatisticOf(m.kind),
        periodSeconds: settings.windowSeconds,
        dimensions: {},
        groupDimensions: (spec.groupBy ?? []).map(dimensionNameOf),
    })));
}

/**
 * The metric reference of one spec's metric, computed from the specs alone (no component needed), so a
 * stack can create AnomalyAlerts before the AnalyticsWindow, e.g. to pass `alerts.notificationTopicArn`
 * as the window's `alarmTopicArn`. `AnalyticsWindow.metric()` returns the same. Throws naming the
 * unknown spec, metric or dimension.
 */
export function windowMetric(
    window: { specs: WindowSpec[]; metricNamespace: string },
    spec: string,
    metric: string,
    dimensions: Record<string, string> = {},
): WindowMetricRef {
    const specs = validateSpecs(window.specs, "specs");
    const refs = windowMetricRefs({ specs, metricNamespace: window.metricNamespace, windowSeconds: specs[0].windowSeconds });
    const ref = refs.find((r) => r.spec === spec && r.metric === metric);
    if (!ref) {
        const known = refs.map((r) => `${r.spec}.${r.metric}`).join(", ");
        throw new Error(`${COMPONENT}: no metric "${metric}" in spec "${spec}"; known metrics: ${known}`);
    }
    const names = Object.keys(dimensions);
    if (names.length > 0 && (names.length !== ref.groupDimensions.length || names.some((d) => !ref.groupDimensions.includes(d)))) {
        throw new Error(`${COMPONENT}: metric ${spec}.${metric} dimensions must be all of [${ref.groupDimensions.join(", ")}] or none (the roll-up), got [${names.join(", ")}]`);
    }
    return { ...ref, dimensions: { ...dimensions } };
}

/** Log stream the aggregates Firehose writes delivery errors to (created up front: the role needs no CreateLogStream). */
export const AGGREGATES_LOG_STREAM = "DestinationDelivery";

/**
 * Tumbling-window analytics over the click-stream Kinesis stream.
 *
 *     const analytics = new AnalyticsWindow("analytics", {
 *         streamArn: ingest.streamArn, streamKmsKeyArn: ingest.streamKmsKeyArn,
 *         specs: [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE],
 *         lakeBucketArn: lake.lakeBucketArn, lakeBucketName: lake.lakeBucketName, kmsKeyArn: lake.kmsKeyArn,
 *         databaseName: lake.databaseName, piiSecret: { secretArn: lake.piiSecretArn },
 *     });
 *     new AnomalyAlerts("alerts", { alarms: [{ metric: analytics.metric("purchase_price_by_group", "avg_price") }] });
 */
export class AnalyticsWindow extends pulumi.ComponentResource {
    readonly functionName: pulumi.Output<string>;
    readonly functionArn: pulumi.Output<string>;
    readonly eventSourceMappingId: pulumi.Output<string>;
    readonly metricNamespace: string;
    /** Every metric the specs publish (roll-up form), in spec order. */
    readonly metricRefs: WindowMetricRef[];
    /** spec name -> CloudWatch metric names. */
    readonly metricNames: pulumi.Output<Record<string, string[]>>;
    readonly aggregatesTableName: pulumi.Output<string>;
    readonly aggregatesStreamName: pulumi.Output<string>;
    readonly aggregatesStreamArn: pulumi.Output<string>;
    /** Role the aggregates Firehose reads the table schema with: give it Lake Formation access to the aggregates table where LF governs the database. */
    readonly aggregatesFirehoseRoleArn: pulumi.Output<string>;
    readonly dlqUrl: pulumi.Output<string>;
    readonly dlqArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    /** Alarms on the pipeline itself: DLQ not empty, iterator age. */
    readonly operationalAlarmNames: pulumi.Output<string[]>;
    readonly settings: AnalyticsWindowSettings;

    constructor(name: string, args: AnalyticsWindowArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:analytics:AnalyticsWindow", name, {}, opts);
        const s = resolveAnalyticsWindowSettings(name, args);
        this.settings = s;
        const tags = args.tags;
        const parent = { parent: this };
        const kmsKeyArn = pulumi.output(args.kmsKeyArn);

        const env = awsEnvironment(this);

        // --- Aggregates table and its Firehose (Direct PUT from the window Lambda, Parquet via the table).
        const table = new aws.glue.CatalogTable(`${name}-aggregates-table`, {
            name: s.aggregatesTableName,
            databaseName: args.databaseName,
            description: `Window aggregates (${s.specs.map((x) => x.name).join(", ")}), one row per spec, window, shard, part and group`,
            tableType: "EXTERNAL_TABLE",
            parameters: pulumi.output(args.lakeBucketName).apply((b) => aggregatesTableParameters(b, s.partitionProjectionStartDate)),
            storageDescriptor: pulumi.output(args.lakeBucketName).apply((b) => aggregatesStorageDescriptor(b)),
            partitionKeys: aggregatePartitionKeys(),
        }, parent);

        const firehoseLogs = componentLogGroup(name, "aggregates-firehose", { retentionInDays: s.logRetentionDays, kmsKeyId: kmsKeyArn, tags }, parent);
        const firehoseLogStream = new aws.cloudwatch.LogStream(`${name}-aggregates-firehose-log`, { name: AGGREGATES_LOG_STREAM, logGroupName: firehoseLogs.name }, parent);
        const firehoseRole = new aws.iam.Role(`${name}-aggregates-firehose-role`, {
            description: `Firehose delivery role of the aggregates of clickstream analytics ${name}`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => serviceAssumeRolePolicy("firehose.amazonaws.com", e.accountId))),
            tags,
        }, parent);
        const firehosePolicy = new aws.iam.RolePolicy(`${name}-aggregates-firehose-policy`, {
            role: firehoseRole.id,
            policy: pulumi.jsonStringify(pulumi.all([env, args.lakeBucketArn, kmsKeyArn, args.databaseName, table.name, firehoseLogs.arn, args.catalogKmsKeyArn]).apply(
                ([e, lakeBucketArn, key, databaseName, tableName, logGroupArn, catalogKmsKeyArn]) =>
                    aggregatesFirehosePolicyDocument({ ...e, lakeBucketArn, kmsKeyArn: key, databaseName, tableName, logGroupArn, logStreamName: AGGREGATES_LOG_STREAM, catalogKmsKeyArn }),
            )),
        }, parent);
        const aggregatesStream = new aws.kinesis.FirehoseDeliveryStream(`${name}-aggregates`, {
            destination: "extended_s3",
            serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: kmsKeyArn },
            extendedS3Configuration: {
                bucketArn: args.lakeBucketArn,
                roleArn: firehoseRole.arn,
                prefix: FIREHOSE_AGGREGATES_PREFIX,
                errorOutputPrefix: FIREHOSE_AGGREGATES_ERROR_PREFIX,
                customTimeZone: "UTC",
                fileExtension: ".parquet",
                bufferingInterval: s.aggregatesBufferingSeconds,
                bufferingSize: 64, // format conversion requires >= 64 MiB
                compressionFormat: "UNCOMPRESSED", // Parquet compresses itself (SNAPPY)
                kmsKeyArn,
                dataFormatConversionConfiguration: {
                    enabled: true,
                    inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: [TIMESTAMP_FORMAT] } } },
                    outputFormatConfiguration: { serializer: { parquetSerDe: { compression: "SNAPPY" } } },
                    schemaConfiguration: { databaseName: args.databaseName, tableName: table.name, roleArn: firehoseRole.arn, versionId: "LATEST" },
                },
                cloudwatchLoggingOptions: { enabled: true, logGroupName: firehoseLogs.name, logStreamName: firehoseLogStream.name },
            },
            // Aggregates are computed from rows the lake transform already pseudonymized (same key), and hold
            // no raw event payloads: the lake's "every stream runs the PII transform" rule does not apply.
            tags: { ...tags, "clickstream:pii-transform": "not-required" },
        }, { parent: this, dependsOn: [firehosePolicy, table] });

        // --- Dead-letter queue: metadata of batches Lambda gave up on (shard, sequence range), to replay.
        const dlq = new aws.sqs.Queue(`${name}-dlq`, {
            messageRetentionSeconds: s.dlqRetentionSeconds,
            kmsMasterKeyId: kmsKeyArn,
            kmsDataKeyReusePeriodSeconds: 300,
            tags,
        }, parent);

        // --- Window function.
        const logs = componentLogGroup(name, "window", { retentionInDays: s.logRetentionDays, kmsKeyId: kmsKeyArn, tags }, parent);
        const pii = args.piiSecret;
        let piiRef: pulumi.Output<PiiSecretRef>;
        let piiEnv: Record<string, pulumi.Input<string>>;
        if ("parameterName" in pii) {
            piiRef = pulumi.all([env, pii.kmsKeyArn]).apply(([e, k]) => ({ kind: "ssm" as const, parameterArn: ssmParameterArn(e, pii.parameterName), kmsKeyArn: k }));
            piiEnv = { [ENV_PII_SECRET_PARAMETER]: pii.parameterName };
        } else {
            piiRef = pulumi.all([pii.secretArn, pii.kmsKeyArn ?? kmsKeyArn]).apply(([arn, k]) => ({ kind: "secretsmanager" as const, secretArn: arn, kmsKeyArn: k }));
            piiEnv = { [ENV_PII_SECRET_ARN]: pii.secretArn };
        }
        const role = new aws.iam.Role(`${name}-window-role`, {
            description: `Execution role of the clickstream window function (analytics ${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => serviceAssumeRolePolicy("lambda.amazonaws.com", e.accountId))),
            tags,
        }, parent);
        const policy = new aws.iam.RolePolicy(`${name}-window-policy`, {
            role: role.id,
            policy: pulumi.jsonStringify(pulumi.all([env, args.streamArn, args.streamKmsKeyArn, aggregatesStream.arn, dlq.arn, kmsKeyArn, logs.arn, piiRef]).apply(
                ([e, streamArn, streamKmsKeyArn, aggregatesStreamArn, dlqArn, key, logGroupArn, piiSecret]) =>
                    windowFunctionPolicyDocument({ ...e, streamArn, streamKmsKeyArn, aggregatesStreamArn, dlqArn, kmsKeyArn: key, logGroupArn, piiSecret }),
            )),
        }, parent);
        const fn = new aws.lambda.Function(`${name}-window`, {
            description: `clickstream tumbling-window analytics (${s.windowSeconds} s): ${s.specs.map((x) => x.name).join(", ")}`,
            runtime: LAMBDA_RUNTIME,
            architectures: ["arm64"],
            handler: "index.handler",
            code: handlerArchive("window"),
            role: role.arn,
            memorySize: s.memoryMb,
            timeout: s.timeoutSeconds,
            kmsKeyArn,
            environment: {
                variables: {
                    [ENV_WINDOW_SPECS]: s.specsJson,
                    [ENV_METRIC_NAMESPACE]: s.metricNamespace,
                    [ENV_AGGREGATES_STREAM]: aggregatesStream.name,
                    [ENV_STATE_BUDGET_BYTES]: String(s.stateBudgetBytes),
                    [ENV_DEDUPE_CAPACITY]: String(s.dedupeCapacity),
                    [ENV_MAX_DIMENSION_VALUES]: String(s.maxDimensionValues),
                    [ENV_TRANSFORM_CONFIG]: s.transformConfigJson,
                    ...piiEnv,
                },
            },
            // Text format: EMF lines written to stdout reach CloudWatch Logs verbatim, so metrics are extracted.
            loggingConfig: { logFormat: "Text", logGroup: logs.name },
            tags,
        }, { parent: this, dependsOn: [policy] });

        const mapping = new aws.lambda.EventSourceMapping(`${name}-window-source`, {
            eventSourceArn: args.streamArn,
            functionName: fn.arn,
            startingPosition: s.startingPosition,
            batchSize: s.batchSize,
            maximumBatchingWindowInSeconds: s.maximumBatchingWindowInSeconds,
            parallelizationFactor: s.parallelizationFactor,
            tumblingWindowInSeconds: s.windowSeconds,
            functionResponseTypes: ["ReportBatchItemFailures"],
            bisectBatchOnFunctionError: s.bisectBatchOnFunctionError,
            maximumRetryAttempts: s.maximumRetryAttempts,
            maximumRecordAgeInSeconds: s.maximumRecordAgeInSeconds,
            destinationConfig: { onFailure: { destinationArn: dlq.arn } },
            tags,
        }, { parent: this, dependsOn: [policy] });

        // --- Operational alarms: a discarded batch or a window function falling behind must be seen.
        const actions = args.alarmTopicArn !== undefined ? [args.alarmTopicArn] : [];
        const dlqAlarm = dlqNotEmptyAlarm(`${name}-dlq-not-empty`, {
            queueName: dlq.name,
            description: `Kinesis batches were discarded to the window DLQ of ${name}: replay them from the shard/sequence range in the messages`,
            actions,
            tags,
        }, parent);
        const ageAlarm = new aws.cloudwatch.MetricAlarm(`${name}-iterator-age`, {
            alarmDescription: `The window function of ${name} is more than ${s.iteratorAgeAlarmSeconds} s behind its stream`,
            namespace: "AWS/Lambda",
            metricName: "IteratorAge",
            dimensions: { FunctionName: fn.name },
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 5,
            datapointsToAlarm: 3,
            threshold: s.iteratorAgeAlarmSeconds * 1000,
            comparisonOperator: "GreaterThanThreshold",
            treatMissingData: "notBreaching",
            alarmActions: actions,
            okActions: actions,
            tags,
        }, parent);

        this.functionName = fn.name;
        this.functionArn = fn.arn;
        this.eventSourceMappingId = mapping.uuid;
        this.metricNamespace = s.metricNamespace;
        this.metricRefs = windowMetricRefs(s);
        this.metricNames = pulumi.output(Object.fromEntries(s.specs.map((spec) => [spec.name, spec.metrics.map((m) => cloudWatchMetricName(spec, m))])));
        this.aggregatesTableName = table.name;
        this.aggregatesStreamName = aggregatesStream.name;
        this.aggregatesStreamArn = aggregatesStream.arn;
        this.aggregatesFirehoseRoleArn = firehoseRole.arn;
        this.dlqUrl = dlq.url;
        this.dlqArn = dlq.arn;
        this.logGroupName = logs.name;
        this.operationalAlarmNames = pulumi.all([dlqAlarm.name, ageAlarm.name]);
        this.registerOutputs({
            functionName: this.functionName, functionArn: this.functionArn, eventSourceMappingId: this.eventSourceMappingId,
            metricNamespace: this.metricNamespace, metricNames: this.metricNames, aggregatesTableName: this.aggregatesTableName,
            aggregatesStreamName: this.aggregatesStreamName, aggregatesStreamArn: this.aggregatesStreamArn,
            aggregatesFirehoseRoleArn: this.aggregatesFirehoseRoleArn, dlqUrl: this.dlqUrl, dlqArn: this.dlqArn,
            logGroupName: this.logGroupName, operationalAlarmNames: this.operationalAlarmNames,
        });
    }

    /**
     * The metric of one spec, for an alarm: the roll-up over all groups, or one group's series with
     * `dimensions` (e.g. `{ user_group: "gold" }`). Throws naming the spec/metric/dimension if unknown.
     */
    metric(spec: string, metric: string, dimensions: Record<string, string> = {}): WindowMetricRef {
        return windowMetric({ specs: this.settings.specs, metricNamespace: this.metricNamespace }, spec, metric, dimensions);
    }
}
