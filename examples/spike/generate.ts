/**
 * Writes a recorded day of click-stream traffic with one spike, as request envelopes (one JSON per
 * line, the raw backup's format) for `clickstream local --replay`:
 *
 *   npx tsx examples/spike/generate.ts /tmp/spike.ndjson
 *   LAKE_DIR=/tmp/spike-lake npm start -- --replay /tmp/spike.ndjson
 *
 * 26 hours of native batches (one request a minute, ~20 events with a daily rhythm: the anomaly
 * detector learns one day before it flags anything), ending a few minutes ago so the named queries'
 * date filters see it, and a burst of 400 events in the minute 30 minutes before the end. The replay
 * should print one ALERT for events_per_minute.count at that minute (and the alerts table holds it).
 * Seeded: every run writes the same traffic, shifted to the current time.
 */
import { writeFileSync } from "fs";
import { mulberry32 } from "../../dataplane/anomaly/synthetic";
import type { RequestEnvelope } from "../../dataplane/envelope";

const MINUTE = 60_000;
const HOURS = 26;
const SPIKE_EVENTS = 400;

export function spikeTraffic(endMs: number = Date.now() - 5 * MINUTE): { envelopes: RequestEnvelope[]; spikeMinute: number } {
    const rand = mulberry32(2026);
    const minutes = HOURS * 60;
    const first = Math.floor(endMs / MINUTE) * MINUTE - minutes * MINUTE;
    const spikeMinute = first + (minutes - 30) * MINUTE;
    const envelopes: RequestEnvelope[] = [];
    for (let m = 0; m < minutes; m++) {
        const start = first + m * MINUTE;
        const rhythm = 20 + 8 * Math.sin((2 * Math.PI * (start % 86_400_000)) / 86_400_000);
        const n = start === spikeMinute ? SPIKE_EVENTS : Math.max(1, Math.round(rhythm + (rand() - 0.5) * 6));
        const events = Array.from({ length: n }, (_, i) => {
            const visitor = Math.floor(rand() * 300);
            const purchase = rand() < 0.05;
            const track = purchase || rand() < 0.5;
            return {
                eventId: `spike-demo-${m}-${i}`,
                type: track ? "track" : "page",
                name: purchase ? "purchase" : track ? "Product Viewed" : undefined,
                timestamp: new Date(start + Math.floor((i * 50_000) / n)).toISOString(),
                anonymousId: `visitor-${visitor}`,
                sessionId: `session-${visitor}-${Math.floor(m / 30)}`,
                page: { path: ["/", "/pricing", "/docs", "/cart"][visitor % 4], url: `https://shop.example.com/` },
                properties: purchase ? { price: (20 + rand() * 20).toFixed(2), user_group: visitor % 2 ? "gold" : "blue" } : undefined,
            };
        });
        envelopes.push({
            v: 1,
            receivedAt: start + 55_000,
            sourceIp: "203.0.113.10",
            userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            path: "/v1/events",
            requestId: `spike-demo-${m}`,
            body: { sentAt: new Date(start + 55_000).toISOString(), events },
        });
    }
    return { envelopes, spikeMinute };
}

if (require.main === module) {
    const out = process.argv[2];
    if (!out) {
        console.error("usage: npx tsx examples/spike/generate.ts <out.ndjson>");
        process.exitCode = 1;
    } else {
        const { envelopes, spikeMinute } = spikeTraffic();
        writeFileSync(out, envelopes.map((e) => JSON.stringify(e)).join("\n") + "\n");
        console.log(`wrote ${envelopes.length} requests to ${out}; the spike is the minute starting ${new Date(spikeMinute).toISOString()}`);
    }
}
