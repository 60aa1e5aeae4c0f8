/**
 * End to end through the real HTTP server: a real Segment client and plain native batches in, the
 * Parquet lake out (read back with `clickstream query`'s views), pseudonymized.
 */
import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as path from "path";
import { Analytics } from "@segment/analytics-node";
import { queryLake } from "../../local/query";
import { listFiles, LocalUnderTest, postJson, startLocal, tempLakeDir } from "./localHarness";

const WRITE_KEY = "segment-write-key-0123456789";
const EMAIL = "jane.doe@example.com";
const PHONE = "+1 415 555 0199";
const USER_ID = "user-8731-jane";
const CLIENT_IP = "198.51.100.23";

describe("clickstream local end to end (HTTP server -> WAL -> transform -> Parquet)", function () {
    this.timeout(120_000);
    let local: LocalUnderTest;
    let lakeDir: string;

    before(async () => {
        lakeDir = await tempLakeDir();
        local = await startLocal(lakeDir, { apiKeys: WRITE_KEY });
    });
    after(async () => {
        await local?.pipeline.stop().catch(() => undefined);
        await fsp.rm(lakeDir, { recursive: true, force: true });
    });

    it("answers the health check", async () => {
        const res = await fetch(`${local.url}/healthz`);
        assert.equal(res.status, 200);
    });

    it("stores events from @segment/analytics-node and native batches as pseudonymized Parquet rows, each exactly once", async () => {
        const analytics = new Analytics({ writeKey: WRITE_KEY, host: local.url, flushAt: 4, flushInterval: 50, maxRetries: 0 });
        const errors: unknown[] = [];
        analytics.on("error", (e) => errors.push(e));
        for (let i = 0; i < 6; i++) {
            analytics.track({ userId: USER_ID, event: "Order Completed", messageId: `seg-${i}`, properties: { price: 10 + i, email: EMAIL, note: `call me at ${PHONE}` }, context: { ip: CLIENT_IP } });
        }
        analytics.identify({ userId: USER_ID, messageId: "seg-identify", traits: { email: EMAIL, phone: PHONE, plan: "pro" } });
        analytics.page({ anonymousId: "anon-segment-1", messageId: "seg-page", name: "Pricing", properties: { url: `https://shop.example.com/pricing?email=${encodeURIComponent(EMAIL)}` } });
        await analytics.closeAndFlush({ timeout: 20_000 });
        assert.deepEqual(errors, []);

        const native = await postJson(`${local.url}/v1/events`, {
            sentAt: Date.now(),
            events: [
                { eventId: "nat-1", type: "track", name: "Signed Up", userId: EMAIL, properties: { phone: PHONE, plan: "free" } },
                { eventId: "nat-2", type: "page", anonymousId: "anon-native-1", page: { path: "/docs", url: `https://shop.example.com/docs?e=${EMAIL}` } },
                { eventId: "nat-bad", type: "track" },
            ],
        }, { "x-api-key": WRITE_KEY, "user-agent": "native-test/1.0" });
        assert.equal(native.status, 200);
        assert.deepEqual(native.body, { success: true });

        await local.pipeline.flush();
        const result = await queryLake(lakeDir, "SELECT event_id, event_type, event_name, user_id, anonymous_id, ip_truncated, source_format, bad_reason, properties FROM events ORDER BY event_id");
        const good = result.rows.filter((r) => r.event_type !== "bad_row").map((r) => r.event_id);
        assert.deepEqual([...good].sort(), ["nat-1", "nat-2", "seg-0", "seg-1", "seg-2", "seg-3", "seg-4", "seg-5", "seg-identify", "seg-page"].sort());
        // The event without a name is kept as a bad row (the transform ids bad rows by a hash of the event).
        const bad = result.rows.filter((r) => r.event_type === "bad_row");
        assert.equal(bad.length, 1);
        assert.match(String(bad[0].bad_reason), /name/);
        const segTrack = result.rows.find((r) => r.event_id === "seg-0")!;
        assert.equal(segTrack.source_format, "segment");
        assert.match(String(segTrack.user_id), /^[0-9a-f]{64}$/, "user ids are HMAC pseudonyms");
        const nat = result.rows.find((r) => r.event_id === "nat-1")!;
        assert.equal(nat.source_format, "native");
        assert.match(String(nat.user_id), /^[0-9a-f]{64}$/);
        assert.equal(result.rows.find((r) => r.event_id === "nat-2")!.ip_truncated, "127.0.0.0", "the caller's IP, truncated to /24");

        // No e-mail, phone, full IP or raw user id anywhere in the events table (every column, as text).
        const everything = JSON.stringify((await queryLake(lakeDir, "SELECT * FROM events")).rows);
        for (const secret of [EMAIL, encodeURIComponent(EMAIL), PHONE, "415 555 0199", USER_ID, CLIENT_IP, "127.0.0.1"]) {
            assert.ok(!everything.includes(secret), `the events table contains ${secret}`);
        }
        // The raw backup keeps the requests as received (PII-bearing by design, like the S3 raw bucket).
        const rawFiles = (await listFiles(path.join(lakeDir, "raw"))).filter((f) => f.endsWith(".ndjson"));
        const raw = (await Promise.all(rawFiles.map((f) => fsp.readFile(f, "utf8")))).join("");
        assert.ok(raw.includes(USER_ID) && raw.includes(EMAIL));
        // The pseudonymization key: generated once, owner-only.
        assert.equal((await fsp.stat(path.join(lakeDir, "pii-key"))).mode & 0o777, 0o600);
    });

    it("lays the lake out like the S3 lake: events/ and raw/ by arrival dt/hour, a commit marker", async () => {
        const files = await listFiles(lakeDir);
        const rel = files.map((f) => path.relative(lakeDir, f));
        assert.ok(rel.some((f) => /^events\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/\d{16}-\d{16}\.parquet$/.test(f)), rel.join("\n"));
        assert.ok(rel.some((f) => /^raw\/dt=\d{4}-\d{2}-\d{2}\/hour=\d{2}\/\d{16}-\d{16}\.ndjson$/.test(f)));
        assert.ok(rel.includes(path.join("_delivered", "committed.json")));
        assert.ok(!rel.some((f) => f.endsWith(".tmp")), "no temp files left");
    });

    it("refuses malformed requests with the API's status codes and clear messages", async () => {
        const key = { "x-api-key": WRITE_KEY };
        const notJsonType = await fetch(`${local.url}/v1/events`, { method: "POST", headers: { "content-type": "text/plain", ...key }, body: "hello" });
        assert.equal(notJsonType.status, 415);
        assert.deepEqual({ ...((await notJsonType.json()) as object), requestId: undefined }, { success: false, error: "unsupported_media_type", message: "Content-Type must be application/json", requestId: undefined });

        const notJson = await postJson(`${local.url}/v1/events`, "{\"events\": [", key);
        assert.equal(notJson.status, 400);
        assert.equal(notJson.body.error, "invalid_body");
        assert.match(notJson.body.message, /not JSON/);

        const noEvents = await postJson(`${local.url}/v1/events`, { sentAt: 1 }, key);
        assert.equal(noEvents.status, 400);
        assert.match(noEvents.body.message, /POST \/v1\/events .*required property 'events'/);

        const tooMany = await postJson(`${local.url}/v1/batch`, { batch: Array.from({ length: 501 }, () => ({ type: "track", event: "x" })) }, key);
        assert.equal(tooMany.status, 400);
        assert.match(tooMany.body.message, /\/batch must NOT have more than 500 items/);

        const huge = await postJson(`${local.url}/v1/track`, { type: "track", event: "x", properties: { blob: "x".repeat(1_100_000) } }, key);
        assert.equal(huge.status, 413);
        assert.match(huge.body.message, /limit is \d+/);

        const noKey = await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u" });
        assert.equal(noKey.status, 403);
        assert.match(noKey.body.message, /Forbidden/);

        const unknown = await postJson(`${local.url}/v2/nothing`, {}, key);
        assert.equal(unknown.status, 404);
        assert.match(unknown.body.message, /\/v1\/events/);
    });

    it("answers CORS preflights and posts for the dev stack's origin only", async () => {
        const preflight = await fetch(`${local.url}/v1/batch`, { method: "OPTIONS", headers: { origin: "http://localhost:3000", "access-control-request-method": "POST" } });
        assert.equal(preflight.status, 200);
        assert.equal(preflight.headers.get("access-control-allow-origin"), "http://localhost:3000");
        assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /X-Api-Key/);
        const other = await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u", messageId: "cors-1" }, { origin: "https://evil.example.com", "x-api-key": WRITE_KEY });
        assert.equal(other.status, 200);
        assert.equal(other.headers.get("access-control-allow-origin"), null);
    });

    it("accounts for every accepted event: rows plus bad rows equal the events acknowledged", async () => {
        await local.pipeline.flush();
        const stats = local.pipeline.stats();
        const counted = await queryLake(lakeDir, "SELECT count(*) AS n, count(DISTINCT event_id) AS d FROM events");
        assert.equal(counted.rows[0].n, stats.rows);
        assert.equal(counted.rows[0].d, stats.rows, "no event twice");
        assert.equal(stats.processingFailed, 0);
        assert.equal(stats.bufferedRequests, 0);
    });

    it("closes the dev stack's windows on shutdown: aggregates in the lake, without PII", async () => {
        await local.pipeline.stop();
        const aggregates = await queryLake(lakeDir, "SELECT * FROM aggregates");
        assert.ok(aggregates.rows.length > 0, "aggregates written");
        assert.ok(aggregates.rows.some((r) => r.spec === "events_per_minute"), JSON.stringify(aggregates.rows[0]));
        const text = JSON.stringify(aggregates.rows);
        for (const secret of [EMAIL, PHONE, USER_ID]) assert.ok(!text.includes(secret), `aggregates contain ${secret}`);
    });
});
