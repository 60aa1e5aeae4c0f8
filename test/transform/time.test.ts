import { strict as assert } from "assert";
import fc from "fast-check";
import { MAX_TIME_MS } from "../../dataplane/transform/fields";
import { isoTime } from "../../dataplane/transform/time";

describe("transform: timestamp formatting", () => {
    it("isoTime equals Date.prototype.toISOString over the whole supported range, and within an hour", () => {
        const hour = Date.parse("2026-11-26T16:00:00.000Z");
        fc.assert(
            fc.property(fc.oneof(fc.integer({ min: 0, max: MAX_TIME_MS }), fc.integer({ min: hour - 7_200_000, max: hour + 7_200_000 })), (ms) => {
                assert.equal(isoTime(ms), new Date(ms).toISOString());
            }),
            { numRuns: 20_000 },
        );
        for (const ms of [0, 1, 999, 59_999, 3_599_999, 3_600_000, MAX_TIME_MS]) assert.equal(isoTime(ms), new Date(ms).toISOString());
    });

    it("stays exact when times alternate between seconds that share a cache slot", () => {
        const t = Date.parse("2026-11-26T16:00:00.000Z");
        for (let i = 0; i < 20; i++) {
            for (const ms of [t + 123, t + 256_000 + 456, t + 3 * 256_000 + 789, t - 256_000]) assert.equal(isoTime(ms + i), new Date(ms + i).toISOString());
        }
    });
});
