/**
 * The JSON path into DuckDB: lone surrogates (which read_json rejects) made U+FFFD (local/parquet.ts),
 * the window and alert files written through it, and the join of JSON row arrays that the former
 * events path used and bench:parquet still measures (bench/jsonArrayJoiner.ts).
 */
import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import { openDuckDb, sqlString } from "../../local/duckdb";
import { joinJsonArrays, JsonArrayJoiner } from "../../bench/jsonArrayJoiner";
import { withoutLoneSurrogates, writeParquetAtomic } from "../../local/parquet";

describe("JSON rows for DuckDB: joinJsonArrays", () => {
    it("joins arrays of objects into one array, keeping multi-byte text intact", () => {
        const arrays = [[{ a: 1 }, { b: "é€" }], [{ c: "x,y]" }], [{ d: null }, { e: [1, 2] }, { f: "💡" }]];
        const joined = joinJsonArrays(arrays.map((a) => Buffer.from(JSON.stringify(a))));
        assert.deepEqual(JSON.parse(joined.toString("utf8")), arrays.flat());
    });

    it("skips empty arrays and gives [] when every array is empty", () => {
        assert.equal(joinJsonArrays([Buffer.from("[]"), Buffer.from('[{"a":1}]'), Buffer.from("[]")]).toString(), '[{"a":1}]');
        assert.equal(joinJsonArrays([Buffer.from("[]")]).toString(), "[]");
        assert.equal(joinJsonArrays([]).toString(), "[]");
    });
});

describe("JSON rows for DuckDB: JsonArrayJoiner (one reused buffer)", () => {
    it("grows past its first buffer, keeps multi-byte text, and starts clean after reset", () => {
        const joiner = new JsonArrayJoiner(16);
        const first = Array.from({ length: 50 }, (_, i) => [{ i, text: "ü€💡".repeat(i % 4), quote: 'a "b" ]' }]);
        for (const array of first) joiner.add(JSON.stringify(array));
        assert.deepEqual(JSON.parse(joiner.bytes().toString("utf8")), first.flat());
        joiner.reset();
        assert.equal(joiner.bytes().toString(), "[]");
        const second = [[{ x: 1 }], [], [{ y: "z" }, { w: null }]];
        for (const array of second) joiner.add(JSON.stringify(array));
        // Nothing of the longer first array is left behind the second.
        assert.equal(joiner.bytes().toString("utf8"), JSON.stringify(second.flat()));
    });
});

describe("JSON rows for DuckDB: lone surrogates (which DuckDB's read_json rejects) become U+FFFD", () => {
    it("replaces lone high and low surrogate escapes, keeps pairs, escaped backslashes and other escapes", () => {
        const values = ["cut \ud83d", "\udca1 low", "pair 💡", "text \\ud83d", "both \\\ud83d", "é \n \u0007", "\ud800\ud800"];
        const text = JSON.stringify(values.map((v) => ({ v })));
        const fixed = withoutLoneSurrogates(text);
        assert.deepEqual(JSON.parse(fixed).map((o: { v: string }) => o.v), ["cut \ufffd", "\ufffd low", "pair 💡", "text \\ud83d", "both \\\ufffd", "é \n \u0007", "\ufffd\ufffd"]);
        assert.ok(!/\\ud[89a-f]/i.test(fixed.replace(/\\\\/g, "")), fixed);
    });

    it("writeParquetAtomic (the aggregates and alerts files) applies it: a group value with a cut emoji is written, not refused", async () => {
        const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "parquet-json-"));
        const db = await openDuckDb();
        try {
            const file = path.join(dir, "a.parquet");
            await writeParquetAtomic(db, file, [{ name: "spec", duckType: "VARCHAR" }, { name: "group_values", duckType: "MAP(VARCHAR, VARCHAR)" }], [{ spec: "s", group_values: { user_group: "vip \ud83d" } }]);
            const rows = await db.all<{ g: string }>(`SELECT group_values['user_group'] AS g FROM read_parquet(${sqlString(file)})`);
            assert.deepEqual(rows.map((r) => r.g), ["vip \ufffd"]);
        } finally {
            await db.close();
            await fsp.rm(dir, { recursive: true, force: true });
        }
    });

    it("the joiner applies it", () => {
        const joiner = new JsonArrayJoiner(16);
        joiner.add(JSON.stringify([{ name: "x\ud83d" }]));
        assert.equal(JSON.parse(joiner.bytes().toString("utf8"))[0].name, "x\ufffd");
    });
});
