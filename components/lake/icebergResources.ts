/**
 * The Iceberg children of FirehoseLake (`tableFormat: "iceberg"`): the Iceberg v2 events table in the
 * Glue catalog, the Glue table optimizers with their own least-privilege role, and the Firehose
 * Iceberg destination block. Kept out of firehoseLake.ts so the component reads as one flow and the
 * Iceberg specifics live in one place (builders in icebergTable.ts).
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EVENTS_PREFIX, RAW_ERROR_PREFIX, RAW_PREFIX } from "./glueTable";
import {
    OPTIMIZER_LOG_GROUPS, OPTIMIZER_TYPES, glueCatalogArn, icebergOpenTableFormatInput, optimizerAssumeRolePolicy, optimizerConfigurations, optimizerPolicyDocument,
    type IcebergSettings,
} from "./icebergTable";
import type { AwsEnvironment } from "./policies";

/** The events table as an Iceberg v2 table (schema, day(received_at) partition spec and properties set at creation). */
export function createIcebergEventsTable(name: string, parent: pulumi.Resource, a: {
    databaseName: pulumi.Input<string>;
    tableName: string;
    lakeBucketName: pulumi.Output<string>;
    settings: IcebergSettings;
}): aws.glue.CatalogTable {
    return new aws.glue.CatalogTable(`${name}-table`, {
        name: a.tableName,
        databaseName: a.databaseName,
        description: "Click-stream events (one row per event; bad rows kept with bad_reason). Apache Iceberg v2, partitioned by day(received_at)",
        openTableFormatInput: a.lakeBucketName.apply((b) => icebergOpenTableFormatInput(b, a.settings)),
    }, { parent });
}

/**
 * Compaction, snapshot retention (expired files deleted) and orphan-file deletion for an Iceberg table
 * (the events table unless `tablePrefix` says otherwise), run by Glue with a role that can touch only
 * this table's prefix and metadata.
 */
export function createTableOptimizers(name: string, parent: pulumi.Resource, a: {
    env: pulumi.Output<AwsEnvironment>;
    lakeBucketArn: pulumi.Output<string>;
    lakeBucketName: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
    catalogKmsKeyArn: pulumi.Output<string | undefined>;
    table: aws.glue.CatalogTable;
    settings: IcebergSettings;
    logRetentionDays: number;
    tags?: Record<string, string>;
    /** Prefix of the table in the lake bucket. Defaults to EVENTS_PREFIX (the events table). */
    tablePrefix?: string;
}): { role: aws.iam.Role; optimizers: aws.glue.CatalogTableOptimizer[] } {
    const tablePrefix = a.tablePrefix ?? EVENTS_PREFIX;
    // Fixed, account-wide names chosen by Glue: created here only when this stack owns them.
    const logGroups = a.settings.manageOptimizerLogGroups
        ? OPTIMIZER_LOG_GROUPS.map((groupName) => new aws.cloudwatch.LogGroup(`${name}-${groupName.split("/")[2]}-logs`, {
            name: groupName,
            retentionInDays: a.logRetentionDays,
            kmsKeyId: a.kmsKeyArn,
            tags: a.tags,
        }, { parent }))
        : [];
    const role = new aws.iam.Role(`${name}-optimizer-role`, {
        description: `Glue table optimizers (compaction, snapshot retention, orphan files) of ${tablePrefix === EVENTS_PREFIX ? `clickstream lake ${name}` : `table ${tablePrefix} of ${name}`}`,
        assumeRolePolicy: pulumi.jsonStringify(a.env.apply((e) => optimizerAssumeRolePolicy(e.accountId))),
        tags: a.tags,
    }, { parent });
    const policy = new aws.iam.RolePolicy(`${name}-optimizer-policy`, {
        role: role.id,
        policy: pulumi.jsonStringify(
            pulumi.all([a.env, a.lakeBucketArn, a.kmsKeyArn, a.table.databaseName, a.table.name, a.catalogKmsKeyArn]).apply(([e, bucketArn, key, db, table, catalogKey]) =>
                optimizerPolicyDocument({ ...e, lakeBucketArn: bucketArn, tablePrefix, kmsKeyArn: key, databaseName: db, tableName: table, catalogKmsKeyArn: catalogKey }),
            ),
        ),
    }, { parent });
    const tableLocation = pulumi.interpolate`s3://${a.lakeBucketName}/${tablePrefix}`;
    const optimizers = OPTIMIZER_TYPES.map((type) => new aws.glue.CatalogTableOptimizer(`${name}-optimizer-${type.replace(/_/g, "-")}`, {
        catalogId: a.env.accountId,
        databaseName: a.table.databaseName,
        tableName: a.table.name,
        type,
        configuration: tableLocation.apply((loc) => ({ ...optimizerConfigurations(a.settings, loc)[type], roleArn: role.arn }) as aws.types.input.glue.CatalogTableOptimizerConfiguration),
    }, { parent, dependsOn: [policy, ...logGroups] }));
    return { role, optimizers };
}

/** Processors of the delivery stream (the transform), shared by both destinations. */
export type ProcessorParameters = { parameterName: string; parameterValue: pulumi.Input<string> }[];

/**
 * Firehose's Iceberg destination: rows into the table (append only: the pipeline never updates through
 * Firehose, which lifts Direct PUT's per-stream throughput cap), every source record backed up to the
 * raw bucket (`AllData`), and records that fail delivery under raw-errors/ in the same bucket: the
 * destination has one S3 configuration, and the raw bucket is where unpseudonymized data is allowed.
 */
export function icebergDestination(a: {
    env: pulumi.Output<AwsEnvironment>;
    roleArn: pulumi.Output<string>;
    databaseName: pulumi.Input<string>;
    tableName: pulumi.Input<string>;
    rawBucketArn: pulumi.Output<string>;
    kmsKeyArn: pulumi.Output<string>;
    bufferingIntervalSeconds: number;
    bufferingSizeMiB: number;
    processorParameters: ProcessorParameters;
    logGroupName: pulumi.Output<string>;
    destinationLogStreamName: pulumi.Output<string>;
    backupLogStreamName: pulumi.Output<string>;
}): aws.types.input.kinesis.FirehoseDeliveryStreamIcebergConfiguration {
    return {
        catalogArn: a.env.apply(glueCatalogArn),
        roleArn: a.roleArn,
        appendOnly: true,
        bufferingInterval: a.bufferingIntervalSeconds,
        bufferingSize: a.bufferingSizeMiB,
        destinationTableConfigurations: [{ databaseName: a.databaseName, tableName: a.tableName }],
        processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: a.processorParameters }] },
        s3BackupMode: "AllData",
        s3Configuration: {
            bucketArn: a.rawBucketArn,
            roleArn: a.roleArn,
            prefix: RAW_PREFIX,
            errorOutputPrefix: RAW_ERROR_PREFIX,
            bufferingInterval: a.bufferingIntervalSeconds,
            bufferingSize: a.bufferingSizeMiB,
            compressionFormat: "GZIP",
            kmsKeyArn: a.kmsKeyArn,
            cloudwatchLoggingOptions: { enabled: true, logGroupName: a.logGroupName, logStreamName: a.backupLogStreamName },
        },
        cloudwatchLoggingOptions: { enabled: true, logGroupName: a.logGroupName, logStreamName: a.destinationLogStreamName },
    };
}
