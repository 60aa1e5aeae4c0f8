import { strict as assert } from "assert";
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { ENV_AUTH, ENV_CORS_ORIGINS, ENV_MAX_BATCH_EVENTS, ENV_STREAM_NAME, handler, resetCollector } from "../../dataplane/handlers/functionUrlCollector";
import { ENV_WRITE_KEY_HASHES, resetKeyCache, writeKeyHash } from "../../dataplane/auth/writeKey";
import type { FunctionUrlEvent } from "../../dataplane/ingest/collector";
import { MAX_BODY_BYTES } from "../../dataplane/ingest/request";
import { RequestEnvelope } from "../../dataplane/envelope";

const KEY = "w".repeat(30) + "webkey";
const ORIGIN = "https://www.example.com";
const kinesis = mockClient(KinesisClient);

function request(over: Partial<FunctionUrlEvent> & { method?: string; path?: string; body?: string } = {}): FunctionUrlEvent {
    const path = over.path ?? "/v1/events";
    return {
        rawPath: path,
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, origin: ORIGIN, ...over.headers },
        body: over.body ?? JSON.stringify({ events: [{ type: "track", name: "Signed Up", anonymousId: "anon-1" }] }),
        isBase64Encoded: over.isBase64Encoded ?? false,
        requestContext: {
            requestId: "req-1",
            timeEpoch: 1_795_707_000_123,
            http: { method: over.method ?? "POST", path, sourceIp: "203.0.113.77", userAgent: "Mozilla/5.0 test" },
        },
    };
}

const stored = { FailedRecordCount: 0, Records: [{ SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000000" }] };

function putCalls() {
    return kinesis.commandCalls(PutRecordsCommand).map((c) => c.args[0].input);
}

describe("function URL collector (real handler, Kinesis mocked)", () => {
    // The handler's structured CloudWatch lines (console.info/warn), kept out of mocha's output.
    const logged: string[] = [];
    const console0 = { info: console.info, warn: console.warn };
    beforeEach(() => {
        logged.length = 0;
        console.info = console.warn = (...args: unknown[]) => void logged.push(args.map(String).join(" "));
        kinesis.reset();
        process.env[ENV_STREAM_NAME] = "clickstream-test-stream";
        process.env[ENV_AUTH] = "write-keys";
        process.env[ENV_CORS_ORIGINS] = JSON.stringify([ORIGIN]);
        process.env[ENV_MAX_BATCH_EVENTS] = "3";
        process.env[ENV_WRITE_KEY_HASHES] = JSON.stringify({ [writeKeyHash(KEY)]: "web" });
        resetCollector();
        resetKeyCache();
    });
    afterEach(() => Object.assign(console, console0));
    after(() => {
        for (const v of [ENV_STREAM_NAME, ENV_AUTH, ENV_CORS_ORIGINS, ENV_MAX_BATCH_EVENTS, ENV_WRITE_KEY_HASHES]) delete process.env[v];
        resetCollector();
        resetKeyCache();
        kinesis.restore();
    });

    it("stores a valid request as one envelope record (source IP, user agent, key name) and answers 200 with CORS", async () => {
        kinesis.on(PutRecordsCommand).resolves(stored);
        const res = await handler(request());
        assert.equal(res.statusCode, 200);
        assert.deepEqual(JSON.parse(res.body), { success: true });
        assert.equal(res.headers["Access-Control-Allow-Origin"], ORIGIN);
        const calls = putCalls();
        assert.equal(calls.length, 1);
        assert.equal(calls[0].StreamName, "clickstream-test-stream");
        assert.equal(calls[0].Records!.length, 1);
        assert.equal(calls[0].Records![0].PartitionKey, "anon-1");
        const envelope = JSON.parse(Buffer.from(calls[0].Records![0].Data!).toString("utf8")) as RequestEnvelope;
        assert.deepEqual(envelope, {
            v: 1, receivedAt: 1_795_707_000_123, sourceIp: "203.0.113.77", userAgent: "Mozilla/5.0 test", path: "/v1/events", requestId: "req-1", apiKeyId: "web",
            body: { events: [{ type: "track", name: "Signed Up", anonymousId: "anon-1" }] },
        });
    });

    it("accepts Segment's Basic-auth write key and x-api-key; decodes a base64 body", async () => {
        kinesis.on(PutRecordsCommand).resolves(stored);
        const basic = `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`;
        const body = Buffer.from(JSON.stringify({ batch: [{ type: "track", event: "x", userId: "u-9" }] })).toString("base64");
        assert.equal((await handler(request({ path: "/v1/batch", headers: { authorization: basic }, body, isBase64Encoded: true }))).statusCode, 200);
        assert.equal((await handler(request({ headers: { authorization: undefined, "x-api-key": KEY } }))).statusCode, 200);
        assert.equal(putCalls()[0].Records![0].PartitionKey, "u-9");
    });

    it("refuses a bad, unknown or missing key with 403 and writes nothing", async () => {
        kinesis.on(PutRecordsCommand).resolves(stored);
        for (const authorization of [`Bearer ${"x".repeat(30)}`, undefined, "Digest abc"]) {
            const res = await handler(request({ headers: { authorization } }));
            assert.equal(res.statusCode, 403, String(authorization));
            assert.equal(JSON.parse(res.body).error, "client_error");
        }
        assert.equal(putCalls().length, 0);
        assert.deepEqual(logged.map((l) => (JSON.parse(l) as { msg: string }).msg), ["write key refused", "write key refused", "write key refused"]);
        assert.ok(!logged.some((l) => l.includes("x".repeat(30))), "the key is never logged");
    });

    it("answers 400 for a body that is not JSON or breaks the route's model (maxItems from the setting)", async () => {
        const notJson = await handler(request({ body: "{nope" }));
        assert.equal(notJson.statusCode, 400);
        assert.equal(JSON.parse(notJson.body).error, "invalid_body");
        const tooMany = await handler(request({ body: JSON.stringify({ events: [{}, {}, {}, {}] }) }));
        assert.equal(tooMany.statusCode, 400);
        assert.match(JSON.parse(tooMany.body).message, /\/events must NOT have more than 3 items/);
        const noBatch = await handler(request({ path: "/v1/batch", body: JSON.stringify({ events: [{}] }) }));
        assert.match(JSON.parse(noBatch.body).message, /must have required property 'batch'/);
        assert.equal(putCalls().length, 0);
    });

    it("answers 415 for a non-JSON content type, 413 over one stream record, 404/405 off the routes", async () => {
        assert.equal((await handler(request({ headers: { "content-type": "text/plain" } }))).statusCode, 415);
        const big = JSON.stringify({ events: [{ type: "track", name: "x".repeat(MAX_BODY_BYTES) }] });
        const res = await handler(request({ body: big }));
        assert.equal(res.statusCode, 413);
        assert.equal(JSON.parse(res.body).error, "rejected");
        assert.equal((await handler(request({ path: "/v1/nope" }))).statusCode, 404);
        assert.equal((await handler(request({ method: "GET" }))).statusCode, 405);
        assert.equal(putCalls().length, 0);
    });

    it("answers a CORS preflight with the allowed origin only; no origin header for others", async () => {
        const ok = await handler(request({ method: "OPTIONS" }));
        assert.equal(ok.statusCode, 200);
        assert.equal(ok.headers["Access-Control-Allow-Origin"], ORIGIN);
        assert.match(ok.headers["Access-Control-Allow-Methods"], /POST/);
        const other = await handler(request({ method: "OPTIONS", headers: { origin: "https://evil.example" } }));
        assert.equal(other.headers["Access-Control-Allow-Origin"], undefined);
        process.env[ENV_CORS_ORIGINS] = "[]";
        resetCollector();
        assert.equal((await handler(request({ method: "OPTIONS" }))).statusCode, 403);
    });

    it("retries a record Kinesis failed inside a 200 answer, and acknowledges only after it is stored", async () => {
        kinesis.on(PutRecordsCommand)
            .resolvesOnce({ FailedRecordCount: 1, Records: [{ ErrorCode: "InternalFailure", ErrorMessage: "Internal service failure." }] })
            .resolves(stored);
        const res = await handler(request());
        assert.equal(res.statusCode, 200);
        assert.equal(putCalls().length, 2);
        assert.deepEqual(putCalls()[1].Records, putCalls()[0].Records);
    });

    it("reports a record still throttled after the retries as 429 (never 200), and other failures as 503", async () => {
        kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: "ProvisionedThroughputExceededException", ErrorMessage: "Rate exceeded for shard" }] });
        const throttled = await handler(request());
        assert.equal(throttled.statusCode, 429);
        assert.equal(throttled.headers["Retry-After"], "1");
        assert.equal(putCalls().length, 3);
        kinesis.reset();
        kinesis.on(PutRecordsCommand).resolves({ FailedRecordCount: 1, Records: [{ ErrorCode: "InternalFailure" }] });
        const failed = await handler(request());
        assert.equal(failed.statusCode, 503);
        assert.equal(JSON.parse(failed.body).error, "backend_unavailable");
    });

    it("maps a PutRecords call that throws: throttling 429, a configuration fault 500, anything else 503", async () => {
        const cases: Array<[string, number]> = [["ProvisionedThroughputExceededException", 429], ["AccessDeniedException", 500], ["KMSDisabledException", 500], ["TimeoutError", 503]];
        for (const [name, status] of cases) {
            kinesis.reset();
            kinesis.on(PutRecordsCommand).rejects(Object.assign(new Error(name), { name }));
            const res = await handler(request());
            assert.equal(res.statusCode, status, name);
            assert.equal(JSON.parse(res.body).success, false);
        }
    });

    it("works without keys when auth is none, and refuses to start with no auth setting", async () => {
        kinesis.on(PutRecordsCommand).resolves(stored);
        process.env[ENV_AUTH] = "none";
        resetCollector();
        assert.equal((await handler(request({ headers: { authorization: undefined } }))).statusCode, 200);
        delete process.env[ENV_AUTH];
        resetCollector();
        await assert.rejects(handler(request()), /CLICKSTREAM_AUTH is not set/);
    });
});
