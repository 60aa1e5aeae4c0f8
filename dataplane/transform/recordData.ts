/**
 * The base64 `data` of every output record of one invocation, encoded in one pass.
 *
 * Encoding each record on its own (UTF-8 buffer, then base64 string) allocates two objects per record
 * and leaves ~5 MB of small strings in V8's young generation, copied at every scavenge until the
 * response is returned. Here every record's rows are written into one growing buffer, each record
 * padded with JSON whitespace to a multiple of 3 bytes, so the single base64 string of the whole buffer
 * splits exactly at record boundaries (4 characters per 3 bytes); each record's `data` is a slice of it.
 * The one large string lives outside the young generation and the slices are small views of it.
 *
 * The spaces (one before the first row, one to three after the last) are insignificant whitespace
 * between JSON documents, which Firehose's format conversion reads as a stream
 * (docs/record-granularity.md).
 */
import { LakeRow } from "./rowText";

const NEWLINE = 0x0a;
/** Between two serialized rows of an array: `}` `,` `{` and the first key of the next row. */
const ROW_BOUNDARY_TEXT = '},{"event_id":';
const ROW_BOUNDARY = Buffer.from(ROW_BOUNDARY_TEXT);
const SPACE = 0x20;
const MIN_BYTES = 64 * 1024;
/** The buffer of the last finished writer, for the next one. */
let spare: Buffer | undefined;

export class RecordDataWriter {
    private buf: Buffer;
    private length = 0;
    /** End offset (bytes) of each record, in order. */
    private readonly ends: number[] = [];

    /**
     * @param expectedBytes the likely output size: growing the buffer copies it, so start big enough for
     * the usual case (rows run 1.0-1.4x the size of their requests)
     */
    constructor(expectedBytes: number) {
        const bytes = Math.max(MIN_BYTES, Math.ceil(expectedBytes));
        // One invocation at a time per Lambda container, and the data is copied out by `finish`: the
        // last writer's buffer is reused, sparing a multi-megabyte allocation (and its page faults) per batch.
        this.buf = spare !== undefined && spare.length >= bytes ? spare : Buffer.allocUnsafe(bytes);
        spare = undefined;
    }

    /**
     * Appends one record: its rows as JSON objects separated by "\n", between spaces.
     *
     * The rows are serialized with one JSON.stringify of the array (a call per row costs more than the
     * rows' text), written as they are, and then turned from an array into a stream of objects in the
     * buffer: "[" and "]" become spaces and each `},{"event_id":` becomes `}\n{"event_id":`. That
     * sequence only occurs between rows: every row starts with event_id, and inside a JSON string the
     * quote before `event_id` would be escaped. Nothing is written if serializing throws.
     */
    addRecord(rows: readonly LakeRow[]): void {
        const text = JSON.stringify(rows);
        // UTF-8 takes at most 3 bytes per UTF-16 unit; up to 2 padding bytes follow.
        this.reserve(text.length * 3 + 2);
        const start = this.length;
        const end = start + this.buf.write(text, start, "utf8");
        this.buf[start] = SPACE;
        this.buf[end - 1] = SPACE;
        let boundaries = 0;
        if (rows.length > 1 && end - start === text.length) {
            // ASCII text (one byte per character): the boundaries' offsets in the text are their offsets
            // in the buffer, and String#indexOf is cheaper than a Buffer#indexOf call per row.
            for (let at = text.indexOf(ROW_BOUNDARY_TEXT); at !== -1; at = text.indexOf(ROW_BOUNDARY_TEXT, at + ROW_BOUNDARY_TEXT.length)) {
                this.buf[start + at + 1] = NEWLINE;
                boundaries++;
            }
        } else if (rows.length > 1) {
            const record = this.buf.subarray(start, end); // bounds the search to this record
            for (let at = record.indexOf(ROW_BOUNDARY); at !== -1; at = record.indexOf(ROW_BOUNDARY, at + ROW_BOUNDARY.length)) {
                record[at + 1] = NEWLINE;
                boundaries++;
            }
        }
        if (boundaries !== rows.length - 1) throw new Error(`recordData: found ${boundaries} row boundaries in ${rows.length} rows; every row must start with event_id`);
        this.length = end;
        while (this.length % 3 !== 0) this.buf[this.length++] = SPACE;
        this.ends.push(this.length);
    }

    /** Appends a record without data (Dropped, ProcessingFailed). */
    addEmpty(): void {
        this.ends.push(this.length);
    }

    /** Each record's base64 data, in the order added ("" for empty records). The writer is done after this. */
    finish(): string[] {
        const base64 = this.buf.toString("base64", 0, this.length);
        spare = this.buf;
        const out = new Array<string>(this.ends.length);
        let start = 0;
        for (let i = 0; i < this.ends.length; i++) {
            const end = this.ends[i];
            out[i] = base64.slice((start / 3) * 4, (end / 3) * 4);
            start = end;
        }
        return out;
    }

    private reserve(bytes: number): void {
        if (this.buf.length - this.length >= bytes) return;
        const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.length + bytes));
        this.buf.copy(grown, 0, 0, this.length);
        this.buf = grown;
    }
}
