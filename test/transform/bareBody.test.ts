/**
 * Records without an envelope: the HTTP API ingest (IngestEndpoint api: "http") puts the request body
 * itself into Kinesis. The transform reads the route from the body's shape and the receive time from
 * the record's arrival; there is no IP or user agent to keep.
 */
import { strict as assert } from "assert";
import { BAD_ROW_TYPE } from "../../dataplane/transform";
import { bareBodyPath, Normalizer } from "../../dataplane/transform/normalize";
import { Pseudonymizer } from "../../dataplane/transform/pii";
import { resolveTransformConfig } from "../../dataplane/transform/resolve";
import { KEY } from "./helpers";

const ARRIVAL = Date.UTC(2026, 10, 30, 8, 0, 0, 123);

describe("transform: bare request bodies (HTTP API ingest)", () => {
    const t = new Normalizer(resolveTransformConfig(undefined), new Pseudonymizer(KEY));

    it("reads the route from the body's shape", () => {
        assert.equal(bareBodyPath({ events: [] }), "/v1/events");
        assert.equal(bareBodyPath({ batch: [] }), "/v1/batch");
        assert.equal(bareBodyPath({ type: "track", event: "x" }), "/v1/track");
        assert.equal(bareBodyPath({ type: "identify" }), "/v1/identify");
        assert.equal(bareBodyPath({ type: "events" }), undefined);
        assert.equal(bareBodyPath({ type: "nope" }), undefined);
        assert.equal(bareBodyPath({ hello: 1 }), undefined);
    });

    it("a bare native batch becomes one row per event, received at the record's arrival, with no IP", () => {
        const body = { sentAt: new Date(ARRIVAL).toISOString(), events: [{ type: "track", name: "click", anonymousId: "a1", timestamp: new Date(ARRIVAL - 1000).toISOString() }, { type: "page", anonymousId: "a1", properties: { url: "https://ex.com/p" } }] };
        const rows = t.normalize(Buffer.from(JSON.stringify(body)), ARRIVAL);
        assert.equal(rows.length, 2);
        for (const row of rows) {
            assert.notEqual(row.event_type, BAD_ROW_TYPE, JSON.stringify(row));
            assert.equal(row.ingest_path, "/v1/events");
            assert.equal(row.received_at, new Date(ARRIVAL).toISOString());
            assert.equal(row.ip_truncated ?? null, null);
        }
    });

    it("a bare Segment call and batch are read as Segment", () => {
        const track = t.normalize(JSON.stringify({ type: "track", event: "Signed Up", userId: "u1", messageId: "m1" }), ARRIVAL);
        assert.equal(track.length, 1);
        assert.equal(track[0].ingest_path, "/v1/track");
        assert.notEqual(track[0].event_type, BAD_ROW_TYPE);
        const batch = t.normalize(JSON.stringify({ batch: [{ type: "track", event: "a", anonymousId: "x" }, { type: "identify", userId: "u" }] }), ARRIVAL);
        assert.deepEqual(batch.map((r) => r.ingest_path), ["/v1/batch", "/v1/batch"]);
    });

    it("a body of no known shape is kept as a bad row naming the envelope field", () => {
        const rows = t.normalize(JSON.stringify({ hello: "world" }), ARRIVAL);
        assert.equal(rows.length, 1);
        assert.equal(rows[0].event_type, BAD_ROW_TYPE);
        assert.match(String(rows[0].bad_reason), /envelope\.v: expected 1/);
    });
});
