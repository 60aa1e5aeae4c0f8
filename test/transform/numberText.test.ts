import { strict as assert } from "assert";
import fc from "fast-check";
import { numberText } from "../../dataplane/transform/numberText";

describe("transform: numbers in the map columns", () => {
    it("prints exactly what String prints, for prices, cents, any double and the edges", () => {
        const cents = fc.integer({ min: -(2 ** 45), max: 2 ** 45 }).map((c) => c / 100);
        const small = fc.integer({ min: -100_000, max: 100_000 }).map((c) => c / 100);
        fc.assert(fc.property(fc.oneof(cents, small, fc.double({ noNaN: false }), fc.integer()), (v) => assert.equal(numberText(v), String(v), String(v))), { numRuns: 50_000 });
        for (const v of [0.01, -0.01, 0.1, 0.5, -0.5, 0.05, 9.99, 978.65, 0.1 + 0.2, 1.005, -0, 1e21, 1.5e-7, 2 ** 43 / 100 + 0.5, Infinity, -Infinity, NaN, Number.MAX_VALUE, Number.MIN_VALUE]) {
            assert.equal(numberText(v), String(v), String(v));
        }
    });
});
