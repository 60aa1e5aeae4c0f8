/**
 * The events Parquet writer (local/eventsParquet.ts) against the path it replaced: random rows written
 * by both read back through DuckDB as the same values, the same column types, and the same rows
 * under a timestamp filter (the writer's own min/max statistics).
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import { mkdtempSync, readdirSync, rmSync } from "fs";
import * as os from "os";
import * as path from "path";
import type { EventRow } from "../../dataplane/schema";
import { LocalDb, openDuckDb, sqlString } from "../../local/duckdb";
import { encodeEventsParquet, EventsParquetBuilder, writeEventsParquet } from "../../local/eventsParquet";
import { joinJsonArrays } from "../../bench/jsonArrayJoiner";
import { writeParquetFromJson } from "../../local/parquet";
import { EVENTS_TABLE } from "../../local/tables";

/** Strings of any code points, lone surrogates (U+FFFD in the lake) and JSON-special characters included. */
const anyText = fc.oneof(
    fc.string({ unit: "binary", maxLength: 12 }),
    fc.string({ unit: fc.constantFrom("a", "é", "€", "💡", "\ud83d", "\udca1", "\\", '"', "\n", "\u0001", " "), maxLength: 8 }),
    fc.constantFrom("", "track", "page", "https://shop.example.com/p?q=1"),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });
/** ISO-8601 UTC with milliseconds, as the transform writes them: 1970..9999, often within the same few minutes (the writer's shortcut). */
const timestamp = fc.oneof(fc.integer({ min: 0, max: 253402300799999 }), fc.integer({ min: 1_795_000_000_000, max: 1_795_000_200_000 })).map((ms) => new Date(ms).toISOString());
const textMap = fc.dictionary(anyText, anyText, { maxKeys: 6 });

const eventRow: fc.Arbitrary<EventRow> = fc.record({
    event_id: anyText, event_type: anyText, event_name: maybe(anyText),
    event_time: maybe(timestamp), received_at: timestamp, sent_at: maybe(timestamp),
    source_format: maybe(fc.constantFrom("native" as const, "segment" as const)), ingest_path: maybe(anyText),
    anonymous_id: maybe(anyText), user_id: maybe(anyText), session_id: maybe(anyText), app_id: maybe(anyText),
    page_url: maybe(anyText), page_path: maybe(anyText), page_referrer: maybe(anyText), page_title: maybe(anyText),
    ua_browser: maybe(anyText), ua_browser_version: maybe(anyText), ua_os: maybe(anyText), ua_os_version: maybe(anyText),
    ua_device_type: maybe(anyText), ip_truncated: maybe(anyText),
    properties: textMap, context: textMap, bad_reason: maybe(anyText), bad_payload: maybe(anyText),
});

/** Every column, maps as their key and value lists in stored order, rows in file order. */
function readBack(db: LocalDb, file: string): Promise<Record<string, unknown>[]> {
    const select = EVENTS_TABLE.columns.map((c) => (c.duckType.startsWith("MAP") ? `map_keys(${c.name}) AS ${c.name}_keys, map_values(${c.name}) AS ${c.name}_values` : c.name));
    return db.all(`SELECT ${select.join(", ")} FROM read_parquet(${sqlString(file)})`);
}

/** The path before local/eventsParquet.ts: each request's rows as JSON, joined, through DuckDB read_json. */
function writeThroughJson(db: LocalDb, file: string, batches: EventRow[][]): Promise<void> {
    return writeParquetFromJson(db, file, EVENTS_TABLE.columns, joinJsonArrays(batches.map((rows) => JSON.stringify(rows))), "array");
}

describe("local lake: events Parquet writer (local/eventsParquet.ts)", function () {
    let db: LocalDb;
    let dir: string;
    before(async () => {
        db = await openDuckDb();
        dir = mkdtempSync(path.join(os.tmpdir(), "events-parquet-"));
    });
    after(async () => {
        await db.close();
        rmSync(dir, { recursive: true, force: true });
    });

    it("random rows read back through DuckDB equal the same rows written through read_json (values, NULLs, maps, any Unicode)", async () => {
        let run = 0;
        await fc.assert(
            fc.asyncProperty(fc.array(fc.array(eventRow, { maxLength: 6 }), { minLength: 1, maxLength: 5 }).filter((b) => b.some((r) => r.length > 0)), async (batches) => {
                run++;
                const viaJson = path.join(dir, `json-${run}.parquet`);
                const direct = path.join(dir, `direct-${run}.parquet`);
                await writeThroughJson(db, viaJson, batches);
                await writeEventsParquet(direct, batches);
                assert.deepStrictEqual(await readBack(db, direct), await readBack(db, viaJson));
            }),
            { numRuns: 60 },
        );
    });

    it("has the column names and types of the read_json path, and DuckDB's filters on its timestamp statistics match the rows", async () => {
        const rows = fc.sample(eventRow, { numRuns: 300, seed: 42 });
        const viaJson = path.join(dir, "types-json.parquet");
        const direct = path.join(dir, "types-direct.parquet");
        await writeThroughJson(db, viaJson, [rows]);
        await writeEventsParquet(direct, [rows]);
        const describe = (file: string) => db.all(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`);
        assert.deepStrictEqual(await describe(direct), await describe(viaJson));
        const times = rows.map((r) => r.event_time).filter((t): t is string => t !== null).sort();
        for (const bound of [times[0], times[Math.floor(times.length / 2)], times[times.length - 1], "1969-12-31T00:00:00.000Z", "9999-12-31T23:59:59.999Z"]) {
            const count = async (file: string) => (await db.all<{ n: number }>(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlString(file)}) WHERE event_time >= ${sqlString(bound)}::TIMESTAMP`))[0].n;
            assert.equal(await count(direct), times.filter((t) => t >= bound).length, `event_time >= ${bound}`);
            assert.equal(await count(direct), await count(viaJson));
        }
    });

    it("a column with more distinct values than a dictionary holds (4,096) switches to PLAIN mid-file and reads back the same as the read_json path", async () => {
        const base = fc.sample(eventRow, { numRuns: 1, seed: 11 })[0];
        // 12,000 rows over 6,000 distinct page titles and map values, each twice in a row: 50 % distinct at
        // every point, so no early switch to PLAIN (that takes over 90 %), until the 4,097th distinct value.
        const rows: EventRow[] = Array.from({ length: 12_000 }, (_, i) => ({ ...base, event_id: `e${i}`, page_title: `title ${i >> 1}`, properties: { price: `${i >> 1}.5`, n: "1" } }));
        const viaJson = path.join(dir, "wide-json.parquet");
        const direct = path.join(dir, "wide-direct.parquet");
        await writeThroughJson(db, viaJson, [rows]);
        await writeEventsParquet(direct, [rows.slice(0, 5000), rows.slice(5000)]);
        assert.deepStrictEqual(await readBack(db, direct), await readBack(db, viaJson));
        const encodings = await db.all<{ path_in_schema: string; encodings: string }>(`SELECT path_in_schema, encodings FROM parquet_metadata(${sqlString(direct)}) WHERE path_in_schema IN ('page_title', 'properties, key_value, value', 'properties, key_value, key')`);
        const of = (p: string) => encodings.find((e) => e.path_in_schema === p)?.encodings ?? "";
        assert.doesNotMatch(of("page_title"), /DICTIONARY/, "page_title went PLAIN past the cap");
        assert.match(of("properties, key_value, key"), /DICTIONARY/, "two distinct keys stay a dictionary");
    });

    it("writes a lone surrogate as U+FFFD, as the JSON path did", async () => {
        const row = fc.sample(eventRow, { numRuns: 1, seed: 7 })[0];
        const file = path.join(dir, "surrogate.parquet");
        await writeEventsParquet(file, [[{ ...row, page_title: "cut \ud83d", properties: { "k\udca1": "v\ud800" } }]]);
        const [back] = await db.all<{ page_title: string; properties: Record<string, string> }>(`SELECT page_title, properties FROM read_parquet(${sqlString(file)})`);
        assert.equal(back.page_title, "cut \ufffd");
        assert.deepStrictEqual(back.properties, { "k\ufffd": "v\ufffd" });
    });

    it("rejects a value of the wrong type naming the column, and an empty file; leaves no temp file behind", async () => {
        const row = fc.sample(eventRow, { numRuns: 1, seed: 3 })[0];
        assert.throws(() => encodeEventsParquet([[{ ...row, page_url: 42 as unknown as string }]]), /column page_url must be a string or null/);
        assert.throws(() => encodeEventsParquet([[{ ...row, received_at: "yesterday" }]]), /column received_at must be an ISO-8601 timestamp/);
        assert.throws(() => encodeEventsParquet([[{ ...row, context: { a: 1 as unknown as string } }]]), /column context\["a"\] must be a string or null/);
        assert.throws(() => encodeEventsParquet([[], []]), /no rows/);
        const sub = mkdtempSync(path.join(dir, "reject-"));
        await assert.rejects(writeEventsParquet(path.join(sub, "x.parquet"), [[{ ...row, event_type: {} as unknown as string }]]), /column event_type/);
        assert.deepStrictEqual(readdirSync(sub), []);
    });

    it("a builder fed request by request past its expected size writes the same bytes as the whole file at once; a bad value fails the file, not part of it", () => {
        const rows = fc.sample(eventRow, { numRuns: 300, seed: 11 });
        const batches = Array.from({ length: 30 }, (_, i) => rows.slice(i * 10, i * 10 + 10));
        const builder = new EventsParquetBuilder(16);
        for (const batch of batches) builder.add(batch);
        assert.equal(builder.rows, 300);
        assert.deepStrictEqual(Buffer.concat(builder.finish()), Buffer.concat(encodeEventsParquet(batches)));
        const broken = new EventsParquetBuilder(16);
        broken.add(rows.slice(0, 5));
        broken.add([{ ...rows[5], event_name: 7 as unknown as string }]);
        broken.add(rows.slice(6, 9));
        assert.throws(() => broken.finish(), /column event_name must be a string or null/);
    });

    it("starts with and ends with the Parquet magic, the footer length just before it", () => {
        const row = fc.sample(eventRow, { numRuns: 1, seed: 5 })[0];
        const file = Buffer.concat(encodeEventsParquet([[row, row]]));
        assert.equal(file.subarray(0, 4).toString("latin1"), "PAR1");
        assert.equal(file.subarray(-4).toString("latin1"), "PAR1");
        assert.ok(file.readUInt32LE(file.length - 8) < file.length - 12);
    });
});
