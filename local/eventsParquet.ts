/**
 * The events table's Parquet writer: EventRow objects straight to Parquet bytes in JavaScript, without
 * the JSON round trip through DuckDB (local/parquet.ts writeParquetFromJson: JSON.stringify, a temp
 * JSON file, read_json, DuckDB's Parquet writer), at about a third of its CPU per row
 * (bench/parquetWriter.ts, `npm run bench:parquet`).
 *
 * The file has the schema DuckDB itself writes for these columns: every column OPTIONAL, strings
 * BYTE_ARRAY/UTF8, timestamps INT64 TIMESTAMP(MICROS, isAdjustedToUTC=false), maps the standard
 * three-level MAP group (`key_value` repeated, `key` required, `value` optional). One row group; per
 * leaf column one data page (format v1), after a dictionary page when the strings repeat: strings are
 * dictionary-encoded (RLE_DICTIONARY, indices bit-packed) unless over 90 % distinct (then PLAIN),
 * levels bit-packed (RLE/bit-packed hybrid), pages compressed with Brotli quality 1 (Node's zlib; Node
 * 20 has no zstd). Timestamp columns carry min/max statistics, so DuckDB can skip a file on an
 * event_time filter.
 *
 * Strings are encoded as UTF-8 by Buffer, which writes a lone UTF-16 surrogate as U+FFFD, as the JSON
 * path did (parquet.ts withoutLoneSurrogates).
 *
 * The column list comes from EVENTS_TABLE (dataplane/schema.ts), so a new column is written without an
 * edit here; a column type this writer does not know fails at load, naming the column.
 */
import { brotliCompressSync, constants as zlibConstants } from "zlib";
import type { EventRow } from "../dataplane/schema";
import { writeFileAtomic } from "./parquet";
import { EVENTS_TABLE } from "./tables";

/** Rows to write: one array per request, written in order (no copy into one array). */
export type EventRowBatches = readonly (readonly EventRow[])[];

/** Writes the rows to `finalPath` as one Parquet file, atomically: temp file, fsync, rename, fsync of the folder. */
export async function writeEventsParquet(finalPath: string, rows: EventRowBatches | EventsParquetBuilder): Promise<void> {
    await writeFileAtomic(finalPath, rows instanceof EventsParquetBuilder ? rows.finish() : encodeEventsParquet(rows));
}

/** The Parquet file of the rows, as buffers to write in order. Throws (naming the column) on a value of the wrong type. */
export function encodeEventsParquet(batches: EventRowBatches): Buffer[] {
    let rowCount = 0;
    for (const batch of batches) rowCount += batch.length;
    const builder = new EventsParquetBuilder(rowCount);
    for (const batch of batches) builder.add(batch);
    return builder.finish();
}

/**
 * One events Parquet file built request by request: each request's rows go into the columns as the
 * transform emits them, so they are garbage at once instead of being held (and copied by V8's
 * young-generation collections) until the file is written.
 */
export class EventsParquetBuilder {
    private readonly columns: Column[];
    private rowCount = 0;
    /** The first value of a wrong type: the columns may then be uneven, so `finish` throws it. */
    private failure: Error | undefined;

    /** @param expectedRows the likely row count; the columns grow past it */
    constructor(expectedRows = 1024) {
        this.columns = EVENTS_TABLE.columns.map((c) => newColumn(c.name, c.duckType, Math.max(expectedRows, 16)));
    }

    get rows(): number {
        return this.rowCount;
    }

    add(rows: readonly EventRow[]): void {
        if (this.failure) return;
        try {
            addRows(this.columns, rows);
            this.rowCount += rows.length;
        } catch (e) {
            this.failure = e as Error;
        }
    }

    /** The file's bytes, as buffers to write in order. Throws (naming the column) if a value had the wrong type. */
    finish(): Buffer[] {
        if (this.failure) throw this.failure;
        if (this.rowCount === 0) throw new Error("encodeEventsParquet: no rows; skip the write instead of creating an empty file");
        const parts: Buffer[] = [MAGIC];
        let offset = MAGIC.length;
        const chunks: ChunkMeta[] = [];
        for (const column of this.columns) {
            for (const leaf of column.leaves()) {
                const chunk = writeLeaf(leaf, offset, parts);
                offset += chunk.compressedSize;
                chunks.push(chunk);
            }
        }
        const footer = fileMetaData(this.columns, chunks, this.rowCount);
        const tail = Buffer.allocUnsafe(8);
        tail.writeUInt32LE(footer.length, 0);
        MAGIC.copy(tail, 4);
        parts.push(footer, tail);
        return parts;
    }
}

const MAGIC = Buffer.from("PAR1", "latin1");

/**
 * Adds each row's values to the columns: `columns[0].add(row.event_id); columns[1].add(row.event_type); ...`,
 * generated once from the column names. Written out, every property read and `add` call has a
 * site of its own, which V8 keeps monomorphic; one loop over the columns (`row[column.name]`) makes
 * them megamorphic: ~6 % more CPU per row in an interleaved A/B (best of 8 rounds, loaded machine).
 */
const addRows = ((): ((columns: readonly Column[], rows: readonly EventRow[]) => void) => {
    const body = EVENTS_TABLE.columns.map((c, i) => {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name)) throw new Error(`eventsParquet: column name ${JSON.stringify(c.name)} is not a plain identifier`);
        return `c${i}.add(row.${c.name});`;
    });
    const locals = EVENTS_TABLE.columns.map((_c, i) => `const c${i} = columns[${i}];`);
    return new Function("columns", "rows", `${locals.join("\n")}\nfor (let r = 0; r < rows.length; r++) {\nconst row = rows[r];\n${body.join("\n")}\n}`) as (columns: readonly Column[], rows: readonly EventRow[]) => void;
})();

// Parquet enums (parquet.thrift).
const TYPE_INT64 = 2;
const TYPE_BYTE_ARRAY = 6;
const REPETITION_REQUIRED = 0;
const REPETITION_OPTIONAL = 1;
const REPETITION_REPEATED = 2;
const CONVERTED_UTF8 = 0;
const CONVERTED_MAP = 1;
const CONVERTED_TIMESTAMP_MICROS = 10;
const ENCODING_PLAIN = 0;
const ENCODING_RLE = 3;
const ENCODING_RLE_DICTIONARY = 8;
const CODEC_UNCOMPRESSED = 0;
const CODEC_BROTLI = 4;
const PAGE_DATA = 0;
const PAGE_DICTIONARY = 2;
/**
 * Brotli at quality 1: on the events pages it compresses as well as GZIP level 1 (and as DuckDB's
 * ZSTD level 1 the whole file) in 40 % of GZIP's time (bench/parquetWriter.ts). Node 20 has no zstd.
 */
const BROTLI_OPTIONS = { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 1 } };
/** Pages smaller than this are stored uncompressed: zlib's per-call cost outweighs the few bytes saved. */
const MIN_COMPRESS_BYTES = 256;

/** One leaf column's levels and values, ready to encode. */
interface Leaf {
    /** path_in_schema, e.g. ["properties", "key_value", "key"]. */
    readonly path: readonly string[];
    readonly physicalType: number;
    readonly maxRep: number;
    readonly maxDef: number;
    /** Number of level entries (rows, or map entries plus null/empty maps). */
    readonly levelCount: number;
    readonly repLevels: Uint8Array | undefined;
    readonly defLevels: Uint8Array;
    /** The non-null values. */
    readonly values: LeafValues;
}

/** A leaf's values: dictionary-encoded or PLAIN strings, or PLAIN INT64 (timestamps). */
type LeafValues =
    | { kind: "dictionary"; dictionary: readonly string[]; indices: Int32Array; count: number }
    | { kind: "plain"; strings: readonly string[] }
    | { kind: "int64"; bytes: Buffer; count: number; min: number; max: number };

interface Column {
    readonly name: string;
    add(value: unknown): void;
    leaves(): Leaf[];
    /** Schema elements of the column (the group and its children for a map). */
    schema(): SchemaElement[];
}

function newColumn(name: string, duckType: string, rowCount: number): Column {
    switch (duckType) {
        case "VARCHAR": return new StringColumn(name, rowCount);
        case "TIMESTAMP": return new TimestampColumn(name, rowCount);
        case "MAP(VARCHAR, VARCHAR)": return new StringMapColumn(name, rowCount);
        default: throw new Error(`eventsParquet: column ${name} has type ${duckType}, which this writer does not encode; add it to newColumn in local/eventsParquet.ts`);
    }
}

/** Past this many values, a column whose values are over 90 % distinct is written PLAIN. */
const DICTIONARY_PROBE = 256;
/**
 * Most distinct values of a dictionary; past it the column is written PLAIN. Kept at 4,096 so the
 * value -> index Map stays a regular heap object: V8 puts a Map's table of 8,192 entries or more
 * (over 128 KB) in large-object space, on fresh pages for every file, each page's first touch a
 * fault (~17 us on the machine of docs/local.md#performance). The events' properties values reached
 * ~11,800 distinct values in a file of 5,000 rows of bench:local's events, where PLAIN under Brotli
 * made the whole file smaller (214,892 against 224,074 bytes). Indices are bit-packed at most 24 bits
 * wide (writeBitPacked).
 */
const MAX_DICTIONARY = 4096;
/** Last values remembered per column: one per map entry index up to this many (StringValues.add). */
const MEMO_SLOTS = 16;

/**
 * One leaf's strings: dictionary-encoded (each distinct string UTF-8 encoded once, a bit-packed index
 * per value) while repeats pay for the map lookups, PLAIN once over half the values are distinct
 * (event ids, pseudonymized ids), where the dictionary would cost a hash insert per value for nothing.
 * A value equal to the last one added in the same slot skips the lookup: a request's rows share many
 * of their values, and maps repeat their keys (and often values) entry for entry (slot = entry index).
 */
class StringValues {
    private ids: Map<string, number> | undefined = new Map();
    private readonly dictionary: string[] = [];
    private indices: Int32Array;
    private plain: string[] | undefined;
    private count = 0;
    private readonly lastValues: Array<string | undefined> = new Array<string | undefined>(MEMO_SLOTS).fill(undefined);
    private readonly lastIds = new Int32Array(MEMO_SLOTS);

    constructor(capacity: number) {
        this.indices = new Int32Array(Math.max(capacity, 16));
    }

    /** Adds `value`; `slot` (0..MEMO_SLOTS-1) picks the remembered last value it is compared with. */
    add(value: string, slot: number): void {
        if (this.plain) {
            this.plain.push(value);
            return;
        }
        if (this.count === this.indices.length) this.indices = grow(this.indices, new Int32Array(this.count * 2));
        if (value === this.lastValues[slot]) {
            this.indices[this.count++] = this.lastIds[slot];
            return;
        }
        let id = this.ids!.get(value);
        if (id === undefined) {
            id = this.dictionary.length;
            if (id >= MAX_DICTIONARY || (this.count >= DICTIONARY_PROBE && id > this.count * 0.9)) return this.toPlain(value);
            this.ids!.set(value, id);
            this.dictionary.push(value);
        }
        this.lastValues[slot] = value;
        this.lastIds[slot] = id;
        this.indices[this.count++] = id;
    }

    private toPlain(value: string): void {
        const plain: string[] = new Array(this.count + 1);
        for (let i = 0; i < this.count; i++) plain[i] = this.dictionary[this.indices[i]];
        plain[this.count] = value;
        this.plain = plain;
        this.ids = undefined;
    }

    encoded(): LeafValues {
        if (this.plain) return { kind: "plain", strings: this.plain };
        return { kind: "dictionary", dictionary: this.dictionary, indices: this.indices, count: this.count };
    }
}

class StringColumn implements Column {
    private readonly values: StringValues;
    private defs: Uint8Array;
    private rows = 0;

    constructor(readonly name: string, rowCount: number) {
        this.defs = new Uint8Array(rowCount);
        this.values = new StringValues(rowCount);
    }

    add(value: unknown): void {
        if (this.rows === this.defs.length) this.defs = grow(this.defs, new Uint8Array(this.rows * 2));
        if (value === null || value === undefined) {
            this.defs[this.rows++] = 0;
            return;
        }
        if (typeof value !== "string") throw new Error(`eventsParquet: column ${this.name} must be a string or null, got ${typeof value}`);
        this.defs[this.rows++] = 1;
        this.values.add(value, 0);
    }

    leaves(): Leaf[] {
        return [{ path: [this.name], physicalType: TYPE_BYTE_ARRAY, maxRep: 0, maxDef: 1, levelCount: this.rows, repLevels: undefined, defLevels: this.defs, values: this.values.encoded() }];
    }

    schema(): SchemaElement[] {
        return [{ name: this.name, type: TYPE_BYTE_ARRAY, repetition: REPETITION_OPTIONAL, convertedType: CONVERTED_UTF8 }];
    }
}

/** ISO-8601 text (as EventRow has it) -> INT64 microseconds since the epoch, written little-endian. */
class TimestampColumn implements Column {
    private defs: Uint8Array;
    private bytes: Buffer;
    private rows = 0;
    private count = 0;
    private min = Infinity;
    private max = -Infinity;
    /** "YYYY-MM-DDTHH:MM:" of the last timestamp Date.parse read, and its epoch ms: most of a file's timestamps share it. */
    private minute = "";
    private minuteMs = 0;

    constructor(readonly name: string, rowCount: number) {
        this.defs = new Uint8Array(rowCount);
        this.bytes = Buffer.allocUnsafe(rowCount * 8);
    }

    add(value: unknown): void {
        if (this.rows === this.defs.length) {
            this.defs = grow(this.defs, new Uint8Array(this.rows * 2));
            const bytes = Buffer.allocUnsafe(this.rows * 2 * 8);
            this.bytes.copy(bytes, 0, 0, this.count * 8);
            this.bytes = bytes;
        }
        if (value === null || value === undefined) {
            this.defs[this.rows++] = 0;
            return;
        }
        if (typeof value !== "string") throw new Error(`eventsParquet: column ${this.name} must be an ISO-8601 timestamp or null, got ${typeof value}`);
        const ms = this.parse(value);
        this.defs[this.rows++] = 1;
        writeMicros(this.bytes, this.count++ * 8, ms);
        if (ms < this.min) this.min = ms;
        if (ms > this.max) this.max = ms;
    }

    /**
     * Epoch ms of ISO-8601 text. The transform's form ("2026-11-26T16:05:00.123Z", toISOString) within
     * the minute of the previous parse costs a few digit reads; anything else goes through Date.parse.
     */
    private parse(text: string): number {
        if (text.length === 24 && this.minute !== "" && text.startsWith(this.minute) && text.charCodeAt(19) === 0x2e && text.charCodeAt(23) === 0x5a) {
            const s1 = text.charCodeAt(17) - 48;
            const s0 = text.charCodeAt(18) - 48;
            const m2 = text.charCodeAt(20) - 48;
            const m1 = text.charCodeAt(21) - 48;
            const m0 = text.charCodeAt(22) - 48;
            if (s1 >= 0 && s1 <= 5 && s0 >= 0 && s0 <= 9 && m2 >= 0 && m2 <= 9 && m1 >= 0 && m1 <= 9 && m0 >= 0 && m0 <= 9) {
                return this.minuteMs + (s1 * 10 + s0) * 1000 + m2 * 100 + m1 * 10 + m0;
            }
        }
        const ms = Date.parse(text);
        if (!Number.isFinite(ms)) throw new Error(`eventsParquet: column ${this.name} must be an ISO-8601 timestamp or null, got ${JSON.stringify(text)}`);
        if (text.length === 24 && text.charCodeAt(23) === 0x5a) {
            const minute = text.slice(0, 17);
            const minuteMs = Date.parse(`${minute}00.000Z`);
            if (Number.isFinite(minuteMs)) {
                this.minute = minute;
                this.minuteMs = minuteMs;
            }
        }
        return ms;
    }

    leaves(): Leaf[] {
        return [{
            path: [this.name], physicalType: TYPE_INT64, maxRep: 0, maxDef: 1, levelCount: this.rows, repLevels: undefined, defLevels: this.defs,
            values: { kind: "int64", bytes: this.bytes, count: this.count, min: this.min, max: this.max },
        }];
    }

    schema(): SchemaElement[] {
        return [{ name: this.name, type: TYPE_INT64, repetition: REPETITION_OPTIONAL, convertedType: CONVERTED_TIMESTAMP_MICROS, timestampMicros: true }];
    }
}

/** Writes integer milliseconds `ms` as INT64 microseconds (exact beyond 2^53, which ms * 1000 is not). */
function writeMicros(buffer: Buffer, at: number, ms: number): void {
    const high = Math.floor(ms / 4294967296);
    const lowMicros = (ms - high * 4294967296) * 1000; // < 2^42: exact
    const carry = Math.floor(lowMicros / 4294967296);
    buffer.writeUInt32LE(lowMicros - carry * 4294967296, at);
    buffer.writeInt32LE(high * 1000 + carry, at + 4);
}

function microsBytes(ms: number): Buffer {
    const out = Buffer.allocUnsafe(8);
    writeMicros(out, 0, ms);
    return out;
}

/**
 * MAP(VARCHAR, VARCHAR): leaves key (max definition 2) and value (max definition 3), repetition 1 for
 * every entry after a map's first. Definition: 0 null map, 1 empty map, 2 entry (value null), 3 value set.
 */
class StringMapColumn implements Column {
    private readonly keys: StringValues;
    private readonly values: StringValues;
    private reps: Uint8Array;
    private defs: Uint8Array;
    private levels = 0;

    constructor(readonly name: string, rowCount: number) {
        this.keys = new StringValues(rowCount * 4);
        this.values = new StringValues(rowCount * 4);
        this.reps = new Uint8Array(rowCount * 4);
        this.defs = new Uint8Array(rowCount * 4);
    }

    add(value: unknown): void {
        if (value === null || value === undefined) return this.level(0, 0);
        if (typeof value !== "object" || Array.isArray(value)) throw new Error(`eventsParquet: column ${this.name} must be an object of strings or null, got ${Array.isArray(value) ? "an array" : typeof value}`);
        let first = true;
        let slot = 0;
        for (const key in value) {
            const entry = (value as Record<string, unknown>)[key];
            if (entry === undefined) continue; // JSON.stringify leaves such a key out, so read_json never sees it
            if (entry !== null && typeof entry !== "string") throw new Error(`eventsParquet: column ${this.name}[${JSON.stringify(key)}] must be a string or null, got ${typeof entry}`);
            this.level(first ? 0 : 1, entry === null ? 2 : 3);
            first = false;
            this.keys.add(key, slot);
            if (entry !== null) this.values.add(entry, slot);
            if (slot < MEMO_SLOTS - 1) slot++;
        }
        if (first) this.level(0, 1);
    }

    private level(rep: number, def: number): void {
        if (this.levels === this.reps.length) {
            const size = this.reps.length * 2;
            this.reps = grow(this.reps, new Uint8Array(size));
            this.defs = grow(this.defs, new Uint8Array(size));
        }
        this.reps[this.levels] = rep;
        this.defs[this.levels++] = def;
    }

    leaves(): Leaf[] {
        const reps = this.reps.subarray(0, this.levels);
        const defs = this.defs.subarray(0, this.levels);
        // The key is required inside an entry: its definition stops at 2 where the value's goes to 3.
        const keyDefs = new Uint8Array(this.levels);
        for (let i = 0; i < this.levels; i++) keyDefs[i] = defs[i] > 2 ? 2 : defs[i];
        return [
            {
                path: [this.name, "key_value", "key"], physicalType: TYPE_BYTE_ARRAY, maxRep: 1, maxDef: 2, levelCount: this.levels, repLevels: reps, defLevels: keyDefs,
                values: this.keys.encoded(),
            },
            {
                path: [this.name, "key_value", "value"], physicalType: TYPE_BYTE_ARRAY, maxRep: 1, maxDef: 3, levelCount: this.levels, repLevels: reps, defLevels: defs,
                values: this.values.encoded(),
            },
        ];
    }

    schema(): SchemaElement[] {
        return [
            { name: this.name, repetition: REPETITION_OPTIONAL, numChildren: 1, convertedType: CONVERTED_MAP },
            { name: "key_value", repetition: REPETITION_REPEATED, numChildren: 2 },
            { name: "key", type: TYPE_BYTE_ARRAY, repetition: REPETITION_REQUIRED, convertedType: CONVERTED_UTF8 },
            { name: "value", type: TYPE_BYTE_ARRAY, repetition: REPETITION_OPTIONAL, convertedType: CONVERTED_UTF8 },
        ];
    }
}

function grow<T extends Uint8Array | Int32Array>(from: T, to: T): T {
    to.set(from);
    return to;
}

interface ChunkMeta {
    readonly leaf: Leaf;
    readonly fileOffset: number;
    readonly dictionaryPageOffset: number | undefined;
    readonly dataPageOffset: number;
    readonly codec: number;
    readonly encodings: readonly number[];
    readonly uncompressedSize: number;
    readonly compressedSize: number;
}

/** Appends one column chunk (dictionary page if any, then the data page) to `parts`, starting at file offset `offset`. */
function writeLeaf(leaf: Leaf, offset: number, parts: Buffer[]): ChunkMeta {
    const bodies: Array<{ type: number; body: Buffer; valueCount: number; encoding: number }> = [];
    const values = leaf.values;
    const levels = new ByteWriter(64 + leaf.levelCount / 2);
    if (leaf.repLevels) writeLevels(levels, leaf.repLevels, leaf.levelCount, leaf.maxRep);
    writeLevels(levels, leaf.defLevels, leaf.levelCount, leaf.maxDef);
    let dataEncoding = ENCODING_PLAIN;
    if (values.kind === "dictionary" && values.dictionary.length > 0) {
        bodies.push({ type: PAGE_DICTIONARY, body: plainStrings(values.dictionary), valueCount: values.dictionary.length, encoding: ENCODING_PLAIN });
        const width = bitWidth(values.dictionary.length - 1) || 1;
        levels.byte(width);
        writeBitPacked(levels, values.indices, values.count, width);
        dataEncoding = ENCODING_RLE_DICTIONARY;
    } else if (values.kind === "plain") {
        levels.bytes(plainStrings(values.strings));
    } else if (values.kind === "int64") {
        levels.bytes(values.bytes.subarray(0, values.count * 8));
    }
    bodies.push({ type: PAGE_DATA, body: levels.result(), valueCount: leaf.levelCount, encoding: dataEncoding });

    let total = 0;
    for (const b of bodies) total += b.body.length;
    const codec = total >= MIN_COMPRESS_BYTES ? CODEC_BROTLI : CODEC_UNCOMPRESSED;
    let uncompressedSize = 0;
    let compressedSize = 0;
    let dictionaryPageOffset: number | undefined;
    let dataPageOffset = offset;
    for (const page of bodies) {
        const stored = codec === CODEC_BROTLI ? brotliCompressSync(page.body, BROTLI_OPTIONS) : page.body;
        const header = pageHeader(page.type, page.body.length, stored.length, page.valueCount, page.encoding);
        if (page.type === PAGE_DICTIONARY) dictionaryPageOffset = offset + compressedSize;
        else dataPageOffset = offset + compressedSize;
        parts.push(header, stored);
        uncompressedSize += header.length + page.body.length;
        compressedSize += header.length + stored.length;
    }
    const encodings = dataEncoding === ENCODING_RLE_DICTIONARY ? [ENCODING_PLAIN, ENCODING_RLE, ENCODING_RLE_DICTIONARY] : [ENCODING_PLAIN, ENCODING_RLE];
    return { leaf, fileOffset: offset, dictionaryPageOffset, dataPageOffset, codec, encodings, uncompressedSize, compressedSize };
}

/** PLAIN BYTE_ARRAY: each string as a 4-byte little-endian length and its UTF-8 bytes. */
function plainStrings(strings: readonly string[]): Buffer {
    let capacity = 0;
    for (const s of strings) capacity += 4 + s.length * 3; // UTF-8 takes at most 3 bytes per UTF-16 unit
    const out = Buffer.allocUnsafe(capacity);
    let at = 0;
    for (const s of strings) {
        const written = out.write(s, at + 4, "utf8");
        out.writeUInt32LE(written, at);
        at += 4 + written;
    }
    return out.subarray(0, at);
}

/** Levels as the v1 data page has them: a 4-byte length, then the RLE/bit-packed hybrid. */
function writeLevels(out: ByteWriter, levels: Uint8Array, count: number, maxLevel: number): void {
    const lengthAt = out.reserve(4);
    const start = out.length;
    writeBitPacked(out, levels, count, bitWidth(maxLevel));
    out.setUInt32LE(lengthAt, out.length - start);
}

function bitWidth(max: number): number {
    return max === 0 ? 0 : 32 - Math.clz32(max);
}

/**
 * The RLE/bit-packed hybrid as one bit-packed run: a header (groups of 8 << 1 | 1), then the values
 * `width` bits each, least significant bit first, the last group padded with zeros.
 */
function writeBitPacked(out: ByteWriter, values: ArrayLike<number>, count: number, width: number): void {
    if (count === 0) return;
    if (width > 24) throw new Error(`eventsParquet: ${width}-bit values (over 16 million distinct strings in one column) are not supported`);
    const groups = Math.ceil(count / 8);
    out.varint(groups * 2 + 1);
    const padded = groups * 8;
    out.ensure(groups * width);
    const buffer = out.buffer;
    let at = out.length;
    let acc = 0;
    let bits = 0;
    for (let i = 0; i < padded; i++) {
        acc |= (i < count ? values[i] : 0) << bits;
        bits += width;
        while (bits >= 8) {
            buffer[at++] = acc & 0xff;
            acc >>>= 8;
            bits -= 8;
        }
    }
    out.length = at;
}

/** A growable byte buffer for page bodies and Thrift structures. */
class ByteWriter {
    buffer: Buffer;
    length = 0;

    constructor(initial: number) {
        this.buffer = Buffer.allocUnsafe(Math.max(64, Math.ceil(initial)));
    }

    ensure(more: number): void {
        if (this.length + more <= this.buffer.length) return;
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + more));
        this.buffer.copy(grown, 0, 0, this.length);
        this.buffer = grown;
    }

    byte(value: number): void {
        this.ensure(1);
        this.buffer[this.length++] = value;
    }

    bytes(data: Uint8Array): void {
        this.ensure(data.length);
        this.buffer.set(data, this.length);
        this.length += data.length;
    }

    /** Unsigned LEB128 varint of a non-negative integer up to 2^53. */
    varint(value: number): void {
        this.ensure(8);
        while (value >= 0x80) {
            this.buffer[this.length++] = (value % 0x80) | 0x80;
            value = Math.floor(value / 0x80);
        }
        this.buffer[this.length++] = value;
    }

    /** Reserves `n` bytes, returning their offset. */
    reserve(n: number): number {
        this.ensure(n);
        const at = this.length;
        this.length += n;
        return at;
    }

    setUInt32LE(at: number, value: number): void {
        this.buffer.writeUInt32LE(value, at);
    }

    result(): Buffer {
        return this.buffer.subarray(0, this.length);
    }
}

/**
 * Thrift compact protocol, just what Parquet's metadata needs: structs of i32/i64/binary/bool/list
 * fields, written in increasing field id order.
 */
class ThriftWriter {
    private readonly out = new ByteWriter(256);
    private readonly lastField: number[] = [0];

    private field(id: number, type: number): void {
        const delta = id - this.lastField[this.lastField.length - 1];
        if (delta > 0 && delta <= 15) this.out.byte((delta << 4) | type);
        else {
            this.out.byte(type);
            this.out.varint(zigzag(id));
        }
        this.lastField[this.lastField.length - 1] = id;
    }

    i32(id: number, value: number): this {
        this.field(id, 5);
        this.out.varint(zigzag(value));
        return this;
    }

    i64(id: number, value: number): this {
        this.field(id, 6);
        this.out.varint(zigzag(value));
        return this;
    }

    bool(id: number, value: boolean): this {
        this.field(id, value ? 1 : 2);
        return this;
    }

    binary(id: number, value: Buffer | string): this {
        this.field(id, 8);
        const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : value;
        this.out.varint(bytes.length);
        this.out.bytes(bytes);
        return this;
    }

    /** A struct field: `body` writes its fields. */
    struct(id: number, body: (w: this) => void): this {
        this.field(id, 12);
        this.structBody(body);
        return this;
    }

    private structBody(body: (w: this) => void): void {
        this.lastField.push(0);
        body(this);
        this.out.byte(0);
        this.lastField.pop();
    }

    private listHeader(id: number, size: number, elementType: number): void {
        this.field(id, 9);
        if (size < 15) this.out.byte((size << 4) | elementType);
        else {
            this.out.byte(0xf0 | elementType);
            this.out.varint(size);
        }
    }

    i32List(id: number, values: readonly number[]): this {
        this.listHeader(id, values.length, 5);
        for (const v of values) this.out.varint(zigzag(v));
        return this;
    }

    stringList(id: number, values: readonly string[]): this {
        this.listHeader(id, values.length, 8);
        for (const v of values) {
            const bytes = Buffer.from(v, "utf8");
            this.out.varint(bytes.length);
            this.out.bytes(bytes);
        }
        return this;
    }

    structList<T>(id: number, items: readonly T[], body: (w: this, item: T) => void): this {
        this.listHeader(id, items.length, 12);
        for (const item of items) this.structBody((w) => body(w, item));
        return this;
    }

    /** The bytes of a top-level struct: its fields, then the stop byte. */
    finish(): Buffer {
        this.out.byte(0);
        return Buffer.from(this.out.result());
    }
}

function zigzag(n: number): number {
    return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** PageHeader { 1: type, 2: uncompressed_page_size, 3: compressed_page_size, 5: data_page_header | 7: dictionary_page_header }. */
function pageHeader(type: number, uncompressed: number, compressed: number, valueCount: number, encoding: number): Buffer {
    const w = new ThriftWriter().i32(1, type).i32(2, uncompressed).i32(3, compressed);
    if (type === PAGE_DATA) {
        w.struct(5, (d) => d.i32(1, valueCount).i32(2, encoding).i32(3, ENCODING_RLE).i32(4, ENCODING_RLE));
    } else {
        w.struct(7, (d) => d.i32(1, valueCount).i32(2, ENCODING_PLAIN));
    }
    return w.finish();
}

interface SchemaElement {
    name: string;
    type?: number;
    repetition: number;
    numChildren?: number;
    convertedType?: number;
    /** TIMESTAMP(isAdjustedToUTC=false, MICROS) logical type, as DuckDB writes TIMESTAMP. */
    timestampMicros?: boolean;
}

function fileMetaData(columns: readonly Column[], chunks: readonly ChunkMeta[], rowCount: number): Buffer {
    const schema: SchemaElement[] = [{ name: "duckdb_schema", repetition: REPETITION_REQUIRED, numChildren: columns.length }, ...columns.flatMap((c) => c.schema())];
    let totalBytes = 0;
    for (const c of chunks) totalBytes += c.uncompressedSize;
    return new ThriftWriter()
        .i32(1, 1)
        .structList(2, schema, (w, e) => {
            if (e.type !== undefined) w.i32(1, e.type);
            w.i32(3, e.repetition).binary(4, e.name);
            if (e.numChildren !== undefined) w.i32(5, e.numChildren);
            if (e.convertedType !== undefined) w.i32(6, e.convertedType);
            // LogicalType union, field 8 TIMESTAMP: TimestampType { 1: isAdjustedToUTC, 2: unit (TimeUnit union, 2 MICROS) }.
            if (e.timestampMicros) w.struct(10, (l) => l.struct(8, (t) => t.bool(1, false).struct(2, (u) => u.struct(2, () => undefined))));
        })
        .i64(3, rowCount)
        .structList(4, [chunks], (w, group) => {
            w.structList(1, group, (cw, chunk) => {
                cw.i64(2, chunk.fileOffset).struct(3, (m) => {
                    const leaf = chunk.leaf;
                    m.i32(1, leaf.physicalType).i32List(2, chunk.encodings).stringList(3, leaf.path).i32(4, chunk.codec)
                        .i64(5, leaf.levelCount).i64(6, chunk.uncompressedSize).i64(7, chunk.compressedSize).i64(9, chunk.dataPageOffset);
                    if (chunk.dictionaryPageOffset !== undefined) m.i64(11, chunk.dictionaryPageOffset);
                    const values = leaf.values;
                    if (values.kind === "int64") {
                        // Statistics { 3: null_count, 5: max_value, 6: min_value }: signed INT64 order, as the logical type implies.
                        m.struct(12, (s) => {
                            s.i64(3, leaf.levelCount - values.count);
                            if (values.count > 0) s.binary(5, microsBytes(values.max)).binary(6, microsBytes(values.min));
                        });
                    }
                });
            });
            w.i64(2, totalBytes).i64(3, rowCount);
        })
        .binary(6, "clickstream local/eventsParquet.ts")
        .finish();
}

// A column type this writer cannot encode fails when the module loads, not at the first delivery.
for (const c of EVENTS_TABLE.columns) newColumn(c.name, c.duckType, 0);
