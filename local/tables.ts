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
import { DUCKDB_TYPES } from "../models/dialect";
import { MODEL_COLUMNS, MODEL_NAMES, ModelName } from "../models/sql";
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
 * Columns of the local alerts table: one row per anomaly episode (consecutive flagged windows of a metric). The
 * stacks keep alarm transitions in a DynamoDB table (AnomalyAlerts); locally they are Parquet beside
 * the other tables so `clickstream query` can join them with the aggregates.
 */
export const ALERT_COLUMNS: readonly AggregateColumnSpec[] = [
    { name: "alert_id", type: "string", classification: "internal", comment: "Deterministic id of (spec, metric, episode start): a re-run of the same windows repeats it" },
    { name: "spec", type: "string", classification: "public", comment: "Window spec name" },
    { name: "metric", type: "string", classification: "public", comment: "Metric name within the spec, e.g. count, avg_price" },
    { name: "group_values", type: "map<string,string>", classification: "internal", comment: "Group the series belongs to; empty for the roll-up over all groups (what the stacks alarm on)" },
    { name: "window_start", type: "timestamp", classification: "public", comment: "Start of the episode: the first flagged window's start (event time)" },
    { name: "window_end", type: "timestamp", classification: "public", comment: "End of the episode: the last flagged window's end" },
    { name: "flagged_windows", type: "int", classification: "public", comment: "Consecutive flagged windows in the episode (one alert for all of them)" },
    { name: "peak_window_start", type: "timestamp", classification: "public", comment: "Start of the window with the largest |score|" },
    { name: "value", type: "double", classification: "public", comment: "The metric's value in the peak window (0 for a count window without events)" },
    { name: "expected", type: "double", classification: "public", comment: "The detector's expected value at the peak" },
    { name: "expected_lower", type: "double", classification: "public", comment: "Lower edge of the expected band at the peak (values in the band are not flagged)" },
    { name: "expected_upper", type: "double", classification: "public", comment: "Upper edge of the expected band at the peak" },
    { name: "score", type: "double", classification: "public", comment: "Robust z-score of the deviation at the peak" },
    { name: "direction", type: "string", classification: "public", comment: "up | down (at the peak)" },
    { name: "detected_at", type: "timestamp", classification: "public", comment: "When the episode closed and the alert was raised (wall clock)" },
];

/** Flagged anomalies, partitioned by the day they were detected. */
export const ALERTS_TABLE: LakeTable = { name: "alerts", folder: "alerts/", partitionKeys: ["dt"], columns: duckColumns(ALERT_COLUMNS) };

/**
 * Columns of the local `erasures` audit table (`clickstream erase --local`, erasure/local.ts): the
 * stack's audit record (erasure/audit.ts) as one row; subjects and steps as JSON text. No raw id.
 */
export const ERASURE_COLUMNS: readonly AggregateColumnSpec[] = [
    { name: "erasure_id", type: "string", classification: "internal", comment: "Random id of the erasure" },
    { name: "requested_at", type: "timestamp", classification: "public", comment: "When the erasure started" },
    { name: "completed_at", type: "timestamp", classification: "public", comment: "When every place was done" },
    { name: "target", type: "string", classification: "internal", comment: "local:<LAKE_DIR>" },
    { name: "subjects", type: "string", classification: "pii", comment: "JSON [{kind, pseudonym}]: the pseudonyms erased, never the raw ids" },
    { name: "steps", type: "string", classification: "internal", comment: "JSON [{place, method, removed, objects, note}]: what was removed where" },
    { name: "rows_removed", type: "bigint", classification: "public", comment: "Rows removed from the tables (events, bad rows, aggregates, alerts, sessions)" },
];

/** The erasure audit trail, partitioned by the day of the erasure. */
export const ERASURES_TABLE: LakeTable = { name: "erasures", folder: "erasures/", partitionKeys: ["dt"], columns: duckColumns(ERASURE_COLUMNS) };

/** Folder of the modeled tables, as the stacks' `models/<table>/` prefix (docs/models.md). */
export const MODELS_FOLDER = "models/";

/**
 * The modeled tables (models/sql.ts), one folder each under models/, one Parquet file per event-time
 * day in `dt=<event_date>/` (local/models.ts replaces it when the day is run again). The files hold
 * every model column, event_date included (a DATE, as in Athena); `dt` is its text, like the other tables' partitions.
 */
export const MODEL_TABLES: Readonly<Record<ModelName, LakeTable>> = {
    sessions: modelTable("sessions"),
    daily_users: modelTable("daily_users"),
    page_stats_daily: modelTable("page_stats_daily"),
    funnel_daily: modelTable("funnel_daily"),
};

function modelTable(name: ModelName): LakeTable {
    return { name, folder: `${MODELS_FOLDER}${name}/`, partitionKeys: ["dt"], columns: MODEL_COLUMNS[name].map((c) => ({ name: c.name, duckType: DUCKDB_TYPES[c.type] })) };
}

/** The tables a Parquet view is built over (bad_rows is a view of events). */
export const LAKE_TABLES: readonly LakeTable[] = [EVENTS_TABLE, AGGREGATES_TABLE, ALERTS_TABLE, ERASURES_TABLE, ...MODEL_NAMES.map((m) => MODEL_TABLES[m])];

/** The event_type of a bad row (dataplane/transform BAD_ROW_TYPE), for the bad_rows view. */
export { BAD_ROW_TYPE } from "../dataplane/transform/normalize";
