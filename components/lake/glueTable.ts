/**
 * The lake table's definition, derived from dataplane/schema.ts: Glue columns, partition keys, Athena
 * partition projection, and the Parquet storage descriptor. Plain functions, so the tests (and the
 * policy pack) can compare them with the schema without running Pulumi.
 */
import { EVENT_COLUMNS, PARTITION_KEYS, type ColumnSpec } from "../../dataplane/schema";

/** Prefix of the curated Parquet objects in the lake bucket (the table location). */
export const EVENTS_PREFIX = "events/";
/** Firehose S3 prefix: Hive-style dt/hour partitions from the arrival timestamp (UTC). */
export const FIREHOSE_EVENTS_PREFIX = `${EVENTS_PREFIX}dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/`;
/** Where records that failed processing or conversion land, with their original data. */
export const FIREHOSE_ERROR_PREFIX = "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";
/** Prefix of the untransformed source records in the raw bucket. */
export const RAW_PREFIX = "raw/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/";
/** Error prefix of the raw backup (required by Firehose when the prefix uses expressions). */
export const RAW_ERROR_PREFIX = "raw-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/";
/** Prefix of Athena query results in the lake bucket. */
export const ATHENA_RESULTS_PREFIX = "athena-results/";
/** Prefix of Firehose error output in the lake bucket (for lifecycle rules). */
export const ERRORS_PREFIX = "errors/";

export interface GlueColumn {
    name: string;
    type: string;
    comment: string;
}

/** Glue columns in schema order: name, Hive type and comment of each column. */
export function glueColumns(columns: readonly GlueColumn[] = EVENT_COLUMNS): GlueColumn[] {
    return columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
}

/** Glue partition keys (dt, hour) in schema order. */
export function gluePartitionKeys(keys: readonly ColumnSpec[] = PARTITION_KEYS): GlueColumn[] {
    return glueColumns(keys);
}

/**
 * Athena partition projection: partitions are computed from the query, so no crawler or
 * MSCK REPAIR is needed and new hours are queryable as soon as Firehose writes them.
 * `startDate` is the first dt (yyyy-MM-dd) the projection covers.
 */
export function projectionParameters(bucketName: string, startDate: string, prefix: string = EVENTS_PREFIX): Record<string, string> {
    const [dt, hour] = PARTITION_KEYS.map((k) => k.name);
    return {
        "projection.enabled": "true",
        [`projection.${dt}.type`]: "date",
        [`projection.${dt}.format`]: "yyyy-MM-dd",
        [`projection.${dt}.range`]: `${startDate},NOW`,
        [`projection.${dt}.interval`]: "1",
        [`projection.${dt}.interval.unit`]: "DAYS",
        [`projection.${hour}.type`]: "integer",
        [`projection.${hour}.range`]: "0,23",
        [`projection.${hour}.digits`]: "2",
        "storage.location.template": `s3://${bucketName}/${prefix}${dt}=\${${dt}}/${hour}=\${${hour}}/`,
    };
}

/** Parquet compression codecs Firehose's Parquet serializer accepts. */
export const PARQUET_COMPRESSIONS = ["SNAPPY", "GZIP", "UNCOMPRESSED"] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** Table parameters: EXTERNAL Parquet table plus the projection (the events table unless another prefix is given). */
export function tableParameters(bucketName: string, startDate: string, compression: ParquetCompression, prefix: string = EVENTS_PREFIX): Record<string, string> {
    return {
        EXTERNAL: "TRUE",
        classification: "parquet",
        "parquet.compression": compression,
        ...projectionParameters(bucketName, startDate, prefix),
    };
}

/** Storage descriptor of a Parquet table at s3://bucket/<prefix> (the events table by default). */
export function parquetStorageDescriptor(bucketName: string, prefix: string = EVENTS_PREFIX, columns: GlueColumn[] = glueColumns()) {
    return {
        location: `s3://${bucketName}/${prefix}`,
        inputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat",
        serDeInfo: {
            name: "parquet",
            serializationLibrary: "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe",
            parameters: { "serialization.format": "1" },
        },
        columns,
    };
}

/** Glue database/table names: lower-case letters, digits and underscores (what Athena accepts unquoted). */
export function glueName(text: string): string {
    const cleaned = text.toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/^_+|_+$/g, "").replace(/_+/g, "_");
    return cleaned.length > 0 ? cleaned.slice(0, 255) : "clickstream";
}

export function isGlueName(text: string): boolean {
    return /^[a-z0-9_]{1,255}$/.test(text);
}

export interface NamedQuerySpec {
    /** Short name, used in the resource name. */
    key: string;
    name: string;
    description: string;
    sql: string;
}

/** How the starter queries name arrival time: partition columns for the Parquet table, received_at for Iceberg. */
export interface QueryTimeColumns {
    /** Condition keeping the last `days` days, in a form that prunes partitions. */
    since(days: number): string;
    /** SELECT expression(s) of the arrival hour, and the same for GROUP BY / ORDER BY. */
    hourSelect: string;
    hourKey: string;
    /** SELECT expression of the arrival day, and the same for GROUP BY / ORDER BY. */
    daySelect: string;
    dayKey: string;
}

/** The Parquet table's dt/hour partitions. dt is a yyyy-MM-dd string: compared with a date cast to varchar (ISO format), which projection prunes on. */
export const PARTITION_TIME: QueryTimeColumns = {
    since: (days) => `dt >= CAST(current_date - INTERVAL '${days}' DAY AS varchar)`,
    // "hour" quoted: it is an interval-field keyword in Athena's SQL.
    hourSelect: 'dt, "hour"',
    hourKey: 'dt, "hour"',
    daySelect: "dt",
    dayKey: "dt",
};

/**
 * Starter Athena queries, written against the real table and its arrival-time columns. Each filters on
 * arrival time first so partitions are pruned (and the scan cutoff is rarely reached), and leaves bad rows out.
 */
export function namedQueries(databaseName: string, tableName: string, time: QueryTimeColumns = PARTITION_TIME): NamedQuerySpec[] {
    const table = `"${databaseName}"."${tableName}"`;
    return [
        {
            key: "events-per-hour",
            name: "Events per hour (last 2 days)",
            description: "Good events per arrival hour and event type.",
            sql: [
                `SELECT ${time.hourSelect}, event_type, count(*) AS events`,
                `FROM ${table}`,
                `WHERE ${time.since(1)} AND event_type <> 'bad_row'`,
                `GROUP BY ${time.hourKey}, event_type`,
                `ORDER BY ${time.hourKey}, event_type`,
            ].join("\n"),
        },
        {
            key: "top-pages",
            name: "Top pages (last 7 days)",
            description: "Most viewed page paths with distinct (pseudonymized) visitors.",
            sql: [
                "SELECT page_path, count(*) AS views, count(DISTINCT anonymous_id) AS visitors",
                `FROM ${table}`,
                `WHERE ${time.since(7)} AND event_type = 'page' AND page_path IS NOT NULL`,
                "GROUP BY page_path",
                "ORDER BY views DESC",
                "LIMIT 50",
            ].join("\n"),
        },
        {
            key: "sessions-per-day",
            name: "Sessions per day (last 30 days)",
            description: "Distinct sessions and visitors per arrival day.",
            sql: [
                `SELECT ${time.daySelect}, count(DISTINCT session_id) AS sessions, count(DISTINCT anonymous_id) AS visitors`,
                `FROM ${table}`,
                `WHERE ${time.since(30)} AND event_type <> 'bad_row' AND session_id IS NOT NULL`,
                `GROUP BY ${time.dayKey}`,
                `ORDER BY ${time.dayKey}`,
            ].join("\n"),
        },
    ];
}
