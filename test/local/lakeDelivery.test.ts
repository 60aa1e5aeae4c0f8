/**
 * The lake writer's delivery path (each request's rows joined as bytes into the file DuckDB's
 * read_json turns into Parquet; the raw backup written from the envelopes without joining them)
 * against the generic path (writeParquetAtomic over the transform's row objects) on a fixed set of
 * requests: the same rows, the same column types, the same raw bytes.
 */
import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import { WindowAccumulator } from "../../dataplane/analytics/aggregator";
import { createTransformer } from "../../dataplane/transform";
import { type LocalDb, openDuckDb, sqlString } from "../../local/duckdb";
import { type DeliveryItem, LakeWriter, RAW_FOLDER, walk } from "../../local/lakeWriter";
import { writeFileAtomic, writeParquetAtomic } from "../../local/parquet";
import { EVENTS_TABLE } from "../../local/tables";
import { STACK_WINDOW_SPECS } from "../../stacks/defaults";
import { ChunkWorker } from "../../local/chunkWorker";
import { WalEntry, WriteAheadLog } from "../../local/wal";

const KEY = "0123456789abcdef0123456789abcdef";
const HOUR = 3_600_000;

/** Native batches of 5 events with multi-byte text, maps, a bad event each; arrivals across two hours. */
function requests(count: number, firstSeq: number): Array<DeliveryItem & { envelope: Buffer }> {
    const base = Date.UTC(2026, 10, 30, 9, 59, 0);
    return Array.from({ length: count }, (_, n) => {
        const receivedAt = base + (n % 2) * HOUR;
        const events = Array.from({ length: 5 }, (_, i) => i === 4
            ? { type: "track" } // no name and no ids: a bad row
            : { eventId: `e-${n}-${i}`, type: "track", name: `Clicked ${Array.from("é€💡").slice(0, 1 + (i % 3)).join("")}`, timestamp: new Date(receivedAt - 1000).toISOString(), anonymousId: `anon-${n}`, properties: { price: n + i / 10, label: `x,y] "${n}"` }, context: { locale: "de-DE", screen: { width: 1280 } } });
        const envelope = JSON.stringify({ v: 1, receivedAt, sourceIp: "203.0.113.7", userAgent: "test", path: "/v1/events", requestId: `req-${n}`, body: { sentAt: new Date(receivedAt).toISOString(), events } });
        return { seq: firstSeq + n, envelope: Buffer.from(envelope) };
    });
}

async function tableOf(db: LocalDb, glob: string): Promise<{ columns: string; rows: string[] }> {
    const described = await db.all<{ column_name: string; column_type: string }>(`DESCRIBE SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = false)`);
    const rows = await db.all<{ j: string }>(`SELECT to_json(t)::VARCHAR AS j FROM (SELECT * FROM read_parquet(${sqlString(glob)}, hive_partitioning = false)) t ORDER BY event_id, bad_reason, received_at`);
    return { columns: described.map((c) => `${c.column_name} ${c.column_type}`).join(", "), rows: rows.map((r) => r.j) };
}

describe("lake writer: delivery path against the generic Parquet path", () => {
    let dir: string;
    let db: LocalDb;
    beforeEach(async () => {
        dir = await fsp.mkdtemp(path.join(os.tmpdir(), "lake-delivery-"));
        db = await openDuckDb();
    });
    afterEach(async () => {
        await db.close();
        await fsp.rm(dir, { recursive: true, force: true });
    });

    it("writes the same rows and column types, in several chunks and partitions, and the raw envelopes byte for byte", async () => {
        const transformer = createTransformer(undefined, KEY);
        const lake = path.join(dir, "lake");
        const items = requests(130, 1);
        const writer = new LakeWriter(lake, transformer);
        // Chunks of 50 requests: 3 chunks, each with two hour partitions (the joiner's buffer reused 6 times).
        const result = await (writer as unknown as { deliver(i: DeliveryItem[], c: number): ReturnType<LakeWriter["deliver"]> }).deliver(items, 50);
        assert.equal(result.rows, 130 * 5);
        assert.equal(result.badRows, 130);
        const parquetFiles: string[] = [];
        for await (const f of walk(path.join(lake, EVENTS_TABLE.folder))) if (f.endsWith(".parquet")) parquetFiles.push(f);
        assert.equal(parquetFiles.length, 6);

        // The generic path: the transform's row objects, written by writeParquetAtomic.
        const reference = path.join(dir, "reference.parquet");
        await writeParquetAtomic(db, reference, EVENTS_TABLE.columns, items.flatMap((i) => createTransformer(undefined, KEY).normalize(i.envelope)));
        const delivered = await tableOf(db, path.join(lake, EVENTS_TABLE.folder, "**", "*.parquet"));
        const expected = await tableOf(db, reference);
        assert.equal(delivered.columns, expected.columns);
        assert.equal(delivered.rows.length, 650);
        assert.deepEqual(delivered.rows, expected.rows);

        const raw: Buffer[] = [];
        for await (const f of walk(path.join(lake, RAW_FOLDER))) raw.push(await fsp.readFile(f));
        const lines = Buffer.concat(raw).toString("utf8").split("\n").filter((l) => l !== "").sort();
        assert.deepEqual(lines, items.map((i) => i.envelope.toString("utf8")).sort());
    });

    it("hands each request's rows to the windows as it transforms them; a failed delivery's retry offers them again and the windows count each once", async () => {
        const lake = path.join(dir, "lake");
        const items = requests(40, 1);
        const window = new WindowAccumulator(STACK_WINDOW_SPECS);
        let offered = 0;
        const ids = new Set<string>();
        const writer = new LakeWriter(lake, createTransformer(undefined, KEY), (rows) => {
            offered += rows.length;
            for (const row of rows) {
                ids.add(row.event_id!);
                window.add(row);
            }
        });
        // A file where the events folder belongs: the delivery fails on its first Parquet file.
        await fsp.mkdir(lake, { recursive: true });
        await fsp.writeFile(path.join(lake, EVENTS_TABLE.folder.replace(/\/$/, "")), "in the way");
        await assert.rejects(writer.deliver(items), /ENOTDIR|EEXIST|not a directory|already exists/i);
        assert.equal(offered, 200, "the rows are offered while the delivery runs, before it commits");
        await fsp.rm(path.join(lake, EVENTS_TABLE.folder.replace(/\/$/, "")));
        const result = await writer.deliver(items);
        assert.equal(result.rows, 200);
        assert.equal(offered, 400);
        // Each event id counted once (the 40 identical bad events share one deterministic id).
        assert.equal(ids.size, 161);
        assert.equal(window.rows, ids.size);
        assert.equal(window.duplicates, 400 - ids.size);
        assert.deepEqual(result.modelDays.days, ["2026-11-30"]);
    });

    it("with a chunk worker (a second thread reading its chunks from the write-ahead log) writes the same rows, offers the windows the same fields, and commits once", async () => {
        const lake = path.join(dir, "lake");
        const items = requests(130, 1);
        // The envelopes in a write-ahead log, as the pipeline has them: the helper reads its chunks from there.
        const { wal } = await WriteAheadLog.open(path.join(lake, "wal"), 0);
        const entries: WalEntry[] = [];
        for (const item of items) entries.push(await wal.append(item.envelope));
        await wal.close();
        // Entries only, as the delivery worker passes them: each thread reads its own chunks from the log.
        const located: DeliveryItem[] = items.map((item, i) => ({ seq: item.seq, entry: entries[i] }));
        const transformer = createTransformer(undefined, KEY);
        const offered: Array<Record<string, unknown>> = [];
        const helper = new ChunkWorker({ lakeDir: lake, piiKey: KEY, transformConfig: undefined, windowSpecs: STACK_WINDOW_SPECS }, () => undefined);
        try {
            const writer = new LakeWriter(lake, transformer, (rows) => offered.push(...(rows as unknown as Array<Record<string, unknown>>)), helper);
            // Chunks of 25 requests: 6 chunks, three of them (1, 3, 5) on the helper's thread.
            const result = await (writer as unknown as { deliver(i: DeliveryItem[], c: number): ReturnType<LakeWriter["deliver"]> }).deliver(located, 25);
            assert.equal(result.rows, 650);
            assert.equal(result.badRows, 130);
            assert.deepEqual(result.modelDays.days, ["2026-11-30"]);
            const reference = path.join(dir, "reference.parquet");
            const expectedRows = items.flatMap((i) => createTransformer(undefined, KEY).normalize(i.envelope));
            await writeParquetAtomic(db, reference, EVENTS_TABLE.columns, expectedRows);
            const delivered = await tableOf(db, path.join(lake, EVENTS_TABLE.folder, "**", "*.parquet"));
            const expected = await tableOf(db, reference);
            assert.equal(delivered.columns, expected.columns);
            assert.deepEqual(delivered.rows, expected.rows);
            // Every row reaches the windows once; the helper's rows carry the fields the specs read and no others.
            assert.equal(offered.length, 650);
            const byId = new Map(expectedRows.map((r) => [r.event_id, r]));
            for (const row of offered) {
                const full = byId.get(row.event_id as string);
                assert.ok(full, `row ${String(row.event_id)} offered to the windows`);
                assert.equal(row.event_type, full.event_type);
                assert.equal(row.anonymous_id, full.anonymous_id);
                assert.equal(row.event_time, full.event_time);
                assert.ok(!("page_url" in row) || row.page_url === full.page_url);
            }
            assert.ok(offered.some((r) => !("page_url" in r)), "the helper's rows are cut to the window fields");
            // The raw backup holds every envelope as logged: this thread's chunks were read into two
            // buffers in turn while the previous chunk's backup was still being written from one.
            const raw: Buffer[] = [];
            for await (const f of walk(path.join(lake, RAW_FOLDER))) raw.push(await fsp.readFile(f));
            const lines = Buffer.concat(raw).toString("utf8").split("\n").filter((l) => l !== "").sort();
            assert.deepEqual(lines, items.map((i) => i.envelope.toString("utf8")).sort());
        } finally {
            await helper.close();
        }
    });

    it("a chunk that fails on the helper fails the delivery, and no file of it is left", async () => {
        const lake = path.join(dir, "lake");
        const items = requests(60, 1);
        const failing = { writeChunk: async () => { throw Object.assign(new Error("ENOSPC: no space left on device"), { code: "ENOSPC" }); } };
        const writer = new LakeWriter(lake, createTransformer(undefined, KEY), undefined, failing);
        await assert.rejects((writer as unknown as { deliver(i: DeliveryItem[], c: number): ReturnType<LakeWriter["deliver"]> }).deliver(items, 20), /ENOSPC/);
        const left: string[] = [];
        for await (const f of walk(lake)) left.push(f);
        assert.deepEqual(left, []);
    });

    it("delivers an event whose string holds a lone surrogate (U+FFFD in the lake) instead of failing the whole range", async () => {
        const lake = path.join(dir, "lake");
        const body = { events: [{ eventId: "cut", type: "track", name: "emoji cut \ud83d", anonymousId: "a" }, { eventId: "ok", type: "track", name: "fine", anonymousId: "b" }] };
        const envelope = Buffer.from(JSON.stringify({ v: 1, receivedAt: Date.UTC(2026, 10, 30, 10), sourceIp: "203.0.113.7", userAgent: "t", path: "/v1/events", requestId: "r", body }));
        const result = await new LakeWriter(lake, createTransformer(undefined, KEY)).deliver([{ seq: 1, envelope }]);
        assert.equal(result.rows, 2);
        const rows = await db.all<{ event_id: string; event_name: string }>(`SELECT event_id, event_name FROM read_parquet(${sqlString(path.join(lake, EVENTS_TABLE.folder, "**", "*.parquet"))}) ORDER BY event_id`);
        assert.deepEqual(rows.map((r) => [r.event_id, r.event_name]), [["cut", "emoji cut \ufffd"], ["ok", "fine"]]);
    });

    it("writeFileAtomic writes buffers given as pieces in order, past the 1,024 a single writev takes", async () => {
        const pieces = Array.from({ length: 3000 }, (_, i) => Buffer.from(`${i}:${"ü".repeat(i % 7)}\n`));
        const file = path.join(dir, "sub", "pieces.ndjson");
        await writeFileAtomic(file, pieces);
        assert.deepEqual(await fsp.readFile(file), Buffer.concat(pieces));
        await writeFileAtomic(file, []);
        assert.equal((await fsp.readFile(file)).length, 0);
    });
});
