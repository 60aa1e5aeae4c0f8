/**
 * The aggregates table in the lake database: columns from AGGREGATE_COLUMNS (dataplane/analytics/output.ts,
 * the shape the window Lambda writes), Parquet under s3://<lake>/aggregates/, partitioned like the
 * events table by Firehose arrival dt/hour, with partition projection so Athena needs no crawler.
 */
import { GlueColumn, glueColumns, gluePartitionKeys, parquetStorageDescriptor, tableParameters } from "../lake/glueTable";
import { AGGREGATE_COLUMNS } from "../../dataplane/analytics/output";

export const AGGREGATES_PREFIX = "aggregates/";
/** Firehose S3 prefix (arrival time, UTC: the stream sets customTimeZone). */
export const FIREHOSE_AGGREGATES_PREFIX = `${AGGREGATES_PREFIX}dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`;
/** Where Firehose puts records it could not convert, with the original data. */
export const FIREHOSE_AGGREGATES_ERROR_PREFIX = "aggregates-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";

/** Glue columns of the aggregates table, in AGGREGATE_COLUMNS order. */
export function aggregateGlueColumns(): GlueColumn[] {
    return glueColumns(AGGREGATE_COLUMNS);
}

/** Partition keys: the same dt/hour as the events table. */
export function aggregatePartitionKeys(): GlueColumn[] {
    return gluePartitionKeys();
}

/** Table parameters: external Parquet table with dt/hour partition projection under aggregates/. */
export function aggregatesTableParameters(bucketName: string, startDate: string): Record<string, string> {
    return tableParameters(bucketName, startDate, "SNAPPY", AGGREGATES_PREFIX);
}

export function aggregatesStorageDescriptor(bucketName: string) {
    return parquetStorageDescriptor(bucketName, AGGREGATES_PREFIX, aggregateGlueColumns());
}
