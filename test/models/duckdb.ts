/**
 * The local pipeline's DuckDB (local/duckdb.ts) for the model tests, plus an `events` table shaped like
 * the lake's.
 */
import { EVENT_COLUMNS, PARTITION_KEYS } from "../../dataplane/schema";
import { LocalDb, openDuckDb } from "../../local/duckdb";
import { EVENTS_TABLE } from "../../local/tables";
import { sqlString } from "../../models/dialect";
import type { ModelDb } from "../../models/run";

/** The local pipeline's DuckDB connection (in memory), which the model runner plugs into. */
export async function openTestDb(): Promise<LocalDb> {
    return openDuckDb();
}

/** A table with the local lake's events columns (local/tables.ts) and its partition keys as text. */
export async function createEventsTable(db: ModelDb): Promise<void> {
    const cols = [...EVENTS_TABLE.columns.map((c) => `${c.name} ${c.duckType}`), ...EVENTS_TABLE.partitionKeys.map((k) => `${k} VARCHAR`)];
    await db.run(`CREATE TABLE events (${cols.join(", ")})`);
}

export interface TestEvent {
    id: string;
    anon: string;
    /** ISO-like "YYYY-MM-DD HH:MM[:SS]" UTC. */
    at: string;
    type?: "page" | "track" | "bad_row";
    name?: string;
    path?: string;
    url?: string;
    referrer?: string;
    user?: string;
    /** Arrival time; defaults to `at` plus one second. */
    received?: string;
    device?: string;
    browser?: string;
}

const lit = (v: string | undefined | null) => (v === undefined || v === null ? "NULL" : sqlString(v));

export async function insertEvents(db: ModelDb, events: TestEvent[]): Promise<void> {
    const rows = events.map((e) => {
        const at = new Date(`${e.at.replace(" ", "T")}Z`);
        const received = e.received ? new Date(`${e.received.replace(" ", "T")}Z`) : new Date(at.getTime() + 1000);
        const fmt = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");
        const type = e.type ?? "page";
        const values: Record<string, string> = {
            event_id: lit(e.id), event_type: lit(type), event_name: lit(e.name ?? (type === "page" ? e.path : undefined)),
            event_time: `TIMESTAMP '${fmt(at)}'`, received_at: `TIMESTAMP '${fmt(received)}'`, anonymous_id: lit(e.anon), user_id: lit(e.user),
            page_url: lit(e.url ?? (e.path ? `https://shop.example${e.path}` : undefined)), page_path: lit(type === "page" ? e.path : undefined), page_referrer: lit(e.referrer),
            ua_device_type: lit(e.device ?? "desktop"), ua_browser: lit(e.browser ?? "Firefox"),
            bad_reason: type === "bad_row" ? lit("schema") : "NULL",
            dt: lit(received.toISOString().slice(0, 10)), hour: lit(received.toISOString().slice(11, 13)),
        };
        return `(${[...EVENT_COLUMNS, ...PARTITION_KEYS].map((c) => values[c.name] ?? "NULL").join(", ")})`;
    });
    await db.run(`INSERT INTO events VALUES ${rows.join(",\n")}`);
}
