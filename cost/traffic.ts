/**
 * Traffic the model prices: the CLI's flags, checked (a bad value names the flag and the fix), and the
 * monthly volumes they imply for one record per HTTP request (the ingest endpoint's granularity).
 */
import type { Assumptions } from "./assumptions";

export interface TrafficInput {
    /** Events per second, averaged over the month. */
    eventsPerSecond: number;
    /** Events per HTTP request (tracker batching). */
    eventsPerRequest: number;
    /** Bytes of one event's JSON in the request body. */
    eventBytes: number;
    /** Athena queries per day. */
    queriesPerDay: number;
}

export interface Traffic extends TrafficInput {
    secondsPerMonth: number;
    eventsPerMonth: number;
    requestsPerSecond: number;
    requestsPerMonth: number;
    /** Request body: the events plus the batch wrapper ({"events":[...],"sentAt":...}). */
    requestBodyBytes: number;
    /** One ingest record: the request envelope around the body (what Kinesis/Firehose store). */
    recordBytes: number;
    envelopeOverheadBytes: number;
}

export const GIB = 1024 ** 3;

/** Bytes the envelope adds around a body, from a representative envelope (dataplane/envelope.ts). */
export function envelopeOverheadBytes(a: Assumptions): number {
    const envelope = {
        v: 1,
        receivedAt: 1795707000123,
        sourceIp: "203.0.113.77",
        userAgent: a.typicalUserAgent,
        path: "/v1/events",
        requestId: "c0ffee00-1234-4abc-8def-0123456789ab",
        apiKeyId: "a1b2c3d4e5",
        body: null,
    };
    return Buffer.byteLength(JSON.stringify(envelope)) - "null".length;
}

function check(flag: string, value: number, min: number, integer: boolean, fix: string): void {
    if (!Number.isFinite(value) || value < min || (integer && !Number.isInteger(value))) {
        throw new Error(`--${flag} must be ${integer ? "a whole number" : "a number"} >= ${min} (got ${JSON.stringify(value)}). Fix: ${fix}`);
    }
}

/** Checks the input and derives the monthly volumes. */
export function deriveTraffic(input: TrafficInput, a: Assumptions, hoursPerMonth: number): Traffic {
    check("events-per-second", input.eventsPerSecond, 0, false, "pass the average events per second, e.g. --events-per-second 1000 (0 prices an idle stack)");
    check("events-per-request", input.eventsPerRequest, 1, true, "pass how many events a tracker sends per request, e.g. --events-per-request 10");
    if (input.eventsPerRequest > 500) throw new Error(`--events-per-request must be at most 500, the ingest model's maxItems default (got ${input.eventsPerRequest}). Fix: --events-per-request 500 or fewer`);
    check("event-bytes", input.eventBytes, 1, true, "pass the average size of one event's JSON, e.g. --event-bytes 600");
    if (input.eventBytes > 32 * 1024) throw new Error(`--event-bytes must be at most 32768, the transform's maxEventBytes (got ${input.eventBytes}). Fix: --event-bytes 600`);
    check("queries-per-day", input.queriesPerDay, 0, false, "pass the Athena queries run per day, e.g. --queries-per-day 100");
    const secondsPerMonth = hoursPerMonth * 3600;
    const overhead = envelopeOverheadBytes(a);
    const requestBodyBytes = input.eventsPerRequest * input.eventBytes + a.batchWrapperBytes;
    const recordBytes = requestBodyBytes + overhead;
    if (recordBytes > 1_000 * 1024) {
        throw new Error(`--events-per-request x --event-bytes makes ${recordBytes}-byte records, over Firehose's 1,000 KiB record limit (the endpoint would answer 400). Fix: fewer events per request or smaller events`);
    }
    const requestsPerSecond = input.eventsPerSecond / input.eventsPerRequest;
    return {
        ...input,
        secondsPerMonth,
        eventsPerMonth: input.eventsPerSecond * secondsPerMonth,
        requestsPerSecond,
        requestsPerMonth: requestsPerSecond * secondsPerMonth,
        requestBodyBytes,
        recordBytes,
        envelopeOverheadBytes: overhead,
    };
}

/** Bytes rounded up to a multiple of `unit` (how Kinesis and Firehose bill each record). */
export function roundUp(bytes: number, unit: number): number {
    return Math.ceil(bytes / unit) * unit;
}
