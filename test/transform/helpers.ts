/** Shared fixtures for the transform tests. */
import type { FirehoseTransformationEvent } from "aws-lambda";
import { RequestEnvelope } from "../../dataplane/envelope";
import { EVENT_COLUMNS, EventRow } from "../../dataplane/schema";
import { createTransformer, TransformConfig, Transformer } from "../../dataplane/transform";

export const KEY = "test-pseudonymization-key-0123456789";
export const RECEIVED = Date.parse("2026-11-26T16:05:00.500Z");
export const CHROME_UA = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

export function transformer(config?: TransformConfig): Transformer {
    return createTransformer(config, KEY);
}

export function envelope(path: string, body: unknown, extra: Partial<RequestEnvelope> = {}): RequestEnvelope {
    return { v: 1, receivedAt: RECEIVED, sourceIp: "203.0.113.57", userAgent: CHROME_UA, path, body, ...extra };
}

export function firehoseEvent(datas: string[], arrival = RECEIVED): FirehoseTransformationEvent {
    return {
        invocationId: "inv-1",
        deliveryStreamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/test",
        region: "us-east-1",
        records: datas.map((data, i) => ({ recordId: `rec-${i}`, approximateArrivalTimestamp: arrival, data })),
    };
}

export const b64 = (text: string): string => Buffer.from(text, "utf8").toString("base64");

export const COLUMN_NAMES = EVENT_COLUMNS.map((c) => c.name);

/** Output record data -> the JSON objects exactly as emitted (separated by "\n"; absent columns left out). */
export function rawRows(data: string | undefined): Record<string, unknown>[] {
    if (data === undefined || data === "") return [];
    return Buffer.from(data, "base64").toString("utf8").split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
}

/**
 * Output record data -> rows as Firehose's Hive JSON SerDe reads them: every EventRow column, in table
 * order, null when the JSON object leaves it out.
 */
export function decodeRows(data: string | undefined): EventRow[] {
    return rawRows(data).map((raw) => Object.fromEntries(COLUMN_NAMES.map((c) => [c, c in raw ? raw[c] : null])) as unknown as EventRow);
}
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
