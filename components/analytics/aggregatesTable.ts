/**
 * The aggregates table in the lake database: columns from AGGREGATE_COLUMNS (dataplane/analytics/output.ts,
 * the shape the window Lambda writes), Parquet under s3://<lake>/aggregates/, partitioned like the
 * events table by Firehose arrival dt/hour, with partition projection so Athena needs no crawler.
 */
import { PARTITION_KEYS } from "../../dataplane/schema";
import { AGGREGATE_COLUMNS } from "../../dataplane/analytics/output";

export const AGGREGATES_PREFIX = "aggregates/";
/** Firehose S3 prefix (arrival time, UTC: the stream sets customTimeZone). */
export const FIREHOSE_AGGREGATES_PREFIX = `${AGGREGATES_PREFIX}dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`;
/** Where Firehose puts records it could not convert, with the original data. */
export const FIREHOSE_AGGREGATES_ERROR_PREFIX = "aggregates-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";

export interface GlueColumn {
    name: string;
    type: string;
    comment: string;
}

export function aggregateGlueColumns(): GlueColumn[] {
    return AGGREGATE_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
}

export function aggregatePartitionKeys(): GlueColumn[] {
    return PARTITION_KEYS.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
}

/** Table parameters: external Parquet table with dt/hour partition projection under aggregates/. */
export function aggregatesTableParameters(bucketName: string, startDate: string): Record<string, string> {
    const [dt, hour] = PARTITION_KEYS.map((k) => k.name);
    return {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": "SNAPPY",
        "projection.enabled": "true",
        [`projection.${dt}.type`]: "date",
        [`projection.${dt}.format`]: "yyyy-MM-dd",
        [`projection.${dt}.range`]: `${startDate},NOW`,
        [`projection.${dt}.interval`]: "1",
        [`projection.${dt}.interval.unit`]: "DAYS",
        [`projection.${hour}.type`]: "integer",
        [`projection.${hour}.range`]: "0,23",
        [`projection.${hour}.digits`]: "2",
        "storage.location.template": `s3://${bucketName}/${AGGREGATES_PREFIX}${dt}=\${${dt}}/${hour}=\${${hour}}/`,
    };
}

export function aggregatesStorageDescriptor(bucketName: string) {
    return {
        location: `s3://${bucketName}/${AGGREGATES_PREFIX}`,
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: {
            name: "parquet",
            serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            parameters: { "serialization.format": "1" },
        },
        columns: aggregateGlueColumns(),
    };
}
