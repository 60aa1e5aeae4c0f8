/**
 * A second delivery thread: the delivery worker (local/deliveryWorker.ts) hands it every other chunk
 * of a delivery, which it reads from the write-ahead log, transforms and writes (events Parquet, raw
 * backup, processing-failed records) like the delivery worker does its own chunks, without
 * committing. It sends back counts, file names, the model days and the rows cut to the window fields;
 * the delivery worker commits once both are done and feeds the windows, which stay on its thread.
 *
 * Why: the transform is most of a delivery's CPU, and one JavaScript thread transforms fewer events
 * a second than the HTTP thread acknowledges (docs/local.md#performance).
 *
 * Messages delivery worker -> chunk worker: { id, entries } | { id, close: true };
 * chunk worker -> delivery worker: { id, ok, outcome? , error? } | { log }.
 */
import { parentPort, Worker, workerData } from "worker_threads";
import type { WindowSpec } from "../dataplane/analytics/spec";
import type { TransformConfig } from "../dataplane/transform/config";
import type { ChunkHelper, ChunkOutcome, DeliveryItem } from "./lakeWriter";
import type { WalEntry } from "./wal";

export interface ChunkWorkerInit {
    lakeDir: string;
    piiKey: string;
    transformConfig: TransformConfig | undefined;
    /** The window specs, for the fields its rows are cut to. */
    windowSpecs: WindowSpec[];
}

type Request = { id: number; entries: WalEntry[] } | { id: number; close: true };
type Reply = { id: number; ok: true; outcome?: ChunkOutcome } | { id: number; ok: false; error: { message: string; code?: string } } | { log: string };

/** The delivery worker's handle of the chunk worker; a worker that died is started again on the next chunk. */
export class ChunkWorker implements ChunkHelper {
    private worker: Worker | undefined;
    private nextId = 1;
    private readonly pending = new Map<number, { resolve: (o: ChunkOutcome | undefined) => void; reject: (e: Error) => void }>();

    constructor(private readonly init: ChunkWorkerInit, private readonly log: (line: string) => void) {}

    writeChunk(items: readonly DeliveryItem[]): Promise<ChunkOutcome> {
        const entries = items.map((item) => {
            if (!item.entry) throw new Error(`chunk worker: request ${item.seq} has no write-ahead-log entry to read it from`);
            return item.entry;
        });
        return this.call({ entries }) as Promise<ChunkOutcome>;
    }

    async close(): Promise<void> {
        if (!this.worker) return;
        await this.call({ close: true }).catch(() => undefined);
        const worker = this.worker;
        this.worker = undefined;
        await worker?.terminate();
    }

    private call(request: { entries: WalEntry[] } | { close: true }): Promise<ChunkOutcome | undefined> {
        const worker = (this.worker ??= this.start());
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            worker.postMessage({ id, ...request } as Request);
        });
    }

    private start(): Worker {
        const worker = new Worker(`require("tsx/cjs"); require(${JSON.stringify(__filename)}).runChunkWorker();`, { eval: true, workerData: this.init });
        worker.on("message", (reply: Reply) => {
            if ("log" in reply) return this.log(reply.log);
            const waiter = this.pending.get(reply.id);
            if (!waiter) return;
            this.pending.delete(reply.id);
            if (reply.ok) waiter.resolve(reply.outcome);
            else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
        });
        const fail = (e: Error) => {
            if (this.worker === worker) this.worker = undefined;
            for (const w of this.pending.values()) w.reject(e);
            this.pending.clear();
        };
        worker.on("error", fail);
        worker.on("exit", (code) => fail(new Error(`the chunk worker exited (code ${code})`)));
        return worker;
    }
}

/** The chunk worker's side: entered through ChunkWorker's bootstrap. */
export function runChunkWorker(): void {
    const { createTransformer } = require("../dataplane/transform") as typeof import("../dataplane/transform");
    const { lowerThisThreadsPriority } = require("./deliveryWorker") as typeof import("./deliveryWorker");
    const { LakeWriter } = require("./lakeWriter") as typeof import("./lakeWriter");
    const { WalEntryReader } = require("./wal") as typeof import("./wal");
    const { windowFieldsOf } = require("./windowFields") as typeof import("./windowFields");
    const init = workerData as ChunkWorkerInit;
    const port = parentPort!;
    const log = (line: string) => port.postMessage({ log: line } satisfies Reply);
    lowerThisThreadsPriority(log);
    const writer = new LakeWriter(init.lakeDir, createTransformer(init.transformConfig, init.piiKey));
    const fields = windowFieldsOf(init.windowSpecs);
    const wal = new WalEntryReader();
    // One chunk at a time: its envelopes are views into the reader's buffer, reused by the next read.
    let queue = Promise.resolve();
    port.on("message", (request: Request) => {
        queue = queue.then(async () => {
            try {
                if ("close" in request) return port.postMessage({ id: request.id, ok: true } satisfies Reply);
                const envelopes = wal.read(request.entries);
                const items: DeliveryItem[] = request.entries.map((entry, i) => ({ seq: entry.seq, envelope: envelopes[i] }));
                port.postMessage({ id: request.id, ok: true, outcome: await writer.writeChunk(items, fields) } satisfies Reply);
            } catch (e) {
                port.postMessage({ id: request.id, ok: false, error: { message: (e as Error).message, code: (e as NodeJS.ErrnoException).code } } satisfies Reply);
            }
        });
    });
}
