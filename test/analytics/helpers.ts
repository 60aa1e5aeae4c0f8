/** Test helpers for the analytics tests: rows, Kinesis records, and a brute-force reference aggregation. */
import type { KinesisStreamRecord } from "aws-lambda";
import type { EventRow } from "../../dataplane/schema";
import { fieldValue, matchesFilter, numericValue } from "../../dataplane/analytics/aggregator";
import { WindowSpec, metricNameOf } from "../../dataplane/analytics/spec";

export function row(over: Partial<EventRow> & { event_id: string }): EventRow {
    return {
        event_type: "track", event_name: null, event_time: null, received_at: "2026-11-26T16:00:00.000Z", sent_at: null,
        source_format: "native", ingest_path: "/v1/events", anonymous_id: null, user_id: null, session_id: null, app_id: null,
        page_url: null, page_path: null, page_referrer: null, page_title: null, ua_browser: null, ua_browser_version: null,
        ua_os: null, ua_os_version: null, ua_device_type: null, ip_truncated: null, properties: {}, context: {},
        bad_reason: null, bad_payload: null, ...over,
    };
}

/** Exact per-group results computed the obvious way, on rows de-duplicated by event_id (first wins). */
export function reference(spec: WindowSpec, rows: EventRow[]): Map<string, { events: number; values: Record<string, number | null> }> {
    const seen = new Set<string>();
    const unique = rows.filter((r) => (seen.has(r.event_id) ? false : (seen.add(r.event_id), true)));
    const groups = new Map<string, EventRow[]>();
    for (const r of unique) {
        if (!matchesFilter(spec, r)) continue;
        const key = JSON.stringify((spec.groupBy ?? []).map((f) => fieldValue(r, f)));
        groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    const out = new Map<string, { events: number; values: Record<string, number | null> }>();
    for (const [key, members] of groups) {
        const values: Record<string, number | null> = {};
        for (const m of spec.metrics) {
            const raw = members.map((r) => (m.field ? fieldValue(r, m.field) : "x"));
            const present = raw.filter((v): v is string => v !== null);
            const nums = present.map(numericValue).filter((n): n is number => n !== undefined);
            const name = metricNameOf(m);
            switch (m.kind) {
                case "count": values[name] = present.length; break;
                case "sum": values[name] = nums.reduce((a, b) => a + b, 0); break;
                case "avg": values[name] = nums.length ? nums.reduce((a, b) => a + b, 0) / nums.length : null; break;
                case "min": values[name] = nums.length ? Math.min(...nums) : null; break;
                case "max": values[name] = nums.length ? Math.max(...nums) : null; break;
                case "distinct": values[name] = new Set(present).size; break;
            }
        }
        out.set(key, { events: members.length, values });
    }
    return out;
}

/** A Kinesis record as Lambda delivers it, carrying `data` (object -> JSON -> base64). */
export function kinesisRecord(data: unknown, seq: number, shard = "shardId-000000000000"): KinesisStreamRecord {
    const sequenceNumber = String(49590338271490256608559692538361571095921575989136588898n + BigInt(seq));
    return {
        awsRegion: "us-east-1", eventID: `${shard}:${sequenceNumber}`, eventName: "aws:kinesis:record", eventSource: "aws:kinesis",
        eventSourceARN: "arn:aws:kinesis:us-east-1:123456789012:stream/clickstream", eventVersion: "1.0",
        invokeIdentityArn: "arn:aws:iam::123456789012:role/window",
        kinesis: { approximateArrivalTimestamp: 1795795200 + seq / 1000, data: Buffer.from(typeof data === "string" ? data : JSON.stringify(data)).toString("base64"), kinesisSchemaVersion: "1.0", partitionKey: String(seq), sequenceNumber },
    };
}

/** Asserts two numbers are equal up to floating-point summation order. */
export function close(a: number | null | undefined, b: number | null | undefined): boolean {
    if (a === null || a === undefined || b === null || b === undefined) return a === b || (a == null && b == null);
    return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
}
