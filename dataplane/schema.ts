/**
 * The one schema definition of a lake row. The transform writes rows of this shape, the Glue table
 * (and so Firehose's Parquet conversion) is built from `EVENT_COLUMNS`, and Lake Formation tags the
 * columns whose `classification` is "pii". Change a column here and every consumer follows.
 *
 * This module is data-plane code: it imports nothing from Pulumi, so Lambda bundles, the local
 * pipeline and the tests load it unchanged.
 */

/** Glue/Hive column types used by the lake. */
export type ColumnType = "string" | "timestamp" | "bigint" | "int" | "double" | "boolean" | "map<string,string>";

/** Data classification, mirrored by the `classification` LF-tag. */
export type Classification = "public" | "internal" | "pii";

export interface ColumnSpec {
    readonly name: string;
    readonly type: ColumnType;
    readonly classification: Classification;
    readonly comment: string;
}

/**
 * Core columns, in table order. `properties` and `context` are maps (the article's "map trick"):
 * a tracker can add fields without a schema or pipeline change.
 */
export const EVENT_COLUMNS: readonly ColumnSpec[] = [
    { name: "event_id", type: "string", classification: "internal", comment: "Client messageId/eventId, else a deterministic hash of the event; key for de-duplication" },
    { name: "event_type", type: "string", classification: "public", comment: "track | page | screen | identify | group | alias | bad_row" },
    { name: "event_name", type: "string", classification: "public", comment: "Track event name, or page/screen name" },
    { name: "event_time", type: "timestamp", classification: "public", comment: "Clock-skew corrected: received_at - (sent_at - original timestamp)" },
    { name: "received_at", type: "timestamp", classification: "public", comment: "When the ingest endpoint received the request (server clock)" },
    { name: "sent_at", type: "timestamp", classification: "public", comment: "When the client sent the batch (client clock), if given" },
    { name: "source_format", type: "string", classification: "public", comment: "native | segment" },
    { name: "ingest_path", type: "string", classification: "public", comment: "Request path the event arrived on, e.g. /v1/batch" },
    { name: "anonymous_id", type: "string", classification: "pii", comment: "Pseudonymized (HMAC-SHA256) anonymous id" },
    { name: "user_id", type: "string", classification: "pii", comment: "Pseudonymized (HMAC-SHA256) user id" },
    { name: "session_id", type: "string", classification: "internal", comment: "Client session id" },
    { name: "app_id", type: "string", classification: "public", comment: "Application / write key identity" },
    { name: "page_url", type: "string", classification: "internal", comment: "Page URL with PII redacted from the query string" },
    { name: "page_path", type: "string", classification: "public", comment: "Page path" },
    { name: "page_referrer", type: "string", classification: "internal", comment: "Referrer URL with PII redacted from the query string" },
    { name: "page_title", type: "string", classification: "public", comment: "Page title (free-text PII redacted)" },
    { name: "ua_browser", type: "string", classification: "public", comment: "Parsed user agent: browser name" },
    { name: "ua_browser_version", type: "string", classification: "public", comment: "Parsed user agent: browser version" },
    { name: "ua_os", type: "string", classification: "public", comment: "Parsed user agent: operating system" },
    { name: "ua_os_version", type: "string", classification: "public", comment: "Parsed user agent: OS version" },
    { name: "ua_device_type", type: "string", classification: "public", comment: "Parsed user agent: desktop | mobile | tablet | bot | ..." },
    { name: "ip_truncated", type: "string", classification: "pii", comment: "Source IP truncated to /24 (IPv4) or /48 (IPv6)" },
    { name: "properties", type: "map<string,string>", classification: "internal", comment: "Event properties / traits, values as strings, PII rules applied" },
    { name: "context", type: "map<string,string>", classification: "internal", comment: "Flattened client context, PII rules applied" },
    { name: "bad_reason", type: "string", classification: "internal", comment: "Null for good rows; for bad rows why the event was rejected" },
    { name: "bad_payload", type: "string", classification: "pii", comment: "Null for good rows; for bad rows a truncated excerpt with PII patterns redacted" },
];

/** Hive-style partition keys, filled from Firehose's arrival timestamp (UTC). */
export const PARTITION_KEYS: readonly ColumnSpec[] = [
    { name: "dt", type: "string", classification: "public", comment: "Arrival date, yyyy-MM-dd (UTC)" },
    { name: "hour", type: "string", classification: "public", comment: "Arrival hour, HH (UTC)" },
];

/** Names of columns that carry personal data after the transform: what LF tags as pii. */
export const PII_COLUMNS: readonly string[] = EVENT_COLUMNS.filter((c) => c.classification === "pii").map((c) => c.name);

/**
 * One lake row as the transform emits it (one JSON object per row; Firehose converts to Parquet).
 * In process (`Transformer.normalize`) every key is present, `null` where absent. In the Firehose output
 * record absent columns are left out instead of written as null: the Hive JSON deserializer reads a
 * missing key as NULL, so the stored row is the same (docs/transform.md, "Output rows").
 * Timestamps are ISO-8601 UTC strings with milliseconds, e.g. "2026-11-26T16:05:00.123Z", matching
 * `TIMESTAMP_FORMAT` given to Firehose's Hive JSON deserializer.
 */
export interface EventRow {
    event_id: string;
    event_type: string;
    event_name: string | null;
    event_time: string | null;
    received_at: string;
    sent_at: string | null;
    source_format: "native" | "segment" | null;
    ingest_path: string | null;
    anonymous_id: string | null;
    user_id: string | null;
    session_id: string | null;
    app_id: string | null;
    page_url: string | null;
    page_path: string | null;
    page_referrer: string | null;
    page_title: string | null;
    ua_browser: string | null;
    ua_browser_version: string | null;
    ua_os: string | null;
    ua_os_version: string | null;
    ua_device_type: string | null;
    ip_truncated: string | null;
    properties: Record<string, string>;
    context: Record<string, string>;
    bad_reason: string | null;
    bad_payload: string | null;
}

/** Joda pattern for Firehose's Hive JSON SerDe `timestampFormats`, matching `EventRow` timestamps. */
export const TIMESTAMP_FORMAT = "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'";
