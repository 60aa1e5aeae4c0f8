/**
 * The lake writer's byte-level join of each request's JSON rows into the one array DuckDB reads.
 */
import { strict as assert } from "assert";
import { joinJsonArrays } from "../../local/lakeWriter";

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
