/**
 * FirehoseLake: the lake half of the click-stream pipeline (issue 2).
 *
 *   source (Direct PUT or Kinesis) -> Firehose -> transform Lambda -> Parquet (via the Glue table)
 *     -> s3://lake/events/dt=.../hour=.../      queried through Athena (partition projection)
 *     -> s3://lake/errors/<type>/dt=.../        records that failed processing/conversion, original data
 *     -> s3://raw/raw/dt=.../hour=.../          untransformed source records, short retention, PII
 *
 * One customer-managed KMS key encrypts every store (buckets, stream, logs, secret, Lambda env).
 */
import { componentLogGroup } from "../logs/componentLogGroup";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { FIREHOSE_BUFFERING_DEFAULTS } from "../../dataplane/lake/buffering";
import { TIMESTAMP_FORMAT } from "../../dataplane/schema";
import type { TransformConfig } from "../../dataplane/transform/config";
import { ENV_PII_SECRET_ARN, ENV_PII_SECRET_PARAMETER, ENV_TRANSFORM_CONFIG } from "../../dataplane/transform/config";
import { ENV_GLIBC_TUNABLES, TRANSFORM_GLIBC_TUNABLES } from "../../dataplane/transform/mallocTunables";
import { handlerArchive, LAMBDA_RUNTIME } from "../lambda/bundle";
import { SecureBucket } from "../storage/secureBucket";
import {
    ATHENA_RESULTS_PREFIX, ERRORS_PREFIX, EVENTS_PREFIX, FIREHOSE_ERROR_PREFIX, FIREHOSE_EVENTS_PREFIX, PARQUET_COMPRESSIONS,
    RAW_ERROR_PREFIX, RAW_PREFIX, glueName, gluePartitionKeys, isGlueName, namedQueries, parquetStorageDescriptor, tableParameters,
    type ParquetCompression,
} from "./glueTable";
import {
    firehosePolicyDocument, lakeKeyPolicyDocument, serviceAssumeRolePolicy, ssmParameterArn, transformPolicyDocument,
    type AwsEnvironment, type PiiSecretRef, type PolicyDocument,
} from "./policies";
import { validateTransformConfig } from "./transformConfig";
import { ERASURES_PARTITION_KEYS, erasuresStorageDescriptor, erasuresTableParameters } from "./erasuresTable";
import { createIcebergEventsTable, createTableOptimizers, icebergDestination } from "./icebergResources";
import { firehoseIcebergStatements, icebergNamedQueries, resolveIcebergSettings, type IcebergArgs, type IcebergSettings, type TableFormat } from "./icebergTable";
import {
    ATHENA_MIN_BYTES_SCANNED_CUTOFF, FIREHOSE_LIMITS, checkDate, checkInteger, checkKeyArn, checkLogRetention, checkNumber, checkRoleArn, fail,
} from "./validate";
import { awsEnvironment } from "../aws/environment";
import { AccessAudit, type AccessAuditArgs } from "../audit/accessAudit";

const COMPONENT = "FirehoseLake";

/** Where the delivery stream reads from. */
export type LakeSource =
    | { kind: "direct" }
    | {
        kind: "kinesis";
        /** ARN of the Kinesis data stream Firehose consumes. */
        streamArn: pulumi.Input<string>;
        /** KMS key of that stream, when it is encrypted with a customer-managed key (Firehose must decrypt). Defaults to none (unencrypted or AWS-managed). */
        streamKmsKeyArn?: pulumi.Input<string>;
    };

/** Where the transform reads its pseudonymization (HMAC) key. */
export type PiiSecretSource =
    | {
        /** Name of an SSM SecureString parameter holding the key. */
        parameterName: string;
        /** Customer-managed KMS key of that parameter. Defaults to none (the AWS-managed aws/ssm key needs no grant). */
        kmsKeyArn?: pulumi.Input<string>;
    }
    | {
        /** ARN of a Secrets Manager secret holding the key. */
        secretArn: pulumi.Input<string>;
        /** KMS key of that secret. Defaults to the lake key. */
        kmsKeyArn?: pulumi.Input<string>;
    };

export interface FirehoseBufferingArgs {
    /** Seconds Firehose buffers before writing a Parquet file. Defaults to 60 (60-900). */
    intervalSeconds?: number;
    /** MiB Firehose buffers before writing a Parquet file. Defaults to 64 (64-128: format conversion needs >= 64). */
    sizeMiB?: number;
}

/** Processor buffers above this size warn: the transform's output may not fit Lambda's 6 MB response. */
export const LARGE_PROCESSOR_BUFFER_MB = 2;

export interface ProcessorBufferingArgs {
    /** MB of records per transform invocation. Defaults to 1 (0.2-3; rows are larger than requests, and Lambda returns at most 6 MB). */
    sizeMB?: number;
    /** Seconds Firehose waits to fill an invocation. Defaults to 60 (0-900). */
    intervalSeconds?: number;
    /** Retries of a failed invocation before records go to the error prefix. Defaults to 3 (0-300). */
    retries?: number;
}

export interface FirehoseLakeArgs {
    /** Source of the delivery stream. Defaults to `{ kind: "direct" }` (Direct PUT, e.g. from API Gateway). */
    source?: LakeSource;
    /** Use this KMS key instead of creating one. Its policy must let CloudWatch Logs use it. Defaults to a new rotating CMK. */
    kmsKeyArn?: pulumi.Input<string>;
    /** Extra service principals the created key's policy lets encrypt/decrypt (e.g. "sns.amazonaws.com"). Defaults to none. Ignored with `kmsKeyArn`. */
    keyServicePrincipals?: string[];
    /** Delete bucket contents, the workgroup's query history and the secret without recovery on destroy. Defaults to false. */
    forceDestroy?: boolean;
    /** IAM role ARNs of data admins: the only principals besides Firehose that may read raw (PII) objects. Defaults to none. */
    adminRoleArns?: pulumi.Input<string>[];
    /** Days raw source records are kept. Defaults to 7 (>= 1). */
    rawRetentionDays?: number;
    /** Days before curated Parquet moves to S3 Standard-IA. Defaults to 30 (>= 30, S3's minimum for IA). */
    curatedInfrequentAccessDays?: number;
    /** Days noncurrent object versions are kept in the lake bucket. Defaults to 30 (>= 1). */
    noncurrentVersionExpirationDays?: number;
    /** Days failed records (original data, may hold PII) are kept under errors/. Defaults to 30 (>= 1). */
    errorRetentionDays?: number;
    /** Days Athena query results are kept under athena-results/. Defaults to 30 (>= 1). */
    athenaResultsRetentionDays?: number;
    /** Retention of the Firehose and transform log groups. Defaults to 30 (a CloudWatch Logs value). */
    logRetentionDays?: number;
    /** Firehose destination buffering. Defaults to 60 s / 64 MiB (the article's values, and the least AWS allows with conversion). */
    buffering?: FirehoseBufferingArgs;
    /** Transform invocation buffering. Defaults to 1 MB / 60 s / 3 retries. */
    processorBuffering?: ProcessorBufferingArgs;
    /** Parquet compression (Parquet format only; Iceberg data files use ZSTD). Defaults to "SNAPPY". */
    parquetCompression?: ParquetCompression;
    /**
     * Format of the events table: "parquet" (Firehose converts to Parquet under Hive dt/hour prefixes,
     * partition projection) or "iceberg" (Firehose's Iceberg destination into an Iceberg v2 table
     * partitioned by day(received_at), with Glue compaction, snapshot expiry and orphan-file deletion).
     * See docs/lake-format.md. Defaults to "parquet".
     */
    tableFormat?: TableFormat;
    /** Iceberg table maintenance (only with tableFormat "iceberg"). Defaults to the IcebergArgs defaults. */
    iceberg?: IcebergArgs;
    /**
     * Manage the account/region-wide Glue Data Catalog encryption here (SSE-KMS and connection passwords with
     * `catalogKmsKeyArn`, else the lake key). Enable it in exactly one stack per account and region.
     * Defaults to false (an account baseline stack is expected to own it).
     */
    manageCatalogEncryption?: boolean;
    /** KMS key the Glue Data Catalog is (or, with `manageCatalogEncryption`, will be) encrypted with; Firehose gets decrypt on it to read the table. Defaults to the lake key when `manageCatalogEncryption`, else none. */
    catalogKmsKeyArn?: pulumi.Input<string>;
    /** Glue database name (lower-case, digits, underscores). Defaults to `<name>_<stack>` cleaned to that alphabet. */
    databaseName?: string;
    /** Glue table name. Defaults to "events". */
    tableName?: string;
    /** First dt (yyyy-MM-dd) partition projection covers. Defaults to "2026-01-01". */
    partitionProjectionStartDate?: string;
    /** Bytes one Athena query may scan before it is cancelled. Defaults to 10 GiB (>= 10 MiB). */
    athenaBytesScannedCutoff?: number;
    /** Transform configuration (PII rules, size limits), passed to the Lambda as JSON. Defaults to the transform's defaults. */
    transform?: TransformConfig;
    /** Pseudonymization key. Defaults to a generated 64-character key in a new Secrets Manager secret encrypted with the lake key. */
    piiSecret?: PiiSecretSource;
    /** Transform memory in MB. Defaults to 512 (128-10240). */
    transformMemoryMb?: number;
    /** Transform timeout in seconds. Defaults to 120 (1-300: Firehose waits at most 5 minutes for an invocation). */
    transformTimeoutSeconds?: number;
    /** Reserved concurrency of the transform. Defaults to unreserved. Must be >= 1: 0 would throttle every batch into errors/. */
    transformReservedConcurrency?: number;
    /**
     * Record who reads objects of the lake and raw buckets (both hold personal data) with an AccessAudit
     * (CloudTrail data events to an encrypted, retention-bound, validated log bucket): its options, or
     * `false` when an organization trail already records these buckets' object reads (then set
     * `managedOutsideStack` on the policy clickstream-s3-pii-access-audited). Defaults to on: reads only,
     * 365 days, log files readable only by `adminRoleArns` when any are given.
     */
    accessAudit?: false | Omit<AccessAuditArgs, "bucketArns" | "forceDestroy" | "tags">;
    /** Tags for every taggable child resource. Defaults to none. */
    tags?: Record<string, string>;
}

/** Bucket tag the policy pack reads to find buckets holding personal data (clickstream-s3-pii-access-audited). */
export const PII_BUCKET_TAG = { key: "clickstream:data-classification", value: "pii" } as const;

/** Resolved, validated settings (what the component builds from). */
export interface FirehoseLakeSettings {
    rawRetentionDays: number;
    curatedInfrequentAccessDays: number;
    noncurrentVersionExpirationDays: number;
    errorRetentionDays: number;
    athenaResultsRetentionDays: number;
    logRetentionDays: number;
    bufferingIntervalSeconds: number;
    bufferingSizeMiB: number;
    processorSizeMB: number;
    processorIntervalSeconds: number;
    processorRetries: number;
    parquetCompression: ParquetCompression;
    tableFormat: TableFormat;
    /** Iceberg maintenance settings (defaults applied); present only for tableFormat "iceberg". */
    iceberg?: IcebergSettings;
    databaseName: string;
    tableName: string;
    partitionProjectionStartDate: string;
    athenaBytesScannedCutoff: number;
    transformMemoryMb: number;
    transformTimeoutSeconds: number;
    transformReservedConcurrency?: number;
    transformConfigJson: string;
}

/** Defaults of the processor parameters in AWS: sent only when different (the provider does not store defaults, so sending them diffs forever). */
const AWS_PROCESSOR_DEFAULTS = { sizeMB: 1, intervalSeconds: 60, retries: 3 };

/** Validates `args` and applies defaults. Throws an Error naming the field and the fix. Exported for tests. */
export function resolveFirehoseLakeSettings(name: string, args: FirehoseLakeArgs): FirehoseLakeSettings {
    const c = COMPONENT;
    const source = args.source ?? { kind: "direct" };
    if (source.kind !== "direct" && source.kind !== "kinesis") fail(c, "source.kind", `is "${String((source as { kind: unknown }).kind)}"`, `use "direct" or "kinesis"`);
    if (source.kind === "kinesis" && !source.streamArn) fail(c, "source.streamArn", "is missing for a Kinesis source", "pass the ARN of the Kinesis data stream");
    if (typeof source === "object" && source.kind === "kinesis" && typeof source.streamArn === "string" && !/^arn:aws[a-z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/.+/.test(source.streamArn)) {
        fail(c, "source.streamArn", `is "${source.streamArn}", not a Kinesis stream ARN`, "pass arn:aws:kinesis:<region>:<account>:stream/<name>");
    }
    (args.adminRoleArns ?? []).forEach((arn) => checkRoleArn(c, "adminRoleArns", arn));
    checkKeyArn(c, "kmsKeyArn", args.kmsKeyArn);
    checkKeyArn(c, "catalogKmsKeyArn", args.catalogKmsKeyArn);
    if (source.kind === "kinesis") checkKeyArn(c, "source.streamKmsKeyArn", source.streamKmsKeyArn);
    if (args.piiSecret !== undefined) checkKeyArn(c, "piiSecret.kmsKeyArn", args.piiSecret.kmsKeyArn);
    if (args.keyServicePrincipals !== undefined) {
        if (args.kmsKeyArn !== undefined) fail(c, "keyServicePrincipals", "has no effect with kmsKeyArn (no key is created)", "add those principals to your key's policy, or drop kmsKeyArn");
        for (const p of args.keyServicePrincipals) {
            if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(p)) fail(c, "keyServicePrincipals", `contains "${p}", not a service principal`, 'use names like "sns.amazonaws.com"');
        }
    }

    const buffering = args.buffering ?? {};
    const proc = args.processorBuffering ?? {};
    const L = FIREHOSE_LIMITS;
    const compression = args.parquetCompression ?? "SNAPPY";
    if (!PARQUET_COMPRESSIONS.includes(compression)) fail(c, "parquetCompression", `is "${String(compression)}"`, `use one of ${PARQUET_COMPRESSIONS.join(", ")}`);
    const tableFormat = args.tableFormat ?? "parquet";
    const iceberg = resolveIcebergSettings(c, tableFormat, args.iceberg);
    if (tableFormat === "iceberg" && args.parquetCompression !== undefined) {
        fail(c, "parquetCompression", 'applies to Firehose\'s Parquet conversion, which tableFormat "iceberg" does not use', "drop it (Iceberg data files are written with ZSTD)");
    }
    if (tableFormat === "iceberg" && args.partitionProjectionStartDate !== undefined) {
        fail(c, "partitionProjectionStartDate", 'configures Athena partition projection, which an Iceberg table does not use (its day(received_at) partitions are hidden)', "drop it");
    }

    const databaseName = args.databaseName ?? glueName(`${name}_${pulumi.getStack()}`);
    if (!isGlueName(databaseName)) fail(c, "databaseName", `is "${databaseName}"`, "use 1-255 lower-case letters, digits and underscores (Athena rejects others unquoted)");
    const tableName = args.tableName ?? "events";
    if (!isGlueName(tableName)) fail(c, "tableName", `is "${tableName}"`, "use 1-255 lower-case letters, digits and underscores");

    const reserved = args.transformReservedConcurrency;
    if (reserved !== undefined) checkInteger(c, "transformReservedConcurrency", reserved, 1, undefined, "0 would throttle every batch into errors/; leave it unset for unreserved");

    const transformConfig = args.transform ?? {};
    validateTransformConfig(transformConfig);
    const transformConfigJson = JSON.stringify(transformConfig);
    // Lambda caps all environment variables together at 4 KB; keep room for the secret reference and
    // the malloc tunables (~100 bytes each).
    if (transformConfigJson.length > 3500) fail(c, "transform", `serializes to ${transformConfigJson.length} bytes`, "keep it under 3500 bytes (Lambda environment variables total at most 4 KB): shorten pattern lists");

    const settings: FirehoseLakeSettings = {
        rawRetentionDays: checkInteger(c, "rawRetentionDays", args.rawRetentionDays ?? 7, 1),
        curatedInfrequentAccessDays: checkInteger(c, "curatedInfrequentAccessDays", args.curatedInfrequentAccessDays ?? 30, 30, undefined, "S3 moves objects to Standard-IA only after 30 days"),
        noncurrentVersionExpirationDays: checkInteger(c, "noncurrentVersionExpirationDays", args.noncurrentVersionExpirationDays ?? 30, 1),
        errorRetentionDays: checkInteger(c, "errorRetentionDays", args.errorRetentionDays ?? 30, 1),
        athenaResultsRetentionDays: checkInteger(c, "athenaResultsRetentionDays", args.athenaResultsRetentionDays ?? 30, 1),
        logRetentionDays: checkLogRetention(c, "logRetentionDays", args.logRetentionDays ?? 30),
        bufferingIntervalSeconds: checkInteger(c, "buffering.intervalSeconds", buffering.intervalSeconds ?? FIREHOSE_BUFFERING_DEFAULTS.intervalSeconds, L.intervalSeconds.min, L.intervalSeconds.max, "Firehose allows 0-900 s; the lake keeps >= 60 s, the article's floor, so Parquet files are not tiny"),
        bufferingSizeMiB: checkInteger(c, "buffering.sizeMiB", buffering.sizeMiB ?? FIREHOSE_BUFFERING_DEFAULTS.sizeMiB, L.sizeMiB.min, L.sizeMiB.max, "Firehose allows 1-128 MiB; Parquet conversion needs >= 64"),
        processorSizeMB: checkNumber(c, "processorBuffering.sizeMB", proc.sizeMB ?? AWS_PROCESSOR_DEFAULTS.sizeMB, L.processorSizeMB.min, L.processorSizeMB.max, "Firehose's Lambda processor buffer"),
        processorIntervalSeconds: checkInteger(c, "processorBuffering.intervalSeconds", proc.intervalSeconds ?? AWS_PROCESSOR_DEFAULTS.intervalSeconds, L.processorIntervalSeconds.min, L.processorIntervalSeconds.max),
        processorRetries: checkInteger(c, "processorBuffering.retries", proc.retries ?? AWS_PROCESSOR_DEFAULTS.retries, L.processorRetries.min, L.processorRetries.max),
        parquetCompression: compression,
        tableFormat,
        iceberg: tableFormat === "iceberg" ? iceberg : undefined,
        databaseName,
        tableName,
        partitionProjectionStartDate: checkDate(c, "partitionProjectionStartDate", args.partitionProjectionStartDate ?? "2026-01-01"),
        athenaBytesScannedCutoff: checkInteger(c, "athenaBytesScannedCutoff", args.athenaBytesScannedCutoff ?? 10 * 1024 ** 3, ATHENA_MIN_BYTES_SCANNED_CUTOFF, undefined, "Athena's minimum is 10 MiB"),
        transformMemoryMb: checkInteger(c, "transformMemoryMb", args.transformMemoryMb ?? 512, 128, 10240),
        transformTimeoutSeconds: checkInteger(c, "transformTimeoutSeconds", args.transformTimeoutSeconds ?? 120, 1, 300, "Firehose waits at most 5 minutes for an invocation"),
        transformReservedConcurrency: reserved,
        transformConfigJson,
    };
    if (args.piiSecret !== undefined) {
        const s = args.piiSecret as Record<string, unknown>;
        const hasParam = "parameterName" in s, hasSecret = "secretArn" in s;
        if (hasParam === hasSecret) fail(c, "piiSecret", "must have exactly one of parameterName or secretArn", "pass { parameterName } or { secretArn }, or omit piiSecret to generate a key");
        if (hasParam && (typeof s.parameterName !== "string" || s.parameterName.length === 0)) fail(c, "piiSecret.parameterName", "is empty", "pass the SSM SecureString parameter name");
    }
    return settings;
}

/** The Lambda processor parameters: the function ARN, plus buffering/retries only where they differ from AWS's defaults. */
export function processorParameters(functionArn: pulumi.Input<string>, s: Pick<FirehoseLakeSettings, "processorSizeMB" | "processorIntervalSeconds" | "processorRetries">) {
    const params: { parameterName: string; parameterValue: pulumi.Input<string> }[] = [
        // Qualified with $LATEST, as Firehose stores it (an unqualified ARN diffs on every update).
        { parameterName: "LambdaArn", parameterValue: pulumi.interpolate`${functionArn}:$LATEST` },
    ];
    if (s.processorSizeMB !== AWS_PROCESSOR_DEFAULTS.sizeMB) params.push({ parameterName: "BufferSizeInMBs", parameterValue: String(s.processorSizeMB) });
    if (s.processorIntervalSeconds !== AWS_PROCESSOR_DEFAULTS.intervalSeconds) params.push({ parameterName: "BufferIntervalInSeconds", parameterValue: String(s.processorIntervalSeconds) });
    if (s.processorRetries !== AWS_PROCESSOR_DEFAULTS.retries) params.push({ parameterName: "NumberOfRetries", parameterValue: String(s.processorRetries) });
    return params;
}

/** The Firehose role's document, plus the Iceberg commit and clean-up grants when the table is Iceberg. */
function withIcebergWrites(s: FirehoseLakeSettings, env: AwsEnvironment, lakeBucketArn: string, databaseName: string, tableName: string, doc: PolicyDocument): PolicyDocument {
    if (!s.iceberg) return doc;
    return { ...doc, Statement: [...doc.Statement, ...firehoseIcebergStatements(env, lakeBucketArn, EVENTS_PREFIX, databaseName, tableName)] };
}

/** Log streams Firehose writes to (created up front so its role needs no logs:CreateLogStream). */
export const FIREHOSE_LOG_STREAMS = { destination: "DestinationDelivery", backup: "BackupDelivery" } as const;

/**
 * The click-stream lake: Firehose (Direct PUT or Kinesis source) -> transform Lambda -> Parquet in S3,
 * a raw backup bucket, the Glue table with partition projection, and an Athena workgroup.
 *
 *     const lake = new FirehoseLake("lake", { adminRoleArns: [dataAdminRoleArn] });
 *     // IngestEndpoint: lake.deliveryStreamName / deliveryStreamArn / kmsKeyArn
 *     // LakeFormationGrants: lake.databaseName / tableName / lakeBucketArn / kmsKeyArn
 */
export class FirehoseLake extends pulumi.ComponentResource {
    readonly lakeBucketName: pulumi.Output<string>;
    readonly lakeBucketArn: pulumi.Output<string>;
    readonly rawBucketName: pulumi.Output<string>;
    readonly rawBucketArn: pulumi.Output<string>;
    readonly deliveryStreamName: pulumi.Output<string>;
    readonly deliveryStreamArn: pulumi.Output<string>;
    readonly databaseName: pulumi.Output<string>;
    readonly tableName: pulumi.Output<string>;
    /** s3:// location of the curated events (the table location). */
    readonly tableLocation: pulumi.Output<string>;
    readonly workgroupName: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly transformFunctionName: pulumi.Output<string>;
    /** Log group of the transform function (one structured line per invocation with result counts). */
    readonly transformLogGroupName: pulumi.Output<string>;
    readonly transformFunctionArn: pulumi.Output<string>;
    readonly firehoseRoleArn: pulumi.Output<string>;
    /** Secrets Manager ARN or SSM parameter ARN of the pseudonymization key. */
    readonly piiSecretArn: pulumi.Output<string>;
    /** The resolved settings (defaults applied). */
    readonly settings: FirehoseLakeSettings;
    /** Format of the events table ("parquet" or "iceberg"). */
    readonly tableFormat: TableFormat;
    /** The `erasures` audit table of `clickstream erase` (docs/privacy.md). */
    readonly erasuresTableName: pulumi.Output<string>;
    /** Role of the Glue table optimizers (tableFormat "iceberg" only). */
    readonly optimizerRoleArn?: pulumi.Output<string>;
    /** The CloudTrail audit of object reads, unless `accessAudit: false`. */
    readonly accessAudit?: AccessAudit;
    /** ARN of that trail, undefined with `accessAudit: false`. */
    readonly accessAuditTrailArn: pulumi.Output<string | undefined>;

    constructor(name: string, args: FirehoseLakeArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:lake:FirehoseLake", name, {}, opts);
        const s = resolveFirehoseLakeSettings(name, args);
        if (s.processorSizeMB > LARGE_PROCESSOR_BUFFER_MB) {
            // Rows run ~1.4x the requests they come from (up to ~3.7x for tiny events); past the
            // Lambda response limit the transform fails the largest records to the error prefix.
            pulumi.log.warn(`${name}: processorBuffering.sizeMB ${s.processorSizeMB} leaves little room under Lambda's 6 MB response; records that do not fit go to the errors/ prefix. Keep it at ${LARGE_PROCESSOR_BUFFER_MB} or below unless your events are large (see docs/record-granularity.md).`, this);
        }
        this.settings = s;
        const source: LakeSource = args.source ?? { kind: "direct" };
        const tags = args.tags;
        const parent = { parent: this };
        const forceDestroy = args.forceDestroy ?? false;

        const env = awsEnvironment(this);

        // --- Key: one CMK for every store, unless the caller brings one.
        let kmsKeyArn: pulumi.Output<string>;
        if (args.kmsKeyArn !== undefined) {
            kmsKeyArn = pulumi.output(args.kmsKeyArn);
        } else {
            const key = new aws.kms.Key(`${name}-key`, {
                description: `clickstream lake ${name}: buckets, Firehose, logs, pseudonymization secret`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify(env.apply((e) => lakeKeyPolicyDocument({ ...e, servicePrincipals: args.keyServicePrincipals }))),
                tags,
            }, parent);
            new aws.kms.Alias(`${name}-key-alias`, { namePrefix: `alias/clickstream-${name}-`, targetKeyId: key.keyId }, parent);
            kmsKeyArn = key.arn;
        }

        // --- Roles first: the raw bucket policy names the Firehose role as a permitted reader.
        const firehoseRole = new aws.iam.Role(`${name}-firehose-role`, {
            description: `Firehose delivery role of clickstream lake ${name}`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => serviceAssumeRolePolicy("firehose.amazonaws.com", e.accountId))),
            tags,
        }, parent);

        // --- Buckets.
        const lake = new SecureBucket(`${name}-lake`, {
            kmsKeyArn,
            forceDestroy,
            // Pseudonymized rows are still personal data (and errors/ keeps original records).
            tags: { ...tags, [PII_BUCKET_TAG.key]: PII_BUCKET_TAG.value },
            lifecycleRules: [
                { id: "curated-to-infrequent-access", status: "Enabled", filter: { prefix: EVENTS_PREFIX }, transitions: [{ days: s.curatedInfrequentAccessDays, storageClass: "STANDARD_IA" }] },
                { id: "expire-error-output", status: "Enabled", filter: { prefix: ERRORS_PREFIX }, expiration: { days: s.errorRetentionDays } },
                { id: "expire-athena-results", status: "Enabled", filter: { prefix: ATHENA_RESULTS_PREFIX }, expiration: { days: s.athenaResultsRetentionDays } },
                {
                    id: "expire-noncurrent-versions",
                    status: "Enabled",
                    filter: {},
                    noncurrentVersionExpiration: { noncurrentDays: s.noncurrentVersionExpirationDays },
                    abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
                },
            ],
        }, parent);

        const raw = new SecureBucket(`${name}-raw`, {
            kmsKeyArn,
            forceDestroy,
            // The data-class tag lets the policy pack find raw stores whatever they are named.
            tags: { ...tags, "clickstream:data-class": "raw", [PII_BUCKET_TAG.key]: PII_BUCKET_TAG.value },
            // Raw records hold PII: only the pipeline and the data admins may read them.
            restrictReadsTo: [firehoseRole.arn, ...(args.adminRoleArns ?? [])],
            lifecycleRules: [{
                id: "expire-raw",
                status: "Enabled",
                filter: {},
                expiration: { days: s.rawRetentionDays },
                // Versioning keeps expired objects as noncurrent versions: remove those a day later so raw data really goes.
                noncurrentVersionExpiration: { noncurrentDays: 1 },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            }],
        }, parent);

        // --- Who reads the personal data: CloudTrail data events of both buckets.
        if (args.accessAudit !== false) {
            const audit = args.accessAudit ?? {};
            this.accessAudit = new AccessAudit(`${name}-access-audit`, {
                ...audit,
                readerRoleArns: audit.readerRoleArns ?? args.adminRoleArns,
                bucketArns: [lake.bucketArn, raw.bucketArn],
                forceDestroy,
                tags,
            }, parent);
        }

        // --- Glue catalog: the Parquet schema Firehose converts to, and what Athena queries.
        const catalogKmsKeyArn: pulumi.Output<string | undefined> = args.catalogKmsKeyArn !== undefined
            ? pulumi.output(args.catalogKmsKeyArn)
            : args.manageCatalogEncryption ? kmsKeyArn : pulumi.output(undefined);
        const catalogDependsOn: pulumi.Resource[] = [];
        if (args.manageCatalogEncryption) {
            catalogDependsOn.push(new aws.glue.DataCatalogEncryptionSettings(`${name}-catalog-encryption`, {
                dataCatalogEncryptionSettings: {
                    encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: catalogKmsKeyArn as pulumi.Output<string> },
                    connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: catalogKmsKeyArn },
                },
            }, parent));
        }
        const database = new aws.glue.CatalogDatabase(`${name}-database`, {
            name: s.databaseName,
            description: `clickstream lake ${name}`,
            tags,
        }, { parent: this, dependsOn: catalogDependsOn }); // metadata is written encrypted from the start
        const table = s.iceberg
            ? createIcebergEventsTable(name, this, { databaseName: database.name, tableName: s.tableName, lakeBucketName: lake.bucketName, settings: s.iceberg })
            : new aws.glue.CatalogTable(`${name}-table`, {
                name: s.tableName,
                databaseName: database.name,
                description: "Click-stream events (one row per event; bad rows kept with bad_reason)",
                tableType: "EXTERNAL_TABLE",
                parameters: lake.bucketName.apply((b) => tableParameters(b, s.partitionProjectionStartDate, s.parquetCompression)),
                storageDescriptor: lake.bucketName.apply((b) => parquetStorageDescriptor(b)),
                partitionKeys: gluePartitionKeys(),
            }, parent);
        // The audit table of `clickstream erase` (docs/privacy.md), in both formats.
        const erasures = new aws.glue.CatalogTable(`${name}-erasures-table`, {
            name: "erasures",
            databaseName: database.name,
            description: "Audit of clickstream erase: one JSON record per erasure (pseudonyms, never raw ids)",
            tableType: "EXTERNAL_TABLE",
            parameters: lake.bucketName.apply((b) => erasuresTableParameters(b, s.iceberg ? "2026-01-01" : s.partitionProjectionStartDate)),
            storageDescriptor: lake.bucketName.apply((b) => erasuresStorageDescriptor(b)),
            partitionKeys: ERASURES_PARTITION_KEYS.map(({ name: n, type, comment }) => ({ name: n, type, comment })),
        }, parent);
        const maintenance = s.iceberg
            ? createTableOptimizers(name, this, { env, lakeBucketArn: lake.bucketArn, lakeBucketName: lake.bucketName, kmsKeyArn, catalogKmsKeyArn, table, settings: s.iceberg, logRetentionDays: s.logRetentionDays, tags })
            : undefined;

        // --- Logs (KMS-encrypted, with retention).
        const firehoseLogs = componentLogGroup(name, "firehose", { retentionInDays: s.logRetentionDays, kmsKeyId: kmsKeyArn, tags }, parent);
        const destinationLogStream = new aws.cloudwatch.LogStream(`${name}-firehose-destination-log`, { name: FIREHOSE_LOG_STREAMS.destination, logGroupName: firehoseLogs.name }, parent);
        const backupLogStream = new aws.cloudwatch.LogStream(`${name}-firehose-backup-log`, { name: FIREHOSE_LOG_STREAMS.backup, logGroupName: firehoseLogs.name }, parent);
        const transformLogs = componentLogGroup(name, "transform", { retentionInDays: s.logRetentionDays, kmsKeyId: kmsKeyArn, tags }, parent);

        // --- Pseudonymization key.
        let piiRef: pulumi.Output<PiiSecretRef>;
        let piiEnv: Record<string, pulumi.Input<string>>;
        const piiDependsOn: pulumi.Resource[] = [];
        const pii = args.piiSecret;
        if (pii !== undefined && "parameterName" in pii) {
            const parameterArn = env.apply((e) => ssmParameterArn(e, pii.parameterName));
            piiRef = pulumi.all([parameterArn, pii.kmsKeyArn]).apply(([arn, k]) => ({ kind: "ssm" as const, parameterArn: arn, kmsKeyArn: k }));
            piiEnv = { [ENV_PII_SECRET_PARAMETER]: pii.parameterName };
        } else if (pii !== undefined) {
            piiRef = pulumi.all([pii.secretArn, pii.kmsKeyArn ?? kmsKeyArn]).apply(([arn, k]) => ({ kind: "secretsmanager" as const, secretArn: arn, kmsKeyArn: k }));
            piiEnv = { [ENV_PII_SECRET_ARN]: pii.secretArn };
        } else {
            const password = new random.RandomPassword(`${name}-pii-key`, { length: 64, special: false }, parent);
            const secret = new aws.secretsmanager.Secret(`${name}-pii-secret`, {
                namePrefix: `clickstream/${name}/pii-key-`,
                description: `HMAC key the clickstream transform pseudonymizes PII with (lake ${name})`,
                kmsKeyId: kmsKeyArn,
                recoveryWindowInDays: forceDestroy ? 0 : 30,
                tags,
            }, parent);
            piiDependsOn.push(new aws.secretsmanager.SecretVersion(`${name}-pii-secret-value`, { secretId: secret.id, secretString: password.result }, parent));
            piiRef = pulumi.all([secret.arn, kmsKeyArn]).apply(([arn, k]) => ({ kind: "secretsmanager" as const, secretArn: arn, kmsKeyArn: k }));
            piiEnv = { [ENV_PII_SECRET_ARN]: secret.arn };
        }

        // --- Transform Lambda.
        const transformRole = new aws.iam.Role(`${name}-transform-role`, {
            description: `Execution role of the clickstream transform (lake ${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => serviceAssumeRolePolicy("lambda.amazonaws.com", e.accountId))),
            tags,
        }, parent);
        const transformPolicy = new aws.iam.RolePolicy(`${name}-transform-policy`, {
            role: transformRole.id,
            policy: pulumi.jsonStringify(pulumi.all([transformLogs.arn, piiRef, kmsKeyArn]).apply(([logGroupArn, piiSecret, environmentKmsKeyArn]) => transformPolicyDocument({ logGroupArn, piiSecret, environmentKmsKeyArn }))),
        }, parent);
        const transform = new aws.lambda.Function(`${name}-transform`, {
            description: "clickstream transform: validate, enrich, pseudonymize; rows for Parquet conversion",
            runtime: LAMBDA_RUNTIME,
            architectures: ["arm64"],
            handler: "index.handler",
            code: handlerArchive("transform"),
            role: transformRole.arn,
            memorySize: s.transformMemoryMb,
            timeout: s.transformTimeoutSeconds,
            reservedConcurrentExecutions: s.transformReservedConcurrency,
            kmsKeyArn,
            // GLIBC_TUNABLES: the response's multi-megabyte base64 string comes from malloc's heap instead of a
            // fresh mmap per batch (~1,400 first-touch page faults fewer; dataplane/transform/mallocTunables.ts).
            // Measured on the development machine; not verified on AWS.
            environment: { variables: { [ENV_TRANSFORM_CONFIG]: s.transformConfigJson, ...piiEnv, [ENV_GLIBC_TUNABLES]: TRANSFORM_GLIBC_TUNABLES } },
            loggingConfig: { logFormat: "JSON", logGroup: transformLogs.name },
            tags,
        }, { parent: this, dependsOn: [transformPolicy, ...piiDependsOn] });

        // --- Firehose.
        const sourceStreamArn: pulumi.Output<string | undefined> = source.kind === "kinesis" ? pulumi.output(source.streamArn) : pulumi.output(undefined);
        const sourceStreamKeyArn: pulumi.Output<string | undefined> = source.kind === "kinesis" ? pulumi.output(source.streamKmsKeyArn) : pulumi.output(undefined);
        const firehosePolicy = new aws.iam.RolePolicy(`${name}-firehose-policy`, {
            role: firehoseRole.id,
            policy: pulumi.jsonStringify(
                pulumi.output({
                    e: env, lakeBucketArn: lake.bucketArn, rawBucketArn: raw.bucketArn, key: kmsKeyArn, databaseName: database.name,
                    tableName: table.name, functionArn: transform.arn, logGroupArn: firehoseLogs.arn, streamArn: sourceStreamArn, streamKey: sourceStreamKeyArn,
                    catalogKey: catalogKmsKeyArn,
                }).apply((v) => withIcebergWrites(s, v.e, v.lakeBucketArn, v.databaseName, v.tableName, firehosePolicyDocument({
                    ...v.e,
                    lakeBucketArn: v.lakeBucketArn,
                    rawBucketArn: v.rawBucketArn,
                    kmsKeyArn: v.key,
                    databaseName: v.databaseName,
                    tableName: v.tableName,
                    functionArn: v.functionArn,
                    logGroupArn: v.logGroupArn,
                    logStreamNames: [FIREHOSE_LOG_STREAMS.destination, FIREHOSE_LOG_STREAMS.backup],
                    sourceStreamArn: v.streamArn,
                    sourceStreamKmsKeyArn: v.streamKey,
                    catalogKmsKeyArn: v.catalogKey,
                }))),
            ),
        }, parent);

        const processors = processorParameters(transform.arn, s);
        const stream = new aws.kinesis.FirehoseDeliveryStream(`${name}-delivery`, {
            destination: s.iceberg ? "iceberg" : "extended_s3",
            kinesisSourceConfiguration: source.kind === "kinesis" ? { kinesisStreamArn: source.streamArn, roleArn: firehoseRole.arn } : undefined,
            // Firehose encrypts its buffer only for Direct PUT; with a Kinesis source, the stream's encryption applies.
            serverSideEncryption: source.kind === "direct" ? { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: kmsKeyArn } : undefined,
            icebergConfiguration: s.iceberg
                ? icebergDestination({
                    env, roleArn: firehoseRole.arn, databaseName: database.name, tableName: table.name, rawBucketArn: raw.bucketArn, kmsKeyArn,
                    bufferingIntervalSeconds: s.bufferingIntervalSeconds, bufferingSizeMiB: s.bufferingSizeMiB, processorParameters: processors,
                    logGroupName: firehoseLogs.name, destinationLogStreamName: destinationLogStream.name, backupLogStreamName: backupLogStream.name,
                })
                : undefined,
            extendedS3Configuration: s.iceberg ? undefined : {
                bucketArn: lake.bucketArn,
                roleArn: firehoseRole.arn,
                prefix: FIREHOSE_EVENTS_PREFIX,
                errorOutputPrefix: FIREHOSE_ERROR_PREFIX,
                customTimeZone: "UTC",
                fileExtension: ".parquet",
                bufferingInterval: s.bufferingIntervalSeconds,
                bufferingSize: s.bufferingSizeMiB,
                // Parquet compresses itself; Firehose rejects S3-level compression with format conversion.
                compressionFormat: "UNCOMPRESSED",
                kmsKeyArn,
                processingConfiguration: {
                    enabled: true,
                    processors: [{ type: "Lambda", parameters: processors }],
                },
                dataFormatConversionConfiguration: {
                    enabled: true,
                    inputFormatConfiguration: { deserializer: { hiveJsonSerDe: { timestampFormats: [TIMESTAMP_FORMAT] } } },
                    outputFormatConfiguration: { serializer: { parquetSerDe: { compression: s.parquetCompression } } },
                    schemaConfiguration: { databaseName: database.name, tableName: table.name, roleArn: firehoseRole.arn, versionId: "LATEST" },
                },
                s3BackupMode: "Enabled",
                s3BackupConfiguration: {
                    bucketArn: raw.bucketArn,
                    roleArn: firehoseRole.arn,
                    prefix: RAW_PREFIX,
                    errorOutputPrefix: RAW_ERROR_PREFIX,
                    bufferingInterval: s.bufferingIntervalSeconds,
                    bufferingSize: s.bufferingSizeMiB,
                    compressionFormat: "GZIP",
                    kmsKeyArn,
                    cloudwatchLoggingOptions: { enabled: true, logGroupName: firehoseLogs.name, logStreamName: backupLogStream.name },
                },
                cloudwatchLoggingOptions: { enabled: true, logGroupName: firehoseLogs.name, logStreamName: destinationLogStream.name },
            },
            tags,
        }, { parent: this, dependsOn: [firehosePolicy, table] }); // Firehose checks its role's access when it is created.

        // --- Athena.
        const workgroup = new aws.athena.Workgroup(`${name}-workgroup`, {
            description: `Queries over clickstream lake ${name}`,
            forceDestroy,
            configuration: {
                enforceWorkgroupConfiguration: true,
                publishCloudwatchMetricsEnabled: true,
                bytesScannedCutoffPerQuery: s.athenaBytesScannedCutoff,
                resultConfiguration: {
                    outputLocation: pulumi.interpolate`s3://${lake.bucketName}/${ATHENA_RESULTS_PREFIX}`,
                    expectedBucketOwner: env.accountId,
                    encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn },
                },
            },
            tags,
        }, parent);
        for (const q of (s.iceberg ? icebergNamedQueries : namedQueries)(s.databaseName, s.tableName)) {
            new aws.athena.NamedQuery(`${name}-query-${q.key}`, {
                name: q.name,
                description: q.description,
                workgroup: workgroup.name,
                database: database.name,
                query: q.sql,
            }, { parent: this, dependsOn: [table] });
        }

        this.lakeBucketName = lake.bucketName;
        this.lakeBucketArn = lake.bucketArn;
        this.rawBucketName = raw.bucketName;
        this.rawBucketArn = raw.bucketArn;
        this.deliveryStreamName = stream.name;
        this.deliveryStreamArn = stream.arn;
        this.databaseName = database.name;
        this.tableName = table.name;
        this.tableLocation = pulumi.interpolate`s3://${lake.bucketName}/${EVENTS_PREFIX}`;
        this.workgroupName = workgroup.name;
        this.kmsKeyArn = kmsKeyArn;
        this.transformFunctionName = transform.name;
        this.transformLogGroupName = transformLogs.name;
        this.transformFunctionArn = transform.arn;
        this.firehoseRoleArn = firehoseRole.arn;
        this.piiSecretArn = piiRef.apply((r) => (r.kind === "ssm" ? r.parameterArn : r.secretArn));
        this.tableFormat = s.tableFormat;
        this.erasuresTableName = erasures.name;
        this.optimizerRoleArn = maintenance?.role.arn;
        this.accessAuditTrailArn = this.accessAudit ? this.accessAudit.trailArn : pulumi.output(undefined);
        this.registerOutputs({
            tableFormat: this.tableFormat,
            erasuresTableName: this.erasuresTableName,
            // Only Iceberg lakes have an optimizer role; an undefined output would warn on every Parquet lake.
            ...(this.optimizerRoleArn ? { optimizerRoleArn: this.optimizerRoleArn } : {}),
            lakeBucketName: this.lakeBucketName,
            lakeBucketArn: this.lakeBucketArn,
            rawBucketName: this.rawBucketName,
            rawBucketArn: this.rawBucketArn,
            deliveryStreamName: this.deliveryStreamName,
            deliveryStreamArn: this.deliveryStreamArn,
            databaseName: this.databaseName,
            tableName: this.tableName,
            tableLocation: this.tableLocation,
            workgroupName: this.workgroupName,
            kmsKeyArn: this.kmsKeyArn,
            transformFunctionName: this.transformFunctionName,
            transformLogGroupName: this.transformLogGroupName,
            transformFunctionArn: this.transformFunctionArn,
            firehoseRoleArn: this.firehoseRoleArn,
            piiSecretArn: this.piiSecretArn,
            accessAuditTrailArn: this.accessAuditTrailArn,
        });
    }
}
