/**
 * The Firehose data-transformation contract: one output record per input recordId, result Ok (all the
 * request's rows, JSON objects separated by "\n", absent columns left out: rowText.ts; encoded together
 * with the other records' data: recordData.ts), Dropped (the
 * request held zero events) or ProcessingFailed (not even a bad row could be formed, e.g. data that
 * isn't base64; Firehose then writes the original record to the error prefix). See
 * docs/record-granularity.md.
 *
 * Every result carries `data` ("" for Dropped and ProcessingFailed): the Firehose developer guide lists
 * recordId, result and data as required on every transformed record and treats a record without them
 * as a transformation failure. For failed records Firehose keeps the original data itself.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult, FirehoseTransformationResultRecord } from "aws-lambda";
import { RecordDataWriter } from "./recordData";
import { LakeRow } from "./rowText";

/** JSON framing of one result record besides its recordId and data: `{"recordId":"","result":"Ok","data":""},`. */
const RECORD_OVERHEAD = 48;

export type Normalize = (envelope: unknown, fallbackReceivedMs: number) => LakeRow[];

/**
 * Decodes Firehose's base64 record data, or returns undefined when it isn't strict base64. Node's decoder
 * skips characters outside the alphabet, so a decoded length short of what the text length implies means
 * the text wasn't base64: an O(1) check instead of a regex over megabytes. The bytes are valid until the
 * next call.
 */
export function decodeBase64(data: unknown): Buffer | undefined {
    if (typeof data !== "string" || data.length % 4 !== 0) return undefined;
    const padding = data.endsWith("==") ? 2 : data.endsWith("=") ? 1 : 0;
    const expected = (data.length / 4) * 3 - padding;
    // Decoded into one reused buffer: a record is read (turned into a string) before the next is decoded,
    // and a new buffer per record would be an allocation of several kilobytes outside the V8 heap each.
    if (scratch.length < expected) scratch = Buffer.allocUnsafe(Math.max(expected, scratch.length * 2));
    const written = scratch.write(data, 0, "base64");
    return written === expected ? scratch.subarray(0, written) : undefined;
}

/** The decode buffer; valid only until the next `decodeBase64`. */
let scratch = Buffer.allocUnsafe(64 * 1024);

export function transformFirehose(event: FirehoseTransformationEvent, normalize: Normalize, maxResponseBytes: number): FirehoseTransformationResult {
    const input = Array.isArray(event?.records) ? event.records : [];
    const records: FirehoseTransformationResultRecord[] = new Array(input.length);
    let inputChars = 0;
    for (let i = 0; i < input.length; i++) inputChars += typeof input[i]?.data === "string" ? input[i].data.length : 0;
    // base64 holds 3 bytes per 4 characters; rows are up to ~1.4x their request (docs/record-granularity.md).
    const data = new RecordDataWriter(inputChars * 0.75 * 1.5);
    for (let i = 0; i < input.length; i++) {
        const record = input[i];
        const recordId = String(record?.recordId);
        let rows: LakeRow[] | undefined;
        try {
            const bytes = decodeBase64(record.data);
            if (bytes !== undefined) {
                const arrival = typeof record.approximateArrivalTimestamp === "number" ? record.approximateArrivalTimestamp : Date.now();
                rows = normalize(bytes, arrival);
            }
            if (rows !== undefined && rows.length > 0) data.addRecord(rows);
            else data.addEmpty();
        } catch {
            // normalize never throws; this guards the contract itself (one output per recordId) regardless.
            rows = undefined;
            data.addEmpty();
        }
        records[i] = { recordId, result: rows === undefined ? "ProcessingFailed" : rows.length === 0 ? "Dropped" : "Ok", data: "" };
    }
    const encoded = data.finish();
    for (let i = 0; i < records.length; i++) records[i].data = encoded[i];
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
