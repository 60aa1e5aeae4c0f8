import { strict as assert } from "assert";
import fc from "fast-check";
import type { EventRow } from "../../dataplane/schema";
import { WindowAccumulator, WindowState, metricValue } from "../../dataplane/analytics/aggregator";
import { HyperLogLog } from "../../dataplane/analytics/hll";
import { AggregateRow } from "../../dataplane/analytics/output";
import { EVENTS_PER_MINUTE_BY_TYPE, HLL_STANDARD_ERROR, PURCHASE_PRICE_BY_GROUP, WindowSpec, metricNameOf } from "../../dataplane/analytics/spec";
import { TumblingWindowEvent, processWindowEvent } from "../../dataplane/analytics/window";
import { close, kinesisRecord, reference, row } from "./helpers";

const ALL_KINDS: WindowSpec = {
    name: "all_kinds",
    windowSeconds: 60,
    filter: { eventType: ["track", "page"], where: [{ field: "properties.user_group", in: ["gold", "silver"] }] },
    groupBy: ["event_name", "properties.user_group"],
    metrics: [
        { kind: "count" },
        { kind: "count", field: "properties.price", name: "priced" },
        { kind: "sum", field: "properties.price" },
        { kind: "avg", field: "properties.price" },
        { kind: "min", field: "properties.price" },
        { kind: "max", field: "properties.price" },
        { kind: "distinct", field: "anonymous_id" },
    ],
};
const SPECS = [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE, ALL_KINDS];

/** One random event; `i` makes event ids unique, so duplicates are exact re-deliveries. */
const eventArb = (i: number) =>
    fc.record({
        type: fc.constantFrom("track", "track", "page", "identify", "bad_row"),
        name: fc.constantFrom("purchase", "purchase", "signup", "view", null),
        group: fc.constantFrom("gold", "silver", "bronze", undefined),
        price: fc.oneof(fc.constant(undefined), fc.integer({ min: -50, max: 500 }).map(String), fc.double({ min: 0, max: 1000, noNaN: true }).map((d) => d.toFixed(2)), fc.constantFrom("abc", "", "Infinity")),
        visitor: fc.option(fc.integer({ min: 0, max: 40 }).map((n) => `anon-${n}`), { nil: null }),
    }).map((e): EventRow => row({
        event_id: `ev-${i}`,
        event_type: e.type,
        event_name: e.name,
        anonymous_id: e.visitor,
        properties: { ...(e.group ? { user_group: e.group } : {}), ...(e.price !== undefined ? { price: e.price } : {}) },
    }));

const streamArb = fc.integer({ min: 0, max: 120 }).chain((n) =>
    fc.tuple(
        fc.tuple(...Array.from({ length: n }, (_, i) => eventArb(i))),
        // Redeliveries: indexes of events delivered again later (Kinesis retries, client retries).
        fc.array(fc.nat(), { maxLength: 40 }),
        // Invocation boundaries.
        fc.array(fc.nat(), { maxLength: 8 }),
    ),
);

function deliveries(events: EventRow[], redeliver: number[]): EventRow[] {
    const extra = events.length ? redeliver.map((k) => events[k % events.length]) : [];
    return [...events, ...extra];
}

function split<T>(items: T[], cuts: number[]): T[][] {
    const points = [...new Set(cuts.map((c) => (items.length ? c % (items.length + 1) : 0)))].sort((a, b) => a - b);
    const parts: T[][] = [];
    let from = 0;
    for (const p of [...points, items.length]) { parts.push(items.slice(from, p)); from = p; }
    return parts;
}

function assertMatchesReference(spec: WindowSpec, acc: WindowAccumulator, rows: EventRow[]): void {
    const ref = reference(spec, rows);
    const groups = acc.groups(spec.name);
    assert.equal(groups.length, ref.size, `${spec.name}: group count`);
    for (const g of groups) {
        const expected = ref.get(JSON.stringify(g.key));
        assert.ok(expected, `${spec.name}: unexpected group ${JSON.stringify(g.key)}`);
        assert.equal(g.events, expected.events);
        spec.metrics.forEach((m, i) => {
            const got = metricValue(m.kind, g.metrics[i]);
            const want = expected.values[metricNameOf(m)];
            if (m.kind === "distinct") {
                // Small sets: HyperLogLog's linear counting is within 1 of exact at these sizes.
                assert.ok(Math.abs((got ?? 0) - (want ?? 0)) <= Math.max(1, 0.05 * (want ?? 0)), `${spec.name}.${metricNameOf(m)}: ${got} vs ${want}`);
            } else {
                assert.ok(close(got, want), `${spec.name}.${metricNameOf(m)} ${JSON.stringify(g.key)}: ${got} vs ${want}`);
            }
        });
    }
}

describe("analytics/aggregator", () => {
    it("matches a brute-force reference across invocations, with redelivered events and JSON state round trips", () => {
        fc.assert(
            fc.property(streamArb, ([events, redeliver, cuts]) => {
                const delivered = deliveries(events, redeliver);
                let state: WindowState | undefined;
                let duplicates = 0;
                for (const chunk of split(delivered, cuts)) {
                    const acc = new WindowAccumulator(SPECS, {}, state);
                    for (const r of chunk) if (!acc.add(r)) duplicates++;
                    const json = JSON.stringify(acc.toState());
                    assert.ok(acc.estimatedBytes() >= json.length, `size bound ${acc.estimatedBytes()} < actual ${json.length}`);
                    state = JSON.parse(json);
                }
                const final = new WindowAccumulator(SPECS, {}, state);
                assert.equal(duplicates, delivered.length - events.length);
                assert.equal(final.duplicates, duplicates);
                assert.equal(final.saturated, false);
                for (const spec of SPECS) assertMatchesReference(spec, final, delivered);
            }),
            { numRuns: 150 },
        );
    });

    it("beyond the de-duplication bound keeps counting (never drops) and flags the window as saturated", () => {
        const events = Array.from({ length: 30 }, (_, i) => row({ event_id: `e${i}`, event_name: "purchase", properties: { user_group: "gold", price: "2" } }));
        const acc = new WindowAccumulator([PURCHASE_PRICE_BY_GROUP], { dedupeCapacity: 10 });
        for (const e of events) acc.add(e);
        // e0..e9 are remembered: their redelivery is caught; e20..e29 are not: counted twice.
        for (const e of [...events.slice(0, 10), ...events.slice(20)]) acc.add(e);
        const [gold] = acc.groups(PURCHASE_PRICE_BY_GROUP.name);
        assert.equal(acc.saturated, true);
        assert.equal(acc.duplicates, 10);
        assert.equal(gold.events, 40);
        assert.equal(metricValue("avg", gold.metrics[0]), 2);
    });

    it("an empty window has no groups and a small state", () => {
        const acc = new WindowAccumulator(SPECS);
        for (const spec of SPECS) assert.deepEqual(acc.groups(spec.name), []);
        assert.ok(JSON.stringify(acc.toState()).length <= acc.estimatedBytes());
    });

    it("restores from the state of another spec set without crashing (new specs start empty)", () => {
        const acc = new WindowAccumulator([PURCHASE_PRICE_BY_GROUP]);
        acc.add(row({ event_id: "a", event_name: "purchase", properties: { user_group: "gold", price: "3" } }));
        const restored = new WindowAccumulator(SPECS, {}, JSON.parse(JSON.stringify(acc.toState())));
        assert.equal(restored.groups(PURCHASE_PRICE_BY_GROUP.name).length, 1);
        assert.equal(restored.groups(ALL_KINDS.name).length, 0);
        // Lambda's first invoke of a window passes {} as state.
        assert.equal(new WindowAccumulator(SPECS, {}, {}).rows, 0);
    });
});

describe("analytics/hll", () => {
    it("estimates large cardinalities within 3 standard errors and merges without double counting", () => {
        const a = new HyperLogLog();
        const b = new HyperLogLog();
        for (let i = 0; i < 60_000; i++) a.add(`user-${i}`);
        for (let i = 40_000; i < 100_000; i++) b.add(`user-${i}`);
        const merged = HyperLogLog.fromState(JSON.parse(JSON.stringify(a.toState())));
        merged.merge(HyperLogLog.fromState(b.toState()));
        for (const [hll, exact] of [[a, 60_000], [merged, 100_000]] as const) {
            const rel = Math.abs(hll.estimate() - exact) / exact;
            assert.ok(rel < 3 * HLL_STANDARD_ERROR, `relative error ${rel}`);
        }
        assert.ok("d" in a.toState(), "dense form once many registers are set");
    });

    it("is exact-ish for small sets and keeps them sparse", () => {
        const h = new HyperLogLog();
        for (let i = 0; i < 100; i++) h.add(`v${i % 50}`);
        assert.equal(Math.round(h.estimate()), 50);
        const state = h.toState();
        assert.ok("s" in state && state.s.length === 50);
        assert.ok(JSON.stringify(state).length <= h.stateBytesBound());
    });
});

/** Merges aggregate rows of several parts/shards of one spec back into per-group values. */
function mergeRows(spec: WindowSpec, rows: AggregateRow[]) {
    const byGroup = new Map<string, { events: number; values: Record<string, number | null> }>();
    const partsByGroup = new Map<string, AggregateRow[]>();
    for (const r of rows.filter((x) => x.spec === spec.name)) {
        const key = JSON.stringify((spec.groupBy ?? []).map((f) => r.group_values[f] ?? null));
        partsByGroup.set(key, [...(partsByGroup.get(key) ?? []), r]);
    }
    for (const [key, parts] of partsByGroup) {
        const values: Record<string, number | null> = {};
        for (const m of spec.metrics) {
            const n = metricNameOf(m);
            const present = parts.filter((p) => p.metric_values[n] !== undefined).map((p) => p.metric_values[n]);
            const counts = parts.reduce((s, p) => s + (p.metric_counts[n] ?? 0), 0);
            const sums = parts.reduce((s, p) => s + (p.metric_sums[n] ?? 0), 0);
            switch (m.kind) {
                case "count": values[n] = counts; break;
                case "sum": values[n] = sums; break;
                case "avg": values[n] = counts ? sums / counts : null; break;
                case "min": values[n] = present.length ? Math.min(...present) : null; break;
                case "max": values[n] = present.length ? Math.max(...present) : null; break;
                case "distinct": {
                    const h = new HyperLogLog();
                    for (const p of parts) h.merge(HyperLogLog.fromState(JSON.parse(p.sketches[n])));
                    values[n] = Math.round(h.estimate());
                }
            }
        }
        byGroup.set(key, { events: parts.reduce((s, p) => s + p.event_count, 0), values });
    }
    return byGroup;
}

describe("analytics/window (processWindowEvent)", () => {
    const settingsFor = (budget?: number) => ({ specs: SPECS, namespace: "Test/Clickstream", stateBudgetBytes: budget, dedupeCapacity: 2000 });
    const envelopeRows = (data: unknown): EventRow[] => JSON.parse(Buffer.from(data as Uint8Array).toString("utf8")) as EventRow[];

    async function runWindow(batches: EventRow[][][], budget?: number) {
        const rows: AggregateRow[] = [];
        const docs: unknown[] = [];
        const deps = { normalize: envelopeRows, emitMetrics: (d: unknown) => docs.push(d), emitRows: async (r: AggregateRow[]) => { rows.push(...r); } };
        let state: Record<string, unknown> = {};
        let seq = 0;
        const window = { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" };
        for (const batch of batches) {
            const event: TumblingWindowEvent = { Records: batch.map((records) => kinesisRecord(records, seq++)), window, state, shardId: "shardId-000000000003", isFinalInvokeForWindow: false, isWindowTerminatedEarly: false };
            const out = await processWindowEvent(event, settingsFor(budget), deps);
            assert.deepEqual(out.batchItemFailures, []);
            const size = JSON.stringify(out.state).length;
            assert.ok(size <= (budget ?? 900_000), `state of ${size} bytes exceeds the budget`);
            state = JSON.parse(JSON.stringify(out.state));
        }
        const final = await processWindowEvent({ Records: [], window, state, shardId: "shardId-000000000003", isFinalInvokeForWindow: true, isWindowTerminatedEarly: false }, settingsFor(budget), deps);
        assert.deepEqual(final.state, {});
        return { rows, docs };
    }

    it("emits early, marked partial, when the state outgrows its budget; the parts merge back to the reference", async () => {
        await fc.assert(
            fc.asyncProperty(streamArb, async ([events, redeliver, cuts]) => {
                const delivered = deliveries(events, redeliver);
                // Each Kinesis record carries 1-3 rows, like a request with a small batch.
                const records = split(delivered, cuts.map((c) => c * 7)).filter((r) => r.length > 0);
                const batches = split(records, cuts);
                const { rows } = await runWindow(batches, 50_000);
                const parts = new Set(rows.map((r) => r.part));
                for (const r of rows) assert.equal(r.partial, parts.size > 1, "rows are partial exactly when the window was split");
                for (const spec of SPECS) {
                    const ref = reference(spec, delivered);
                    const merged = mergeRows(spec, rows);
                    for (const [key, want] of ref) {
                        const got = merged.get(key);
                        assert.ok(got, `${spec.name} missing group ${key}`);
                        assert.equal(got.events, want.events);
                        for (const m of spec.metrics) {
                            const n = metricNameOf(m);
                            if (m.kind === "distinct") assert.ok(Math.abs((got.values[n] ?? 0) - (want.values[n] ?? 0)) <= 1);
                            else assert.ok(close(got.values[n], want.values[n]), `${spec.name}.${n}: ${got.values[n]} vs ${want.values[n]}`);
                        }
                    }
                }
            }),
            { numRuns: 40 },
        );
    });

    it("splits a window that would exceed the budget into partial parts and keeps every event", async () => {
        // 1,500 distinct groups of ALL_KINDS-like size blow a 50 KB budget several times over.
        const many = Array.from({ length: 1500 }, (_, i) => row({ event_id: `m${i}`, event_type: "track", event_name: `n${i}`, anonymous_id: `a${i}`, properties: { user_group: "gold", price: "1" } }));
        const { rows } = await runWindow([many.map((r) => [r])], 50_000);
        const allKinds = rows.filter((r) => r.spec === "all_kinds");
        const parts = new Set(allKinds.map((r) => r.part));
        assert.ok(parts.size >= 3, `expected several parts, got ${parts.size}`);
        assert.ok(allKinds.every((r) => r.partial));
        assert.equal(allKinds.reduce((s, r) => s + r.event_count, 0), 1500);
        assert.equal(new Set(allKinds.map((r) => r.aggregate_id)).size, allKinds.length, "aggregate ids are unique per part and group");
    });

    it("an empty window still emits the roll-up (count 0) and the no-group-by row", async () => {
        const countOnly: WindowSpec = { name: "events_total", windowSeconds: 60, metrics: [{ kind: "count" }, { kind: "avg", field: "properties.price" }] };
        const rows: AggregateRow[] = [];
        const docs: any[] = [];
        const out = await processWindowEvent(
            { Records: [], window: { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" }, state: {}, isFinalInvokeForWindow: true, isWindowTerminatedEarly: false },
            { specs: [countOnly, PURCHASE_PRICE_BY_GROUP], namespace: "Test/Clickstream" },
            { normalize: () => [], emitMetrics: (d) => docs.push(d), emitRows: async (r) => { rows.push(...r); } },
        );
        assert.deepEqual(out, { state: {}, batchItemFailures: [] });
        assert.equal(rows.length, 1, "only the spec without group-by writes a row for an empty window");
        assert.equal(rows[0].event_count, 0);
        assert.deepEqual(rows[0].metric_values, { count: 0 });
        assert.equal(rows[0].partial, false);
        const totals = docs.filter((d) => d.spec === "events_total");
        assert.equal(totals.length, 1);
        assert.equal(totals[0].events_total_count, 0);
        assert.equal(totals[0].events_total_avg_price, undefined, "no avg datapoint without values");
        const purchase = docs.filter((d) => d.spec === "purchase_price_by_group");
        assert.equal(purchase.length, 1, "roll-up only");
        assert.deepEqual(purchase[0]._aws.CloudWatchMetrics[0].Dimensions, [[]]);
        assert.equal(purchase[0].purchase_price_by_group_count, 0);
    });

    it("a window Lambda terminated early is emitted as partial", async () => {
        const rows: AggregateRow[] = [];
        const state = new WindowAccumulator([PURCHASE_PRICE_BY_GROUP]);
        state.add(row({ event_id: "x", event_name: "purchase", properties: { user_group: "gold", price: "4" } }));
        await processWindowEvent(
            { Records: [], window: { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" }, state: state.toState() as any, isFinalInvokeForWindow: true, isWindowTerminatedEarly: true },
            { specs: [PURCHASE_PRICE_BY_GROUP], namespace: "N" },
            { normalize: () => [], emitMetrics: () => undefined, emitRows: async (r) => { rows.push(...r); } },
        );
        assert.equal(rows.length, 1);
        assert.equal(rows[0].partial, true);
        assert.equal(rows[0].metric_values.avg_price, 4);
    });

    it("reports the record whose normalization threw as a batch item failure and keeps the state before it", async () => {
        let calls = 0;
        const out = await processWindowEvent(
            { Records: [kinesisRecord([], 1), kinesisRecord([], 2), kinesisRecord([], 3)], window: { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" }, state: {}, isFinalInvokeForWindow: false, isWindowTerminatedEarly: false },
            { specs: [PURCHASE_PRICE_BY_GROUP], namespace: "N" },
            {
                normalize: () => { calls++; if (calls === 2) throw new Error("boom"); return [row({ event_id: `r${calls}`, event_name: "purchase", properties: { user_group: "g", price: "1" } })]; },
                emitMetrics: () => undefined, emitRows: async () => undefined,
            },
        );
        assert.deepEqual(out.batchItemFailures, [{ itemIdentifier: kinesisRecord([], 2).kinesis.sequenceNumber }]);
        assert.equal((out.state as unknown as WindowState).rows, 1);
        assert.equal(calls, 2, "stops at the failed record");
    });

    it("fails the final invoke (so Lambda retries it) when the rows could not be delivered, and prints no metrics", async () => {
        const docs: unknown[] = [];
        await assert.rejects(
            processWindowEvent(
                { Records: [], window: { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" }, state: {}, isFinalInvokeForWindow: true, isWindowTerminatedEarly: false },
                { specs: [EVENTS_PER_MINUTE_BY_TYPE], namespace: "N" },
                { normalize: () => [], emitMetrics: (d) => docs.push(d), emitRows: async () => { throw new Error("firehose down"); } },
            ),
            /firehose down/,
        );
        assert.deepEqual(docs, []);
    });
});
