/**
 * The local lake's one Parquet writer: rows in, one Parquet file out, written atomically so a query
 * never sees half a file and a crash leaves the old state or the new one, never a torn file.
 *
 * Rows go through NDJSON: they are serialized to a hidden temp file, DuckDB reads it with explicit
 * column types (`read_json(..., columns = {...})`, so maps and timestamps have the lake's types even
 * when a batch has only nulls in a column) and COPYs it to a temp Parquet file, which is fsynced and
 * renamed to its final name; the folder is fsynced so the rename itself survives a power cut.
 * NDJSON rather than the appender: DuckDB parses JSON in its own threads, off the Node event loop.
 */
import { randomBytes } from "crypto";
import { closeSync, mkdirSync, openSync, promises as fsp, writeFileSync, writevSync } from "fs";
import * as path from "path";
import { type LocalDb, sqlString } from "./duckdb";

export interface DuckColumn {
    readonly name: string;
    /** DuckDB type, e.g. VARCHAR, TIMESTAMP, MAP(VARCHAR, VARCHAR). */
    readonly duckType: string;
}


/** read_json's `columns` struct literal: {'name': 'TYPE', ...}. */
function columnsLiteral(columns: ReadonlyArray<DuckColumn>): string {
    for (const c of columns) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(c.name)) throw new Error(`writeParquetAtomic: column name ${JSON.stringify(c.name)} is not a plain identifier`);
        if (!/^[A-Z][A-Z0-9_(), ]*$/.test(c.duckType)) throw new Error(`writeParquetAtomic: column ${c.name} has an unexpected type ${JSON.stringify(c.duckType)}`);
    }
    return `{${columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.duckType)}`).join(", ")}}`;
}

/** Opens, fsyncs and closes a file or folder. */
export async function fsyncPath(p: string): Promise<void> {
    const handle = await fsp.open(p, "r");
    try {
        await handle.sync();
    } finally {
        await handle.close();
    }
}

/** Hidden temp name beside `finalPath` (same file system, so the rename is atomic; ".tmp" never matches *.parquet). */
export function tempPathFor(finalPath: string, suffix = ".tmp"): string {
    return path.join(path.dirname(finalPath), `.${path.basename(finalPath)}.${process.pid}-${randomBytes(4).toString("hex")}${suffix}`);
}

/** Bytes to write: text, one buffer, or buffers written in order with one vectored write (no concatenation). */
export type FileContent = string | Buffer | readonly Buffer[];

function contentBytes(content: FileContent): number {
    if (typeof content === "string") return Buffer.byteLength(content);
    if (Buffer.isBuffer(content)) return content.length;
    let total = 0;
    for (const part of content) total += part.length;
    return total;
}

/** Writes `content` to `finalPath` (created or truncated), synchronously; buffers with writev. */
function writeContentSync(file: string, content: FileContent): void {
    if (typeof content === "string" || Buffer.isBuffer(content)) return writeFileSync(file, content);
    const fd = openSync(file, "w", 0o644);
    try {
        // libuv writes every buffer (in IOV_MAX groups, continuing after short writes) or fails.
        const written = content.length === 0 ? 0 : writevSync(fd, content as Buffer[]);
        if (written !== contentBytes(content)) throw new Error(`${file}: wrote ${written} of ${contentBytes(content)} bytes`);
    } finally {
        closeSync(fd);
    }
}

/** Writes `text` to `finalPath` atomically: temp file, fsync, rename, fsync of the folder. */
export async function writeFileAtomic(finalPath: string, text: FileContent): Promise<void> {
    await fsp.mkdir(path.dirname(finalPath), { recursive: true });
    const tmp = tempPathFor(finalPath);
    try {
        const handle = await fsp.open(tmp, "w", 0o644);
        try {
            if (typeof text === "string" || Buffer.isBuffer(text)) await handle.writeFile(text);
            else if (text.length > 0) {
                // libuv writes every buffer (in IOV_MAX groups, continuing after short writes) or fails.
                const { bytesWritten } = await handle.writev(text as Buffer[]);
                if (bytesWritten !== contentBytes(text)) throw new Error(`${finalPath}: wrote ${bytesWritten} of ${contentBytes(text)} bytes`);
            }
            await handle.sync();
        } finally {
            await handle.close();
        }
        await fsp.rename(tmp, finalPath);
    } catch (e) {
        await fsp.rm(tmp, { force: true });
        throw e;
    }
    await fsyncPath(path.dirname(finalPath));
}

/**
 * JSON.stringify writes a lone UTF-16 surrogate (a client string cut inside an emoji) as a `\ud83d`
 * escape, and DuckDB's read_json rejects the whole file for it ("no low surrogate in string"): one
 * such event would fail its delivery, and every retry of it, while the server answered 503. Such an
 * escape becomes U+FFFD, as a UTF-8 decoder replaces an unpaired surrogate. (JSON.stringify writes
 * well-formed pairs as characters, so every surrogate escape in its output is a lone one; an escaped
 * backslash before "ud83d" is text and stays.)
 */
export function withoutLoneSurrogates(jsonText: string): string {
    return jsonText.replace(/(?<!\\)((?:\\\\)*)\\u[dD][89a-fA-F][0-9a-fA-F]{2}/g, "$1\\ufffd");
}


/**
 * Writes rows already serialized as JSON to `finalPath` as Parquet (ZSTD), atomically: one object
 * per line ("newline_delimited") or one array of objects ("array"); absent keys read as NULL. The
 * caller's fast path when rows are already text.
 *
 * The temp JSON file is written and DuckDB's COPY submitted before this returns, so a caller can
 * prepare its next file while DuckDB (in its own thread) converts this one.
 */
export function writeParquetFromJson(db: LocalDb, finalPath: string, columns: ReadonlyArray<DuckColumn>, json: FileContent, format: "newline_delimited" | "array" = "newline_delimited"): Promise<void> {
    const dir = path.dirname(finalPath);
    const jsonTmp = tempPathFor(finalPath, ".ndjson.tmp");
    const parquetTmp = tempPathFor(finalPath, ".parquet.tmp");
    let copy: Promise<void>;
    try {
        mkdirSync(dir, { recursive: true });
        writeContentSync(jsonTmp, json);
        const names = columns.map((c) => `"${c.name}"`).join(", ");
        copy = db.run(
            `COPY (SELECT ${names} FROM read_json(${sqlString(jsonTmp)}, format = '${format}', columns = ${columnsLiteral(columns)}, ` +
            `maximum_object_size = 16777216)) ` +
            `TO ${sqlString(parquetTmp)} (FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)`,
        );
    } catch (e) {
        copy = Promise.reject(e);
    }
    return (async () => {
        try {
            await copy;
            await fsyncPath(parquetTmp);
            await fsp.rename(parquetTmp, finalPath);
        } finally {
            await Promise.all([fsp.rm(jsonTmp, { force: true }), fsp.rm(parquetTmp, { force: true })]);
        }
        await fsyncPath(dir);
    })();
}

/**
 * Writes rows (plain objects) to `finalPath` as Parquet (ZSTD), atomically: temp file, fsync, rename.
 * `columns` gives DuckDB types in order; keys a row lacks are NULL, keys not in `columns` are ignored.
 * Timestamps are ISO-8601 UTC text with milliseconds ("2026-11-26T16:05:00.123Z", as EventRow has
 * them) or epoch-free text DuckDB casts; maps are plain objects of strings.
 */
export async function writeParquetAtomic(db: LocalDb, finalPath: string, columns: ReadonlyArray<DuckColumn>, rows: readonly object[]): Promise<void> {
    if (rows.length === 0) throw new Error(`writeParquetAtomic: no rows for ${finalPath}; skip the write instead of creating an empty file`);
    let text = "";
    for (let i = 0; i < rows.length; i++) text += (i === 0 ? "" : "\n") + JSON.stringify(rows[i]);
    // Window group values and alert texts come from client data, which may hold a cut emoji.
    if (text.includes("\\ud") || text.includes("\\uD")) text = withoutLoneSurrogates(text);
    await writeParquetFromJson(db, finalPath, columns, text);
}
