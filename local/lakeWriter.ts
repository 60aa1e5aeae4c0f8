/**
 * Delivery of buffered requests into the local lake, the local counterpart of Firehose + the
 * transform Lambda: each request envelope goes through the same transform (createTransformer), its
 * rows into `events/dt=/hour=/` Parquet, the envelope itself into the raw backup `raw/dt=/hour=/`,
 * and an envelope the transform cannot turn into even a bad row into `errors/processing-failed/dt=/`.
 *
 * Exactly once, across crashes: a delivery covers a contiguous range of write-ahead-log sequence
 * numbers and names every file it writes after that range (`<first>-<last>.parquet`). Each file is
 * written atomically; when all are in place, the commit marker `_delivered/committed.json` is
 * replaced (atomically) with the range's last sequence number: that rename is the commit. On start,
 * `recoverLake` deletes every file of a range past the marker (a delivery interrupted before its
 * commit) and the log replays those requests, which are then written again under new names; rows of
 * committed ranges are never rewritten, so no event reaches the lake twice.
 */
import { promises as fsp } from "fs";
import * as path from "path";
import { ERRORS_PREFIX } from "../components/lake/glueTable";
import type { EventRow } from "../dataplane/schema";
import type { Transformer } from "../dataplane/transform";
import { EventsParquetBuilder, writeEventsParquet } from "./eventsParquet";
import { writeFileAtomic } from "./parquet";
import { DeliveredDays, DeliveredDaysCollector } from "./modelDays";
import { EVENTS_TABLE } from "./tables";
import { WalEntry, WalEntryReader } from "./wal";
import { projectForWindows, WindowFields } from "./windowFields";
import type { WindowRowsOfRequest } from "./windowRowsTransfer";

export const RAW_FOLDER = "raw/";
export const PROCESSING_FAILED_FOLDER = `${ERRORS_PREFIX}processing-failed/`;
export const COMMIT_MARKER = path.join("_delivered", "committed.json");
/** Folders whose files are named by sequence range (and cleaned up by recoverLake). */
const RANGE_FOLDERS = [EVENTS_TABLE.folder, RAW_FOLDER, PROCESSING_FAILED_FOLDER];
const RANGE_FILE = /^(\d{16})-(\d{16})\.(parquet|ndjson)$/;

/** One request to deliver: its log sequence number and its envelope as JSON text, given or in the log. */
export interface DeliveryItem {
    seq: number;
    /** The envelope; when absent it is read from the write-ahead log at `entry`. */
    envelope?: Buffer;
    /** Where the envelope is in the write-ahead log: a chunk helper (and this thread, without `envelope`) reads it from there. */
    entry?: WalEntry;
}

export interface DeliveryResult {
    firstSeq: number;
    lastSeq: number;
    requests: number;
    rows: number;
    badRows: number;
    processingFailed: number;
    files: string[];
    /** The event-time days and latest event time of the rows, for the model scheduler. */
    modelDays: DeliveredDays;
}

/**
 * Which chunks of a delivery a helper writes: every other one (1, 3, 5, ... 0-based). This thread also
 * feeds the windows every row of the delivery, which once made it do ~25% more than the helper with an
 * even split (3 of 5 went to the helper then); since the windows cost 1.3 instead of 3.3 us a row,
 * the even split is the balanced one (bench:local per-thread CPU 9.9 against 8.9 us per event, where
 * 3 of 5 gave 8.7 against 9.9 the other way; 2026-11-30, AMD EPYC x2).
 * A one-chunk delivery stays on this thread.
 */
const HELPER_CHUNKS_CYCLE = 2;
const HELPER_CHUNKS = new Set([1]);

/** What a chunk written on another thread (LakeWriter.writeChunk in local/chunkWorker.ts) reports. */
export interface ChunkOutcome {
    rows: number;
    badRows: number;
    processingFailed: number;
    files: string[];
    modelDays: DeliveredDays;
    /** Each request's rows cut to the fields the windows read, with the request's arrival time. */
    windowRows: WindowRowsOfRequest[];
}

/** Writes chunks of a delivery on another thread. */
export interface ChunkHelper {
    writeChunk(items: readonly DeliveryItem[]): Promise<ChunkOutcome>;
}

/**
 * Receives the rows of each request as its delivery transforms them (the windows), before the delivery
 * commits. Handing them over at once lets them be collected young instead of held until the commit.
 * A delivery that fails is retried with the same requests, so the listener may be offered a row again:
 * the windows drop such repeats by event_id as they drop any duplicate (WindowAccumulator), and every
 * row it is offered does reach the lake, because acknowledged requests are retried until they do.
 */
export type RowsListener = (rows: readonly EventRow[], arrivalMs: number) => void;

function seqText(seq: number): string {
    return String(seq).padStart(16, "0");
}

/** dt and hour (UTC) of an epoch-ms arrival time: the partition folders. */
export function partitionOf(arrivalMs: number): { dt: string; hour: string } {
    const iso = new Date(arrivalMs).toISOString();
    return { dt: iso.slice(0, 10), hour: iso.slice(11, 13) };
}

/** Arrival time of an envelope: read from its fixed prefix without parsing the body (the server writes it first). */
export function envelopeArrivalMs(envelope: Buffer): number | undefined {
    const head = envelope.toString("latin1", 0, Math.min(envelope.length, 64));
    const match = /^\{"v":1,"receivedAt":(\d{1,15})[,}]/.exec(head);
    if (match) return Number(match[1]);
    try {
        const parsed = JSON.parse(envelope.toString("utf8")) as { receivedAt?: unknown };
        return typeof parsed?.receivedAt === "number" && Number.isFinite(parsed.receivedAt) ? parsed.receivedAt : undefined;
    } catch {
        return undefined;
    }
}

/** Reads the commit marker: the last delivered sequence number, 0 when nothing was delivered yet. */
export async function readCommittedSeq(lakeDir: string): Promise<number> {
    let text: string;
    try {
        text = await fsp.readFile(path.join(lakeDir, COMMIT_MARKER), "utf8");
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return 0;
        throw e;
    }
    const seq = (JSON.parse(text) as { seq?: unknown }).seq;
    if (typeof seq !== "number" || !Number.isInteger(seq) || seq < 0) throw new Error(`${path.join(lakeDir, COMMIT_MARKER)} is corrupt (seq ${JSON.stringify(seq)}); restore it or delete LAKE_DIR/wal to start over`);
    return seq;
}

/** Every file under `dir`, recursively (nothing when `dir` does not exist). */
export async function* walk(dir: string): AsyncGenerator<string> {
    let entries: import("fs").Dirent[];
    try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") return;
        throw e;
    }
    for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) yield* walk(full);
        else yield full;
    }
}

/**
 * Undoes interrupted deliveries: deletes files of ranges past the commit marker and leftover temp
 * files. Returns the committed sequence number and how many files were removed.
 */
export async function recoverLake(lakeDir: string): Promise<{ committedSeq: number; removed: number }> {
    const committedSeq = await readCommittedSeq(lakeDir);
    let removed = 0;
    for (const folder of RANGE_FOLDERS) {
        for await (const file of walk(path.join(lakeDir, folder))) {
            const name = path.basename(file);
            const range = RANGE_FILE.exec(name);
            const stale = range ? Number(range[1]) > committedSeq : name.startsWith(".") && name.endsWith(".tmp");
            if (stale) {
                await fsp.rm(file, { force: true });
                removed++;
            }
        }
    }
    return { committedSeq, removed };
}

interface PartitionBuffer {
    /** The partition's events file, built request by request (local/eventsParquet.ts). */
    events: EventsParquetBuilder;
    /** Each request's envelope, then a newline. */
    raw: Buffer[];
}

const NEWLINE = Buffer.from("\n");

interface PreparedChunk {
    /** "<first seq>-<last seq>" of the chunk: its files' name. */
    range: string;
    partitions: Map<string, PartitionBuffer>;
    failed: Map<string, string[]>;
}

export class LakeWriter {
    /** Readers of this thread's chunks from the write-ahead log (envelopesOf), two used in turn. */
    private readonly walReaders = [new WalEntryReader(), new WalEntryReader()];

    constructor(
        private readonly lakeDir: string,
        private readonly transformer: Transformer,
        private readonly onRows?: RowsListener,
        /** Writes some of a delivery's chunks on another thread (local/chunkWorker.ts). Defaults to none. */
        private readonly helper?: ChunkHelper,
    ) {}

    /**
     * Transforms and writes one contiguous range of requests, then commits it. Throws (without
     * committing, after removing the files it wrote) on any I/O error.
     *
     * The range is handled in chunks of `chunkRequests`, each with its own files (named by the
     * chunk's sub-range). With a helper every other chunk goes to it (HELPER_CHUNKS): the
     * transform, the heaviest part, then runs on two cores (one JavaScript thread cannot keep up with the HTTP side). Here,
     * one chunk's files are written (libuv's pool) while the next is transformed. The commit waits
     * for every chunk of both; the helper's rows reach the windows (cut to the fields they read)
     * before it.
     */
    async deliver(items: readonly DeliveryItem[], chunkRequests = 250): Promise<DeliveryResult> {
        if (items.length === 0) throw new Error("LakeWriter.deliver: nothing to deliver");
        const result = emptyResult(items);
        const days = new DeliveredDaysCollector();
        const own: Array<readonly DeliveryItem[]> = [];
        const helped: Array<Promise<ChunkOutcome>> = [];
        for (let start = 0, n = 0; start < items.length; start += chunkRequests, n++) {
            const slice = items.slice(start, start + chunkRequests);
            if (!this.helper || !HELPER_CHUNKS.has(n % HELPER_CHUNKS_CYCLE)) {
                own.push(slice);
                continue;
            }
            // Every helper chunk is handed over before this thread starts on its own, so the helper works
            // from the delivery's first moment; each one's rows reach the windows as soon as it is done
            // (between this thread's chunks), not all after the last: the helper would wait idle meanwhile.
            const helping = this.helper.writeChunk(slice).then((outcome) => {
                for (const r of outcome.windowRows) this.onRows?.(r.rows as unknown as EventRow[], r.arrivalMs);
                return outcome;
            });
            // Settled below; until then a failure must not count as an unhandled rejection (which ends the thread).
            helping.catch(() => undefined);
            helped.push(helping);
        }
        let writing: Promise<void> = Promise.resolve();
        try {
            for (let c = 0; c < own.length; c++) {
                // Two read buffers in turn: chunk c-1's raw backup (views into its buffer) is still being written.
                const chunk = this.prepare(own[c], this.envelopesOf(own[c], c % 2), result, days, this.onRows);
                await writing;
                writing = this.write(chunk, result.files);
            }
            await writing;
            for (const outcome of await settleAll(helped)) {
                result.files.push(...outcome.files);
                result.rows += outcome.rows;
                result.badRows += outcome.badRows;
                result.processingFailed += outcome.processingFailed;
                days.merge(outcome.modelDays);
            }
        } catch (e) {
            await writing.catch(() => undefined);
            // A helper removes its own files when its chunk fails; those of its chunks that succeeded go here.
            for (const o of await Promise.allSettled(helped)) if (o.status === "fulfilled") result.files.push(...o.value.files);
            // Best effort: an uncommitted range's files are also removed by recoverLake on the next start.
            await Promise.all([...new Set(result.files)].map((f) => fsp.rm(f, { force: true }).catch(() => undefined)));
            throw e;
        }
        // The commit: from here on the range is in the lake and will not be replayed.
        await writeFileAtomic(path.join(this.lakeDir, COMMIT_MARKER), JSON.stringify({ seq: result.lastSeq, committedAt: new Date().toISOString() }) + "\n");
        result.modelDays = days.result();
        return result;
    }

    /**
     * The envelopes of a chunk: as given, or read from the write-ahead log (only this thread's chunks:
     * the helper reads its own) with reader `which` of two, whose buffer the read after next reuses.
     */
    private envelopesOf(items: readonly DeliveryItem[], which: number): Buffer[] {
        if (items.every((item) => item.envelope !== undefined)) return items.map((item) => item.envelope!);
        const entries = items.map((item) => {
            if (!item.entry) throw new Error(`LakeWriter: request ${item.seq} has neither its envelope nor a write-ahead-log entry`);
            return item.entry;
        });
        return this.walReaders[which].read(entries);
    }

    /**
     * The chunk helper's side (local/chunkWorker.ts): transforms and writes one chunk without
     * committing; its rows go back cut to the window fields. On a failure it removes the files it
     * wrote, then throws. Envelopes not given are read from the log with the first reader, which the
     * next chunk may reuse: this chunk's files are written before it returns.
     */
    async writeChunk(items: readonly DeliveryItem[], fields: WindowFields): Promise<ChunkOutcome> {
        const result = emptyResult(items);
        const days = new DeliveredDaysCollector();
        const windowRows: WindowRowsOfRequest[] = [];
        try {
            await this.write(this.prepare(items, this.envelopesOf(items, 0), result, days, (rows, arrivalMs) => windowRows.push({ arrivalMs, rows: projectForWindows(rows, fields) })), result.files);
        } catch (e) {
            await Promise.all(result.files.map((f) => fsp.rm(f, { force: true }).catch(() => undefined)));
            throw e;
        }
        return { rows: result.rows, badRows: result.badRows, processingFailed: result.processingFailed, files: result.files, modelDays: days.result(), windowRows };
    }

    /** Transforms a chunk (synchronous CPU work) and groups its rows, raw envelopes and failures by partition. */
    private prepare(items: readonly DeliveryItem[], envelopes: readonly Buffer[], result: DeliveryResult, days: DeliveredDaysCollector, onRows: RowsListener | undefined): PreparedChunk {
        const partitions = new Map<string, PartitionBuffer>();
        const failed = new Map<string, string[]>();
        for (const envelope of envelopes) {
            const arrivalMs = envelopeArrivalMs(envelope) ?? Date.now();
            const { dt, hour } = partitionOf(arrivalMs);
            let eventRows: EventRow[] | undefined;
            let failure = "the transform returned no rows";
            try {
                eventRows = this.transformer.normalize(envelope);
            } catch (e) {
                failure = (e as Error).message;
            }
            const key = `dt=${dt}/hour=${hour}`;
            let partition = partitions.get(key);
            if (!partition) partitions.set(key, (partition = { events: new EventsParquetBuilder(items.length * 20), raw: [] }));
            partition.raw.push(envelope, NEWLINE);
            if (eventRows === undefined || eventRows.length === 0) {
                // Firehose's ProcessingFailed: the original request goes to the error prefix, with why.
                result.processingFailed++;
                const line = JSON.stringify({ errorCode: "Local.ProcessingFailed", errorMessage: failure, arrivalTimestamp: arrivalMs, rawData: envelope.toString("base64") });
                const dayKey = `dt=${dt}`;
                (failed.get(dayKey) ?? failed.set(dayKey, []).get(dayKey)!).push(line);
                continue;
            }
            partition.events.add(eventRows);
            for (const row of eventRows) if (row.bad_reason !== null) result.badRows++;
            result.rows += eventRows.length;
            days.add(eventRows, arrivalMs);
            onRows?.(eventRows, arrivalMs);
        }
        return { range: `${seqText(items[0].seq)}-${seqText(items[items.length - 1].seq)}`, partitions, failed };
    }

    /** Writes a prepared chunk's files; the Parquet conversions are submitted before this returns. */
    private write(chunk: PreparedChunk, files: string[]): Promise<void> {
        const writes: Promise<void>[] = [];
        const add = (file: string, write: Promise<void>) => {
            files.push(file);
            writes.push(write);
        };
        for (const [key, partition] of chunk.partitions) {
            if (partition.events.rows > 0) {
                const file = path.join(this.lakeDir, EVENTS_TABLE.folder, key, `${chunk.range}.parquet`);
                // Encoded in JavaScript, without the JSON round trip through DuckDB: ~2.6x less CPU per row (npm run bench:parquet).
                add(file, writeEventsParquet(file, partition.events));
            }
            const rawFile = path.join(this.lakeDir, RAW_FOLDER, key, `${chunk.range}.ndjson`);
            add(rawFile, writeFileAtomic(rawFile, partition.raw));
        }
        for (const [key, lines] of chunk.failed) {
            const file = path.join(this.lakeDir, PROCESSING_FAILED_FOLDER, key, `${chunk.range}.ndjson`);
            add(file, writeFileAtomic(file, lines.join("\n") + "\n"));
        }
        // Settle all before reporting, so a failure never leaves a write running behind the cleanup.
        return settleAll(writes).then(() => undefined);
    }
}

/** A delivery's result before anything is counted: the range of `items`, no rows, no files. */
function emptyResult(items: readonly DeliveryItem[]): DeliveryResult {
    return { firstSeq: items[0].seq, lastSeq: items[items.length - 1].seq, requests: items.length, rows: 0, badRows: 0, processingFailed: 0, files: [], modelDays: { days: [], latestMs: -Infinity } };
}

/** Waits for every promise, then returns their values or throws the first failure: nothing is left running behind a cleanup. */
async function settleAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
    const outcomes = await Promise.allSettled(promises);
    const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
    if (failure) throw failure.reason;
    return outcomes.map((o) => (o as PromiseFulfilledResult<T>).value);
}
