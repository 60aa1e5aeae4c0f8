/**
 * Test fixtures for the local lake: request envelopes built like a tracker's, run through the real
 * transform, written as Parquet with the pipeline's atomic writer into the events table's dt/hour
 * partitions (from received_at, as Firehose does). Shared by the query and windows tests.
 */
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import type { RequestEnvelope } from "../../dataplane/envelope";
import type { EventRow } from "../../dataplane/schema";
import { createTransformer } from "../../dataplane/transform";
import type { LocalDb } from "../../local/duckdb";
import { writeParquetAtomic } from "../../local/parquet";
import { EVENTS_TABLE } from "../../local/tables";

export const TEST_PII_KEY = "local-test-key-0123456789abcdef";

export interface TestEvent {
    type?: "track" | "page" | "identify";
    name?: string;
    /** Event time (client clock = server clock in these fixtures). */
    at: number;
    eventId?: string;
    anonymousId?: string;
    sessionId?: string;
    pagePath?: string;
    properties?: Record<string, unknown>;
}

/** One native batch request (POST /v1/events) received at `receivedAt`. */
export function nativeEnvelope(receivedAt: number, events: TestEvent[]): RequestEnvelope {
    return {
        v: 1,
        receivedAt,
        sourceIp: "203.0.113.77",
        userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
        path: "/v1/events",
        requestId: `req-${receivedAt}`,
        body: {
            sentAt: new Date(receivedAt).toISOString(),
            events: events.map((e) => ({
                eventId: e.eventId,
                type: e.type ?? "track",
                name: e.type === "page" ? undefined : (e.name ?? "Product Viewed"),
                timestamp: new Date(e.at).toISOString(),
                anonymousId: e.anonymousId ?? "anon-1",
                sessionId: e.sessionId,
                page: e.pagePath ? { path: e.pagePath, url: `https://shop.example.com${e.pagePath}`, title: `Shop ${e.pagePath}` } : undefined,
                properties: e.properties,
            })),
        },
    };
}

/** The real transform's rows for some envelopes. */
export function transformRows(envelopes: RequestEnvelope[]): EventRow[] {
    const transformer = createTransformer(undefined, TEST_PII_KEY);
    return envelopes.flatMap((e) => transformer.normalize(e));
}

/** "YYYY-MM-DD" and "HH" of a UTC time. */
export function partitionOf(ms: number): { dt: string; hour: string } {
    const iso = new Date(ms).toISOString();
    return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** Writes rows into LAKE_DIR/events/dt=/hour= (arrival time), one Parquet file per partition. */
export async function writeEventRows(db: LocalDb, lakeDir: string, rows: EventRow[], fileName = "part-0.parquet"): Promise<void> {
    const byPartition = new Map<string, EventRow[]>();
    for (const r of rows) {
        const { dt, hour } = partitionOf(Date.parse(r.received_at));
        const key = `dt=${dt}/hour=${hour}`;
        if (!byPartition.has(key)) byPartition.set(key, []);
        byPartition.get(key)!.push(r);
    }
    for (const [key, list] of byPartition) await writeParquetAtomic(db, path.join(lakeDir, EVENTS_TABLE.folder, key, fileName), EVENTS_TABLE.columns, list);
}

/** A fresh temp folder; `cleanup` removes it. */
export async function tempLakeDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "clickstream-lake-"));
    return { dir, cleanup: () => fsp.rm(dir, { recursive: true, force: true }) };
}
