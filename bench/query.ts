/**
 * Benchmark of `clickstream query` storage: the Athena named queries (components/lake/glueTable.ts,
 * translated by local/query.ts) over the Parquet lake, and over the same rows stored as JSON (the
 * transform's Firehose output rows, NDJSON, nulls omitted: what S3 would hold without Parquet
 * conversion), both partitioned by dt/hour the same way. The article's promise: columnar Parquet reads
 * a fraction of the bytes.
 *
 * Data: request envelopes from the transform benchmark's generator (bench/transformBatch.ts: native and
 * Segment batches, PII, user agents), re-timed to arrive evenly over the last BENCH_DAYS days, run
 * through the real transform, written with the pipeline's events Parquet writer (local/eventsParquet.ts,
 * Brotli), one file per dt/hour partition.
 *
 * Bytes read: file-level accounting by the kernel: the growth of `rchar` in /proc/self/io (bytes this
 * process read through read/pread) while DuckDB runs the query once, with DuckDB's external file cache
 * off. Time: median of BENCH_RUNS runs. Each query's result must be equal over both formats.
 * Last line: `ratio=<x>`, bytes read from JSON / bytes read from Parquet over all queries (target >= 10).
 *
 *   npm run bench:query            (BENCH_EVENTS=60000 BENCH_DAYS=10 BENCH_RUNS=5 are the defaults)
 */
import { promises as fsp, readFileSync } from "fs";
import * as os from "os";
import * as path from "path";
import { namedQueries } from "../components/lake/glueTable";
import type { RequestEnvelope } from "../dataplane/envelope";
import type { EventRow } from "../dataplane/schema";
import { createTransformer, rowsToText } from "../dataplane/transform";
import { LocalDb, openDuckDb, sqlIdentifier, sqlString } from "../local/duckdb";
import { writeEventsParquet } from "../local/eventsParquet";
import { writeFileAtomic } from "../local/parquet";
import { createLakeViews, translateAthenaSql } from "../local/query";
import { EVENTS_TABLE } from "../local/tables";
import { median } from "./timing";
import { BENCH_PII_KEY, buildBatch } from "./transformBatch";

const EVENTS = Number(process.env.BENCH_EVENTS ?? 60_000);
const DAYS = Number(process.env.BENCH_DAYS ?? 10);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const HOUR_MS = 3_600_000;

function readBytes(): number {
    const m = /rchar:\s*(\d+)/.exec(readFileSync("/proc/self/io", "utf8"));
    if (!m) throw new Error("bench:query needs Linux /proc/self/io for its byte accounting");
    return Number(m[1]);
}

/** Envelopes of about EVENTS events, arriving evenly over the last DAYS days. */
function envelopes(): { list: RequestEnvelope[]; events: number } {
    const list: RequestEnvelope[] = [];
    let events = 0;
    while (events < EVENTS) {
        const batch = buildBatch();
        for (const r of batch.event.records) list.push(JSON.parse(Buffer.from(r.data, "base64").toString("utf8")) as RequestEnvelope);
        events += batch.events;
    }
    const end = Date.now() - 60_000;
    const span = DAYS * 24 * HOUR_MS;
    list.forEach((e, i) => { e.receivedAt = Math.round(end - span + (i * span) / list.length); });
    return { list, events };
}

/** Transforms and writes the lake: events Parquet and the same rows as JSON, one file per dt/hour. */
async function writeLakes(root: string, list: RequestEnvelope[]): Promise<{ rows: number; parquetBytes: number; jsonBytes: number; partitions: number }> {
    const transformer = createTransformer(undefined, BENCH_PII_KEY);
    const byPartition = new Map<string, EventRow[]>();
    let rows = 0;
    for (const envelope of list) {
        const iso = new Date(envelope.receivedAt).toISOString();
        const key = `dt=${iso.slice(0, 10)}/hour=${iso.slice(11, 13)}`;
        const out = transformer.normalize(envelope);
        rows += out.length;
        if (!byPartition.has(key)) byPartition.set(key, []);
        byPartition.get(key)!.push(...out);
    }
    let parquetBytes = 0;
    let jsonBytes = 0;
    for (const [key, partRows] of byPartition) {
        const text = rowsToText(partRows);
        const parquet = path.join(root, "parquet", EVENTS_TABLE.folder, key, "part-0.parquet");
        const json = path.join(root, "json", EVENTS_TABLE.folder, key, "part-0.ndjson");
        await writeEventsParquet(parquet, [partRows]);
        await writeFileAtomic(json, text + "\n");
        parquetBytes += (await fsp.stat(parquet)).size;
        jsonBytes += (await fsp.stat(json)).size;
    }
    return { rows, parquetBytes, jsonBytes, partitions: byPartition.size };
}

/** The events view over the JSON files: read_json with the table's columns (as a Glue JSON table has a schema). */
async function createJsonView(db: LocalDb, jsonLake: string): Promise<void> {
    const columns = `{${EVENTS_TABLE.columns.map((c) => `${sqlString(c.name)}: ${sqlString(c.duckType)}`).join(", ")}}`;
    const glob = path.join(jsonLake, EVENTS_TABLE.folder, "dt=*", "hour=*", "*.ndjson");
    await db.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(EVENTS_TABLE.name)} AS SELECT * FROM read_json(${sqlString(glob)}, format = 'newline_delimited', columns = ${columns}, hive_partitioning = true, hive_types = {'dt': VARCHAR, 'hour': VARCHAR})`);
}

interface Measured { bytes: number; ms: number; rows: string }

async function measure(db: LocalDb, sql: string): Promise<Measured> {
    const before = readBytes();
    const first = await db.all(sql);
    const bytes = readBytes() - before;
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
        const t = process.hrtime.bigint();
        await db.all(sql);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    return { bytes, ms: median(times), rows: JSON.stringify(first, (_k, v) => (typeof v === "bigint" ? v.toString() : v)) };
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(2)} MB`;

async function main(): Promise<void> {
    const started = Date.now();
    console.log(`cpu: ${os.cpus()[0]?.model ?? "unknown"} x${os.cpus().length}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}`);
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), "clickstream-bench-query-"));
    const parquetDb = await openDuckDb();
    const jsonDb = await openDuckDb();
    try {
        const { list, events } = envelopes();
        const lake = await writeLakes(root, list);
        console.log(`data: ${list.length} requests, ${events} events -> ${lake.rows} rows (real transform) over ${DAYS} days, ${lake.partitions} dt/hour partitions; ` +
            `Parquet (Brotli) ${mb(lake.parquetBytes)}, JSON ${mb(lake.jsonBytes)} on disk; prepared in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        for (const db of [parquetDb, jsonDb]) await db.run("SET enable_external_file_cache = false");
        await createLakeViews(parquetDb, path.join(root, "parquet"));
        await createJsonView(jsonDb, path.join(root, "json"));
        console.log(`bytes read: growth of rchar in /proc/self/io during one run of the query (file-level, kernel-counted); time: median of ${RUNS} runs`);
        console.log(`${"query".padEnd(18)} ${"Parquet read".padStart(13)} ${"JSON read".padStart(13)} ${"x".padStart(7)} ${"Parquet ms".padStart(11)} ${"JSON ms".padStart(9)}`);
        let parquetTotal = 0;
        let jsonTotal = 0;
        for (const q of namedQueries("clickstream_bench", EVENTS_TABLE.name)) {
            const sql = translateAthenaSql(q.sql);
            const p = await measure(parquetDb, sql);
            const j = await measure(jsonDb, sql);
            if (p.rows !== j.rows) throw new Error(`${q.key}: Parquet and JSON answers differ; the two lakes do not hold the same rows`);
            parquetTotal += p.bytes;
            jsonTotal += j.bytes;
            console.log(`${q.key.padEnd(18)} ${mb(p.bytes).padStart(13)} ${mb(j.bytes).padStart(13)} ${(j.bytes / p.bytes).toFixed(1).padStart(7)} ${p.ms.toFixed(1).padStart(11)} ${j.ms.toFixed(1).padStart(9)}`);
        }
        console.log(`total: Parquet ${mb(parquetTotal)}, JSON ${mb(jsonTotal)} read over ${namedQueries("x", "y").length} named queries (same answers); bench took ${((Date.now() - started) / 1000).toFixed(1)} s`);
        console.log(`ratio=${(jsonTotal / parquetTotal).toFixed(2)}`);
    } finally {
        await parquetDb.close();
        await jsonDb.close();
        await fsp.rm(root, { recursive: true, force: true });
    }
}

main().catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
});
