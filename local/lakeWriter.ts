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
import type { LocalDb } from "./duckdb";
import { writeFileAtomic, writeParquetFromJson } from "./parquet";
import { EVENTS_TABLE } from "./tables";

export const RAW_FOLDER = "raw/";
export const PROCESSING_FAILED_FOLDER = `${ERRORS_PREFIX}processing-failed/`;
export const COMMIT_MARKER = path.join("_delivered", "committed.json");
/** Folders whose files are named by sequence range (and cleaned up by recoverLake). */
const RANGE_FOLDERS = [EVENTS_TABLE.folder, RAW_FOLDER, PROCESSING_FAILED_FOLDER];
const RANGE_FILE = /^(\d{16})-(\d{16})\.(parquet|ndjson)$/;

/** One request to deliver: its log sequence number and its envelope as JSON text. */
export interface DeliveryItem {
    seq: number;
    envelope: Buffer;
}

export interface DeliveryResult {
    firstSeq: number;
    lastSeq: number;
    requests: number;
    rows: number;
    badRows: number;
    processingFailed: number;
    files: string[];
}

/** Receives the rows of each request once its delivery is committed (the windows). */
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

async function* walk(dir: string): AsyncGenerator<string> {
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
    /** Each request's rows as a JSON array text. */
    rows: string[];
    rowCount: number;
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
    constructor(
        private readonly lakeDir: string,
        private readonly db: LocalDb,
        private readonly transformer: Transformer,
        private readonly onRows?: RowsListener,
    ) {}

    /**
     * Transforms and writes one contiguous range of requests, then commits it. Throws (without
     * committing, after removing the files it wrote) on any I/O error.
     *
     * The range is handled in chunks of `chunkRequests`, each with its own files (named by the
     * chunk's sub-range): while DuckDB converts one chunk in its thread, the next is transformed.
     */
    async deliver(items: readonly DeliveryItem[], chunkRequests = 250): Promise<DeliveryResult> {
        if (items.length === 0) throw new Error("LakeWriter.deliver: nothing to deliver");
        const result: DeliveryResult = { firstSeq: items[0].seq, lastSeq: items[items.length - 1].seq, requests: items.length, rows: 0, badRows: 0, processingFailed: 0, files: [] };
        const delivered: Array<{ rows: EventRow[]; arrivalMs: number }> = [];
        let writing: Promise<void> = Promise.resolve();
        try {
            for (let start = 0; start < items.length; start += chunkRequests) {
                const chunk = this.prepare(items.slice(start, start + chunkRequests), result, delivered);
                await writing;
                writing = this.write(chunk, result.files);
            }
            await writing;
        } catch (e) {
            await writing.catch(() => undefined);
            // Best effort: an uncommitted range's files are also removed by recoverLake on the next start.
            await Promise.all(result.files.map((f) => fsp.rm(f, { force: true }).catch(() => undefined)));
            throw e;
        }
        // The commit: from here on the range is in the lake and will not be replayed.
        await writeFileAtomic(path.join(this.lakeDir, COMMIT_MARKER), JSON.stringify({ seq: result.lastSeq, committedAt: new Date().toISOString() }) + "\n");
        if (this.onRows) for (const d of delivered) this.onRows(d.rows, d.arrivalMs);
        return result;
    }

    /** Transforms a chunk (synchronous CPU work) and groups its rows, raw envelopes and failures by partition. */
    private prepare(items: readonly DeliveryItem[], result: DeliveryResult, delivered: Array<{ rows: EventRow[]; arrivalMs: number }>): PreparedChunk {
        const partitions = new Map<string, PartitionBuffer>();
        const failed = new Map<string, string[]>();
        for (const { envelope } of items) {
            const arrivalMs = envelopeArrivalMs(envelope) ?? Date.now();
            const { dt, hour } = partitionOf(arrivalMs);
            let eventRows: EventRow[] | undefined;
            let json = "";
            let failure = "the transform returned no rows";
            try {
                ({ rows: eventRows, json } = this.transformer.normalizeJson(envelope));
            } catch (e) {
                failure = (e as Error).message;
            }
            const key = `dt=${dt}/hour=${hour}`;
            let partition = partitions.get(key);
            if (!partition) partitions.set(key, (partition = { rows: [], rowCount: 0, raw: [] }));
            partition.raw.push(envelope, NEWLINE);
            if (eventRows === undefined || eventRows.length === 0) {
                // Firehose's ProcessingFailed: the original request goes to the error prefix, with why.
                result.processingFailed++;
                const line = JSON.stringify({ errorCode: "Local.ProcessingFailed", errorMessage: failure, arrivalTimestamp: arrivalMs, rawData: envelope.toString("base64") });
                const dayKey = `dt=${dt}`;
                (failed.get(dayKey) ?? failed.set(dayKey, []).get(dayKey)!).push(line);
                continue;
            }
            partition.rows.push(json);
            partition.rowCount += eventRows.length;
            for (const row of eventRows) if (row.bad_reason !== null) result.badRows++;
            result.rows += eventRows.length;
            delivered.push({ rows: eventRows, arrivalMs });
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
            if (partition.rowCount > 0) {
                const file = path.join(this.lakeDir, EVENTS_TABLE.folder, key, `${chunk.range}.parquet`);
                // Each request's rows are a JSON array: "[a,b]" + "[c]" -> "[a,b,c]", one array for the file.
                add(file, writeParquetFromJson(this.db, file, EVENTS_TABLE.columns, `[${partition.rows.map((r) => r.slice(1, -1)).join(",")}]`, "array"));
            }
            const rawFile = path.join(this.lakeDir, RAW_FOLDER, key, `${chunk.range}.ndjson`);
            add(rawFile, writeFileAtomic(rawFile, Buffer.concat(partition.raw)));
        }
        for (const [key, lines] of chunk.failed) {
            const file = path.join(this.lakeDir, PROCESSING_FAILED_FOLDER, key, `${chunk.range}.ndjson`);
            add(file, writeFileAtomic(file, lines.join("\n") + "\n"));
        }
        // Settle all before reporting, so a failure never leaves a write running behind the cleanup.
        return Promise.allSettled(writes).then((outcomes) => {
            const failure = outcomes.find((o): o is PromiseRejectedResult => o.status === "rejected");
            if (failure) throw failure.reason;
        });
    }
}
