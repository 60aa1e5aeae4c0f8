import { strict as assert } from "assert";
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { mockClient } from "aws-sdk-client-mock";
import { WindowAccumulator } from "../../dataplane/analytics/aggregator";
import { ENV_AGGREGATES_STREAM, ENV_METRIC_NAMESPACE, ENV_WINDOW_SPECS, loadWindowSettings } from "../../dataplane/analytics/env";
import { AGGREGATE_COLUMNS, WindowClose, alarmStatisticOf, toAggregateRows, toEmfDocuments } from "../../dataplane/analytics/output";
import { MAX_RECORDS_PER_BATCH, chunkRecords, firehoseSink } from "../../dataplane/analytics/sink";
import { EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP, validateSpec, validateSpecs } from "../../dataplane/analytics/spec";
import { processWindowEvent } from "../../dataplane/analytics/window";
import { createTransformer } from "../../dataplane/transform";
import { kinesisRecord, row } from "./helpers";

const CLOSE: WindowClose = {
    windowStart: "2026-11-26T16:00:00Z", windowEnd: "2026-11-26T16:01:00Z", windowSeconds: 60, shardId: "shardId-000000000001",
    part: 0, partial: false, dedupeSaturated: false, firstSeq: "1", emittedAt: "2026-11-26T16:01:02.5Z",
};

describe("analytics/spec validation", () => {
    it("accepts the ready-made specs and the article's example as one short spec", () => {
        validateSpecs([PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE]);
        validateSpec({ name: "purchase_price_by_group", windowSeconds: 60, filter: { eventName: "purchase" }, groupBy: ["properties.user_group"], metrics: [{ kind: "avg", field: "properties.price" }] });
    });

    const cases: Array<[string, unknown, RegExp]> = [
        ["window too long", { ...PURCHASE_PRICE_BY_GROUP, windowSeconds: 901 }, /spec\.windowSeconds must be an integer from 1 to 900/],
        ["bad name", { ...PURCHASE_PRICE_BY_GROUP, name: "Purchase-Price" }, /spec\.name must match/],
        ["unknown field path", { ...PURCHASE_PRICE_BY_GROUP, groupBy: ["user_group"] }, /spec\.groupBy\[0\] "user_group" is neither a row column/],
        ["avg without field", { ...PURCHASE_PRICE_BY_GROUP, metrics: [{ kind: "avg" }] }, /spec\.metrics\[0\]\.field is required for kind "avg"/],
        ["unknown kind", { ...PURCHASE_PRICE_BY_GROUP, metrics: [{ kind: "median", field: "properties.price" }] }, /spec\.metrics\[0\]\.kind must be one of/],
        ["duplicate metric names", { ...PURCHASE_PRICE_BY_GROUP, metrics: [{ kind: "count" }, { kind: "count" }] }, /spec\.metrics\[1\] has the same name "count"/],
        ["where with both equals and in", { ...PURCHASE_PRICE_BY_GROUP, filter: { where: [{ field: "properties.x", equals: "a", in: ["b"] }] } }, /spec\.filter\.where\[0\] must set exactly one of equals and in/],
        ["typo in a spec key", { ...PURCHASE_PRICE_BY_GROUP, groupby: ["event_type"] }, /spec\.groupby is not a spec field/],
        ["dimension name clash", { ...PURCHASE_PRICE_BY_GROUP, groupBy: ["properties.app", "context.app"] }, /spec\.groupBy\[1\] "context\.app" has the same dimension name "app"/],
    ];
    for (const [title, spec, error] of cases) {
        it(`rejects ${title}, naming the field`, () => assert.throws(() => validateSpec(spec), error));
    }

    it("rejects specs with different window lengths or duplicate names in one window", () => {
        assert.throws(() => validateSpecs([PURCHASE_PRICE_BY_GROUP, { ...EVENTS_PER_MINUTE_BY_TYPE, windowSeconds: 300 }]), /windowSeconds differ \(60, 300\); .*one AnalyticsWindow per length/);
        assert.throws(() => validateSpecs([PURCHASE_PRICE_BY_GROUP, PURCHASE_PRICE_BY_GROUP]), /specs\[1\]\.name "purchase_price_by_group" is used by an earlier spec/);
        assert.throws(() => validateSpecs([]), /non-empty list/);
    });

    it("the Lambda validates its settings from the environment too, naming the variable", () => {
        assert.throws(() => loadWindowSettings({}), /CLICKSTREAM_WINDOW_SPECS is not set/);
        assert.throws(() => loadWindowSettings({ [ENV_WINDOW_SPECS]: "[{" }), /CLICKSTREAM_WINDOW_SPECS is not valid JSON/);
        assert.throws(() => loadWindowSettings({ [ENV_WINDOW_SPECS]: JSON.stringify([{ ...PURCHASE_PRICE_BY_GROUP, windowSeconds: 0 }]) }), /CLICKSTREAM_WINDOW_SPECS\[0\]\.windowSeconds/);
        const env = { [ENV_WINDOW_SPECS]: JSON.stringify([PURCHASE_PRICE_BY_GROUP]), [ENV_METRIC_NAMESPACE]: "N", [ENV_AGGREGATES_STREAM]: "s" };
        assert.equal(loadWindowSettings(env).specs[0].name, "purchase_price_by_group");
        assert.throws(() => loadWindowSettings({ ...env, CLICKSTREAM_DEDUPE_CAPACITY: "1000000" }), /dedupeCapacity must be an integer from 0 to 28125/);
        assert.throws(() => loadWindowSettings({ ...env, CLICKSTREAM_STATE_BUDGET_BYTES: "2000000" }), /stateBudgetBytes must be an integer from 50,000 to 950,000/);
    });
});

describe("analytics/output", () => {
    function purchases(groups: number, perGroup: (g: number) => number) {
        const acc = new WindowAccumulator([PURCHASE_PRICE_BY_GROUP]);
        let id = 0;
        for (let g = 0; g < groups; g++) for (let i = 0; i < perGroup(g); i++) acc.add(row({ event_id: `e${id++}`, event_name: "purchase", properties: { user_group: `g${g}`, price: String(10 + g) } }));
        return acc.groups(PURCHASE_PRICE_BY_GROUP.name);
    }

    it("writes EMF with the group-by fields as dimensions, under the namespace, timestamped at window start", () => {
        const docs = toEmfDocuments(PURCHASE_PRICE_BY_GROUP, purchases(2, () => 3), "Clickstream/Analytics", CLOSE, 50);
        assert.equal(docs.length, 3, "two groups and the roll-up");
        const [g0] = docs;
        assert.deepEqual(g0._aws, {
            Timestamp: Date.parse("2026-11-26T16:00:00Z"),
            CloudWatchMetrics: [{ Namespace: "Clickstream/Analytics", Dimensions: [["user_group"]], Metrics: [{ Name: "purchase_price_by_group_avg_price", Unit: "None" }, { Name: "purchase_price_by_group_count", Unit: "Count" }] }],
        });
        assert.equal(g0.user_group, "g0");
        assert.equal(g0.purchase_price_by_group_avg_price, 10);
        assert.equal(g0.purchase_price_by_group_count, 3);
        const rollup = docs[2];
        assert.deepEqual(rollup._aws.CloudWatchMetrics[0].Dimensions, [[]]);
        assert.equal(rollup.purchase_price_by_group_avg_price, 10.5);
        assert.equal(rollup.purchase_price_by_group_count, 6);
        // Every document is one log line well under CloudWatch Logs' event size limit.
        for (const d of docs) assert.ok(JSON.stringify(d).length < 256 * 1024);
    });

    it("folds groups beyond the cardinality cap into 'other' without losing events", () => {
        const docs = toEmfDocuments(PURCHASE_PRICE_BY_GROUP, purchases(30, (g) => 30 - g), "N", CLOSE, 10);
        const grouped = docs.filter((d) => "user_group" in d);
        assert.equal(grouped.length, 10);
        assert.deepEqual(grouped.slice(0, 9).map((d) => d.user_group), ["g0", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8"], "busiest groups kept");
        const other = grouped[9];
        assert.equal(other.user_group, "other");
        const total = grouped.reduce((s, d) => s + (d.purchase_price_by_group_count as number), 0);
        assert.equal(total, (30 * 31) / 2);
        assert.equal(other.purchase_price_by_group_count, (21 * 22) / 2);
    });

    it("marks sub-minute windows as high-resolution metrics", () => {
        const [doc] = toEmfDocuments({ ...EVENTS_PER_MINUTE_BY_TYPE, windowSeconds: 10 }, [], "N", { ...CLOSE, windowSeconds: 10 }, 50);
        assert.ok(doc._aws.CloudWatchMetrics[0].Metrics.every((m) => m.StorageResolution === 1));
    });

    it("aggregate rows carry every AGGREGATE_COLUMNS column, mergeable sums/counts and deterministic ids", () => {
        const rows = toAggregateRows(PURCHASE_PRICE_BY_GROUP, purchases(2, () => 2), CLOSE);
        assert.equal(rows.length, 2);
        for (const r of rows) assert.deepEqual(Object.keys(r), AGGREGATE_COLUMNS.map((c) => c.name));
        assert.deepEqual(rows[1].group_values, { "properties.user_group": "g1" });
        assert.deepEqual(rows[1].metric_values, { avg_price: 11, count: 2 });
        assert.deepEqual(rows[1].metric_sums, { avg_price: 22 });
        assert.equal(rows[1].window_start, "2026-11-26T16:00:00.000Z");
        assert.equal(rows[1].emitted_at, "2026-11-26T16:01:02.500Z");
        assert.equal(toAggregateRows(PURCHASE_PRICE_BY_GROUP, purchases(2, () => 2), CLOSE)[1].aggregate_id, rows[1].aggregate_id);
        assert.notEqual(toAggregateRows(PURCHASE_PRICE_BY_GROUP, purchases(2, () => 2), { ...CLOSE, part: 1 })[1].aggregate_id, rows[1].aggregate_id);
    });

    it("maps metric kinds to the statistic their alarms use", () => {
        assert.deepEqual((["count", "sum", "avg", "min", "max", "distinct"] as const).map(alarmStatisticOf), ["Sum", "Sum", "Average", "Minimum", "Maximum", "Sum"]);
    });
});

describe("analytics/sink (Firehose)", () => {
    // Created in before() and restored in after(): another file mocks the same client class.
    let firehose: ReturnType<typeof mockClient>;
    before(() => { firehose = mockClient(FirehoseClient); });
    afterEach(() => firehose.reset());
    after(() => firehose.restore());
    const noSleep = async () => undefined;

    it("chunks by Firehose's 500-record and 4 MiB limits", () => {
        assert.deepEqual(chunkRecords(Array.from({ length: 1201 }, () => new Uint8Array(10))).map((c) => c.length), [500, 500, 201]);
        assert.deepEqual(chunkRecords(Array.from({ length: 5 }, () => new Uint8Array(900 * 1024))).map((c) => c.length), [4, 1]);
        assert.throws(() => chunkRecords([new Uint8Array(1000 * 1024 + 1)]), /exceeds Firehose's/);
        assert.equal(MAX_RECORDS_PER_BATCH, 500);
    });

    it("retries only the records Firehose rejected, then succeeds", async () => {
        firehose.on(PutRecordBatchCommand)
            .resolvesOnce({ FailedPutCount: 1, RequestResponses: [{ RecordId: "a" }, { ErrorCode: "ServiceUnavailableException" }, { RecordId: "c" }] })
            .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: "b" }] });
        await firehoseSink(new FirehoseClient({}), "agg", { sleep: noSleep })([{ n: 1 }, { n: 2 }, { n: 3 }]);
        const calls = firehose.commandCalls(PutRecordBatchCommand);
        assert.equal(calls.length, 2);
        assert.equal(calls[0].args[0].input.DeliveryStreamName, "agg");
        assert.equal(Buffer.from(calls[0].args[0].input.Records![0].Data!).toString(), '{"n":1}\n');
        assert.deepEqual(calls[1].args[0].input.Records!.map((r) => Buffer.from(r.Data!).toString()), ['{"n":2}\n']);
    });

    it("throws after the last attempt so the invocation fails and Lambda retries the window", async () => {
        firehose.on(PutRecordBatchCommand).rejects(Object.assign(new Error("throttled"), { name: "ThrottlingException" }));
        await assert.rejects(firehoseSink(new FirehoseClient({}), "agg", { sleep: noSleep, maxAttempts: 3 })([{ n: 1 }]), /rejected 1 aggregate rows after 3 attempts \(ThrottlingException\)/);
        assert.equal(firehose.commandCalls(PutRecordBatchCommand).length, 3);
    });
});

describe("analytics/window with the lake transform", () => {
    it("normalizes real request envelopes with the lake's transform, pseudonymized, and aggregates them", async () => {
        const transformer = createTransformer(undefined, "k".repeat(32));
        const envelope = (events: unknown[], i: number) => ({
            v: 1, receivedAt: Date.parse("2026-11-26T16:00:10Z") + i, sourceIp: "203.0.113.9", userAgent: "Mozilla/5.0", path: "/v1/events", requestId: `r${i}`,
            body: { events },
        });
        const purchase = (id: string, group: string, price: number, user: string) => ({ eventId: id, type: "track", name: "purchase", anonymousId: user, properties: { user_group: group, price } });
        const records = [
            kinesisRecord(envelope([purchase("p1", "gold", 10, "u1"), purchase("p2", "gold", 30, "u2")], 1), 1),
            kinesisRecord(envelope([purchase("p3", "silver", 5, "u1")], 2), 2),
            kinesisRecord(envelope([purchase("p1", "gold", 10, "u1")], 3), 3), // client retry of p1
            kinesisRecord("not json at all", 4), // becomes a bad row, as in the lake
        ];
        const rows: any[] = [];
        const deps = { normalize: (e: unknown) => transformer.normalize(e), emitMetrics: () => undefined, emitRows: async (r: any[]) => { rows.push(...r); } };
        const settings = { specs: [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE], namespace: "N" };
        const window = { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" };
        const first = await processWindowEvent({ Records: records, window, state: {}, isFinalInvokeForWindow: false, isWindowTerminatedEarly: false }, settings, deps);
        await processWindowEvent({ Records: [], window, state: JSON.parse(JSON.stringify(first.state)), isFinalInvokeForWindow: true, isWindowTerminatedEarly: false }, settings, deps);
        const byGroup = Object.fromEntries(rows.filter((r) => r.spec === "purchase_price_by_group").map((r) => [r.group_values["properties.user_group"], r]));
        assert.deepEqual(byGroup.gold.metric_values, { avg_price: 20, count: 2 });
        assert.deepEqual(byGroup.silver.metric_values, { avg_price: 5, count: 1 });
        const byType = Object.fromEntries(rows.filter((r) => r.spec === "events_per_minute").map((r) => [r.group_values.event_type, r]));
        assert.equal(byType.track.metric_values.count, 3);
        assert.equal(byType.bad_row.metric_values.count, 1);
        assert.equal(byType.track.metric_values.distinct_visitors, 2, "u1 and u2, counted on their pseudonyms");
    });
});

describe("analytics/output dimension values", () => {
    it("turns absent, empty and over-long group values into valid CloudWatch dimension values", async () => {
        const { dimensionValue } = await import("../../dataplane/analytics/output");
        assert.equal(dimensionValue(null), "none");
        assert.equal(dimensionValue(""), "empty");
        assert.equal(dimensionValue("x".repeat(2000)).length, 1024);
        assert.equal(dimensionValue("gold"), "gold");
    });
});
