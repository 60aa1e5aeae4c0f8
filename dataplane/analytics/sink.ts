/**
 * Sends aggregate rows to the aggregates Firehose stream with PutRecordBatch: chunks within
 * Firehose's limits (500 records, 4 MiB per call), retries the records Firehose reports as failed,
 * and throws if any are still failing so the Lambda invocation fails and Lambda retries the window
 * (the final invoke of a tumbling window is retried until it succeeds): rows are never dropped silently.
 */
import { FirehoseClient, PutRecordBatchCommand, _Record } from "@aws-sdk/client-firehose";

export const MAX_RECORDS_PER_BATCH = 500;
export const MAX_BYTES_PER_BATCH = 4 * 1024 * 1024;
/** Firehose's record limit is 1,000 KiB before base64. */
export const MAX_RECORD_BYTES = 1000 * 1024;

export interface SinkOptions {
    /** Attempts per chunk, first included. Defaults to 4. */
    maxAttempts?: number;
    /** First retry delay in ms, doubled each retry. Defaults to 100. */
    baseDelayMs?: number;
    /** Sleep function (tests pass a fake). Defaults to setTimeout. */
    sleep?: (ms: number) => Promise<void>;
}

/** Splits newline-terminated JSON records into PutRecordBatch-sized chunks. */
export function chunkRecords(records: Uint8Array[]): Uint8Array[][] {
    const chunks: Uint8Array[][] = [];
    let current: Uint8Array[] = [];
    let bytes = 0;
    for (const r of records) {
        if (r.length > MAX_RECORD_BYTES) throw new Error(`Aggregate row of ${r.length} bytes exceeds Firehose's ${MAX_RECORD_BYTES}-byte record limit; reduce the spec's distinct metrics or group-by fields`);
        if (current.length === MAX_RECORDS_PER_BATCH || bytes + r.length > MAX_BYTES_PER_BATCH) {
            chunks.push(current);
            current = [];
            bytes = 0;
        }
        current.push(r);
        bytes += r.length;
    }
    if (current.length) chunks.push(current);
    return chunks;
}

/** A function that durably hands rows to Firehose or throws. */
export type RowSink = (rows: readonly object[]) => Promise<void>;

export function firehoseSink(client: FirehoseClient, deliveryStreamName: string, options: SinkOptions = {}): RowSink {
    const maxAttempts = options.maxAttempts ?? 4;
    const baseDelay = options.baseDelayMs ?? 100;
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    return async (rows) => {
        const encoded = rows.map((row) => Buffer.from(JSON.stringify(row) + "\n", "utf8"));
        for (const chunk of chunkRecords(encoded)) {
            let pending: _Record[] = chunk.map((Data) => ({ Data }));
            let lastError = "";
            for (let attempt = 1; pending.length > 0; attempt++) {
                if (attempt > maxAttempts) {
                    throw new Error(`Firehose ${deliveryStreamName} rejected ${pending.length} aggregate rows after ${maxAttempts} attempts (${lastError}); failing the invocation so Lambda retries the window`);
                }
                if (attempt > 1) await sleep(baseDelay * 2 ** (attempt - 2));
                try {
                    const out = await client.send(new PutRecordBatchCommand({ DeliveryStreamName: deliveryStreamName, Records: pending }));
                    if (!out.FailedPutCount) { pending = []; break; }
                    const responses = out.RequestResponses ?? [];
                    const failed = pending.filter((_, i) => responses[i]?.ErrorCode);
                    lastError = responses.find((r) => r?.ErrorCode)?.ErrorCode ?? "FailedPutCount without per-record errors";
                    // If Firehose reported failures but no per-record codes, resend everything rather than guess.
                    pending = failed.length > 0 ? failed : pending;
                } catch (err) {
                    lastError = (err as Error).name || String(err);
                }
            }
        }
    };
}
