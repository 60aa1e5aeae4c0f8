/**
 * The tables of the local lake (LAKE_DIR), named and laid out like the Glue tables of the stacks:
 * the folder (S3 prefix), the hive partition keys, and the columns with their DuckDB types. The query
 * views (local/query.ts) and the window writer (local/windows.ts) both read this, so a column added to
 * dataplane/schema.ts or dataplane/analytics/output.ts reaches the local lake without another edit.
 */
import { AGGREGATE_COLUMNS, AggregateColumnSpec } from "../dataplane/analytics/output";
import { EVENT_COLUMNS } from "../dataplane/schema";
import { AGGREGATES_PREFIX } from "../components/analytics/aggregatesTable";
import { EVENTS_PREFIX } from "../components/lake/glueTable";
import type { DuckColumn } from "./parquet";

export interface LakeTable {
    /** View name in `clickstream query`: the Glue table's name. */
    readonly name: string;
    /** Folder under LAKE_DIR, with a trailing slash, as the S3 prefix. */
    readonly folder: string;
    /** Hive partition keys, outermost first (all VARCHAR, like the Glue partition keys). */
    readonly partitionKeys: readonly string[];
    readonly columns: readonly DuckColumn[];
}

/** Glue/Hive column type -> DuckDB type. */
const DUCK_TYPES: Record<AggregateColumnSpec["type"], string> = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "bigint": "BIGINT",
    "int": "INTEGER",
    "double": "DOUBLE",
    "boolean": "BOOLEAN",
    "map<string,string>": "MAP(VARCHAR, VARCHAR)",
    "map<string,double>": "MAP(VARCHAR, DOUBLE)",
    "map<string,bigint>": "MAP(VARCHAR, BIGINT)",
};

export function duckColumns(specs: readonly AggregateColumnSpec[]): DuckColumn[] {
    return specs.map((c) => ({ name: c.name, duckType: DUCK_TYPES[c.type] }));
}

/** The events table (FirehoseLake's Glue table, default name "events"): good rows and bad rows. */
export const EVENTS_TABLE: LakeTable = { name: "events", folder: EVENTS_PREFIX, partitionKeys: ["dt", "hour"], columns: duckColumns(EVENT_COLUMNS) };

/**
 * The aggregates table: AnalyticsWindow's Glue table (its `aggregatesTableName`, default
 * "aggregates"), partitioned by the dt/hour the rows were written, like Firehose's arrival time.
 */
export const AGGREGATES_TABLE: LakeTable = { name: "aggregates", folder: AGGREGATES_PREFIX, partitionKeys: ["dt", "hour"], columns: duckColumns(AGGREGATE_COLUMNS) };

/**
 * Columns of the local alerts table: one row per window metric the anomaly detector flagged. The
 * stacks keep alarm transitions in a DynamoDB table (AnomalyAlerts); locally they are Parquet beside
 * the other tables so `clickstream query` can join them with the aggregates.
 */
export const ALERT_COLUMNS: readonly AggregateColumnSpec[] = [
    { name: "alert_id", type: "string", classification: "internal", comment: "Deterministic id of (spec, metric, window): a re-run of the same window repeats it" },
    { name: "spec", type: "string", classification: "public", comment: "Window spec name" },
    { name: "metric", type: "string", classification: "public", comment: "Metric name within the spec, e.g. count, avg_price" },
    { name: "group_values", type: "map<string,string>", classification: "internal", comment: "Group the series belongs to; empty for the roll-up over all groups (what the stacks alarm on)" },
    { name: "window_start", type: "timestamp", classification: "public", comment: "Window start (event time)" },
    { name: "window_end", type: "timestamp", classification: "public", comment: "Window end" },
    { name: "value", type: "double", classification: "public", comment: "The metric's value in the window (0 for a count window without events)" },
    { name: "expected", type: "double", classification: "public", comment: "The detector's expected value" },
    { name: "score", type: "double", classification: "public", comment: "Robust z-score of the deviation" },
    { name: "direction", type: "string", classification: "public", comment: "up | down" },
    { name: "detected_at", type: "timestamp", classification: "public", comment: "When the window closed and was scored (wall clock)" },
];

/** Flagged anomalies, partitioned by the day they were detected. */
export const ALERTS_TABLE: LakeTable = { name: "alerts", folder: "alerts/", partitionKeys: ["dt"], columns: duckColumns(ALERT_COLUMNS) };

/** The tables a Parquet view is built over (bad_rows is a view of events). */
export const LAKE_TABLES: readonly LakeTable[] = [EVENTS_TABLE, AGGREGATES_TABLE, ALERTS_TABLE];

/** The event_type of a bad row (dataplane/transform BAD_ROW_TYPE), for the bad_rows view. */
export { BAD_ROW_TYPE } from "../dataplane/transform/normalize";
