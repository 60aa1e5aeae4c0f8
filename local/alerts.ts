/**
 * Where the local pipeline's anomaly alerts go: the lake's alerts table (Parquet, written by the
 * windows with the other rows of a window close), the console (a log line), and a webhook when one is
 * configured (POST of JSON `{ text, alert }`, the shape the stacks' alert Lambda posts as `{ text, alarm }`).
 *
 * Webhook delivery never blocks or crashes the pipeline: each alert is posted in the background with a
 * timeout, retried a bounded number of times with exponential back-off, and a final failure is logged
 * (the alert itself is already in the lake). `drain()` waits for the deliveries in flight (shutdown).
 */
import { checkWebhookUrl } from "../dataplane/alerts/env";

/** One flagged window metric: a row of the alerts table (timestamps ISO-8601 UTC). */
export interface AlertRow {
    alert_id: string;
    spec: string;
    metric: string;
    group_values: Record<string, string>;
    window_start: string;
    window_end: string;
    value: number;
    expected: number;
    score: number;
    direction: "up" | "down";
    detected_at: string;
}

/** The console line of an alert. */
export function alertText(a: AlertRow): string {
    const group = Object.keys(a.group_values).length ? ` ${JSON.stringify(a.group_values)}` : " (all groups)";
    return `ALERT ${a.spec}.${a.metric}${group} window ${a.window_start} - ${a.window_end}: ${round(a.value)}, expected ${round(a.expected)} (z ${a.score >= 0 ? "+" : ""}${round(a.score)}, ${a.direction})`;
}

function round(x: number): string {
    return Number.isInteger(x) ? String(x) : x.toFixed(Math.abs(x) >= 100 ? 1 : 2);
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * The webhook URL, checked: https:// like the stacks (the alert names metrics, so it travels over TLS),
 * or http:// to this machine only (a local receiver; no traffic leaves the host unencrypted).
 */
export function checkLocalWebhookUrl(url: string, where = "webhookUrl"): string {
    let parsed: URL;
    try { parsed = new URL(url); } catch { throw new Error(`${where} is not a URL (got ${JSON.stringify(url)}); pass an https:// URL, or http://127.0.0.1:<port>/... for a receiver on this machine`); }
    if (parsed.protocol === "http:" && LOOPBACK_HOSTS.has(parsed.hostname)) return url;
    if (parsed.protocol === "http:") throw new Error(`${where} uses http:// to ${parsed.hostname}; use https://, or http:// only to localhost / 127.0.0.1 / [::1]`);
    return checkWebhookUrl(url, where);
}

export interface WebhookOptions {
    url: string;
    /** Attempts per alert, the first included. Defaults to 4. */
    attempts?: number;
    /** Wait before the first retry; doubled for each further one. Defaults to 500 ms. */
    backoffMs?: number;
    /** Per-request timeout. Defaults to 5,000 ms. */
    timeoutMs?: number;
    log: (line: string) => void;
    /** Injected for tests; defaults to the global fetch. */
    fetch?: typeof fetch;
}

/** Posts alerts to a webhook in the background, with bounded retries; never throws to its caller. */
export class WebhookSink {
    private readonly inFlight = new Set<Promise<void>>();
    private readonly url: string;
    delivered = 0;
    failed = 0;

    constructor(private readonly options: WebhookOptions) {
        this.url = checkLocalWebhookUrl(options.url);
        const attempts = options.attempts ?? 4;
        if (!Number.isInteger(attempts) || attempts < 1 || attempts > 10) throw new Error(`webhook attempts must be an integer from 1 to 10, got ${attempts}`);
    }

    /** Starts delivering one alert; returns at once. */
    send(alert: AlertRow): void {
        const p = this.deliver(alert).finally(() => this.inFlight.delete(p));
        this.inFlight.add(p);
    }

    /** Waits for every delivery in flight (each ends in success or a logged failure). */
    async drain(): Promise<void> {
        while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
    }

    private async deliver(alert: AlertRow): Promise<void> {
        const attempts = this.options.attempts ?? 4;
        const doFetch = this.options.fetch ?? fetch;
        const body = JSON.stringify({ text: alertText(alert), alert });
        let lastError = "";
        for (let attempt = 1; attempt <= attempts; attempt++) {
            try {
                const res = await doFetch(this.url, {
                    method: "POST",
                    headers: { "content-type": "application/json" },
                    body,
                    signal: AbortSignal.timeout(this.options.timeoutMs ?? 5000),
                });
                await res.arrayBuffer().catch(() => undefined);
                if (res.ok) { this.delivered++; return; }
                lastError = `HTTP ${res.status}`;
            } catch (e) {
                lastError = e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
            }
            if (attempt < attempts) await new Promise((r) => setTimeout(r, (this.options.backoffMs ?? 500) * 2 ** (attempt - 1)));
        }
        this.failed++;
        this.options.log(`alerts: webhook delivery of ${alert.spec}.${alert.metric} at ${alert.window_start} failed after ${attempts} attempts (${lastError}); the alert is in the lake's alerts table`);
    }
}
