/**
 * Benchmark of the events table's Parquet writer (issue 9): the same rows written both ways, each
 * with the serialization it needs.
 *
 * - old: JSON.stringify of each request's rows (EventRows, nulls included), joined into one array
 *   (JsonArrayJoiner), then DuckDB read_json -> COPY to Parquet (ZSTD level 1) -> fsync -> rename (local/parquet.ts writeParquetFromJson), DuckDB on one
 *   thread as in the delivery worker.
 * - new: the EventRow objects encoded in JavaScript (local/eventsParquet.ts, Brotli quality 1) -> fsync -> rename.
 *
 * Rows: the transform benchmark's request envelopes (bench/transformBatch.ts) through the real
 * transform, BENCH_REQUESTS requests per file (default 1000: the delivery writes one file per 250-request
 * chunk and partition; more rows per file favour neither side much). CPU: user + system time of all
 * the process's threads (/proc/self/stat, so DuckDB's and zlib's threads count), over BENCH_FILES files
 * per round, median of BENCH_ROUNDS rounds, the two writers alternating so load changes hit both.
 * Last line: `ratio=<old CPU per row / new CPU per row>`.
 *
 *   npm run bench:parquet
 */
import { mkdtempSync, rmSync, statSync } from "fs";
import * as os from "os";
import * as path from "path";
import type { EventRow } from "../dataplane/schema";
import { createTransformer } from "../dataplane/transform";
import { openDuckDb, type LocalDb } from "../local/duckdb";
import { encodeEventsParquet, writeEventsParquet } from "../local/eventsParquet";
import { writeParquetFromJson } from "../local/parquet";
import { JsonArrayJoiner } from "./jsonArrayJoiner";
import { EVENTS_TABLE } from "../local/tables";
import { median, processCpuSeconds } from "./timing";
import { BENCH_PII_KEY, buildBatch } from "./transformBatch";

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 1000);
const FILES = Number(process.env.BENCH_FILES ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

/** CPU seconds (user + system) of every thread of this process so far (bench/timing.ts, /proc/self/stat). */
function cpuSecondsNow(): number {
    const seconds = processCpuSeconds("self");
    if (seconds === undefined) throw new Error("bench:parquet reads the CPU time of all threads from /proc/self/stat (Linux)");
    return seconds;
}

/** Each request's rows as the transform emits them, before toEventRow fills absent columns with null. */
function asLakeRows(rows: readonly EventRow[]): object[] {
    return rows.map((row) => {
        const copy: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(row)) copy[k] = v === null ? undefined : v;
        return copy;
    });
}

function requestRows(): EventRow[][] {
    const transformer = createTransformer(undefined, BENCH_PII_KEY);
    // One batch big enough for REQUESTS distinct requests (~6 KB each): repeating a batch would repeat
    // event ids, which a dictionary compresses as real traffic never lets it.
    const records = buildBatch(REQUESTS * 8000).event.records;
    if (records.length < REQUESTS) throw new Error(`the generator gave ${records.length} requests, fewer than BENCH_REQUESTS=${REQUESTS}`);
    return records.slice(0, REQUESTS).map((record) => transformer.normalize(Buffer.from(record.data, "base64")));
}

async function writeOld(db: LocalDb, file: string, lakeRows: readonly object[][], joiner: JsonArrayJoiner): Promise<void> {
    joiner.reset();
    for (const rows of lakeRows) joiner.add(JSON.stringify(rows));
    await writeParquetFromJson(db, file, EVENTS_TABLE.columns, joiner.bytes(), "array");
}

async function main(): Promise<void> {
    const batches = requestRows();
    const lakeRows = batches.map(asLakeRows);
    const rows = batches.reduce((n, b) => n + b.length, 0);
    const db = await openDuckDb();
    await db.run("SET threads = 1");
    const dir = mkdtempSync(path.join(os.tmpdir(), "bench-parquet-"));
    const joiner = new JsonArrayJoiner();
    try {
        console.log(`cpu: ${os.cpus()[0]?.model ?? "unknown"} x${os.cpus().length}, node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
        console.log(`rows per file: ${rows} (${REQUESTS} requests), ${FILES} files per round, ${ROUNDS} rounds`);
        // Warm-up: JIT, DuckDB's JSON extension and first allocations.
        for (let i = 0; i < 2; i++) {
            await writeOld(db, path.join(dir, `warm-old-${i}.parquet`), lakeRows, joiner);
            await writeEventsParquet(path.join(dir, `warm-new-${i}.parquet`), batches);
        }
        const oldUs: number[] = [];
        const newUs: number[] = [];
        for (let round = 0; round < ROUNDS; round++) {
            let c0 = cpuSecondsNow();
            for (let i = 0; i < FILES; i++) await writeOld(db, path.join(dir, `old-${round}-${i}.parquet`), lakeRows, joiner);
            oldUs.push(((cpuSecondsNow() - c0) * 1e6) / (FILES * rows));
            c0 = cpuSecondsNow();
            for (let i = 0; i < FILES; i++) await writeEventsParquet(path.join(dir, `new-${round}-${i}.parquet`), batches);
            newUs.push(((cpuSecondsNow() - c0) * 1e6) / (FILES * rows));
        }
        const oldBytes = statSync(path.join(dir, "old-0-0.parquet")).size / rows;
        const newBytes = statSync(path.join(dir, "new-0-0.parquet")).size / rows;
        // The encoder alone (no file I/O), for where the new path's time goes.
        const e0 = cpuSecondsNow();
        for (let i = 0; i < FILES; i++) encodeEventsParquet(batches);
        const encodeUs = ((cpuSecondsNow() - e0) * 1e6) / (FILES * rows);
        console.log(`old (JSON.stringify + DuckDB read_json -> Parquet ZSTD-1): ${median(oldUs).toFixed(2)} us CPU/row, ${oldBytes.toFixed(1)} bytes/row`);
        console.log(`new (local/eventsParquet.ts, Brotli-1):                  ${median(newUs).toFixed(2)} us CPU/row, ${newBytes.toFixed(1)} bytes/row (encode only: ${encodeUs.toFixed(2)} us/row)`);
        console.log(`size new/old: ${(newBytes / oldBytes).toFixed(2)}`);
        console.log(`ratio=${(median(oldUs) / median(newUs)).toFixed(2)}`);
    } finally {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
