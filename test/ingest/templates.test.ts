/**
 * The mapping templates, evaluated: rendered with velocityjs the way API Gateway renders them,
 * the PutRecord request parsed, Data base64-decoded into the envelope, and the records fed through
 * the real transform (dataplane/transform) to the lake rows.
 */
import { strict as assert } from "assert";
import type { FirehoseTransformationEvent } from "aws-lambda";
import { RequestEnvelope } from "../../dataplane/envelope";
import { EVENT_COLUMNS, EventRow } from "../../dataplane/schema";
import { createTransformer } from "../../dataplane/transform";
import {
    acknowledgementTemplate,
    firehosePutRecordTemplate,
    kinesisPutRecordTemplate,
    preflightResponseTemplate,
    serviceClientErrorTemplate,
    serviceServerErrorTemplate,
} from "../../components/ingest/templates";
import { escapeJavaScript, renderRequestTemplate, renderResponseTemplate, SimulatedRequest } from "./velocity";

/** A row as Firehose's Hive JSON SerDe reads it: columns left out of the JSON are NULL. */
function readRow(line: string): EventRow {
    const raw = JSON.parse(line) as Record<string, unknown>;
    return Object.fromEntries(EVENT_COLUMNS.map((c) => [c.name, raw[c.name] ?? null])) as unknown as EventRow;
}

/** A user agent with quotes, a backslash, a slash and a non-ASCII character. */
const NASTY_UA = `Mozilla/5.0 (X11; "Quoted" \\Back'slash\\) Gecko/20100101 Firefox/120.0 Ünïcode`;
const RECEIVED = Date.UTC(2026, 10, 26, 15, 30, 0, 123);
// The transform rejects keys under 16 bytes (pseudonymization needs a real secret).
const PII_KEY = "test-key-for-ingest-templates";

const nativeBody = {
    sentAt: "2026-11-26T15:29:59.000Z",
    events: [
        { eventId: "e-1", type: "track", name: "Signed Up", timestamp: "2026-11-26T15:29:58.000Z", anonymousId: "anon-42", userId: "user-7", properties: { plan: "pro" } },
        { eventId: "e-2", type: "page", name: "Pricing", anonymousId: "anon-42", page: { url: "https://shop.example.com/pricing?x=1", path: "/pricing", title: "Prices — ünïcode ☃" } },
    ],
};

const segmentBatchBody = {
    batch: [
        { type: "identify", messageId: "m-1", userId: "user-9", traits: { plan: "free" }, timestamp: "2026-11-26T15:29:50.000Z" },
        { type: "track", messageId: "m-2", userId: "user-9", event: "Order Completed — ☃", properties: { total: 12.5 } },
        { type: "screen", messageId: "m-3", anonymousId: "anon-9", name: "Home" },
    ],
    sentAt: "2026-11-26T15:29:59.500Z",
};

function request(resourcePath: string, body: unknown, extra: Partial<SimulatedRequest> = {}): SimulatedRequest {
    return {
        resourcePath,
        body: JSON.stringify(body),
        headers: { "User-Agent": NASTY_UA, "Content-Type": "application/json" },
        sourceIp: "198.51.100.77",
        requestId: "c0ffee00-0000-4000-8000-000000000001",
        requestTimeEpoch: RECEIVED,
        ...extra,
    };
}

/** Renders the Firehose template and returns the PutRecord request and the envelope in it. */
function firehoseRecord(req: SimulatedRequest): { put: any; data: string; envelope: RequestEnvelope } {
    const { output } = renderRequestTemplate(firehosePutRecordTemplate("clickstream-lake-stream"), req);
    const put = JSON.parse(output);
    const data: string = put.Record.Data;
    return { put, data, envelope: JSON.parse(Buffer.from(data, "base64").toString("utf8")) };
}

function transformRecords(datas: string[]): { results: any[]; rows: EventRow[][] } {
    const transformer = createTransformer(undefined, PII_KEY);
    const event: FirehoseTransformationEvent = {
        invocationId: "inv-1",
        deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/clickstream-lake-stream",
        region: "us-east-1",
        records: datas.map((data, i) => ({ recordId: `r-${i}`, approximateArrivalTimestamp: RECEIVED + 50, data })),
    };
    const result = transformer.firehose(event);
    const rows = result.records.map((r) => (r.result === "Ok" ? Buffer.from(r.data!, "base64").toString("utf8").split("\n").map(readRow) : []));
    return { results: result.records, rows };
}

describe("ingest mapping templates (rendered as API Gateway would)", () => {
    it("escapeJavaScript emulation matches Commons Lang: quotes, backslash, slash, non-ASCII", () => {
        assert.equal(escapeJavaScript(`a"b'c\\d/e\né☃`), `a\\"b\\'c\\\\d\\/e\\n\\u00E9\\u2603`);
    });

    it("firehose: a native batch becomes one PutRecord whose Data is the envelope, and the transform turns it into rows", () => {
        const { put, envelope, data } = firehoseRecord(request("/v1/events", nativeBody, { apiKeyId: "key-abc" }));
        assert.deepEqual(Object.keys(put), ["DeliveryStreamName", "Record"]);
        assert.equal(put.DeliveryStreamName, "clickstream-lake-stream");
        // The envelope that reaches the transform, field by field.
        assert.deepEqual(envelope, {
            v: 1,
            receivedAt: RECEIVED,
            sourceIp: "198.51.100.77",
            userAgent: NASTY_UA,
            path: "/v1/events",
            requestId: "c0ffee00-0000-4000-8000-000000000001",
            apiKeyId: "key-abc",
            body: nativeBody,
        });

        const { results, rows } = transformRecords([data]);
        assert.equal(results[0].result, "Ok");
        assert.equal(results[0].recordId, "r-0");
        assert.equal(rows[0].length, 2);
        const [track, page] = rows[0];
        assert.equal(track.event_type, "track");
        assert.equal(track.event_name, "Signed Up");
        assert.equal(track.event_id, "e-1");
        assert.equal(track.source_format, "native");
        assert.equal(track.ingest_path, "/v1/events");
        assert.equal(track.received_at, new Date(RECEIVED).toISOString());
        assert.equal(track.ip_truncated, "198.51.100.0");
        assert.ok(track.user_id && track.user_id !== "user-7", "user id pseudonymized");
        assert.ok(track.anonymous_id && track.anonymous_id !== "anon-42", "anonymous id pseudonymized");
        assert.equal(track.bad_reason, null);
        assert.equal(track.ua_browser, "Firefox");
        assert.equal(page.event_type, "page");
        assert.equal(page.page_path, "/pricing");
        assert.equal(page.page_title, "Prices — ünïcode ☃");
        // Same client, same pseudonym: the HMAC is stable across events.
        assert.equal(page.anonymous_id, track.anonymous_id);
    });

    it("firehose: a Segment batch and single calls keep their path, types and unicode through the envelope", () => {
        const batch = firehoseRecord(request("/v1/batch", segmentBatchBody));
        assert.equal(batch.envelope.path, "/v1/batch");
        assert.equal("apiKeyId" in batch.envelope, false, "no apiKeyId field without an API key");
        assert.deepEqual(batch.envelope.body, segmentBatchBody);
        const track = firehoseRecord(request("/v1/track", { userId: "user-1", event: "Clicked “Buy”", properties: { sku: "ü-1" } }));
        const identify = firehoseRecord(request("/v1/identify", { anonymousId: "anon-1", traits: { email: "jane@example.com" } }));

        const { results, rows } = transformRecords([batch.data, track.data, identify.data]);
        assert.deepEqual(results.map((r) => r.result), ["Ok", "Ok", "Ok"]);
        assert.deepEqual(rows[0].map((r) => r.event_type), ["identify", "track", "screen"]);
        assert.deepEqual(rows[0].map((r) => r.event_name), [null, "Order Completed — ☃", "Home"]);
        assert.ok(rows[0].every((r) => r.source_format === "segment" && r.ingest_path === "/v1/batch"));
        assert.ok(rows[0].every((r) => r.ip_truncated === "198.51.100.0"));
        assert.ok(rows[0][0].user_id !== null && rows[0][0].user_id !== "user-9");
        assert.equal(rows[1][0].event_type, "track");
        assert.equal(rows[1][0].event_name, "Clicked “Buy”");
        assert.equal(rows[1][0].ingest_path, "/v1/track");
        assert.equal(rows[2][0].event_type, "identify");
        assert.ok(!JSON.stringify(rows[2][0]).includes("jane@example.com"), "e-mail trait not stored in clear");
    });

    it("kinesis: PutRecord with the envelope and a stable per-client partition key", () => {
        const render = (req: SimulatedRequest) => {
            const put = JSON.parse(renderRequestTemplate(kinesisPutRecordTemplate("ingest-stream"), req).output);
            return { put, envelope: JSON.parse(Buffer.from(put.Data, "base64").toString("utf8")) as RequestEnvelope };
        };
        const single = render(request("/v1/track", { anonymousId: `a"quote'd\\id`, event: "x" }));
        assert.deepEqual(Object.keys(single.put).sort(), ["Data", "PartitionKey", "StreamName"]);
        assert.equal(single.put.StreamName, "ingest-stream");
        assert.equal(single.put.PartitionKey, `a"quote'd\\id`);
        assert.equal(single.envelope.path, "/v1/track");
        assert.equal(single.envelope.userAgent, NASTY_UA);

        assert.equal(render(request("/v1/identify", { userId: 12345 })).put.PartitionKey, "12345");
        assert.equal(render(request("/v1/batch", segmentBatchBody)).put.PartitionKey, "user-9");
        assert.equal(render(request("/v1/events", nativeBody)).put.PartitionKey, "anon-42");
        // Same client on two requests -> same key (ordering per client on one shard).
        assert.equal(render(request("/v1/page", { anonymousId: "anon-42", name: "P" })).put.PartitionKey, "anon-42");
        // No id, or one over Kinesis' 256-character limit: the request id.
        const reqId = "c0ffee00-0000-4000-8000-000000000001";
        assert.equal(render(request("/v1/track", { event: "no ids" })).put.PartitionKey, reqId);
        assert.equal(render(request("/v1/track", { anonymousId: "x".repeat(257), event: "e" })).put.PartitionKey, reqId);
        assert.equal(render(request("/v1/track", { anonymousId: "x".repeat(256), event: "e" })).put.PartitionKey, "x".repeat(256));

        // The stream record reaches the same transform (FirehoseLake reads the stream).
        const { results, rows } = transformRecords([render(request("/v1/events", nativeBody)).put.Data]);
        assert.equal(results[0].result, "Ok");
        assert.deepEqual(rows[0].map((r) => r.event_type), ["track", "page"]);
    });

    it("templates reject stream names that would break the JSON they are embedded in", () => {
        assert.throws(() => firehosePutRecordTemplate(`bad"name`), /deliveryStreamName/);
        assert.throws(() => kinesisPutRecordTemplate("bad name"), /streamName/);
    });

    it("integration responses: 200 ack, and 4xx from the service split into 429 / 400 / 500 by error type", () => {
        const req = request("/v1/track", { event: "e" });
        const ok = renderResponseTemplate(acknowledgementTemplate([]), req, `{"RecordId":"abc","Encrypted":true}`);
        assert.deepEqual(JSON.parse(ok.output), { success: true });
        assert.equal(ok.responseOverride.status, undefined);

        const clientError = (type: string) => {
            const r = renderResponseTemplate(serviceClientErrorTemplate([]), req, JSON.stringify({ __type: type, message: "m" }));
            return { status: r.responseOverride.status ?? 429, body: JSON.parse(r.output) };
        };
        for (const t of ["ProvisionedThroughputExceededException", "ServiceUnavailableException", "LimitExceededException", "com.amazonaws.kms#KMSThrottlingException"]) {
            assert.equal(clientError(t).status, 429, t);
            assert.equal(clientError(t).body.error, "throttled");
        }
        assert.equal(clientError("InvalidArgumentException").status, 400);
        assert.equal(clientError("ValidationException").body.error, "rejected");
        for (const t of ["ResourceNotFoundException", "AccessDeniedException", "KMSDisabledException"]) {
            assert.equal(clientError(t).status, 500, t);
            assert.equal(clientError(t).body.success, false);
        }
        assert.equal(clientError("ResourceNotFoundException").body.requestId, req.requestId);
        const unavailable = renderResponseTemplate(serviceServerErrorTemplate([]), req, "{}");
        assert.deepEqual(JSON.parse(unavailable.output), { success: false, error: "backend_unavailable", requestId: req.requestId });
    });

    it("CORS: the allowed Origin is echoed, others get no header, and '*' is literal", () => {
        const origins = ["https://www.example.com", "https://app.example.com"];
        const withOrigin = (origin: string) => request("/v1/track", { event: "e" }, { headers: { origin } });
        const allowed = renderResponseTemplate(acknowledgementTemplate(origins), withOrigin("https://app.example.com"), "{}");
        assert.equal(allowed.responseOverride.header["Access-Control-Allow-Origin"], "https://app.example.com");
        assert.deepEqual(JSON.parse(allowed.output), { success: true });
        const denied = renderResponseTemplate(acknowledgementTemplate(origins), withOrigin("https://evil.example.net"), "{}");
        assert.equal(denied.responseOverride.header["Access-Control-Allow-Origin"], undefined);
        const preflight = renderResponseTemplate(preflightResponseTemplate(origins), withOrigin("https://www.example.com"), "");
        assert.equal(preflight.responseOverride.header["Access-Control-Allow-Origin"], "https://www.example.com");
        const star = renderResponseTemplate(acknowledgementTemplate(["*"]), withOrigin("https://any.example.org"), "{}");
        assert.equal(star.responseOverride.header["Access-Control-Allow-Origin"], "*");
        const throttled = renderResponseTemplate(serviceClientErrorTemplate(origins), withOrigin("https://www.example.com"), `{"__type":"ThrottlingException"}`);
        assert.equal(throttled.responseOverride.header["Access-Control-Allow-Origin"], "https://www.example.com");
    });
});
