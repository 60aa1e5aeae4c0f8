/**
 * The lake writer's byte-level join of each request's JSON rows into the one array DuckDB reads.
 */
import { strict as assert } from "assert";
import { joinJsonArrays, JsonArrayJoiner } from "../../local/lakeWriter";

describe("lake writer: joinJsonArrays", () => {
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

describe("lake writer: JsonArrayJoiner (one reused buffer)", () => {
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
