/**
 * The benchmark batch: a realistic 3 MB Firehose processor batch (Firehose's largest Lambda buffer),
 * native and Segment requests mixed, some carrying PII, base64 records as Firehose sends them; and the
 * baseline the transform is compared with. Deterministic (seeded), so every run and every revision
 * benchmarks the same records.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { RequestEnvelope } from "../dataplane/envelope";

const TARGET_BYTES = Number(process.env.BENCH_MB ?? 3) * 1024 * 1024;

/** The pseudonymization key the benchmarks build their transformers with (ASCII, as the generated default). */
export const BENCH_PII_KEY = "bench-key-0123456789abcdef-0123456789";

/** Deterministic PRNG (mulberry32) so every run benchmarks the same batch. */
function prng(seed: number): () => number {
    let a = seed;
    return () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
/** The generator; `buildBatch` restarts it from its seed, so every call builds the same batch. */
const SEED = 42;
let rand = prng(SEED);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const hex = (n: number): string => Array.from({ length: n }, () => "0123456789abcdef"[int(0, 15)]).join("");
const uuid = (): string => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;

const USER_AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "analytics-node-next/latest",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
];
const PAGES = ["/", "/pricing", "/docs/getting-started", "/blog/clickstreams-on-aws", "/signup", "/cart", "/checkout", "/products/42"];
const EVENTS = ["Product Viewed", "Product Added", "Checkout Started", "Order Completed", "Signed Up", "Video Played", "Search Performed"];
const makeUsers = () => Array.from({ length: 400 }, (_, i) => ({ anon: uuid(), user: i % 3 === 0 ? `user-${100000 + i}` : undefined, email: `person${i}@example.com` }));
let users = makeUsers();

function pageFields(): { url: string; path: string; referrer: string; title: string } {
    const path = pick(PAGES);
    const pii = rand() < 0.05;
    return {
        path,
        url: `https://shop.example.com${path}?utm_source=${pick(["google", "newsletter", "twitter"])}&utm_medium=cpc${pii ? `&email=${encodeURIComponent(pick(users).email)}` : ""}`,
        referrer: pick(["https://www.google.com/", "https://news.ycombinator.com/", "", "https://shop.example.com/"]),
        title: pii ? `Order for ${pick(users).email}, call +1 555 ${int(100, 999)} ${int(1000, 9999)}` : `Shop - ${path}`,
    };
}

function properties(): Record<string, unknown> {
    const p: Record<string, unknown> = { product_id: `sku-${int(1, 5000)}`, price: int(100, 99999) / 100, currency: "EUR", quantity: int(1, 5) };
    if (rand() < 0.3) p.products = Array.from({ length: int(1, 4) }, () => ({ sku: `sku-${int(1, 5000)}`, price: int(100, 9999) / 100, category: pick(["shoes", "books", "toys"]) }));
    if (rand() < 0.1) p.email = pick(users).email;
    if (rand() < 0.05) p.note = `call me on +44 20 7946 ${int(1000, 9999)}`;
    return p;
}

export function nativeEvent(at: number): Record<string, unknown> {
    const u = pick(users);
    const type = rand() < 0.6 ? "track" : rand() < 0.9 ? "page" : "identify";
    return {
        eventId: rand() < 0.9 ? uuid() : undefined,
        type,
        name: type === "track" ? pick(EVENTS) : undefined,
        timestamp: new Date(at - int(0, 5000)).toISOString(),
        anonymousId: u.anon,
        userId: u.user,
        sessionId: `s-${hex(10)}`,
        appId: "web-shop",
        page: type === "identify" ? undefined : pageFields(),
        properties: type === "identify" ? undefined : properties(),
        traits: type === "identify" ? { email: u.email, firstName: "Ada", plan: "pro" } : undefined,
        context: { locale: "en-GB", timezone: "Europe/London", screen: { width: 1920, height: 1080 } },
    };
}

function segmentMessage(at: number, type: string, withContext: boolean): Record<string, unknown> {
    const u = pick(users);
    const msg: Record<string, unknown> = {
        type,
        messageId: `ajs-next-${hex(32)}`,
        timestamp: new Date(at - int(0, 5000)).toISOString(),
        anonymousId: u.anon,
        userId: u.user ?? null,
    };
    if (type === "track") { msg.event = pick(EVENTS); msg.properties = properties(); }
    if (type === "page") { msg.name = "Shop"; msg.properties = pageFields(); }
    if (type === "identify") msg.traits = { email: u.email, phone: `+1 555 ${int(100, 999)} ${int(1000, 9999)}`, name: "Ada Lovelace", plan: "pro" };
    if (withContext) {
        msg.context = {
            library: { name: "analytics.js", version: "npm:next-1.70.0" },
            userAgent: pick(USER_AGENTS),
            ip: `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`,
            locale: "en-US",
            page: pageFields(),
            campaign: { source: "newsletter", medium: "email", name: "black-friday" },
        };
    }
    msg.integrations = {};
    return msg;
}

function envelope(at: number): RequestEnvelope {
    const base = { v: 1 as const, receivedAt: at, sourceIp: `${int(1, 223)}.${int(0, 255)}.${int(0, 255)}.${int(1, 254)}`, userAgent: pick(USER_AGENTS), requestId: uuid() };
    const r = rand();
    if (r < 0.45) return { ...base, path: "/v1/events", body: { sentAt: new Date(at - 300).toISOString(), events: Array.from({ length: int(1, 20) }, () => nativeEvent(at)) } };
    if (r < 0.8) {
        return {
            ...base,
            path: "/v1/batch",
            body: {
                sentAt: new Date(at - 200).toISOString(),
                context: { library: { name: "analytics-node", version: "2.1.0" } },
                batch: Array.from({ length: int(1, 20) }, () => segmentMessage(at, pick(["track", "track", "page", "identify"]), true)),
            },
        };
    }
    const type = pick(["track", "page", "identify"]);
    return { ...base, path: `/v1/${type}`, body: { ...segmentMessage(at, type, true), sentAt: new Date(at - 100).toISOString() } };
}

/**
 * The batch: envelopes until `targetBytes` of JSON (BENCH_MB, default 3 MB). Every call returns the same
 * records (the generator restarts from its seed; a smaller target gives a prefix of a larger one).
 */
export function buildBatch(targetBytes = TARGET_BYTES): { event: FirehoseTransformationEvent; events: number; bytes: number } {
    rand = prng(SEED);
    users = makeUsers();
    const records: FirehoseTransformationEvent["records"] = [];
    let bytes = 0;
    let events = 0;
    let at = Date.parse("2026-11-26T16:00:00.000Z");
    while (bytes < targetBytes) {
        at += int(1, 50);
        const env = envelope(at);
        const text = JSON.stringify(env);
        const body = env.body as { events?: unknown[]; batch?: unknown[] };
        events += body.events?.length ?? body.batch?.length ?? 1;
        bytes += Buffer.byteLength(text);
        records.push({ recordId: `${records.length}`.padStart(56, "0"), approximateArrivalTimestamp: at, data: Buffer.from(text).toString("base64") });
    }
    return { event: { invocationId: uuid(), deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/bench", region: "us-east-1", records }, events, bytes };
}

/** The floor any transform pays: decode, parse, serialize, encode; nothing else. */
export function baseline(event: FirehoseTransformationEvent): FirehoseTransformationResult {
    return {
        records: event.records.map((r) => ({
            recordId: r.recordId,
            result: "Ok" as const,
            data: Buffer.from(JSON.stringify(JSON.parse(Buffer.from(r.data, "base64").toString("utf8"))), "utf8").toString("base64"),
        })),
    };
}
