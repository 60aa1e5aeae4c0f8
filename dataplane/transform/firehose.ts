/**
 * The Firehose data-transformation contract: one output record per input recordId, result Ok (all the
 * request's rows, JSON objects separated by "\n", absent columns left out: rowText.ts), Dropped (the
 * request held zero events) or ProcessingFailed (not even a bad row could be formed, e.g. data that
 * isn't base64; Firehose then writes the original record to the error prefix). See
 * docs/record-granularity.md.
 *
 * Every result carries `data` ("" for Dropped and ProcessingFailed): the Firehose developer guide lists
 * recordId, result and data as required on every transformed record and treats a record without them
 * as a transformation failure. For failed records Firehose keeps the original data itself.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult, FirehoseTransformationResultRecord } from "aws-lambda";
import { LakeRow, lakeRowsToText } from "./rowText";

/** JSON framing of one result record besides its recordId and data: `{"recordId":"","result":"Ok","data":""},`. */
const RECORD_OVERHEAD = 48;

export type Normalize = (envelope: unknown, fallbackReceivedMs: number) => LakeRow[];

/**
 * Decodes Firehose's base64 record data, or returns undefined when it isn't strict base64. Node's decoder
 * skips characters outside the alphabet, so a decoded length short of what the text length implies means
 * the text wasn't base64: an O(1) check instead of a regex over megabytes.
 */
export function decodeBase64(data: unknown): Buffer | undefined {
    if (typeof data !== "string" || data.length % 4 !== 0) return undefined;
    const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
    const buf = Buffer.from(data, "base64");
    return buf.length === (data.length / 4) * 3 - padding ? buf : undefined;
}

export function transformFirehose(event: FirehoseTransformationEvent, normalize: Normalize, maxResponseBytes: number): FirehoseTransformationResult {
    const input = Array.isArray(event?.records) ? event.records : [];
    const records: FirehoseTransformationResultRecord[] = new Array(input.length);
    for (let i = 0; i < input.length; i++) {
        const record = input[i];
        const recordId = String(record?.recordId);
        try {
            const bytes = decodeBase64(record.data);
            if (bytes === undefined) {
                records[i] = { recordId, result: "ProcessingFailed", data: "" };
                continue;
            }
            const arrival = typeof record.approximateArrivalTimestamp === "number" ? record.approximateArrivalTimestamp : Date.now();
            const rows = normalize(bytes, arrival);
            records[i] = rows.length === 0
                ? { recordId, result: "Dropped", data: "" }
                : { recordId, result: "Ok", data: Buffer.from(lakeRowsToText(rows), "utf8").toString("base64") };
        } catch {
            // normalize never throws; this guards the contract itself (one output per recordId) regardless.
            records[i] = { recordId, result: "ProcessingFailed", data: "" };
        }
    }
    fitResponse(records, maxResponseBytes);
    return { records };
}

/**
 * Keeps the response under `maxResponseBytes` (Lambda's 6 MB synchronous limit): rows can be larger than
 * the requests they come from (every column named in every row, 64-hex pseudonyms). If the budget is
 * exceeded, the largest Ok records become ProcessingFailed, keeping the most records in the lake; Firehose
 * sends the failed ones' original data to the error prefix, from where they can be replayed.
 */
export function fitResponse(records: FirehoseTransformationResultRecord[], maxResponseBytes: number): number {
    let total = 16;
    for (const r of records) total += RECORD_OVERHEAD + r.recordId.length + (r.data?.length ?? 0);
    if (total <= maxResponseBytes) return 0;
    const bySize = records.filter((r) => r.result === "Ok").sort((a, b) => (b.data?.length ?? 0) - (a.data?.length ?? 0));
    let failed = 0;
    for (const r of bySize) {
        if (total <= maxResponseBytes) break;
        total -= r.data?.length ?? 0;
        r.result = "ProcessingFailed";
        r.data = "";
        failed++;
    }
    return failed;
}
