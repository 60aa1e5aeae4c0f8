/**
 * Pins the transform's output bytes: the benchmark batch (bench/transformBatch.ts, 502 records), the
 * realistic-traffic corpus and a set of bad inputs, under the default config and under configs that
 * take the other paths (pseudonymized and dropped columns and keys, custom patterns, no IP truncation),
 * are compared with digests of the output of the transform before the performance work of issue 10
 * (fixtures/golden-output.json, generated from main at 23fb74e). A speed-up must not change a byte.
 *
 * When an output change is intended, regenerate with `UPDATE_GOLDEN=1 npx mocha test/transform/golden.test.ts`
 * and say why in the commit.
 */
import { strict as assert } from "assert";
import type { FirehoseTransformationEvent } from "aws-lambda";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BENCH_PII_KEY, buildBatch } from "../../bench/transformBatch";
import { createTransformer, rowsToText, TransformConfig } from "../../dataplane/transform";
import { b64, envelope, firehoseEvent, RECEIVED } from "./helpers";

const GOLDEN = path.join(__dirname, "fixtures", "golden-output.json");
const FIXTURES = path.join(__dirname, "fixtures");

/** Digest of one output (16 hex digits: a changed byte shows, the file stays small). */
const digest = (text: string): string => createHash("sha256").update(text).digest("hex").slice(0, 16);

/** Configs whose paths differ: the default, every column/key rule, custom patterns (ungated), raw IPs. */
const CONFIGS: Record<string, TransformConfig | undefined> = {
    default: undefined,
    rules: {
        pii: {
            pseudonymize: ["user_id", "page_title", "ip_truncated"],
            drop: ["page_referrer"],
            pseudonymizeKeyPatterns: ["^sku$", "name"],
            dropKeyPatterns: ["^note$", "phone"],
            dropUrlParamPatterns: ["^utm_"],
        },
        badPayloadMaxChars: 300,
    },
    patterns: { pii: { redactPatterns: ["ORD-\\d+", "Ada"], truncateIp: false, redactPhones: false }, maxEventsPerRequest: 5, maxEventBytes: 900 },
};

/** Requests that end as bad rows or failed records, and the corner cases of the envelope. */
function badInputs(): string[] {
    const events = (list: unknown[]) => JSON.stringify(envelope("/v1/events", { sentAt: "2026-11-26T16:05:00.000Z", events: list }));
    return [
        b64("not json at all"),
        b64("[1,2,3]"),
        "not base64!",
        b64(JSON.stringify({ v: 2, receivedAt: RECEIVED, path: "/v1/events", body: {} })),
        b64(JSON.stringify(envelope("/v2/nothing", {}))),
        b64(JSON.stringify(envelope("/v1/events", "{broken json"))),
        b64(JSON.stringify(envelope("/v1/events", JSON.stringify({ events: [{ type: "track", name: "As text", anonymousId: "a-1" }] })))),
        b64(JSON.stringify(envelope("/v1/events", { events: "nope" }))),
        b64(JSON.stringify(envelope("/v1/events", { events: [] }))),
        b64(events([{ type: "nope" }, { type: "track" }, { type: "track", name: "x", anonymousId: "a", timestamp: "yesterday" }, 42, null])),
        b64(events([{ type: "track", name: "Mail jo@example.com", anonymousId: "a", userId: "u-1", properties: { email: "jo@example.com", phone: "+44 20 7946 0958", card: "4111 1111 1111 1111" } }])),
        b64(events(Array.from({ length: 8 }, (_, i) => ({ type: "track", name: `e${i}`, anonymousId: `a${i}`, properties: { blob: "x".repeat(i * 150), email: `p${i}@example.com` } })))),
        b64(JSON.stringify(envelope("/v1/events?x=1", { sentAt: "2026-11-26T16:10:00.000Z", events: [{ type: "page", anonymousId: "a", timestamp: "2026-11-26T16:00:00.000Z", page: { url: "https://h.example/p?email=jo%40example.com&token=abc#x" } }] }, { sourceIp: "2001:db8:85a3::8a2e:370:7334", userAgent: "curl/8.4.0" }))),
        b64(JSON.stringify({ batch: [{ type: "track", event: "Bare", anonymousId: "b", context: { ip: "198.51.100.7" } }] })),
        b64(JSON.stringify(envelope("/v1/identify", { type: "identify", userId: "u-9", traits: { email: "u9@example.com", iban: "DE89370400440532013000" }, context: { ip: "not-an-ip", page: { url: "https://h.example/?card=4111111111111111" } } }))),
    ];
}

/** The realistic-traffic corpus as Firehose record data (an envelope per line). */
function corpusInputs(): string[] {
    return fs.readFileSync(path.join(FIXTURES, "real-traffic.ndjson"), "utf8").split("\n").filter((l) => l.trim() !== "").map((line) => b64(JSON.stringify({ v: 1, ...JSON.parse(line) })));
}

/** Every output as `<config> <input set> <index>` -> digest of result + data (+ the in-process rows for the small sets). */
function outputs(): Record<string, string> {
    const out: Record<string, string> = {};
    const sets: [string, FirehoseTransformationEvent][] = [["bench", buildBatch(3 * 1024 * 1024).event], ["corpus", firehoseEvent(corpusInputs())], ["bad", firehoseEvent(badInputs())]];
    const realNow = Date.now;
    Date.now = () => RECEIVED + 1234; // the fallback receive time of records without one
    try {
        for (const [configName, config] of Object.entries(CONFIGS)) {
            for (const [setName, event] of sets) {
                const result = createTransformer(config, BENCH_PII_KEY).firehose(event);
                result.records.forEach((r, i) => (out[`${configName} ${setName} ${i}`] = digest(`${r.recordId}\0${r.result}\0${r.data}`)));
                if (setName === "bench") continue;
                // In-process paths (the local pipeline, the analytics window): EventRow objects, and their text
                // with absent columns left out (rowsToText, as an array: the digests were taken when a
                // second normalize of the record gave that array text and the rows again).
                const t = createTransformer(config, BENCH_PII_KEY);
                event.records.forEach((r, i) => {
                    const text = Buffer.from(r.data, "base64").toString("utf8");
                    const rows = t.normalize(text);
                    const again = t.normalize(text);
                    const arrayText = `[${again.length === 0 ? "" : rowsToText(again).split("\n").join(",")}]`;
                    out[`${configName} ${setName} ${i} normalize`] = digest(`${JSON.stringify(rows)}\0${arrayText}\0${JSON.stringify(again)}`);
                });
            }
        }
    } finally {
        Date.now = realNow;
    }
    return out;
}

describe("transform: output pinned to the pre-optimization transform (issue 10)", () => {
    it("emits the same bytes for the bench batch, the real-traffic corpus and bad inputs, under three configs", function () {
        this.timeout(120_000);
        const actual = outputs();
        if (process.env.UPDATE_GOLDEN === "1") fs.writeFileSync(GOLDEN, `${JSON.stringify(actual, null, 0).replace(/","/g, '",\n"')}\n`);
        const expected = JSON.parse(fs.readFileSync(GOLDEN, "utf8")) as Record<string, string>;
        assert.deepEqual(Object.keys(actual), Object.keys(expected), "the same outputs");
        const changed = Object.keys(expected).filter((k) => actual[k] !== expected[k]);
        assert.deepEqual(changed, [], `${changed.length} of ${Object.keys(expected).length} outputs differ from the pinned ones`);
        // The pinned set is varied: bad rows, failed and dropped records, and the bench batch itself.
        assert.ok(Object.keys(expected).length > 3 * 502);
    });
});
