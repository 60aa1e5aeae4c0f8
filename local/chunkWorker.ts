/**
 * A second delivery thread: the delivery worker (local/deliveryWorker.ts) hands it every other
 * chunk of a delivery (lakeWriter.ts HELPER_CHUNKS), which it reads from the write-ahead log,
 * transforms and writes (events Parquet, raw backup, processing-failed records) like the delivery
 * worker does its own chunks, without committing. It sends back counts, file names, the model days and
 * the rows cut to the window fields (in a buffer moved between the threads and used again:
 * local/windowRowsTransfer.ts); the delivery worker commits once both are done and feeds the windows,
 * which stay on its thread.
 *
 * Why: the transform is most of a delivery's CPU, and one JavaScript thread transforms fewer events
 * a second than the HTTP thread acknowledges (docs/local.md#performance).
 *
 * Requests (local/workerCalls.ts): { entries, rowsBuffer? } | { close: true }; answers: a ChunkAnswer, or nothing.
 */
import { workerData } from "worker_threads";
import type { WindowSpec } from "../dataplane/analytics/spec";
import type { TransformConfig } from "../dataplane/transform/config";
import type { ChunkHelper, ChunkOutcome, DeliveryItem } from "./lakeWriter";
import type { WalEntry } from "./wal";
import { PackedWindowRows, packWindowRows, transferablesOf, unpackWindowRows } from "./windowRowsTransfer";
import { answerInOrder, startWorker, WorkerCalls, workerLog } from "./workerCalls";

export interface ChunkWorkerInit {
    lakeDir: string;
    piiKey: string;
    transformConfig: TransformConfig | undefined;
    /** The window specs, for the fields its rows are cut to. */
    windowSpecs: WindowSpec[];
}

/** A chunk's entries, and a buffer of an earlier answer for this answer's window rows. */
type Request = { entries: WalEntry[]; rowsBuffer?: ArrayBuffer } | { close: true };
/** A ChunkOutcome as it crosses the threads: the window rows packed. */
type ChunkAnswer = Omit<ChunkOutcome, "windowRows"> & { windowRows: PackedWindowRows };

/** Buffers kept for the chunk worker's next answers: one per chunk it may have queued is plenty. */
const SPARE_BUFFERS = 4;

/** The delivery worker's handle of the chunk worker; a worker that died is started again on the next chunk. */
export class ChunkWorker implements ChunkHelper {
    private calls: WorkerCalls<Request, ChunkAnswer | undefined> | undefined;
    /** Buffers of answers already read, sent back with the next requests (windowRowsTransfer.ts). */
    private readonly spare: ArrayBuffer[] = [];

    constructor(private readonly init: ChunkWorkerInit, private readonly log: (line: string) => void) {}

    async writeChunk(items: readonly DeliveryItem[]): Promise<ChunkOutcome> {
        const entries = items.map((item) => {
            if (!item.entry) throw new Error(`chunk worker: request ${item.seq} has no write-ahead-log entry to read it from`);
            return item.entry;
        });
        const rowsBuffer = this.spare.pop();
        const answer = (await this.call({ entries, rowsBuffer }, rowsBuffer ? [rowsBuffer] : [])) as ChunkAnswer;
        const windowRows = unpackWindowRows(answer.windowRows);
        if (this.spare.length < SPARE_BUFFERS) this.spare.push(answer.windowRows.bytes);
        return { ...answer, windowRows };
    }

    async close(): Promise<void> {
        const calls = this.calls;
        if (!calls) return;
        await calls.call({ close: true }).catch(() => undefined);
        this.calls = undefined;
        await calls.worker.terminate();
    }

    private call(request: Request, transfer: ArrayBuffer[] = []): Promise<ChunkAnswer | undefined> {
        if (!this.calls || this.calls.failed) {
            const worker = startWorker(__filename, "runChunkWorker", this.init);
            this.calls = new WorkerCalls(worker, "chunk worker", this.log);
        }
        return this.calls.call(request, transfer);
    }
}

/** The chunk worker's side: entered through ChunkWorker's bootstrap. */
export function runChunkWorker(): void {
    const { createTransformer } = require("../dataplane/transform") as typeof import("../dataplane/transform");
    const { lowerThisThreadsPriority } = require("./deliveryWorker") as typeof import("./deliveryWorker");
    const { LakeWriter } = require("./lakeWriter") as typeof import("./lakeWriter");
    const { windowFieldsOf } = require("./windowFields") as typeof import("./windowFields");
    const init = workerData as ChunkWorkerInit;
    lowerThisThreadsPriority(workerLog);
    const writer = new LakeWriter(init.lakeDir, createTransformer(init.transformConfig, init.piiKey));
    const fields = windowFieldsOf(init.windowSpecs);
    // One chunk at a time: the writer reads its envelopes from the log into a buffer the next chunk reuses.
    answerInOrder<Request, ChunkAnswer | undefined>(async (request) => {
        if ("close" in request) return undefined;
        const items: DeliveryItem[] = request.entries.map((entry) => ({ seq: entry.seq, entry }));
        const outcome = await writer.writeChunk(items, fields);
        return { ...outcome, windowRows: packWindowRows(outcome.windowRows, request.rowsBuffer) };
    }, (answer) => (answer ? transferablesOf(answer.windowRows) : []));
}
