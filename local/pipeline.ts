/**
 * The local pipeline's wiring: HTTP server -> write-ahead log (ack after fsync) -> Firehose-like
 * buffer (size or interval) -> transform -> Parquet lake (LakeWriter) -> windows and alerts.
 *
 * The delivery side (transform, Parquet, commit, windows) runs in a worker thread
 * (local/deliveryWorker.ts): acknowledgements do not wait behind a delivery's CPU work.
 *
 * Start-up order makes restarts exactly-once: undo interrupted deliveries (recoverLake), open the
 * log from the commit marker, put what it still holds back in the buffer, then accept requests.
 */
import { randomBytes } from "crypto";
import { constants as fsc, promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import { resolveTransformConfig } from "../dataplane/transform/resolve";
import type { LocalConfig } from "./config";
import { DashboardRoutes, dashboardRoutes } from "./dashboard/routes";
import { DeliveryWorker, OutgoingRequest } from "./deliveryWorker";
import { EnvelopeBytes, envelopeBuffer } from "./envelopeBytes";
import { DeliveryResult, envelopeArrivalMs, recoverLake } from "./lakeWriter";
import { acquireLakeLock } from "./lakeLock";
import { ModelScheduler, ModelSchedulerStats } from "./modelScheduler";
import { localModelConfig } from "./models";
import { IngestServer, startIngestServer, StoreThrottledError, StoreUnavailableError } from "./server";
import { WalEntry, WriteAheadLog } from "./wal";

export interface PipelineOptions {
    config: LocalConfig;
    log: (line: string) => void;
    /** Serve HTTP (false for --replay). Defaults to true. */
    listen?: boolean;
    /** Run the config's window specs (local/windows.ts, in the delivery worker). Defaults to true. */
    windows?: boolean;
    /** Event-time watermark for the windows: "clock" (live) or "data" (replay: the latest arrival delivered). Defaults to "clock". */
    watermark?: "clock" | "data";
    /** Run the modeled tables as event-time days close (local/modelScheduler.ts). Defaults to true. */
    models?: boolean;
}

export interface PipelineStats {
    requests: number;
    bufferedRequests: number;
    bufferedBytes: number;
    rows: number;
    badRows: number;
    processingFailed: number;
    deliveries: number;
    replayedOnStart: number;
    windows?: { openWindows: number; aggregatesWritten: number; alerts: number };
    models?: ModelSchedulerStats;
    lakeError?: string;
}

/** The pseudonymization key file inside LAKE_DIR. */
export const PII_KEY_FILE = "pii-key";

/** Reads LAKE_DIR/pii-key, creating it once (32 random bytes, hex, owner-only) when absent. */
export async function ensurePiiKey(lakeDir: string, log: (line: string) => void): Promise<string> {
    const file = path.join(lakeDir, PII_KEY_FILE);
    try {
        const handle = await fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL, 0o600);
        try {
            await handle.writeFile(randomBytes(32).toString("hex") + "\n");
            await handle.sync();
        } finally {
            await handle.close();
        }
        log(`generated the pseudonymization key ${file} (mode 0600); keep it: pseudonyms change with it`);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "EEXIST") throw e;
    }
    const stat = await fsp.stat(file);
    if ((stat.mode & 0o077) !== 0) {
        await fsp.chmod(file, 0o600);
        log(`${file} was readable by others (mode ${(stat.mode & 0o777).toString(8)}); set it to 0600`);
    }
    const key = (await fsp.readFile(file, "utf8")).trim();
    if (key.length < 32) throw new Error(`${file} holds ${key.length} characters; the key needs 16+ bytes. Fix: delete it to generate a new one (pseudonyms will change)`);
    return key;
}

/** Describes an I/O error on LAKE_DIR with the fix. */
export function describeLakeError(lakeDir: string, e: unknown): string {
    const code = (e as NodeJS.ErrnoException).code;
    const what = code === "ENOSPC" ? "the disk is full" : code === "EACCES" || code === "EPERM" ? "it is not writable" : code === "EROFS" ? "its file system is read-only" : (e as Error).message;
    return `cannot write to LAKE_DIR ${lakeDir}: ${what}${code ? ` (${code})` : ""}. Fix: free space or fix permissions; requests get 503 until it is writable, nothing acknowledged is lost`;
}

export class LocalPipeline {
    private buffer: OutgoingRequest[] = [];
    private bufferedBytes = 0;
    private delivering: Promise<void> | undefined;
    private timer: NodeJS.Timeout | undefined;
    private stopping = false;
    private lakeError: string | undefined;
    private retryAt = 0;
    private retryTake: number | undefined;
    private latestArrival = 0;
    private counters = { requests: 0, rows: 0, badRows: 0, processingFailed: 0, deliveries: 0, replayedOnStart: 0 };
    server: IngestServer | undefined;
    /** Releases LAKE_DIR/local.lock (local/lakeLock.ts) at stop. */
    private releaseLock: () => Promise<void> = async () => undefined;
    /** Runs the modeled tables in event time; undefined when PipelineOptions.models is false. */
    private models: ModelScheduler | undefined;
    /** The dashboard's routes (local/dashboard), created on the first GET that is not /healthz. */
    dashboard: DashboardRoutes | undefined;

    private constructor(
        readonly config: LocalConfig,
        private readonly log: (line: string) => void,
        private readonly wal: WriteAheadLog,
        private readonly sink: DeliveryWorker,
        private readonly windows: boolean,
        private readonly watermark: "clock" | "data",
        /** Most bytes buffered before requests get 429: a lake that cannot keep up slows senders instead of filling memory. */
        private readonly maxBufferedBytes: number,
    ) {}

    static async start(opts: PipelineOptions): Promise<LocalPipeline> {
        const { config } = opts;
        try {
            await fsp.mkdir(config.lakeDir, { recursive: true });
            await fsp.access(config.lakeDir, fsc.W_OK);
        } catch (e) {
            throw new Error(describeLakeError(config.lakeDir, e).replace(/; requests get 503.*$/, ""));
        }
        const releaseLock = await acquireLakeLock(config.lakeDir, "clickstream local");
        try {
            return await LocalPipeline.startLocked(opts, releaseLock);
        } catch (e) {
            await releaseLock();
            throw e;
        }
    }

    private static async startLocked(opts: PipelineOptions, releaseLock: () => Promise<void>): Promise<LocalPipeline> {
        const { config, log } = opts;
        const piiKey = await ensurePiiKey(config.lakeDir, log);
        resolveTransformConfig(config.transformConfig);
        const { committedSeq, removed } = await recoverLake(config.lakeDir);
        if (removed > 0) log(`removed ${removed} file(s) of deliveries interrupted before their commit; their requests are replayed from the log`);
        const { wal, pending, truncatedBytes } = await WriteAheadLog.open(path.join(config.lakeDir, "wal"), committedSeq);
        if (truncatedBytes > 0) log(`cut a torn write-ahead-log tail of ${truncatedBytes} bytes (a request being written at the crash; it was never acknowledged)`);
        const windowSpecs = opts.windows === false ? [] : config.windowSpecs;
        // A second delivery thread only where there is a second core for it.
        const chunkThread = os.availableParallelism() > 1;
        const sink = await DeliveryWorker.start({ lakeDir: config.lakeDir, piiKey, transformConfig: config.transformConfig, windowSpecs, alertWebhookUrl: config.alertWebhookUrl, chunkThread }, log);
        const pipeline = new LocalPipeline(config, log, wal, sink, windowSpecs.length > 0, opts.watermark ?? "clock", Math.max(4 * config.bufferSizeMiB, 256) * 1024 * 1024);
        pipeline.releaseLock = releaseLock;
        // A replay has the machine to itself; live, the models leave a core to the server and the deliveries.
        if (opts.models !== false) pipeline.models = await ModelScheduler.start({ lakeDir: config.lakeDir, config: localModelConfig(config.stack), log, threads: opts.listen === false ? undefined : 1 });
        for (const record of pending) pipeline.enqueue(record, record.data);
        pipeline.counters.replayedOnStart = pending.length;
        if (pending.length > 0) log(`replaying ${pending.length} request(s) from the write-ahead log that were acknowledged but not yet in the lake`);
        pipeline.timer = setInterval(() => pipeline.tick(), Math.min(100, config.bufferIntervalSeconds * 1000));
        if (opts.listen !== false) {
            pipeline.server = await startIngestServer({
                host: config.host,
                port: config.port,
                corsAllowedOrigins: config.corsAllowedOrigins,
                apiKeys: config.apiKeys,
                maxBatchEvents: config.maxBatchEvents,
                store: (envelope) => pipeline.store(envelope),
                ready: () => !pipeline.stopping,
                handleGet: (route, req, res) => (pipeline.dashboard ??= dashboardRoutes(config.lakeDir, log)).handle(route, req, res),
            });
        }
        return pipeline;
    }

    /** Makes one request envelope durable and buffers it; resolves once it is in the log. */
    async store(envelope: EnvelopeBytes): Promise<void> {
        if (this.stopping) throw new StoreUnavailableError("shutting down; retry shortly");
        if (this.lakeError !== undefined) throw new StoreUnavailableError(this.lakeError);
        if (this.bufferedBytes > this.maxBufferedBytes) throw new StoreThrottledError(`${Math.round(this.bufferedBytes / 1048576)} MiB are waiting for the lake; retry shortly`);
        let entry: WalEntry;
        try {
            entry = await this.wal.append(envelope);
        } catch (e) {
            const message = describeLakeError(this.config.lakeDir, e);
            this.log(`write-ahead log: ${message}`);
            throw new StoreUnavailableError(message);
        }
        this.counters.requests++;
        this.enqueue(entry, envelope);
    }

    /** Buffers a logged request by its place in the log (the delivery worker reads it from there). */
    private enqueue(entry: WalEntry, envelope: EnvelopeBytes): void {
        // The server's head piece holds receivedAt; a replayed envelope is one buffer.
        const arrivalMs = envelopeArrivalMs(Buffer.isBuffer(envelope) ? envelope : envelope[0]) ?? envelopeArrivalMs(envelopeBuffer(envelope));
        // The entry's fields only: a request replayed at start-up comes with its bytes, which the delivery reads from the log.
        this.buffer.push({ seq: entry.seq, file: entry.file, offset: entry.offset, length: entry.length, arrivalMs, bufferedAt: Date.now() });
        this.bufferedBytes += entry.length;
        if (this.bufferedBytes >= this.config.bufferSizeMiB * 1048576) this.kick();
    }

    private lastAdvance = 0;
    private lastModelsAdvance = 0;

    /** The clock of the event-time watermark: the wall clock live, the latest delivered arrival in a replay. */
    private watermarkClock(): number {
        return this.watermark === "clock" ? Date.now() : this.latestArrival;
    }

    private tick(): void {
        if (this.oldestIsDue()) this.kick();
        // Days close on time passing too (the models of yesterday run after midnight without new events).
        if (this.models && !this.stopping && Date.now() - this.lastModelsAdvance >= 1000) {
            this.lastModelsAdvance = Date.now();
            this.models.advance(this.watermarkClock());
        }
        // Windows close on time passing too, not only when rows arrive (a quiet minute is a window of 0).
        if (this.windows && !this.delivering && !this.stopping && Date.now() - this.lastAdvance >= 1000) {
            this.delivering = this.advanceWindows().finally(() => {
                this.delivering = undefined;
            });
        }
    }

    private async advanceWindows(): Promise<void> {
        this.lastAdvance = Date.now();
        try {
            await this.sink.advance(this.watermarkClock());
        } catch (e) {
            this.log(`windows: ${(e as Error).message}`);
        }
    }

    /**
     * True when the oldest buffered request has waited the buffer interval. Its own time, not the end
     * of the last delivery: what arrived during a delivery is due as soon as it is old enough, so under
     * steady load deliveries follow each other instead of idling an interval after each one.
     */
    private oldestIsDue(): boolean {
        return this.buffer.length > 0 && Date.now() - this.buffer[0].bufferedAt >= this.config.bufferIntervalSeconds * 1000;
    }

    /** Starts a delivery unless one is running (the running one loops while the buffer is due). */
    private kick(): void {
        if (this.delivering || Date.now() < this.retryAt) return;
        this.delivering = this.deliverLoop().finally(() => {
            this.delivering = undefined;
        });
    }

    private async deliverLoop(): Promise<void> {
        const sizeBytes = this.config.bufferSizeMiB * 1048576;
        while (this.buffer.length > 0 && (this.stopping || this.bufferedBytes >= sizeBytes || this.oldestIsDue())) {
            // Take at most one buffer's worth, like one Firehose delivery.
            // A retry takes exactly the failed range again, so its files get the same names and replace
            // any the failed attempt could not remove (files of a bigger range would duplicate them).
            let take = 0;
            let bytes = 0;
            while (take < this.buffer.length && (this.retryTake !== undefined ? take < this.retryTake : take === 0 || bytes + this.buffer[take].length <= sizeBytes)) bytes += this.buffer[take++].length;
            const items = this.buffer.slice(0, take);
            let result: DeliveryResult;
            try {
                result = await this.sink.deliver(items);
            } catch (e) {
                this.lakeError = describeLakeError(this.config.lakeDir, e);
                this.retryTake = take;
                this.retryAt = Date.now() + 2000;
                this.log(`lake: ${this.lakeError}`);
                return;
            }
            if (this.lakeError !== undefined) this.log("lake: writable again; accepting requests");
            this.lakeError = undefined;
            this.retryTake = undefined;
            this.buffer.splice(0, take);
            this.bufferedBytes -= bytes;
            this.counters.rows += result.rows;
            this.counters.badRows += result.badRows;
            this.counters.processingFailed += result.processingFailed;
            this.counters.deliveries++;
            for (const { arrivalMs } of items) if (arrivalMs !== undefined && arrivalMs > this.latestArrival) this.latestArrival = arrivalMs;
            await this.wal.release(result.lastSeq);
            // Not awaited: model runs go on beside the deliveries.
            this.models?.delivered(result.modelDays);
            this.models?.advance(this.watermarkClock());
            if (this.windows) await this.advanceWindows();
            this.log(`delivered requests ${result.firstSeq}-${result.lastSeq}: ${result.rows} rows (${result.badRows} bad), ${result.processingFailed} processing-failed, ${result.files.length} files`);
        }
    }

    /** Delivers everything buffered now (end of a replay; shutdown). Throws if the lake is not writable. */
    async flush(): Promise<void> {
        const wasStopping = this.stopping;
        this.stopping = true;
        try {
            while (this.delivering) await this.delivering;
            await this.wal.flushed();
            while (this.buffer.length > 0) {
                this.retryAt = 0;
                this.kick();
                await this.delivering;
                if (this.lakeError !== undefined && this.buffer.length > 0) throw new Error(this.lakeError);
            }
        } finally {
            this.stopping = wasStopping;
        }
    }

    private stopped: Promise<void> | undefined;

    /** Graceful stop: no new requests, every acknowledged request delivered, windows flushed. Idempotent. */
    stop(): Promise<void> {
        this.stopped ??= this.stopOnce();
        return this.stopped;
    }

    private async stopOnce(): Promise<void> {
        this.stopping = true;
        if (this.timer) clearInterval(this.timer);
        await this.server?.close();
        await this.dashboard?.close();
        await this.flush().catch((e: Error) => this.log(`shutdown: ${e.message}; the write-ahead log keeps the rest for the next start`));
        this.stopping = true;
        await this.sink.close();
        // The end of a replay models its last days too; live, days not over stay pending for the next start.
        await this.models?.close(this.watermark === "data").catch((e: Error) => this.log(`models: ${e.message}`));
        await this.wal.close();
        await this.releaseLock();
    }

    stats(): PipelineStats {
        return {
            ...this.counters,
            bufferedRequests: this.buffer.length,
            bufferedBytes: this.bufferedBytes,
            windows: this.sink.windows(),
            models: this.models?.stats(),
            lakeError: this.lakeError,
        };
    }
}
