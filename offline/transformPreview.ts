/**
 * What the lake would store for a file of requests, before anything is deployed: each line is one
 * request as the ingest endpoint receives it, `{ "path", "body", "sourceIp"?, "userAgent"?, "receivedAt"? }`
 * (the envelope's fields), wrapped into an envelope and run through the transform's Firehose entry
 * point exactly as the deployed Lambda runs it. Used by `clickstream transform` and by the tests.
 */
import type { FirehoseTransformationEvent } from "aws-lambda";
import { INGEST_ROUTES, RequestEnvelope } from "../dataplane/envelope";
import { describe, MAX_TIME_MS } from "../dataplane/transform/fields";
import { normalizePath } from "../dataplane/transform/normalize";
import type { Transformer } from "../dataplane/transform";

/**
 * The pseudonymization key of a preview when no key file is given: fixed and public, so previews are
 * reproducible; its pseudonyms are not the lake's (the deployed key is secret) and it must never be
 * deployed.
 */
export const PREVIEW_PII_KEY = "clickstream-PREVIEW-key-public-not-for-deployment";

const REQUEST_FIELDS = ["path", "body", "sourceIp", "userAgent", "receivedAt"];

/** One request of the input, by its 1-based line number. */
export interface PreviewRequest {
    line: number;
    envelope: RequestEnvelope;
}

/** The rows of one request, each as the lake stores it (absent columns left out), or why there are none. */
export interface PreviewResult {
    line: number;
    rows: Record<string, unknown>[];
    /** Set when the transform returned no rows: `Dropped` (no events) or `ProcessingFailed`. */
    note?: string;
}

function fix(line: number, field: string, problem: string, remedy: string): string {
    return `line ${line}: ${field}: ${problem}. Fix: ${remedy}`;
}

/**
 * Reads request lines (blank lines are skipped). Returns the valid requests and one message per bad
 * line naming the line, the field and the fix; `now` is the receive time of requests without one.
 */
export function parseRequestLines(text: string, now: number): { requests: PreviewRequest[]; errors: string[] } {
    const requests: PreviewRequest[] = [];
    const errors: string[] = [];
    text.split(/\r?\n/).forEach((raw, i) => {
        const line = i + 1;
        if (raw.trim() === "") return;
        let value: unknown;
        try {
            value = JSON.parse(raw);
        } catch (err) {
            errors.push(fix(line, "(line)", `not valid JSON (${(err as Error).message})`, "write one JSON object per line, e.g. {\"path\":\"/v1/track\",\"body\":{...}}"));
            return;
        }
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
            errors.push(fix(line, "(line)", `expected a JSON object, got ${describe(value)}`, "write one request object per line: { \"path\", \"body\", \"sourceIp\"?, \"userAgent\"?, \"receivedAt\"? }"));
            return;
        }
        const r = value as Record<string, unknown>;
        const problems: string[] = [];
        for (const key of Object.keys(r)) {
            if (!REQUEST_FIELDS.includes(key)) problems.push(fix(line, key, "unknown field", `remove it or use one of ${REQUEST_FIELDS.join(", ")}`));
        }
        const routes = Object.keys(INGEST_ROUTES);
        if (typeof r.path !== "string" || !routes.includes(normalizePath(r.path))) {
            problems.push(fix(line, "path", `expected one of ${routes.join("|")}, got ${describe(r.path)}`, "set path to the route the tracker posts to, e.g. \"/v1/batch\""));
        }
        if (r.body === undefined || r.body === null) problems.push(fix(line, "body", `expected the request body (an object, or its JSON text), got ${describe(r.body)}`, "add the body the tracker sends"));
        for (const field of ["sourceIp", "userAgent"]) {
            if (r[field] !== undefined && typeof r[field] !== "string") problems.push(fix(line, field, `expected a string, got ${describe(r[field])}`, `quote it or remove ${field}`));
        }
        let receivedAt = now;
        if (r.receivedAt !== undefined) {
            const ms = typeof r.receivedAt === "number" ? r.receivedAt : typeof r.receivedAt === "string" ? Date.parse(r.receivedAt) : NaN;
            if (Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIME_MS) receivedAt = ms;
            else problems.push(fix(line, "receivedAt", `expected epoch milliseconds or an ISO-8601 time, got ${describe(r.receivedAt)}`, "use e.g. 1764172800000 or \"2026-11-26T16:00:00Z\", or remove it for the current time"));
        }
        if (problems.length > 0) {
            errors.push(...problems);
            return;
        }
        requests.push({
            line,
            envelope: { v: 1, receivedAt, sourceIp: (r.sourceIp as string | undefined) ?? "", userAgent: (r.userAgent as string | undefined) ?? "", path: r.path as string, body: r.body },
        });
    });
    return { requests, errors };
}

/** Runs each request through the transform's Firehose entry point, one record per request. */
export function previewRows(transformer: Transformer, requests: PreviewRequest[]): PreviewResult[] {
    return requests.map(({ line, envelope }) => {
        const event: FirehoseTransformationEvent = {
            invocationId: "preview",
            deliveryStreamArn: "arn:aws:firehose:us-east-1:000000000000:deliverystream/preview",
            region: "us-east-1",
            records: [{ recordId: String(line), approximateArrivalTimestamp: envelope.receivedAt, data: Buffer.from(JSON.stringify(envelope), "utf8").toString("base64") }],
        };
        const [record] = transformer.firehose(event).records;
        if (record.result !== "Ok" || !record.data) return { line, rows: [], note: record.result === "Dropped" ? "no events in this request (Dropped)" : `the transform failed this record (${record.result})` };
        const text = Buffer.from(record.data, "base64").toString("utf8");
        return { line, rows: text.split("\n").map((row) => JSON.parse(row) as Record<string, unknown>) };
    });
}
