/**
 * The dashboard's data: a fixed set of read-only DuckDB queries over the lake's views (local/query.ts
 * `createLakeViews`), each bounded by a partition filter and a LIMIT, returning aggregates only (no
 * pseudonymized ids, no payloads). There is no user SQL: the only input is the clock.
 *
 * The anomaly band is not stored anywhere (the alerts table keeps flagged windows only), so it is
 * recomputed here by feeding the aggregates' roll-up series through the same detector the windows
 * use (local/anomaly.ts, one season = one day of 1-minute windows); the flagged episodes come from
 * the alerts table itself.
 */
import { LocalDb, openDuckDb } from "../duckdb";
import { createLakeViews } from "../query";
import { createMetricScorer } from "../anomaly";
import { BAD_ROW_TYPE } from "../tables";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
/** Minutes shown by the live events-per-minute chart. */
export const LIVE_MINUTES = 60;
/** Days of partitions read by bad rows and top pages. */
export const RECENT_DAYS = 7;
/** Days shown by sessions and active users per day. */
export const DAILY_DAYS = 30;
/** Windows scored for the anomaly band (the detector warms up for one day of them). */
export const BAND_WINDOWS = 3 * 1440;
/** Windows returned to the chart: the last 6 hours, so single minutes stay visible. */
export const BAND_SHOWN_WINDOWS = 6 * 60;
/** Rows in the top-N lists. */
export const TOP_N = 10;
/** Longest bad-row reason shown (reasons are the transform's messages; long ones are cut). */
const MAX_REASON_CHARS = 120;

/** The window metric charted with its band: the roll-up the stacks alarm on (stacks/pipeline.ts). */
export const BAND_SPEC = "events_per_minute";
export const BAND_METRIC = "count";

/** YYYY-MM-DD of a time, for dt partition filters (dt is the UTC arrival day). */
function day(ms: number): string {
    return new Date(ms).toISOString().slice(0, 10);
}
/** A TIMESTAMP literal of a time we computed (never user input). */
function ts(ms: number): string {
    return `TIMESTAMP '${new Date(ms).toISOString().replace("T", " ").replace("Z", "")}'`;
}
/** An event's time for charts: event time, else arrival (bad rows have no event time). */
const EVENT_TIME = "coalesce(event_time, received_at)";

export interface EventsPerMinute {
    /** Minute starts (epoch ms), oldest first, LIVE_MINUTES of them ending with the current minute. */
    minutes: number[];
    events: number[];
    badRows: number[];
}

export interface WindowBand {
    spec: string;
    metric: string;
    /** Window starts (epoch ms), oldest first, one per minute (quiet minutes count 0), the last BAND_SHOWN_WINDOWS. */
    windows: number[];
    values: number[];
    expected: Array<number | null>;
    lower: Array<number | null>;
    upper: Array<number | null>;
    /** Windows the alerts table flagged, with what the detector expected there. */
    flagged: Array<{ window: number; value: number; expected: number; direction: string }>;
}

export interface DashboardQueries {
    eventsPerMinute(now: number): Promise<EventsPerMinute>;
    badRows(now: number): Promise<Array<{ reason: string; rows: number }>>;
    topPages(now: number): Promise<Array<{ path: string; views: number }>>;
    /** Per event-time day, from the models: sessions, daily active anonymous ids, and the events of the day's sessions. */
    daily(now: number): Promise<Array<{ day: string; sessions: number; users: number; events: number }>>;
    windowBand(now: number): Promise<WindowBand>;
    recentAlerts(): Promise<Array<Record<string, unknown>>>;
    close(): Promise<void>;
}

/**
 * Opens the dashboard's queries over `lakeDir`. One in-memory DuckDB on one thread (the pipeline keeps
 * the other cores), opened on first use; queries run one at a time, each on freshly rebuilt views.
 */
export function dashboardQueries(lakeDir: string): DashboardQueries {
    let db: Promise<LocalDb> | undefined;
    let queue: Promise<unknown> = Promise.resolve();
    let closed = false;
    const open = async (): Promise<LocalDb> => {
        const d = await openDuckDb();
        await d.run("SET threads = 1");
        return d;
    };
    /** Runs `fn` after the previous query, on views over the files present now. */
    const serial = <T>(fn: (d: LocalDb) => Promise<T>): Promise<T> => {
        const next = queue.then(async () => {
            if (closed) throw new Error("the dashboard is closed");
            db ??= open();
            const d = await db;
            await createLakeViews(d, lakeDir);
            return fn(d);
        });
        queue = next.catch(() => undefined);
        return next;
    };
    const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : Number(v ?? 0));

    return {
        eventsPerMinute: (now) => serial(async (d) => {
            const first = Math.floor(now / MINUTE_MS) * MINUTE_MS - (LIVE_MINUTES - 1) * MINUTE_MS;
            const rows = await d.all(`SELECT epoch_ms(date_trunc('minute', ${EVENT_TIME})) AS minute,
                    count(*) FILTER (WHERE event_type <> '${BAD_ROW_TYPE}') AS events,
                    count(*) FILTER (WHERE event_type = '${BAD_ROW_TYPE}') AS bad
                FROM events WHERE dt >= '${day(first - DAY_MS)}' AND ${EVENT_TIME} >= ${ts(first)} AND ${EVENT_TIME} < ${ts(first + LIVE_MINUTES * MINUTE_MS)}
                GROUP BY 1`);
            const out: EventsPerMinute = { minutes: [], events: [], badRows: [] };
            const byMinute = new Map(rows.map((r) => [num(r.minute), r]));
            for (let i = 0; i < LIVE_MINUTES; i++) {
                const m = first + i * MINUTE_MS;
                out.minutes.push(m);
                out.events.push(num(byMinute.get(m)?.events));
                out.badRows.push(num(byMinute.get(m)?.bad));
            }
            return out;
        }),
        badRows: (now) => serial(async (d) => {
            const rows = await d.all(`SELECT left(coalesce(bad_reason, '(no reason)'), ${MAX_REASON_CHARS}) AS reason, count(*) AS n
                FROM bad_rows WHERE dt >= '${day(now - RECENT_DAYS * DAY_MS)}' GROUP BY 1 ORDER BY n DESC, reason LIMIT ${TOP_N}`);
            return rows.map((r) => ({ reason: String(r.reason), rows: num(r.n) }));
        }),
        topPages: (now) => serial(async (d) => {
            const rows = await d.all(`SELECT coalesce(page_path, '(none)') AS path, count(*) AS n
                FROM events WHERE event_type = 'page' AND dt >= '${day(now - RECENT_DAYS * DAY_MS)}' GROUP BY 1 ORDER BY n DESC, path LIMIT ${TOP_N}`);
            return rows.map((r) => ({ path: String(r.path), views: num(r.n) }));
        }),
        daily: (now) => serial(async (d) => {
            // From the modeled tables (local/models.ts), which `clickstream local` runs as event-time days close:
            // sessions per the 30-minute rule, users = daily active anonymous ids. Counts only: no id leaves DuckDB.
            const since = `DATE '${day(now - DAILY_DAYS * DAY_MS)}'`;
            const rows = await d.all(`SELECT strftime(event_date, '%Y-%m-%d') AS day, coalesce(s.sessions, 0) AS sessions,
                    coalesce(u.users, 0) AS users, coalesce(s.events, 0) AS events
                FROM (SELECT event_date, count(*) AS sessions, sum(event_count) AS events FROM sessions WHERE event_date >= ${since} GROUP BY 1) s
                FULL JOIN (SELECT event_date, max(dau_anonymous) AS users FROM daily_users WHERE event_date >= ${since} GROUP BY 1) u USING (event_date)
                ORDER BY 1`);
            return rows.map((r) => ({ day: String(r.day), sessions: num(r.sessions), users: num(r.users), events: num(r.events) }));
        }),
        windowBand: (now) => serial(async (d) => {
            const from = Math.floor(now / MINUTE_MS) * MINUTE_MS - BAND_WINDOWS * MINUTE_MS;
            // Aggregates are partitioned by the day they were written, which is on or after the window's day.
            const sums = await d.all(`SELECT epoch_ms(window_start) AS w, sum(event_count) AS v FROM aggregates
                WHERE spec = '${BAND_SPEC}' AND dt >= '${day(from)}' AND window_start >= ${ts(from)} AND window_seconds = 60
                GROUP BY 1 ORDER BY 1`);
            // One alert per episode: it is marked at its peak window, where its value and expected band were taken.
            const alerts = await d.all(`SELECT epoch_ms(peak_window_start) AS w, value, expected, direction FROM alerts
                WHERE spec = '${BAND_SPEC}' AND metric = '${BAND_METRIC}' AND dt >= '${day(from)}' AND window_end >= ${ts(from)}
                ORDER BY 1 LIMIT 1000`);
            const band: WindowBand = { spec: BAND_SPEC, metric: BAND_METRIC, windows: [], values: [], expected: [], lower: [], upper: [], flagged: [] };
            band.flagged = alerts.map((a) => ({ window: num(a.w), value: num(a.value), expected: num(a.expected), direction: String(a.direction) }));
            if (sums.length === 0) return band;
            const values = new Map(sums.map((r) => [num(r.w), num(r.v)]));
            const last = num(sums[sums.length - 1].w);
            // A quiet minute is a count of 0, as the windows score it.
            let scorer = createMetricScorer({ seasonPeriod: 1440 });
            let lastSeen = num(sums[0].w);
            for (let w = num(sums[0].w); w <= last; w += MINUTE_MS) {
                const value = values.get(w);
                // The windows restart a series after more than a season without windows; so does this.
                if (value !== undefined) {
                    if (w - lastSeen > DAY_MS) scorer = createMetricScorer({ seasonPeriod: 1440 });
                    lastSeen = w;
                }
                const v = value ?? 0;
                const { verdict } = scorer.score(v, w);
                band.windows.push(w);
                band.values.push(v);
                band.expected.push(bandValue(verdict.warm, verdict.expected));
                band.lower.push(bandValue(verdict.warm, Math.max(0, verdict.lower)));
                band.upper.push(bandValue(verdict.warm, verdict.upper));
            }
            const cut = Math.max(0, band.windows.length - BAND_SHOWN_WINDOWS);
            for (const k of ["windows", "values", "expected", "lower", "upper"] as const) band[k] = band[k].slice(cut) as never;
            band.flagged = band.flagged.filter((f) => f.window >= band.windows[0]);
            return band;
        }),
        recentAlerts: () => serial(async (d) => {
            const rows = await d.all(`SELECT spec, metric, strftime(window_start, '%Y-%m-%dT%H:%M:%SZ') AS window_start, round(value, 2) AS value,
                    round(expected, 2) AS expected, round(score, 1) AS score, direction, strftime(detected_at, '%Y-%m-%dT%H:%M:%SZ') AS detected_at
                FROM alerts ORDER BY detected_at DESC, window_start DESC LIMIT 20`);
            return rows.map((r) => ({ ...r, value: num(r.value), expected: num(r.expected), score: num(r.score) }));
        }),
        close: async () => {
            closed = true;
            await queue;
            if (db) await (await db).close();
        },
    };
}

/** A band point for the chart: none during warm-up (the detector has not learnt the day yet). */
function bandValue(warm: boolean, x: number): number | null {
    return warm && Number.isFinite(x) ? Math.round(x * 100) / 100 : null;
}
