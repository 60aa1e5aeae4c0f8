import { strict as assert } from "assert";
import type { FirehoseTransformationResultRecord } from "aws-lambda";
import { fitResponse } from "../../dataplane/transform/firehose";
import { BAD_ROW_TYPE } from "../../dataplane/transform";
import { b64, COLUMN_NAMES, decodeRows, envelope, firehoseEvent, rawRows, RECEIVED, transformer } from "./helpers";

describe("transform: Firehose contract", () => {
    const t = transformer();

    it("returns one output record per input recordId, in order, with the right result", () => {
        const datas = [
            b64(JSON.stringify(envelope("/v1/events", { events: [{ type: "track", name: "a", anonymousId: "x" }, { type: "page", anonymousId: "x" }, { type: 1 }] }))),
            b64(JSON.stringify(envelope("/v1/events", { events: [] }))),
            "%%% not base64 %%%",
            b64("definitely not json"),
            "",
            b64(JSON.stringify(envelope("/v1/track", { event: "E", userId: "u" }))),
        ];
        const out = t.firehose(firehoseEvent(datas));
        assert.deepEqual(out.records.map((r) => r.recordId), datas.map((_, i) => `rec-${i}`));
        assert.deepEqual(out.records.map((r) => r.result), ["Ok", "Dropped", "ProcessingFailed", "Ok", "Ok", "Ok"]);

        const first = decodeRows(out.records[0].data);
        assert.deepEqual(first.map((r) => r.event_type), ["track", "page", BAD_ROW_TYPE]);
        for (const row of first) assert.deepEqual(Object.keys(row), COLUMN_NAMES, "read back with every column");
        for (const raw of rawRows(out.records[0].data)) {
            const keys = Object.keys(raw);
            assert.deepEqual(keys, COLUMN_NAMES.filter((c) => keys.includes(c)), "emitted columns in table order");
            assert.ok(Object.values(raw).every((v) => v !== null), "absent columns are left out, never written as null");
        }
        assert.equal(out.records[1].data, "", "every result carries data (required by Firehose), empty when dropped");
        assert.equal(out.records[2].data, "", "failed records carry empty data: Firehose keeps the original");
        const notJson = decodeRows(out.records[3].data);
        assert.equal(notJson.length, 1);
        assert.match(notJson[0].bad_reason!, /^envelope: not valid JSON/);
        assert.equal(notJson[0].received_at, new Date(RECEIVED).toISOString(), "arrival time stands in for the unknown receive time");
        assert.equal(notJson[0].bad_payload, "definitely not json");
        assert.match(decodeRows(out.records[4].data)[0].bad_reason!, /^envelope: not valid JSON/, "empty data is a bad row, not a failure");
    });

    it("emits rows without null columns that, read back with every column defaulting to null, equal normalize()'s rows", () => {
        const envelopes = [
            envelope("/v1/events", { sentAt: "2026-11-26T16:05:00.000Z", events: [
                { eventId: "e-1", type: "track", name: "Order Completed", timestamp: "2026-11-26T16:04:59.000Z", anonymousId: "a-1", userId: "u-1", properties: { total: 12.5, none: null } },
                { type: "identify", userId: "u-2", traits: { email: "ada@example.com" } },
                { type: 42 },
            ] }),
            envelope("/v1/batch", { context: { library: { name: "analytics-node" } }, batch: [{ type: "page", anonymousId: "a", context: { page: { url: "https://ex.com/?q=1" } } }] }, { userAgent: undefined, sourceIp: undefined }),
            envelope("/v1/track", { event: "E", userId: "u" }),
            { v: 2, body: {} },
        ];
        const out = t.firehose(firehoseEvent(envelopes.map((e) => b64(JSON.stringify(e)))));
        assert.deepEqual(out.records.map((r) => r.result), ["Ok", "Ok", "Ok", "Ok"]);
        out.records.forEach((r, i) => {
            const raw = rawRows(r.data);
            const nullColumns = raw.flatMap((row) => Object.keys(row).filter((k) => row[k] === null));
            assert.deepEqual(nullColumns, [], "no column is written as null");
            assert.ok(raw.some((row) => Object.keys(row).length < COLUMN_NAMES.length), "absent columns are left out");
            // normalize() has no Firehose arrival time: an unreadable envelope's received_at is "now" there.
            const expected = t.normalize(envelopes[i]).map((row) => (i === 3 ? { ...row, received_at: new Date(RECEIVED).toISOString() } : row));
            assert.deepEqual(decodeRows(r.data), expected);
        });
    });

    it("separates rows with \\n and no trailing newline", () => {
        const out = t.firehose(firehoseEvent([b64(JSON.stringify(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a" }, { type: "page", anonymousId: "b" }] })))]));
        const text = Buffer.from(out.records[0].data!, "base64").toString("utf8");
        assert.equal(text.split("\n").length, 2);
        assert.ok(!text.endsWith("\n"));
    });

    it("rejects base64 with characters outside the alphabet or a bad length", () => {
        const good = b64("{}");
        for (const data of [`${good}!`, good.slice(0, -1), "ab d", "a=bc"]) {
            assert.equal(t.firehose(firehoseEvent([data])).records[0].result, "ProcessingFailed", data);
        }
    });

    it("never throws on a malformed event", () => {
        assert.deepEqual(t.firehose({} as never), { records: [] });
        const out = t.firehose({ records: [{ recordId: "r", data: 42 }, null] } as never);
        assert.deepEqual(out.records.map((r) => r.result), ["ProcessingFailed", "ProcessingFailed"]);
    });

    it("keeps the response under maxResponseBytes by failing the largest records (Firehose keeps their original data)", () => {
        const small = b64(JSON.stringify(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a" }] })));
        const large = b64(JSON.stringify(envelope("/v1/events", { events: Array.from({ length: 30 }, (_, i) => ({ type: "track", name: `e${i}`, anonymousId: "a" })) })));
        const unlimited = transformer().firehose(firehoseEvent([small, large, small]));
        const sizes = unlimited.records.map((r) => r.data!.length);
        const budget = sizes[0] * 2 + 400; // room for the two small ones only
        const out = transformer({ maxResponseBytes: budget }).firehose(firehoseEvent([small, large, small]));
        assert.deepEqual(out.records.map((r) => r.result), ["Ok", "ProcessingFailed", "Ok"]);
        assert.ok(Buffer.byteLength(JSON.stringify(out)) <= budget);
    });

    it("fitResponse leaves a response within budget untouched", () => {
        const records: FirehoseTransformationResultRecord[] = [{ recordId: "a", result: "Ok", data: "AAAA" }];
        assert.equal(fitResponse(records, 1000), 0);
        assert.equal(records[0].result, "Ok");
    });
});
