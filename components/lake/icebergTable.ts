/**
 * The Iceberg flavour of the lake's events table (FirehoseLake `tableFormat: "iceberg"`), as plain
 * functions so tests and the policy pack can read them without running Pulumi:
 *
 * - the Iceberg v2 schema (field ids, Iceberg types) derived from dataplane/schema.ts EVENT_COLUMNS;
 * - the partition spec: hidden partitioning `day(received_at)` (arrival day, the same day the Parquet
 *   layout's dt holds), set at creation through Glue's CreateTable OpenTableFormatInput
 *   (aws.glue.CatalogTable `openTableFormatInput.icebergInput.icebergTableInput.partitionSpec`);
 * - the Glue table optimizers (compaction, snapshot retention, orphan-file deletion) and the
 *   least-privilege documents of their role and of Firehose's Iceberg writes;
 * - the starter Athena queries written against `received_at` instead of dt/hour.
 */
import { EVENT_COLUMNS, type ColumnSpec, type ColumnType } from "../../dataplane/schema";
import { EVENTS_PREFIX, namedQueries, type NamedQuerySpec, type QueryTimeColumns } from "./glueTable";
import { glueTableArns, type AwsEnvironment, type PolicyDocument, type PolicyStatement } from "./policies";
import { checkInteger, fail } from "./validate";

/** Table formats FirehoseLake can deliver into. */
export const TABLE_FORMATS = ["parquet", "iceberg"] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** The column the hidden day partition is derived from: arrival time (bounded, server clock), not the client's event_time. */
export const ICEBERG_PARTITION_SOURCE = "received_at";
/** Name of the derived partition field (what Iceberg metadata and `$partitions` show). */
export const ICEBERG_PARTITION_FIELD = "received_day";
/** Iceberg reserves partition field ids from 1000. */
const FIRST_PARTITION_FIELD_ID = 1000;

/** A map<string,string> column in Iceberg's JSON type notation. */
interface IcebergMapType {
    type: "map";
    "key-id": number;
    key: "string";
    "value-id": number;
    value: "string";
    "value-required": false;
}
type IcebergType = "string" | "timestamp" | "long" | "int" | "double" | "boolean" | IcebergMapType;

/** A field of the Glue `icebergTableInput.schema`: `type` is the Iceberg type as JSON text. */
export interface IcebergSchemaField {
    id: number;
    name: string;
    type: string;
    required: boolean;
    doc: string;
}

const PRIMITIVE: Record<Exclude<ColumnType, "map<string,string>">, IcebergType> = {
    string: "string",
    // Iceberg `timestamp` (without zone, microseconds) is what Athena creates and reads; values are UTC.
    timestamp: "timestamp",
    bigint: "long",
    int: "int",
    double: "double",
    boolean: "boolean",
};

/**
 * The Iceberg schema of the events table: one field per column in schema order (ids 1..n); map columns
 * get their key/value ids after the last column. Every field is optional except event_id, event_type and
 * received_at, which the transform always writes.
 */
export function icebergSchemaFields(columns: readonly ColumnSpec[] = EVENT_COLUMNS): IcebergSchemaField[] {
    let nextNestedId = columns.length + 1;
    const required = new Set(["event_id", "event_type", ICEBERG_PARTITION_SOURCE]);
    return columns.map((c, i) => {
        let type: IcebergType;
        if (c.type === "map<string,string>") {
            type = { type: "map", "key-id": nextNestedId++, key: "string", "value-id": nextNestedId++, value: "string", "value-required": false };
        } else {
            type = PRIMITIVE[c.type];
        }
        // Glue caps a field's doc at 255 characters.
        return { id: i + 1, name: c.name, type: JSON.stringify(type), required: required.has(c.name), doc: c.comment.slice(0, 255) };
    });
}

/** The partition spec: `day(received_at)`, so queries filtering on received_at prune whole days. */
export function icebergPartitionSpec(fields: readonly IcebergSchemaField[] = icebergSchemaFields()) {
    const source = fields.find((f) => f.name === ICEBERG_PARTITION_SOURCE);
    if (!source) throw new Error(`icebergPartitionSpec: the schema has no ${ICEBERG_PARTITION_SOURCE} column to partition by`);
    return { specId: 0, fields: [{ fieldId: FIRST_PARTITION_FIELD_ID, name: ICEBERG_PARTITION_FIELD, sourceId: source.id, transform: "day" }] };
}

/** Iceberg table properties. History settings mirror the retention optimizer, so engines that expire snapshots themselves (Athena VACUUM) agree with it. */
export function icebergTableProperties(s: Pick<IcebergSettings, "snapshotRetentionDays" | "snapshotsToRetain">): Record<string, string> {
    return {
        "write.format.default": "parquet",
        "write.parquet.compression-codec": "zstd",
        // Row deletes (erasure) write position-delete files; merge-on-read keeps DELETE cheap, compaction folds them in.
        "write.delete.mode": "merge-on-read",
        "history.expire.max-snapshot-age-ms": String(s.snapshotRetentionDays * 24 * 3600 * 1000),
        "history.expire.min-snapshots-to-keep": String(s.snapshotsToRetain),
    };
}

/** The `openTableFormatInput` of aws.glue.CatalogTable for the events table at s3://bucket/<prefix>. */
export function icebergOpenTableFormatInput(bucketName: string, s: Pick<IcebergSettings, "snapshotRetentionDays" | "snapshotsToRetain">, prefix: string = EVENTS_PREFIX) {
    const fields = icebergSchemaFields();
    return {
        icebergInput: {
            metadataOperation: "CREATE",
            version: "2",
            icebergTableInput: {
                location: `s3://${bucketName}/${prefix}`,
                schema: { schemaId: 0, type: "struct", fields },
                partitionSpec: icebergPartitionSpec(fields),
                properties: icebergTableProperties(s),
            },
        },
    };
}

export interface IcebergArgs {
    /** Days a snapshot (and the files only it references, e.g. erased rows) is kept before the retention optimizer expires it. Defaults to 3 (1-30). */
    snapshotRetentionDays?: number;
    /** Snapshots kept whatever their age. Defaults to 1 (1-100): older states of the table are what erasure must not leave behind. */
    snapshotsToRetain?: number;
    /** Days an unreferenced file is kept before orphan-file deletion removes it. Defaults to 3 (1-30; Glue's minimum guards files of commits in flight). */
    orphanFileRetentionDays?: number;
    /** Data files a partition needs before compaction rewrites it. Defaults to 50 (2-1000; Glue's default is 100). */
    compactionMinInputFiles?: number;
    /** Hours between retention and orphan-file runs. Defaults to 24 (3-168). */
    maintenanceRunRateHours?: number;
    /**
     * Create the account/region-wide log groups Glue's optimizers write to (`/aws-glue/iceberg-*`), with the
     * lake key and `logRetentionDays`. Their role may not create log groups itself (they would have no
     * retention), so exactly one stack per account and region (or an account baseline) must own them.
     * Defaults to false.
     */
    manageOptimizerLogGroups?: boolean;
}

export interface IcebergSettings {
    snapshotRetentionDays: number;
    snapshotsToRetain: number;
    orphanFileRetentionDays: number;
    compactionMinInputFiles: number;
    maintenanceRunRateHours: number;
    manageOptimizerLogGroups: boolean;
}

/** Validates the `iceberg` argument of FirehoseLake; throws naming the field and the fix. */
export function resolveIcebergSettings(component: string, format: TableFormat, args: IcebergArgs | undefined): IcebergSettings {
    if (!(TABLE_FORMATS as readonly string[]).includes(format)) fail(component, "tableFormat", `is "${String(format)}"`, `use one of ${TABLE_FORMATS.join(", ")}`);
    if (format !== "iceberg" && args !== undefined) fail(component, "iceberg", `is set but tableFormat is "${format}"`, 'set tableFormat: "iceberg", or drop the iceberg settings');
    const a = args ?? {};
    return {
        snapshotRetentionDays: checkInteger(component, "iceberg.snapshotRetentionDays", a.snapshotRetentionDays ?? 3, 1, 30, "erased rows stay readable through time travel until their snapshot expires"),
        snapshotsToRetain: checkInteger(component, "iceberg.snapshotsToRetain", a.snapshotsToRetain ?? 1, 1, 100),
        orphanFileRetentionDays: checkInteger(component, "iceberg.orphanFileRetentionDays", a.orphanFileRetentionDays ?? 3, 1, 30),
        compactionMinInputFiles: checkInteger(component, "iceberg.compactionMinInputFiles", a.compactionMinInputFiles ?? 50, 2, 1000),
        maintenanceRunRateHours: checkInteger(component, "iceberg.maintenanceRunRateHours", a.maintenanceRunRateHours ?? 24, 3, 168),
        manageOptimizerLogGroups: a.manageOptimizerLogGroups ?? false,
    };
}

/** Glue's optimizer type names (the CreateTableOptimizer API's TableOptimizerType). */
export const OPTIMIZER_TYPES = ["compaction", "retention", "orphan_file_deletion"] as const;
export type OptimizerType = (typeof OPTIMIZER_TYPES)[number];

/** The `configuration` of each aws.glue.CatalogTableOptimizer, without the role (added by the component). */
export function optimizerConfigurations(s: IcebergSettings, tableLocation: string): Record<OptimizerType, { enabled: boolean } & Record<string, unknown>> {
    return {
        compaction: { enabled: true, compactionConfiguration: { icebergConfiguration: { strategy: "binpack", minInputFiles: s.compactionMinInputFiles, deleteFileThreshold: 1 } } },
        retention: {
            enabled: true,
            retentionConfiguration: {
                icebergConfiguration: {
                    snapshotRetentionPeriodInDays: s.snapshotRetentionDays,
                    numberOfSnapshotsToRetain: s.snapshotsToRetain,
                    // Without it only metadata forgets the snapshot: erased rows would stay in S3 files.
                    cleanExpiredFiles: true,
                    runRateInHours: s.maintenanceRunRateHours,
                },
            },
        },
        orphan_file_deletion: {
            enabled: true,
            orphanFileDeletionConfiguration: {
                icebergConfiguration: { location: tableLocation, orphanFileRetentionPeriodInDays: s.orphanFileRetentionDays, runRateInHours: s.maintenanceRunRateHours },
            },
        },
    };
}

/** Trust policy of the optimizer role: Glue, for this account only (confused-deputy guard). */
export function optimizerAssumeRolePolicy(accountId: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "glue.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": accountId } } }],
    };
}

/** Log groups Glue's optimizers write their run logs to (fixed names, one per optimizer type). */
export const OPTIMIZER_LOG_GROUPS = ["/aws-glue/iceberg-compaction/logs", "/aws-glue/iceberg-retention/logs", "/aws-glue/iceberg-orphan-file-deletion/logs"] as const;

export interface OptimizerPolicyInput extends AwsEnvironment {
    lakeBucketArn: string;
    /** Prefix of the table in the lake bucket (its data and metadata). */
    tablePrefix: string;
    kmsKeyArn: string;
    databaseName: string;
    tableName: string;
    /** KMS key of the Data Catalog when it is encrypted with a CMK. */
    catalogKmsKeyArn?: string;
}

/**
 * The optimizer role (AWS Glue "Table optimization prerequisites"): read/write/delete objects under the
 * table's prefix only, list the bucket for that prefix, get/update this one table, the lake key through
 * S3, and its own run logs. No other table, prefix or bucket.
 */
export function optimizerPolicyDocument(p: OptimizerPolicyInput): PolicyDocument {
    const objects = `${p.lakeBucketArn}/${p.tablePrefix}*`;
    const statements: PolicyStatement[] = [
        { Sid: "RewriteTableFiles", Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], Resource: objects },
        { Sid: "ListTablePrefix", Effect: "Allow", Action: "s3:ListBucket", Resource: p.lakeBucketArn, Condition: { StringLike: { "s3:prefix": [`${p.tablePrefix}*`] } } },
        {
            Sid: "EncryptTableFilesThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: p.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` }, StringLike: { "kms:EncryptionContext:aws:s3:arn": [p.lakeBucketArn, objects] } },
        },
        { Sid: "CommitTableMetadata", Effect: "Allow", Action: ["glue:GetTable", "glue:UpdateTable"], Resource: glueTableArns(p, p.databaseName, p.tableName) },
        {
            Sid: "WriteOptimizerLogs",
            Effect: "Allow",
            // No logs:CreateLogGroup: a group Glue creates has no retention and no CMK (see manageOptimizerLogGroups).
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: OPTIMIZER_LOG_GROUPS.map((g) => `arn:${p.partition}:logs:${p.region}:${p.accountId}:log-group:${g}:*`),
        },
    ];
    if (p.catalogKmsKeyArn !== undefined) {
        statements.push({
            Sid: "CatalogMetadataThroughGlue",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: p.catalogKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `glue.${p.region}.amazonaws.com` } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/**
 * What Firehose's Iceberg destination needs beyond the S3 destination's grants: commit snapshots to
 * this table (glue:UpdateTable; the database lookup), and delete objects under the table's prefix
 * (failed commits clean up their files). Scoped to the one table and prefix.
 */
export function firehoseIcebergStatements(env: AwsEnvironment, lakeBucketArn: string, tablePrefix: string, databaseName: string, tableName: string): PolicyStatement[] {
    return [
        { Sid: "CommitIcebergSnapshots", Effect: "Allow", Action: ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"], Resource: glueTableArns(env, databaseName, tableName) },
        { Sid: "CleanUpUncommittedFiles", Effect: "Allow", Action: "s3:DeleteObject", Resource: `${lakeBucketArn}/${tablePrefix}*` },
    ];
}

/** ARN of the account's Glue Data Catalog (Firehose's `icebergConfiguration.catalogArn`). */
export function glueCatalogArn(env: AwsEnvironment): string {
    return `arn:${env.partition}:glue:${env.region}:${env.accountId}:catalog`;
}

/** Arrival time of the Iceberg table: received_at, whose day partition prunes the `since` filter. */
export const RECEIVED_AT_TIME: QueryTimeColumns = {
    since: (days) => `received_at >= CAST(current_date - INTERVAL '${days}' DAY AS timestamp)`,
    hourSelect: "date_trunc('hour', received_at) AS arrival_hour",
    hourKey: "date_trunc('hour', received_at)",
    daySelect: "CAST(received_at AS date) AS arrival_day",
    dayKey: "CAST(received_at AS date)",
};

/** The starter Athena queries for the Iceberg table: the Parquet table's questions, on received_at. */
export function icebergNamedQueries(databaseName: string, tableName: string): NamedQuerySpec[] {
    return namedQueries(databaseName, tableName, RECEIVED_AT_TIME);
}
