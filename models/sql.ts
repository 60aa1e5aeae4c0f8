/**
 * The modeled tables, written once for DuckDB and Athena (models/dialect.ts holds the differences):
 *   sessions          one row per session (per anonymous id; a gap of inactivity ends a session)
 *   daily_users       daily / weekly / monthly active, by user id and by anonymous id
 *   page_stats_daily  views, unique visitors, entries and exits per path (entries/exits from sessions)
 *   funnel_daily      per configured funnel: visitors reaching each ordered step, conversion per step
 *
 * Each model covers one event-time day D and is replaced as a whole: DELETE the day, then INSERT it.
 * Input rows are the events table's good rows (bad rows excluded), de-duplicated by event_id (the
 * earliest arrival wins). Pruning on the arrival date (`dt`, or `received_at` for Iceberg) reads D-2 .. D+2+lateArrivalDays,
 * so late events are picked up by re-running the day they fall into within that many days.
 * A session belongs to the day it starts on; it is followed into the next day (midnight crossing) but
 * cut at the end of D+1.
 */
import { AthenaTableLocation, Dialect, ModelColumn, createTableSql, epochMillis, sqlString, tableRef } from "./dialect";

export interface FunnelConfig {
    /** Funnel name, stored in the `funnel` column: lower-case letters, digits, underscores. */
    name: string;
    /** Event names (track names or page names) in order; at least two. */
    steps: string[];
}

export interface ModelConfig {
    /** Events table or view to read. Defaults to `events`. */
    eventsTable?: string;
    /** Minutes of inactivity that end a session. Defaults to 30. */
    sessionGapMinutes?: number;
    /** Days after D whose arrival partitions are read for late events. Defaults to 7. */
    lateArrivalDays?: number;
    /** Funnels to compute. Defaults to none. */
    funnels?: FunnelConfig[];
    /**
     * How arrival time is pruned: `dt` (Hive-style `dt` partition: the local lake and the `parquet` table
     * format) or `received_at` (Iceberg tables, hidden `day(received_at)` partitioning). Defaults to `dt`.
     */
    arrivalFilter?: "dt" | "received_at";
    /** Athena only: database and S3 prefix of the model tables. */
    athena?: AthenaTableLocation;
}

export interface ResolvedModelConfig {
    eventsTable: string;
    sessionGapMinutes: number;
    lateArrivalDays: number;
    funnels: FunnelConfig[];
    arrivalFilter: "dt" | "received_at";
    athena?: AthenaTableLocation;
}

export type ModelName = "sessions" | "daily_users" | "page_stats_daily" | "funnel_daily";
/** In dependency order: page_stats_daily reads the day's sessions. */
export const MODEL_NAMES: readonly ModelName[] = ["sessions", "daily_users", "page_stats_daily", "funnel_daily"];
/** The date column every model table is partitioned (and replaced) by. */
export const DATE_COLUMN = "event_date";

export const MODEL_COLUMNS: Record<ModelName, readonly ModelColumn[]> = {
    sessions: [
        { name: "session_id", type: "string", comment: "anonymous_id:start epoch ms" },
        { name: "anonymous_id", type: "string", comment: "Pseudonymized anonymous id" },
        { name: "user_id", type: "string", comment: "Pseudonymized user id (last one seen in the session)" },
        { name: "session_start", type: "timestamp", comment: "Event time of the first event" },
        { name: "session_end", type: "timestamp", comment: "Event time of the last event" },
        { name: "duration_seconds", type: "double", comment: "session_end - session_start" },
        { name: "event_count", type: "bigint", comment: "Events in the session" },
        { name: "page_count", type: "bigint", comment: "Page views in the session" },
        { name: "entry_page", type: "string", comment: "Path of the first page view" },
        { name: "exit_page", type: "string", comment: "Path of the last page view" },
        { name: "referrer", type: "string", comment: "Referrer of the first page view (redacted)" },
        { name: "utm_source", type: "string", comment: "utm_source of the landing URL (after redaction)" },
        { name: "utm_medium", type: "string", comment: "utm_medium of the landing URL" },
        { name: "utm_campaign", type: "string", comment: "utm_campaign of the landing URL" },
        { name: "device_type", type: "string", comment: "Device type of the first event" },
        { name: "browser", type: "string", comment: "Browser of the first event" },
        { name: DATE_COLUMN, type: "date", comment: "UTC date of session_start" },
    ],
    daily_users: [
        { name: "dau_users", type: "bigint", comment: "Distinct user ids on the day" },
        { name: "wau_users", type: "bigint", comment: "Distinct user ids in the 7 days ending on the day" },
        { name: "mau_users", type: "bigint", comment: "Distinct user ids in the 30 days ending on the day" },
        { name: "dau_anonymous", type: "bigint", comment: "Distinct anonymous ids on the day" },
        { name: "wau_anonymous", type: "bigint", comment: "Distinct anonymous ids in the 7 days ending on the day" },
        { name: "mau_anonymous", type: "bigint", comment: "Distinct anonymous ids in the 30 days ending on the day" },
        { name: DATE_COLUMN, type: "date", comment: "UTC event date" },
    ],
    page_stats_daily: [
        { name: "page_path", type: "string", comment: "Page path" },
        { name: "views", type: "bigint", comment: "Page views on the day" },
        { name: "unique_visitors", type: "bigint", comment: "Distinct anonymous ids viewing the path on the day" },
        { name: "entries", type: "bigint", comment: "Sessions starting on the day that entered on the path" },
        { name: "exits", type: "bigint", comment: "Sessions starting on the day that left from the path" },
        { name: DATE_COLUMN, type: "date", comment: "UTC event date" },
    ],
    funnel_daily: [
        { name: "funnel", type: "string", comment: "Funnel name" },
        { name: "step_index", type: "bigint", comment: "1-based step number" },
        { name: "step_name", type: "string", comment: "Event name of the step" },
        { name: "visitors", type: "bigint", comment: "Anonymous ids that reached the step after the previous ones, on the day" },
        { name: "conversion_from_previous", type: "double", comment: "visitors / visitors of the previous step (null for step 1)" },
        { name: "conversion_from_start", type: "double", comment: "visitors / visitors of step 1" },
        { name: DATE_COLUMN, type: "date", comment: "UTC event date" },
    ],
};

/** Model tables that hold pseudonymized ids (tag them as PII under Lake Formation). */
export const MODELS_WITH_PSEUDONYMIZED_IDS: readonly ModelName[] = ["sessions"];

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const IDENT = /^[a-z][a-z0-9_]{0,62}$/;
const TABLE_REF = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;

/** Validates a day and returns it; throws naming the field and the fix. */
export function checkDay(day: string): string {
    const parsed = DAY.test(day) ? new Date(`${day}T00:00:00Z`) : undefined;
    if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== day) {
        throw new Error(`models: day "${day}" is not a calendar date; pass YYYY-MM-DD (UTC), e.g. 2026-01-31`);
    }
    return day;
}

/** Applies defaults and validates; throws an Error naming the field and the fix. */
export function resolveModelConfig(cfg: ModelConfig = {}): ResolvedModelConfig {
    const eventsTable = cfg.eventsTable ?? "events";
    if (!TABLE_REF.test(eventsTable)) throw new Error(`models: eventsTable "${eventsTable}" is not a table name; pass e.g. events or clickstream_dev.events`);
    const sessionGapMinutes = cfg.sessionGapMinutes ?? 30;
    if (!Number.isInteger(sessionGapMinutes) || sessionGapMinutes < 1 || sessionGapMinutes > 24 * 60) {
        throw new Error(`models: sessionGapMinutes is ${sessionGapMinutes}; pass a whole number of minutes from 1 to 1440 (default 30)`);
    }
    const lateArrivalDays = cfg.lateArrivalDays ?? 7;
    if (!Number.isInteger(lateArrivalDays) || lateArrivalDays < 0 || lateArrivalDays > 90) {
        throw new Error(`models: lateArrivalDays is ${lateArrivalDays}; pass a whole number of days from 0 to 90 (default 7)`);
    }
    const funnels = cfg.funnels ?? [];
    const seen = new Set<string>();
    funnels.forEach((f, i) => {
        if (!f || typeof f.name !== "string" || !IDENT.test(f.name)) throw new Error(`models: funnels[${i}].name "${f?.name}" is invalid; use lower-case letters, digits and _ (e.g. checkout)`);
        if (seen.has(f.name)) throw new Error(`models: funnels[${i}].name "${f.name}" is used twice; give each funnel its own name`);
        seen.add(f.name);
        if (!Array.isArray(f.steps) || f.steps.length < 2 || f.steps.some((s) => typeof s !== "string" || s === "")) {
            throw new Error(`models: funnels[${i}].steps must list at least two non-empty event names in order (e.g. ["Product Viewed", "Order Completed"])`);
        }
    });
    const arrivalFilter = cfg.arrivalFilter ?? "dt";
    if (arrivalFilter !== "dt" && arrivalFilter !== "received_at") throw new Error(`models: arrivalFilter is "${arrivalFilter}"; pass "dt" (Hive-style partitions) or "received_at" (Iceberg)`);
    return { eventsTable, sessionGapMinutes, lateArrivalDays, funnels, arrivalFilter, athena: cfg.athena };
}

/** YYYY-MM-DD plus n days. */
export function addDays(day: string, n: number): string {
    return new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);
}

const ts = (day: string) => `TIMESTAMP '${day} 00:00:00'`;

/**
 * Good rows with event_time in [fromDay, toDay), de-duplicated by event_id, reading arrival partitions
 * from fromDay-1 (client clocks run ahead a little) to toDay+lateArrivalDays.
 */
function dedupedEvents(cfg: ResolvedModelConfig, fromDay: string, toDay: string, extraWhere = ""): string {
    return `SELECT * FROM (
    SELECT e.*, ROW_NUMBER() OVER (PARTITION BY e.event_id ORDER BY e.received_at, e.event_time) AS dup_rank
    FROM ${cfg.eventsTable} e
    WHERE ${arrivalWindow(cfg, addDays(fromDay, -1), addDays(toDay, cfg.lateArrivalDays))}
      AND e.event_type <> 'bad_row' AND e.anonymous_id IS NOT NULL
      AND e.event_time >= ${ts(fromDay)} AND e.event_time < ${ts(toDay)}${extraWhere}
  ) d WHERE d.dup_rank = 1`;
}

/** Arrival days firstDay..lastDay (inclusive), on the partition column the events table prunes by. */
function arrivalWindow(cfg: ResolvedModelConfig, firstDay: string, lastDay: string): string {
    return cfg.arrivalFilter === "dt"
        ? `e.dt BETWEEN '${firstDay}' AND '${lastDay}'`
        : `e.received_at >= ${ts(firstDay)} AND e.received_at < ${ts(addDays(lastDay, 1))}`;
}

function utm(param: string): string {
    return `url_decode(NULLIF(regexp_extract(landing_url, '[?&]${param}=([^&#]*)', 1), ''))`;
}

function sessionsSelect(d: Dialect, cfg: ResolvedModelConfig, day: string): string {
    const gapMs = cfg.sessionGapMinutes * 60_000;
    const ms = (e: string) => epochMillis(d, e);
    // The day before D is read so an event just after midnight can continue a session of D-1; D+1 so
    // a session of D that crosses midnight keeps its later events.
    return `WITH scoped AS (
  ${dedupedEvents(cfg, addDays(day, -1), addDays(day, 2))}
),
ordered AS (
  SELECT anonymous_id, user_id, event_type, event_time, page_path, page_url, page_referrer, ua_device_type, ua_browser,
    ROW_NUMBER() OVER (PARTITION BY anonymous_id ORDER BY event_time, event_id) AS seq,
    LAG(event_time) OVER (PARTITION BY anonymous_id ORDER BY event_time, event_id) AS prev_time
  FROM scoped
),
numbered AS (
  SELECT o.*, SUM(CASE WHEN prev_time IS NULL OR ${ms("event_time")} - ${ms("prev_time")} > ${gapMs} THEN 1 ELSE 0 END)
    OVER (PARTITION BY anonymous_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS session_index
  FROM ordered o
),
grouped AS (
  SELECT anonymous_id,
    max_by(user_id, seq) FILTER (WHERE user_id IS NOT NULL) AS user_id,
    MIN(event_time) AS session_start,
    MAX(event_time) AS session_end,
    COUNT(*) AS event_count,
    SUM(CASE WHEN event_type = 'page' THEN 1 ELSE 0 END) AS page_count,
    min_by(page_path, seq) FILTER (WHERE event_type = 'page') AS entry_page,
    max_by(page_path, seq) FILTER (WHERE event_type = 'page') AS exit_page,
    min_by(page_referrer, seq) FILTER (WHERE event_type = 'page') AS referrer,
    min_by(page_url, seq) FILTER (WHERE event_type = 'page') AS landing_url,
    min_by(ua_device_type, seq) AS device_type,
    min_by(ua_browser, seq) AS browser
  FROM numbered
  GROUP BY anonymous_id, session_index
)
SELECT anonymous_id || ':' || CAST(${ms("session_start")} AS VARCHAR) AS session_id, anonymous_id, user_id, session_start, session_end,
  CAST(${ms("session_end")} - ${ms("session_start")} AS DOUBLE) / 1000 AS duration_seconds,
  event_count, page_count, entry_page, exit_page, referrer,
  ${utm("utm_source")} AS utm_source, ${utm("utm_medium")} AS utm_medium, ${utm("utm_campaign")} AS utm_campaign,
  device_type, browser, DATE '${day}' AS ${DATE_COLUMN}
FROM grouped
WHERE session_start >= ${ts(day)} AND session_start < ${ts(addDays(day, 1))}`;
}

function dailyUsersSelect(cfg: ResolvedModelConfig, day: string): string {
    const distinctSince = (col: string, from: string) => `COUNT(DISTINCT CASE WHEN event_time >= ${ts(from)} THEN ${col} END)`;
    return `WITH scoped AS (
  ${dedupedEvents(cfg, addDays(day, -29), addDays(day, 1))}
)
SELECT ${distinctSince("user_id", day)} AS dau_users, ${distinctSince("user_id", addDays(day, -6))} AS wau_users, COUNT(DISTINCT user_id) AS mau_users,
  ${distinctSince("anonymous_id", day)} AS dau_anonymous, ${distinctSince("anonymous_id", addDays(day, -6))} AS wau_anonymous, COUNT(DISTINCT anonymous_id) AS mau_anonymous,
  DATE '${day}' AS ${DATE_COLUMN}
FROM scoped`;
}

function pageStatsSelect(d: Dialect, cfg: ResolvedModelConfig, day: string): string {
    const sessions = tableRef(d, "sessions", cfg.athena);
    return `WITH views AS (
  SELECT page_path, COUNT(*) AS views, COUNT(DISTINCT anonymous_id) AS unique_visitors
  FROM (${dedupedEvents(cfg, day, addDays(day, 1), " AND e.event_type = 'page' AND e.page_path IS NOT NULL")}) v
  GROUP BY page_path
),
entries AS (
  SELECT entry_page AS page_path, COUNT(*) AS entries FROM ${sessions} WHERE ${DATE_COLUMN} = DATE '${day}' AND entry_page IS NOT NULL GROUP BY entry_page
),
exits AS (
  SELECT exit_page AS page_path, COUNT(*) AS exits FROM ${sessions} WHERE ${DATE_COLUMN} = DATE '${day}' AND exit_page IS NOT NULL GROUP BY exit_page
),
paths AS (
  SELECT page_path FROM views UNION SELECT page_path FROM entries UNION SELECT page_path FROM exits
)
SELECT p.page_path, COALESCE(v.views, 0) AS views, COALESCE(v.unique_visitors, 0) AS unique_visitors,
  COALESCE(en.entries, 0) AS entries, COALESCE(ex.exits, 0) AS exits, DATE '${day}' AS ${DATE_COLUMN}
FROM paths p
LEFT JOIN views v ON v.page_path = p.page_path
LEFT JOIN entries en ON en.page_path = p.page_path
LEFT JOIN exits ex ON ex.page_path = p.page_path`;
}

function funnelSelect(cfg: ResolvedModelConfig, funnel: FunnelConfig, day: string): string {
    const steps = funnel.steps;
    const inList = steps.map(sqlString).join(", ");
    // Step k is reached at the first step-k event at or after the time step k-1 was reached.
    const stepCtes = steps.map((step, i) =>
        i === 0
            ? `step1 AS (SELECT anonymous_id, MIN(event_time) AS t FROM scoped WHERE event_name = ${sqlString(step)} GROUP BY anonymous_id)`
            : `step${i + 1} AS (SELECT p.anonymous_id, MIN(e.event_time) AS t FROM step${i} p JOIN scoped e ON e.anonymous_id = p.anonymous_id AND e.event_name = ${sqlString(step)} AND e.event_time >= p.t GROUP BY p.anonymous_id)`,
    );
    const counts = steps.map((step, i) => `SELECT ${i + 1} AS step_index, ${sqlString(step)} AS step_name, COUNT(*) AS visitors FROM step${i + 1}`).join("\n  UNION ALL ");
    return `WITH scoped AS (
  ${dedupedEvents(cfg, day, addDays(day, 1), ` AND e.event_name IN (${inList})`)}
),
${stepCtes.join(",\n")},
counts AS (
  ${counts}
)
SELECT ${sqlString(funnel.name)} AS funnel, CAST(step_index AS BIGINT) AS step_index, step_name, visitors,
  CAST(visitors AS DOUBLE) / NULLIF(LAG(visitors) OVER (ORDER BY step_index), 0) AS conversion_from_previous,
  CAST(visitors AS DOUBLE) / NULLIF(FIRST_VALUE(visitors) OVER (ORDER BY step_index), 0) AS conversion_from_start,
  DATE '${day}' AS ${DATE_COLUMN}
FROM counts`;
}

/** One model's statements for one day: run in order, they replace the day. */
export interface ModelDayStatements {
    model: ModelName;
    /** DELETE of the day's rows (of this funnel, for funnels). */
    delete: string;
    /** INSERT of the day's rows. */
    insert: string;
}

/** The DELETE + INSERT statements of every model for `day`, in dependency order. */
export function modelDayStatements(dialect: Dialect, day: string, config: ModelConfig = {}): ModelDayStatements[] {
    checkDay(day);
    const cfg = resolveModelConfig(config);
    const table = (m: ModelName) => tableRef(dialect, m, cfg.athena);
    const cols = (m: ModelName) => MODEL_COLUMNS[m].map((c) => c.name).join(", ");
    const dayWhere = `${DATE_COLUMN} = DATE '${day}'`;
    const out: ModelDayStatements[] = [];
    const add = (model: ModelName, select: string, extraWhere = "") =>
        out.push({ model, delete: `DELETE FROM ${table(model)} WHERE ${dayWhere}${extraWhere}`, insert: `INSERT INTO ${table(model)} (${cols(model)})\n${select}` });
    add("sessions", sessionsSelect(dialect, cfg, day));
    add("daily_users", dailyUsersSelect(cfg, day));
    add("page_stats_daily", pageStatsSelect(dialect, cfg, day));
    for (const f of cfg.funnels) add("funnel_daily", funnelSelect(cfg, f, day), ` AND funnel = ${sqlString(f.name)}`);
    return out;
}

/** CREATE TABLE IF NOT EXISTS for every model table. */
export function modelTableStatements(dialect: Dialect, config: ModelConfig = {}): string[] {
    const cfg = resolveModelConfig(config);
    return MODEL_NAMES.map((m) => createTableSql(dialect, m, MODEL_COLUMNS[m], DATE_COLUMN, cfg.athena));
}
