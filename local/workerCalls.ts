/**
 * Calls from a thread to a worker thread it started (the delivery worker, the chunk worker): numbered
 * requests, answers matched by number, the worker's log lines passed through, and every call still
 * waiting rejected once the worker dies. The worker side answers one request at a time, in order.
 */
import { parentPort, Worker } from "worker_threads";

/** What a worker posts back: an answer to request `id`, or a log line. */
type Answer<T> = { id: number; ok: true; value: T } | { id: number; ok: false; error: { message: string; code?: string } } | { log: string };

/** Starts `run` of `file` (TypeScript, through tsx, as the CLI runs) in a worker thread. */
export function startWorker(file: string, run: string, workerData: unknown): Worker {
    return new Worker(`require("tsx/cjs"); require(${JSON.stringify(file)}).${run}();`, { eval: true, workerData });
}

/** The calling side. */
export class WorkerCalls<Request extends object, T> {
    private nextId = 1;
    private readonly pending = new Map<number, { resolve: (value: T) => void; reject: (e: Error) => void }>();
    /** Why the worker is gone (it died, or it was closed); calls then reject with it. */
    failed: Error | undefined;

    /** @param name the worker's name in the error of a call it died during */
    constructor(readonly worker: Worker, name: string, log: (line: string) => void) {
        worker.on("message", (answer: Answer<T>) => {
            if ("log" in answer) return log(answer.log);
            const waiter = this.pending.get(answer.id);
            if (!waiter) return;
            this.pending.delete(answer.id);
            // The errno code stays with the error: the operator message is chosen by it (ENOSPC, EACCES).
            if (answer.ok) waiter.resolve(answer.value);
            else waiter.reject(Object.assign(new Error(answer.error.message), { code: answer.error.code }));
        });
        worker.on("error", (e) => this.fail(e));
        worker.on("exit", (code) => this.fail(new Error(`the ${name} exited (code ${code})`)));
    }

    call(request: Request, transfer: ArrayBuffer[] = []): Promise<T> {
        if (this.failed) return Promise.reject(this.failed);
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
            this.pending.set(id, { resolve, reject });
            this.worker.postMessage({ id, request }, transfer);
        });
    }

    /** Marks the worker gone and rejects every call still waiting. */
    fail(e: Error): void {
        this.failed ??= e;
        for (const w of this.pending.values()) w.reject(e);
        this.pending.clear();
    }
}

/**
 * The worker's side: answers each request with `handle`'s value (or its error, with the errno code),
 * one at a time, in the order they came. `transferOf` names buffers of a value to move to the caller
 * instead of copying them.
 */
export function answerInOrder<Request, T>(handle: (request: Request) => Promise<T>, transferOf: (value: T) => ArrayBuffer[] = () => []): void {
    const port = parentPort!;
    let queue = Promise.resolve();
    port.on("message", ({ id, request }: { id: number; request: Request }) => {
        queue = queue.then(async () => {
            try {
                const value = await handle(request);
                port.postMessage({ id, ok: true, value } satisfies Answer<T>, transferOf(value));
            } catch (e) {
                port.postMessage({ id, ok: false, error: { message: (e as Error).message, code: (e as NodeJS.ErrnoException).code } } satisfies Answer<T>);
            }
        });
    });
}

/** The worker's side: posts a log line to the caller. */
export function workerLog(line: string): void {
    parentPort!.postMessage({ log: line } satisfies Answer<never>);
}
