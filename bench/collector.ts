/**
 * CPU per request of the function URL collector (dataplane/handlers/functionUrlCollector.ts), bundled
 * as deployed, with the real AWS SDK client (serializing, SigV4 signing, parsing the answer) and only
 * its HTTP handler stubbed to answer at once: what the cost model prices as the collector's own work
 * (cost/assumptions.json collectorBench). The wait for Kinesis is not measured here (no AWS account);
 * the model adds it as a stated figure.
 *
 * Each request: a 10-event native batch of ~450-byte events (the cost target's traffic), a Bearer
 * write key, CORS origin; the handler parses, validates, checks the key, builds the envelope and calls
 * PutRecords. Prints the machine, the first (cold) request's CPU, and the median CPU per request over
 * BENCH_ROUNDS rounds of BENCH_REQUESTS requests.
 *
 *   npm run bench:collector            (BENCH_ROUNDS=15 BENCH_REQUESTS=2000 are the defaults)
 */
import { Readable } from "stream";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { handlerPath } from "../components/lambda/bundle";
import { ENV_WRITE_KEY_HASHES, writeKeyHash } from "../dataplane/auth/writeKey";
import type { FunctionUrlEvent, FunctionUrlResult } from "../dataplane/ingest/collector";
import { loadBundledModule } from "./loadTransform";
import { machineLine, median } from "./timing";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const KEY = "bench-write-key-0123456789abcdef";

/** A ~450-byte track event (Segment-like fields, a page context). */
function event(i: number): Record<string, unknown> {
    return {
        type: "track",
        event: "Product Viewed",
        anonymousId: `anon-${(i % 997).toString().padStart(6, "0")}-5f0c-4f5e-9c1a`,
        messageId: `msg-${i.toString().padStart(10, "0")}-a1b2c3d4`,
        timestamp: "2026-11-30T10:15:30.123Z",
        properties: { product_id: `sku-${i % 500}`, category: "shoes", price: 89.9, currency: "EUR", position: i % 24 },
        context: { page: { path: "/products/running/trail-runner-3", referrer: "https://www.example.com/search?q=trail", title: "Trail Runner 3" }, locale: "de-DE" },
    };
}

function request(i: number): FunctionUrlEvent {
    const events = Array.from({ length: 10 }, (_, k) => event(i * 10 + k));
    return {
        rawPath: "/v1/events",
        headers: { "content-type": "application/json", authorization: `Bearer ${KEY}`, origin: "https://www.example.com" },
        body: JSON.stringify({ events, sentAt: 1795707000123 }),
        isBase64Encoded: false,
        requestContext: { requestId: `req-${i}`, timeEpoch: 1795707000123, http: { method: "POST", path: "/v1/events", sourceIp: "203.0.113.77", userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Chrome/131.0.0.0 Safari/537.36" } },
    };
}

async function main(): Promise<void> {
    process.env.CLICKSTREAM_STREAM_NAME = "bench-stream";
    process.env.CLICKSTREAM_AUTH = "write-keys";
    process.env.CLICKSTREAM_CORS_ORIGINS = JSON.stringify(["https://www.example.com"]);
    process.env[ENV_WRITE_KEY_HASHES] = JSON.stringify({ [writeKeyHash(KEY)]: "web" });
    process.env.AWS_REGION = "us-east-1";
    process.env.AWS_ACCESS_KEY_ID = "AKIABENCHMARKONLY000";
    process.env.AWS_SECRET_ACCESS_KEY = "bench-secret-never-sent-anywhere";
    // Kinesis "answers" at once, from inside the SDK's HTTP handler: nothing leaves the process, and
    // everything the client does before and after the network (middleware, signing, parsing) is measured.
    let puts = 0;
    const answer = JSON.stringify({ FailedRecordCount: 0, Records: [{ SequenceNumber: "49590338271490256608559692538361571095921575989136588898", ShardId: "shardId-000000000000" }] });
    const stubHandler = {
        handle: async () => {
            puts++;
            return { response: { statusCode: 200, headers: { "content-type": "application/x-amz-json-1.1" }, body: Readable.from([Buffer.from(answer)]) } };
        },
        updateHttpClientConfig: () => undefined,
        httpHandlerConfigs: () => ({}),
    };
    type Sendable = { config: { requestHandler: unknown }; stubbed?: boolean };
    const proto = KinesisClient.prototype as unknown as { send: (this: Sendable, ...args: unknown[]) => Promise<unknown> };
    const send = proto.send;
    proto.send = function (this: Sendable, ...args: unknown[]) {
        if (!this.stubbed) {
            this.config.requestHandler = stubHandler;
            this.stubbed = true;
        }
        return send.apply(this, args);
    };
    const { handler } = loadBundledModule(handlerPath("functionUrlCollector")) as { handler: (e: FunctionUrlEvent) => Promise<FunctionUrlResult> };
    const requests = Array.from({ length: REQUESTS }, (_, i) => request(i));
    const bodyBytes = Buffer.byteLength(requests[0].body!);

    console.log(machineLine());
    console.log(`collector: esbuild bundle, as deployed; ${REQUESTS} requests per round, ${bodyBytes}-byte bodies of 10 events; the SDK's HTTP handler stubbed`);
    const cold0 = process.cpuUsage();
    const first = await handler(requests[0]);
    const cold = process.cpuUsage(cold0);
    if (first.statusCode !== 200) throw new Error(`collector answered ${first.statusCode}: ${first.body}`);
    console.log(`first request (compiles the request models, builds the client): ${((cold.user + cold.system) / 1000).toFixed(1)} ms CPU`);
    for (let i = 0; i < REQUESTS; i++) await handler(requests[i]); // warm-up round
    const perRequestUs: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
        const cpu0 = process.cpuUsage();
        for (let i = 0; i < REQUESTS; i++) {
            const res = await handler(requests[i]);
            if (res.statusCode !== 200) throw new Error(`collector answered ${res.statusCode}`);
        }
        const cpu = process.cpuUsage(cpu0);
        perRequestUs.push((cpu.user + cpu.system) / REQUESTS);
    }
    const sorted = [...perRequestUs].sort((a, b) => a - b);
    console.log(`CPU per request: median ${median(perRequestUs).toFixed(1)} µs, min ${sorted[0].toFixed(1)}, max ${sorted[sorted.length - 1].toFixed(1)} (${ROUNDS} rounds, ${puts} PutRecords calls)`);
    console.log(`cpuMicrosPerRequest=${median(perRequestUs).toFixed(1)}`);
}

main().catch((err) => {
    console.error(err);
    process.exitCode = 1;
});
