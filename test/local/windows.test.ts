import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import { EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP } from "../../dataplane/analytics/spec";
import type { EventRow } from "../../dataplane/schema";
import { LocalDb, openDuckDb } from "../../local/duckdb";
import { queryLake } from "../../local/query";
import { LocalWindows, LocalWindowsOptions } from "../../local/windows";
import { spikeTraffic } from "../../examples/spike/generate";
import { nativeEnvelope, tempLakeDir, TestEvent, transformRows } from "./queryFixtures";

const MIN = 60_000;
const T0 = Date.parse("2026-11-26T10:00:00.000Z");
const SPECS = [EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP];

/** One request per call, received at `receivedAt`, its rows with that arrival time. */
function request(receivedAt: number, events: TestEvent[]): { rows: EventRow[]; arrivalMs: number } {
    return { rows: transformRows([nativeEnvelope(receivedAt, events)]), arrivalMs: receivedAt };
}

describe("local windows: the stack's aggregator over event time", function () {
    let db: LocalDb;
    let lake: { dir: string; cleanup: () => Promise<void> };
    let logs: string[];
    beforeEach(async () => { db = await openDuckDb(); lake = await tempLakeDir(); logs = []; });
    afterEach(async () => { await db.close(); await lake.cleanup(); });
    const windows = (o: Partial<LocalWindowsOptions> = {}) => new LocalWindows({ lakeDir: lake.dir, specs: SPECS, db, log: (l) => logs.push(l), now: () => T0 + 3 * 3_600_000, ...o });
    const aggregates = async () => (await queryLake(lake.dir, "SELECT spec, window_start, part, partial, group_values, event_count, metric_values, shard_id FROM aggregates ORDER BY spec, window_start, part, CAST(group_values AS VARCHAR)", { db })).rows;

    it("windows rows by event time (not arrival), de-duplicates by event_id, and matches hand-computed aggregates", async () => {
        const w = windows();
        // Events of minute 10:00 that arrive at 10:01:10 (client batching): event time puts them in 10:00.
        const reqs = [
            request(T0 + 20_000, [{ at: T0 + 10_000, eventId: "a" }, { at: T0 + 15_000, eventId: "b", type: "page", pagePath: "/" }]),
            request(T0 + MIN + 10_000, [
                { at: T0 + 50_000, eventId: "c", name: "purchase", properties: { price: 10, user_group: "gold" } },
                { at: T0 + 55_000, eventId: "d", name: "purchase", properties: { price: 30, user_group: "gold" } },
                { at: T0 + MIN + 5_000, eventId: "e", name: "purchase", properties: { price: 7, user_group: "blue" } },
            ]),
            // A redelivery of "a" and "c" (at-least-once client retry): counted once.
            request(T0 + MIN + 20_000, [{ at: T0 + 10_000, eventId: "a" }, { at: T0 + 50_000, eventId: "c", name: "purchase", properties: { price: 10, user_group: "gold" } }]),
        ];
        for (const r of reqs) w.addRows(r.rows, r.arrivalMs);
        await w.advance(T0 + MIN + 20_000); // watermark 10:00:50 (30 s lateness): nothing ends before it
        assert.equal(w.stats().aggregatesWritten, 0);
        assert.equal(w.stats().openWindows, 2);
        await w.advance(T0 + 2 * MIN + 30_000); // watermark 10:02:00: both windows close
        assert.equal(w.stats().openWindows, 0);
        assert.equal(w.stats().duplicates, 2);
        const rows = await aggregates();
        const at = (ms: number) => new Date(ms);
        assert.deepEqual(rows, [
            { spec: "events_per_minute", window_start: at(T0), part: 0, partial: false, group_values: { event_type: "page" }, event_count: 1, metric_values: { count: 1, distinct_visitors: 1 }, shard_id: "local" },
            { spec: "events_per_minute", window_start: at(T0), part: 0, partial: false, group_values: { event_type: "track" }, event_count: 3, metric_values: { count: 3, distinct_visitors: 1 }, shard_id: "local" },
            { spec: "events_per_minute", window_start: at(T0 + MIN), part: 0, partial: false, group_values: { event_type: "track" }, event_count: 1, metric_values: { count: 1, distinct_visitors: 1 }, shard_id: "local" },
            { spec: "purchase_price_by_group", window_start: at(T0), part: 0, partial: false, group_values: { "properties.user_group": "gold" }, event_count: 2, metric_values: { avg_price: 20, count: 2 }, shard_id: "local" },
            { spec: "purchase_price_by_group", window_start: at(T0 + MIN), part: 0, partial: false, group_values: { "properties.user_group": "blue" }, event_count: 1, metric_values: { avg_price: 7, count: 1 }, shard_id: "local" },
        ]);
    });

    it("puts late rows into a new part of their closed window (never dropped), still de-duplicated", async () => {
        const w = windows();
        const first = request(T0 + 5_000, [{ at: T0 + 1_000, eventId: "x1" }, { at: T0 + 2_000, eventId: "x2" }]);
        w.addRows(first.rows, first.arrivalMs);
        await w.advance(T0 + 5 * MIN);
        // 10 minutes later a phone comes online with an event of 10:00, plus a redelivery of x1.
        const late = request(T0 + 10 * MIN, [{ at: T0 + 3_000, eventId: "x3" }, { at: T0 + 1_000, eventId: "x1" }]);
        w.addRows(late.rows, late.arrivalMs);
        await w.advance(T0 + 10 * MIN);
        await w.close();
        const rows = (await aggregates()).filter((r) => r.spec === "events_per_minute");
        assert.deepEqual(rows.map((r) => [(r.window_start as Date).toISOString(), r.part, r.partial, r.event_count]), [
            [new Date(T0).toISOString(), 0, false, 2],
            [new Date(T0).toISOString(), 1, true, 1],
        ]);
        assert.equal(w.stats().lateRows, 1);
        assert.equal(w.stats().duplicates, 1);
        const total = await queryLake(lake.dir, "SELECT sum(event_count) AS n FROM aggregates WHERE spec = 'events_per_minute'", { db });
        assert.equal(total.rows[0].n, 3);
    });

    it("with timeBasis 'arrival' windows by the request's arrival time, as the window Lambda", async () => {
        const w = windows({ timeBasis: "arrival" });
        const r = request(T0 + MIN + 10_000, [{ at: T0 + 10_000, eventId: "p" }]);
        w.addRows(r.rows, r.arrivalMs);
        await w.close();
        const rows = (await aggregates()).filter((x) => x.spec === "events_per_minute");
        assert.deepEqual(rows.map((x) => (x.window_start as Date).toISOString()), [new Date(T0 + MIN).toISOString()]);
    });

    it("replays a whole day in event-time order: every minute's window, driven by the data's clock", async () => {
        const w = windows();
        const expected = new Map<number, number>();
        let latestArrival = 0;
        for (let m = 0; m < 1440; m++) {
            const n = 1 + (m % 3);
            const at = T0 + m * MIN;
            const r = request(at + 2_000, Array.from({ length: n }, (_, i) => ({ at: at + 1_000 + i, eventId: `d${m}-${i}` })));
            w.addRows(r.rows, r.arrivalMs);
            expected.set(at, n);
            latestArrival = r.arrivalMs;
            if (m % 50 === 49) await w.advance(latestArrival); // as the pipeline does after each delivery in --replay
        }
        await w.advance(latestArrival);
        assert.ok(w.stats().openWindows <= 2, "all windows but those within the allowed lateness closed before the end of the replay");
        await w.close();
        const rows = await queryLake(lake.dir, "SELECT window_start, event_count FROM aggregates WHERE spec = 'events_per_minute' ORDER BY window_start", { db });
        assert.equal(rows.rows.length, 1440);
        assert.deepEqual(new Map(rows.rows.map((r) => [(r.window_start as Date).getTime(), r.event_count])), expected);
    });
});

/** A minute-by-minute replay: `counts[m]` events in minute m, flushed and advanced every 10 minutes. */
async function replayCounts(w: LocalWindows, counts: number[]): Promise<void> {
    let latest = 0;
    for (let m = 0; m < counts.length; m++) {
        const at = T0 + m * MIN;
        if (counts[m] > 0) {
            const r = request(at + 500, Array.from({ length: counts[m] }, (_, i) => ({ at: at + i * 10, eventId: `s${m}-${i}`, anonymousId: `v${i % 7}` })));
            w.addRows(r.rows, r.arrivalMs);
        }
        latest = at + 500;
        if (m % 10 === 9) await w.advance(latest);
    }
    await w.close();
}

/** Seeded traffic: ~20 events a minute with a little noise. */
function traffic(minutes: number, seed = 7): number[] {
    let a = seed;
    const rand = () => { a = (a * 1103515245 + 12345) % 2147483648; return a / 2147483648; };
    return Array.from({ length: minutes }, () => 18 + Math.floor(rand() * 5));
}

describe("local windows: anomaly alerts", function () {
    let db: LocalDb;
    let lake: { dir: string; cleanup: () => Promise<void> };
    let logs: string[];
    beforeEach(async () => { db = await openDuckDb(); lake = await tempLakeDir(); logs = []; });
    afterEach(async () => { await db.close(); await lake.cleanup(); });
    // A one-hour season keeps the test short: warm-up is the first 60 windows, then 80 more while the
    // detector's models are compared and its rarity bars calibrate (dataplane/anomaly/detector.ts).
    const windows = (o: Partial<LocalWindowsOptions> = {}) => new LocalWindows({ lakeDir: lake.dir, specs: SPECS, db, log: (l) => logs.push(l), detector: { seasonPeriod: 60 }, now: () => T0 + 5 * 3_600_000, ...o });
    const alerts = async () => (await queryLake(lake.dir, "SELECT spec, metric, window_start, value, direction, group_values FROM alerts ORDER BY window_start", { db })).rows;

    it("flags a replayed spike and a silent minute (count 0) on events_per_minute, to the lake and the console", async () => {
        const counts = traffic(250);
        counts[200] = 200; // the spike
        counts[220] = 0;   // a minute without any event: a count of 0, not missing data
        const w = windows();
        await replayCounts(w, counts);
        const found = (await alerts()).filter((a) => a.spec === "events_per_minute");
        const at = (m: number) => new Date(T0 + m * MIN).toISOString();
        assert.deepEqual(found.map((a) => [(a.window_start as Date).toISOString(), a.value, a.direction]), [[at(200), 200, "up"], [at(220), 0, "down"]]);
        assert.deepEqual(found[0].group_values, {});
        assert.equal(w.stats().alerts, 2);
        assert.ok(logs.some((l) => l.startsWith(`ALERT events_per_minute.count (all groups) window ${at(200)}`) && /: 200, expected \d+/.test(l)), logs.join("\n"));
    });

    it("a 3-minute anomaly is one alert: its start, end, peak window, peak score and expected band", async () => {
        const counts = traffic(250);
        counts[200] = 180;
        counts[201] = 240; // the peak
        counts[202] = 200;
        const w = windows();
        await replayCounts(w, counts);
        const found = (await queryLake(lake.dir, "SELECT * FROM alerts WHERE spec = 'events_per_minute' ORDER BY window_start", { db })).rows;
        const at = (m: number) => new Date(T0 + m * MIN).toISOString();
        assert.equal(found.length, 1, JSON.stringify(found));
        const a = found[0];
        assert.equal((a.window_start as Date).toISOString(), at(200));
        // The episode lasts at least the three minutes (the detector may keep flagging while its recent mean is off).
        assert.ok((a.window_end as Date).getTime() >= T0 + 203 * MIN, String(a.window_end));
        assert.ok((a.flagged_windows as number) >= 3);
        assert.equal((a.peak_window_start as Date).toISOString(), at(201));
        assert.equal(a.value, 240);
        assert.equal(a.direction, "up");
        assert.ok((a.expected_lower as number) <= (a.expected as number) && (a.expected as number) <= (a.expected_upper as number) && (a.expected_upper as number) < 240, JSON.stringify(a));
        assert.ok((a.score as number) > 0);
        assert.equal(w.stats().alerts, 1);
        assert.equal(logs.filter((l) => l.startsWith("ALERT events_per_minute")).length, 1, logs.join("\n"));
        assert.ok(logs.some((l) => l.startsWith(`anomaly started: events_per_minute.count (all groups) window ${at(200)}`)), logs.join("\n"));
    });

    it("raises nothing on the same traffic without the spike, nor during warm-up", async () => {
        const counts = traffic(250);
        counts[30] = 200; // inside the first season: the detector is still learning
        const w = windows();
        await replayCounts(w, counts);
        assert.deepEqual(await alerts(), []);
        assert.equal(w.stats().alerts, 0);
    });

    it("posts each alert to a webhook on 127.0.0.1, retrying a failed delivery; a dead webhook is logged, never thrown", async () => {
        const received: Array<{ text: string; alert: Record<string, unknown> }> = [];
        let calls = 0;
        const server = http.createServer((req, res) => {
            let body = "";
            req.on("data", (c) => (body += c));
            req.on("end", () => {
                calls++;
                if (calls === 1) { res.writeHead(503).end(); return; } // first attempt fails: retried
                received.push(JSON.parse(body));
                res.writeHead(204).end();
            });
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        const port = (server.address() as AddressInfo).port;
        try {
            const url = `http://127.0.0.1:${port}/hook`;
            const counts = traffic(210);
            counts[200] = 250;
            await replayCounts(windows({ webhookUrl: url, webhook: { backoffMs: 10 } }), counts);
            assert.equal(calls, 2);
            assert.equal(received.length, 1);
            assert.equal(received[0].alert.spec, "events_per_minute");
            assert.equal(received[0].alert.value, 250);
            assert.match(received[0].text, /^ALERT events_per_minute\.count/);
        } finally {
            await new Promise((r) => server.close(r));
        }
        // Nothing listens there any more: every attempt fails, the failure is logged, the alert is in the lake.
        logs = [];
        const dead = `http://127.0.0.1:${port}/hook`;
        const counts = traffic(210);
        counts[200] = 250;
        const w = windows({ webhookUrl: dead, webhook: { attempts: 2, backoffMs: 10, timeoutMs: 1000 } });
        await replayCounts(w, counts);
        assert.ok(logs.some((l) => /webhook delivery of events_per_minute\.count .* failed after 2 attempts/.test(l)), logs.join("\n"));
        assert.ok((await alerts()).length >= 1);
    });

    it("the example recording (examples/spike) replayed through the transform raises exactly its one spike, with the stack's daily season", async () => {
        const { envelopes, spikeMinute } = spikeTraffic(Date.parse("2026-11-26T16:07:00.000Z"));
        const w = windows({ detector: undefined });
        for (const e of envelopes) w.addRows(transformRows([e]), e.receivedAt);
        for (let i = 119; i < envelopes.length; i += 120) await w.advance(envelopes[i].receivedAt);
        await w.close();
        const found = await alerts();
        assert.deepEqual(found.map((a) => [a.spec, a.metric, (a.window_start as Date).getTime(), a.value, a.direction]), [["events_per_minute", "count", spikeMinute, 400, "up"]]);
    });

    it("refuses a plain-http webhook off this machine and unknown alerted metrics, naming the fix", () => {
        assert.throws(() => windows({ webhookUrl: "http://hooks.example.com/x" }), /webhookUrl uses http:\/\/ to hooks\.example\.com; use https:\/\//);
        assert.throws(() => windows({ alertedMetrics: [{ spec: "events_per_minute", metric: "avg_price" }] }), /spec "events_per_minute" has no metric "avg_price" \(it has count, distinct_visitors\)/);
    });
});
