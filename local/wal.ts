/**
 * Write-ahead log of the local pipeline: a request is acknowledged only once its envelope is in
 * this log and the log is fsynced, so a crash (kill -9, power cut) loses no acknowledged event.
 *
 * Group commit: appends that arrive while a write+fdatasync is in flight wait and go to disk
 * together in the next one, so one fdatasync covers every request of that moment; a lone request
 * still waits for only one.
 *
 * On disk: `wal/<first seq, 16 digits>.log` segments of records
 *   [u32 payload length][u32 crc32 of seq+payload][u64 seq][payload]   (little-endian)
 * with strictly increasing sequence numbers. A crash can leave a torn record at the tail of the
 * last segment (short or with a bad crc): `open` cuts the segment back to its last whole record.
 * Such a record was never acknowledged (its fdatasync did not return), so nothing acked is lost.
 *
 * The log does not know what was delivered: the caller passes the last delivered sequence number
 * (the lake's commit marker) to `open`, gets back the records after it, and `release`s segments
 * once everything in them is delivered.
 */
import { closeSync, constants as fsc, openSync, promises as fsp, readSync } from "fs";
import type { FileHandle } from "fs/promises";
import * as path from "path";
import { crc32 } from "zlib";
import { EnvelopeBytes, envelopeBuffer, envelopeLength, envelopePieces } from "./envelopeBytes";

const HEADER_BYTES = 16;
/** Largest payload a record may hold (a request envelope is at most ~1 MiB). */
export const MAX_WAL_PAYLOAD_BYTES = 16 * 1024 * 1024;
/** Segment size after which the log starts a new segment file. */
export const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
const SEGMENT_PATTERN = /^(\d{16})\.log$/;

export interface WalRecord {
    seq: number;
    data: Buffer;
    /** Byte offset of the payload in its segment. */
    offset: number;
}

/**
 * Where a record's payload lies on disk: its segment file, byte offset and length. The delivery
 * worker reads deliveries back from the log by these (WalEntryReader), so the HTTP thread neither
 * keeps request bodies until their delivery nor copies them to the worker.
 */
export interface WalEntry {
    seq: number;
    file: string;
    offset: number;
    length: number;
}

export interface WalOpenResult {
    wal: WriteAheadLog;
    /** Records with seq > deliveredSeq, in order: what the caller must still deliver. */
    pending: Array<WalRecord & WalEntry>;
    /** Bytes cut from torn segment tails (0 after a clean shutdown). */
    truncatedBytes: number;
}

export interface WalOptions {
    /** Start a new segment after this many bytes. Defaults to 64 MiB. */
    segmentBytes?: number;
}

interface Waiter {
    /** Record header and payload pieces, written with writev (the payload is not copied). */
    header: Buffer;
    payload: readonly Buffer[];
    payloadBytes: number;
    seq: number;
    /** Payload offset in `file`, set when the group is written. */
    offset: number;
    file: string;
    resolve: (entry: WalEntry) => void;
    reject: (err: Error) => void;
}

interface Segment {
    firstSeq: number;
    lastSeq: number;
    file: string;
}

function segmentName(firstSeq: number): string {
    return `${String(firstSeq).padStart(16, "0")}.log`;
}

/**
 * The header of one record: length, crc32 of seq + payload, seq. A payload in pieces gets the header
 * of their concatenation (the crc runs on across the pieces), so the record on disk is the same.
 */
export function walRecordHeader(seq: number, data: EnvelopeBytes): Buffer {
    const header = Buffer.allocUnsafe(HEADER_BYTES);
    header.writeUInt32LE(envelopeLength(data), 0);
    header.writeBigUInt64LE(BigInt(seq), 8);
    let crc = crc32(header.subarray(8, 16));
    for (const piece of envelopePieces(data)) crc = crc32(piece, crc);
    header.writeUInt32LE(crc, 4);
    return header;
}

/** Encodes one record: header + payload. */
export function encodeWalRecord(seq: number, data: EnvelopeBytes): Buffer {
    return Buffer.concat([walRecordHeader(seq, data), envelopeBuffer(data)]);
}

/** Whether the crc in the header at `header` is that of the sequence number and the `length` payload bytes after it. */
function crcMatches(bytes: Buffer, header: number, length: number): boolean {
    return crc32(bytes.subarray(header + 8, header + HEADER_BYTES + length)) === bytes.readUInt32LE(header + 4);
}

/** Decodes the whole records of a segment's bytes; `validBytes` is where the first torn or corrupt record starts. */
export function decodeWalSegment(bytes: Buffer): { records: WalRecord[]; validBytes: number } {
    const records: WalRecord[] = [];
    let offset = 0;
    let previousSeq = -1;
    while (offset + HEADER_BYTES <= bytes.length) {
        const length = bytes.readUInt32LE(offset);
        if (length > MAX_WAL_PAYLOAD_BYTES || offset + HEADER_BYTES + length > bytes.length) break;
        if (!crcMatches(bytes, offset, length)) break;
        const seq = Number(bytes.readBigUInt64LE(offset + 8));
        if (seq <= previousSeq) break;
        records.push({ seq, data: Buffer.from(bytes.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length)), offset: offset + HEADER_BYTES });
        previousSeq = seq;
        offset += HEADER_BYTES + length;
    }
    return { records, validBytes: offset };
}

export class WriteAheadLog {
    private queue: Waiter[] = [];
    private writing = false;
    private closed = false;
    private handle: FileHandle | undefined;
    private current: Segment;
    /** Bytes of the current segment known to be whole records (a failed write is cut back to this). */
    private goodBytes: number;
    private idle: Array<() => void> = [];
    /** Records written and synced; for tests and the status line. */
    stats = { appends: 0, syncs: 0, bytes: 0 };

    private constructor(
        private readonly dir: string,
        private nextSeq: number,
        private readonly sealed: Segment[],
        current: Segment,
        goodBytes: number,
        private readonly segmentBytes: number,
    ) {
        this.current = current;
        this.goodBytes = goodBytes;
    }

    /**
     * Opens (or creates) the log in `dir`, cuts torn tails, and returns the records after
     * `deliveredSeq`. Segments wholly at or before `deliveredSeq` are deleted.
     */
    static async open(dir: string, deliveredSeq: number, options: WalOptions = {}): Promise<WalOpenResult> {
        await fsp.mkdir(dir, { recursive: true });
        const names = (await fsp.readdir(dir)).filter((n) => SEGMENT_PATTERN.test(n)).sort();
        const segments: Segment[] = [];
        const pending: Array<WalRecord & WalEntry> = [];
        let truncatedBytes = 0;
        let maxSeq = deliveredSeq;
        let lastValidBytes = 0;
        for (const name of names) {
            const file = path.join(dir, name);
            const bytes = await fsp.readFile(file);
            const { records, validBytes } = decodeWalSegment(bytes);
            if (validBytes < bytes.length) {
                // A torn tail: the record being written when the process died. Never acknowledged.
                truncatedBytes += bytes.length - validBytes;
                await fsp.truncate(file, validBytes);
            }
            const firstSeq = Number(SEGMENT_PATTERN.exec(name)![1]);
            const lastSeq = records.length > 0 ? records[records.length - 1].seq : firstSeq - 1;
            for (const r of records) {
                if (r.seq > deliveredSeq) pending.push({ ...r, file, length: r.data.length });
                if (r.seq > maxSeq) maxSeq = r.seq;
            }
            segments.push({ firstSeq, lastSeq, file });
            lastValidBytes = validBytes;
        }
        const nextSeq = maxSeq + 1;
        let current = segments.pop();
        let goodBytes = lastValidBytes;
        if (current === undefined || goodBytes >= (options.segmentBytes ?? DEFAULT_SEGMENT_BYTES)) {
            if (current !== undefined) segments.push(current);
            current = { firstSeq: nextSeq, lastSeq: nextSeq - 1, file: path.join(dir, segmentName(nextSeq)) };
            goodBytes = 0;
        }
        const wal = new WriteAheadLog(dir, nextSeq, segments, current, goodBytes, options.segmentBytes ?? DEFAULT_SEGMENT_BYTES);
        wal.handle = await openSegment(current.file);
        await syncDir(dir);
        await wal.release(deliveredSeq);
        return { wal, pending, truncatedBytes };
    }

    /** Sequence number the next append gets. */
    get nextSequence(): number {
        return this.nextSeq;
    }

    /**
     * Appends one payload (one buffer, or pieces written as their concatenation); resolves with its
     * sequence number and place in the log once it is on disk (fdatasync), rejects if it is not.
     */
    append(data: EnvelopeBytes): Promise<WalEntry> {
        if (this.closed) return Promise.reject(new Error("write-ahead log is closed"));
        const bytes = envelopeLength(data);
        if (bytes > MAX_WAL_PAYLOAD_BYTES) return Promise.reject(new Error(`record of ${bytes} bytes exceeds the log's ${MAX_WAL_PAYLOAD_BYTES}`));
        const seq = this.nextSeq++;
        return new Promise<WalEntry>((resolve, reject) => {
            this.queue.push({ header: walRecordHeader(seq, data), payload: envelopePieces(data), payloadBytes: bytes, seq, offset: -1, file: "", resolve, reject });
            if (!this.writing) void this.drain();
        });
    }

    /** Writes queued records, one write + fdatasync per group, until the queue is empty. */
    private async drain(): Promise<void> {
        this.writing = true;
        while (this.queue.length > 0) {
            const group = this.queue;
            this.queue = [];
            try {
                await this.writeGroup(group);
                for (const w of group) w.resolve({ seq: w.seq, file: w.file, offset: w.offset, length: w.payloadBytes });
            } catch (e) {
                const err = e as Error;
                for (const w of group) w.reject(err);
            }
        }
        this.writing = false;
        const idle = this.idle;
        this.idle = [];
        for (const done of idle) done();
    }

    private async writeGroup(group: Waiter[]): Promise<void> {
        if (this.goodBytes >= this.segmentBytes) await this.rotate(group[0].seq);
        const handle = this.handle!;
        let total = 0;
        const parts: Buffer[] = [];
        for (const waiter of group) {
            parts.push(waiter.header);
            for (const piece of waiter.payload) parts.push(piece);
            waiter.file = this.current.file;
            waiter.offset = this.goodBytes + total + HEADER_BYTES;
            total += HEADER_BYTES + waiter.payloadBytes;
        }
        try {
            const written = await writevFully(handle, parts, this.goodBytes, total);
            if (written !== total) throw new Error(`write-ahead log: wrote ${written} of ${total} bytes`);
            await handle.datasync();
        } catch (e) {
            // Cut the partial write so later records follow whole ones; if even that fails, the
            // next open cuts it (the torn record fails its crc).
            await handle.truncate(this.goodBytes).catch(() => undefined);
            throw e;
        }
        this.goodBytes += total;
        this.current.lastSeq = group[group.length - 1].seq;
        this.stats.appends += group.length;
        this.stats.syncs++;
        this.stats.bytes += total;
    }

    private async rotate(firstSeq: number): Promise<void> {
        await this.handle?.close();
        this.sealed.push(this.current);
        this.current = { firstSeq, lastSeq: firstSeq - 1, file: path.join(this.dir, segmentName(firstSeq)) };
        this.handle = await openSegment(this.current.file);
        this.goodBytes = 0;
        await syncDir(this.dir);
    }

    /** Deletes sealed segments whose records are all at or before `deliveredSeq`. */
    async release(deliveredSeq: number): Promise<void> {
        while (this.sealed.length > 0 && this.sealed[0].lastSeq <= deliveredSeq) {
            const segment = this.sealed.shift()!;
            await fsp.rm(segment.file, { force: true });
        }
    }

    /** Resolves once no write is in flight. */
    flushed(): Promise<void> {
        if (!this.writing && this.queue.length === 0) return Promise.resolve();
        return new Promise((resolve) => this.idle.push(resolve));
    }

    /** Waits for in-flight appends, then closes the segment. Later appends reject. */
    async close(): Promise<void> {
        this.closed = true;
        await this.flushed();
        await this.handle?.close();
        this.handle = undefined;
    }
}

/**
 * Reads records back from the log by their entries (the delivery worker), into one buffer reused
 * from call to call: consecutive records of a segment are read with one pread. Each record's header
 * is checked against its entry (length, sequence number, crc), so a wrong entry fails loudly instead
 * of delivering other bytes.
 */
export class WalEntryReader {
    private buffer = Buffer.alloc(0);

    /** The payloads of `entries`, in order: views into the reader's buffer, valid until the next `read`. */
    read(entries: readonly WalEntry[]): Buffer[] {
        let total = 0;
        for (const e of entries) total += HEADER_BYTES + e.length;
        // A buffer reused across deliveries: a new multi-megabyte one per delivery would fault in every page.
        if (this.buffer.length < total) this.buffer = Buffer.allocUnsafe(Math.max(total, 2 * this.buffer.length));
        const out: Buffer[] = new Array(entries.length);
        const fds = new Map<string, number>();
        try {
            let at = 0;
            for (let i = 0; i < entries.length;) {
                // A span: the next entries of the same segment that follow each other on disk.
                const first = entries[i];
                let end = first.offset + first.length;
                let j = i + 1;
                while (j < entries.length && entries[j].file === first.file && entries[j].offset === end + HEADER_BYTES) end = entries[j].offset + entries[j++].length;
                const start = first.offset - HEADER_BYTES;
                let fd = fds.get(first.file);
                if (fd === undefined) fds.set(first.file, (fd = openSync(first.file, "r")));
                readFully(fd, this.buffer, at, end - start, start, first.file);
                for (let k = i; k < j; k++) {
                    const header = at + entries[k].offset - HEADER_BYTES - start;
                    out[k] = checkedPayload(this.buffer, header, entries[k]);
                }
                at += end - start;
                i = j;
            }
        } finally {
            for (const fd of fds.values()) closeSync(fd);
        }
        return out;
    }
}

function readFully(fd: number, into: Buffer, at: number, length: number, position: number, file: string): void {
    for (let done = 0; done < length;) {
        const n = readSync(fd, into, at + done, length - done, position + done);
        if (n === 0) throw new Error(`write-ahead log ${file}: ended at byte ${position + done}, ${length - done} bytes short of the records to deliver`);
        done += n;
    }
}

/** The payload of the record whose header starts at `header` in `bytes`, after checking it is `entry`'s. */
function checkedPayload(bytes: Buffer, header: number, entry: WalEntry): Buffer {
    const length = bytes.readUInt32LE(header);
    const seq = Number(bytes.readBigUInt64LE(header + 8));
    const payload = bytes.subarray(header + HEADER_BYTES, header + HEADER_BYTES + entry.length);
    if (length !== entry.length || seq !== entry.seq || !crcMatches(bytes, header, entry.length)) {
        throw new Error(`write-ahead log ${entry.file}: the record at byte ${entry.offset - HEADER_BYTES} is not request ${entry.seq} (${length} bytes, seq ${seq}, or a bad crc)`);
    }
    return payload;
}

/** writev at `position` until every byte is written (a short write continues where it stopped). */
async function writevFully(handle: FileHandle, parts: Buffer[], position: number, total: number): Promise<number> {
    let written = 0;
    let rest = parts;
    // Linux takes at most IOV_MAX (1024) buffers per writev.
    while (written < total) {
        const chunk = rest.slice(0, 1024);
        const { bytesWritten } = await handle.writev(chunk, position + written);
        if (bytesWritten === 0) break;
        written += bytesWritten;
        // Drop the fully written buffers; keep the unwritten tail of a partly written one.
        let skip = bytesWritten;
        let i = 0;
        while (i < rest.length && skip >= rest[i].length) skip -= rest[i++].length;
        rest = rest.slice(i);
        if (skip > 0) rest = [rest[0].subarray(skip), ...rest.slice(1)];
    }
    return written;
}

/** Opens a segment for positional writes (owner-only: it holds raw, PII-bearing requests). */
function openSegment(file: string): Promise<FileHandle> {
    return fsp.open(file, fsc.O_WRONLY | fsc.O_CREAT, 0o600);
}

async function syncDir(dir: string): Promise<void> {
    const handle = await fsp.open(dir, "r");
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}
