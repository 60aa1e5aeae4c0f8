/**
 * The lake side of the local pipeline in a worker thread: transform, events Parquet, commit, and the
 * windows (with a chunk worker, local/chunkWorker.ts, for part of each delivery). The main thread keeps
 * the HTTP server and the write-ahead log, so acknowledgements are not held up by a delivery's CPU work.
 *
 * Requests (local/workerCalls.ts): { op: "deliver", packed } | { op: "advance", watermarkMs } |
 * { op: "close" }; answers: { result?, windows? }.
 */
import * as os from "os";
import { workerData } from "worker_threads";
import type { WindowSpec } from "../dataplane/analytics/spec";
import type { TransformConfig } from "../dataplane/transform/config";
import type { DeliveryItem, DeliveryResult } from "./lakeWriter";
import type { WalEntry } from "./wal";
import { answerInOrder, startWorker, WorkerCalls, workerLog } from "./workerCalls";

export interface DeliveryWorkerInit {
    lakeDir: string;
    piiKey: string;
    transformConfig: TransformConfig | undefined;
    windowSpecs: WindowSpec[];
    alertWebhookUrl: string | undefined;
    /** Transform and write every other chunk of a delivery on a second thread (local/chunkWorker.ts). */
    chunkThread: boolean;
}

export type WindowStats = { openWindows: number; aggregatesWritten: number; alerts: number };

/** A buffered request on the main thread: where its envelope is in the write-ahead log, and its arrival time. */
export interface OutgoingRequest extends WalEntry {
    arrivalMs: number | undefined;
    /** When it entered the buffer (Date.now()): the buffer interval runs from here. */
    bufferedAt: number;
}

/**
 * A delivery's log entries packed into transferable arrays (posting thousands of objects costs more).
 * The worker reads the envelopes from the log itself: the HTTP thread neither keeps the request
 * bodies until their delivery nor copies them (a fresh multi-megabyte transfer buffer per delivery
 * faulted in every page, at ~17 us a page on this kind of VM).
 */
interface PackedItems {
    seqs: Float64Array;
    offsets: Float64Array;
    lengths: Uint32Array;
    /** Index into `files` of each entry's segment. */
    fileIndex: Uint32Array;
    files: string[];
}

type Request = { op: "deliver"; packed: PackedItems } | { op: "advance"; watermarkMs: number } | { op: "close" };
type Done = { result?: DeliveryResult; windows?: WindowStats };

/** Main-thread handle of the worker. */
export class DeliveryWorker {
    private windowStats: WindowStats | undefined;

    private constructor(private readonly calls: WorkerCalls<Request, Done>) {}

    /** Starts the worker and waits until it is ready. */
    static async start(init: DeliveryWorkerInit, log: (line: string) => void): Promise<DeliveryWorker> {
        const handle = new DeliveryWorker(new WorkerCalls(startWorker(__filename, "runDeliveryWorker", init), "delivery worker", log));
        await handle.call({ op: "advance", watermarkMs: 0 });
        return handle;
    }

    private async call(request: Request, transfer: ArrayBuffer[] = []): Promise<Done> {
        const done = await this.calls.call(request, transfer);
        if (done.windows) this.windowStats = done.windows;
        return done;
    }

    async deliver(items: readonly OutgoingRequest[]): Promise<DeliveryResult> {
        const seqs = new Float64Array(items.length);
        const offsets = new Float64Array(items.length);
        const lengths = new Uint32Array(items.length);
        const fileIndex = new Uint32Array(items.length);
        const files: string[] = [];
        for (let i = 0; i < items.length; i++) {
            seqs[i] = items[i].seq;
            offsets[i] = items[i].offset;
            lengths[i] = items[i].length;
            if (files.length === 0 || files[files.length - 1] !== items[i].file) files.push(items[i].file);
            fileIndex[i] = files.length - 1;
        }
        const packed: PackedItems = { seqs, offsets, lengths, fileIndex, files };
        return (await this.call({ op: "deliver", packed }, [seqs.buffer, offsets.buffer, lengths.buffer, fileIndex.buffer] as ArrayBuffer[])).result!;
    }

    async advance(watermarkMs: number): Promise<void> {
        await this.call({ op: "advance", watermarkMs });
    }

    /** Closes the windows (flushing them) and the database, then ends the worker. */
    async close(): Promise<void> {
        if (!this.calls.failed) await this.call({ op: "close" });
        this.calls.fail(new Error("the delivery worker is closed"));
        await this.calls.worker.terminate();
    }

    windows(): WindowStats | undefined {
        return this.windowStats;
    }
}

/**
 * Nice value of the delivery threads: below the HTTP thread's, which is what waits with a client on
 * the line. 5, not 10: at 10 the deliveries fell behind the acknowledgements under load (39% of the
 * acknowledged events in Parquet when a 12 s load stopped, against 55-63% at 5) for no better
 * acknowledgement latency (p99 24-33 ms either way; bench:local, 2026-11-30, AMD EPYC x2).
 */
export const DELIVERY_THREAD_NICE = 5;

/**
 * Lowers the calling thread's scheduling priority (Linux: setpriority on pid 0 applies to the calling
 * thread only, so the HTTP thread keeps its priority). On a busy machine the delivery's CPU bursts
 * then yield to acknowledgements instead of delaying them by a time slice; when the machine is idle
 * the delivery still gets every cycle the server does not use. Elsewhere (where it would renice the
 * whole process) it is skipped.
 */
export function lowerThisThreadsPriority(log: (line: string) => void): void {
    if (process.platform !== "linux") return;
    try {
        os.setPriority(DELIVERY_THREAD_NICE);
    } catch (e) {
        log(`delivery worker: could not lower its priority (${(e as Error).message}); acknowledgements may wait behind deliveries on a busy machine`);
    }
}

/** The worker's side: entered through `DeliveryWorker.start`'s bootstrap. */
export async function runDeliveryWorker(): Promise<void> {
    const { createTransformer } = require("../dataplane/transform") as typeof import("../dataplane/transform");
    const { openDuckDb } = require("./duckdb") as typeof import("./duckdb");
    const { ChunkWorker } = require("./chunkWorker") as typeof import("./chunkWorker");
    const { LakeWriter } = require("./lakeWriter") as typeof import("./lakeWriter");
    const { LocalWindows } = require("./windows") as typeof import("./windows");
    const init = workerData as DeliveryWorkerInit;
    const log = workerLog;
    lowerThisThreadsPriority(log);
    // One DuckDB thread for the windows' files: the other core stays with the server.
    const windowsDb = init.windowSpecs.length > 0 ? await openDuckDb() : undefined;
    if (windowsDb) await windowsDb.run("SET threads = 1");
    const windows = windowsDb ? new LocalWindows({ lakeDir: init.lakeDir, specs: init.windowSpecs, db: windowsDb, webhookUrl: init.alertWebhookUrl, log }) : undefined;
    // With more than one core, every other chunk of a delivery is transformed and written on a second thread.
    const helper = init.chunkThread ? new ChunkWorker({ lakeDir: init.lakeDir, piiKey: init.piiKey, transformConfig: init.transformConfig, windowSpecs: init.windowSpecs }, log) : undefined;
    const writer = new LakeWriter(init.lakeDir, createTransformer(init.transformConfig, init.piiKey), windows ? (rows, arrivalMs) => windows.addRows(rows, arrivalMs) : undefined, helper);
    // Requests run one at a time, in order (the pipeline sends one at a time anyway).
    answerInOrder<Request, Done>(async (request) => {
        let result: DeliveryResult | undefined;
        if (request.op === "deliver") {
            const { seqs, offsets, lengths, fileIndex, files } = request.packed;
            // Where each envelope is in the log: each thread reads only its own chunks from there.
            const items: DeliveryItem[] = new Array(seqs.length);
            for (let i = 0; i < seqs.length; i++) items[i] = { seq: seqs[i], entry: { seq: seqs[i], file: files[fileIndex[i]], offset: offsets[i], length: lengths[i] } };
            result = await writer.deliver(items);
        } else if (request.op === "advance") {
            if (request.watermarkMs > 0) await windows?.advance(request.watermarkMs);
        } else {
            await windows?.close();
            await helper?.close();
            await windowsDb?.close();
        }
        return { result, windows: windows?.stats() };
    });
}
