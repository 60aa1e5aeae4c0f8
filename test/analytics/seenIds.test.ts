import { strict as assert } from "assert";
import fc from "fast-check";
import { WindowAccumulator, emptyWindowState } from "../../dataplane/analytics/aggregator";
import { SeenIds, eventIdHash } from "../../dataplane/analytics/seenIds";
import { EVENTS_PER_MINUTE_BY_TYPE } from "../../dataplane/analytics/spec";
import { row } from "./helpers";

describe("window de-duplication set (SeenIds)", () => {
    it("hashes every id as the window state always has (two murmur3 values in base 36): the one-pass hash agrees with murmur3", () => {
        fc.assert(
            fc.property(fc.array(fc.oneof(fc.string(), fc.string({ unit: "binary" }), fc.uuid()), { minLength: 1, maxLength: 30 }), (ids) => {
                const set = new SeenIds();
                const distinct = [...new Set(ids)];
                for (const id of ids) set.add(id, Infinity);
                // One hash per distinct id (a 64-bit collision among 30 ids is not expected), in first-seen order.
                assert.deepEqual(set.toStrings(), distinct.map(eventIdHash));
            }),
            { numRuns: 300 },
        );
    });

    it("answers as a Set of the hash strings would, through many table growths, and keeps the first-seen order", () => {
        fc.assert(
            fc.property(fc.array(fc.nat({ max: 3000 }), { maxLength: 6000 }), (picks) => {
                const set = new SeenIds();
                const reference = new Set<string>();
                for (const p of picks) {
                    const id = `event-${p}`;
                    const expected = reference.has(eventIdHash(id)) ? "seen" : "added";
                    assert.equal(set.has(id), expected === "seen");
                    assert.equal(set.add(id, Infinity), expected);
                    reference.add(eventIdHash(id));
                }
                assert.equal(set.size, reference.size);
                assert.deepEqual(set.toStrings(), [...reference]);
            }),
            { numRuns: 25 },
        );
    });

    it("stops adding at the capacity (\"full\") but still recognises the ids it holds", () => {
        const set = new SeenIds();
        for (let i = 0; i < 100; i++) assert.equal(set.add(`e${i}`, 100), "added");
        assert.equal(set.add("new", 100), "full");
        assert.equal(set.add("e42", 100), "seen");
        assert.equal(set.size, 100);
        assert.equal(set.has("new"), false);
    });

    it("restores from a window state's list (as older versions wrote it) and leaves out entries that are not hashes", () => {
        const hashes = ["a", "b", "c"].map(eventIdHash);
        // Not hashes: words, a half past 7 digits or past 2^32 (zzzzzz = 36^6 - 1 fits; 1z141z4 = 2^32), upper case, extra dots, empty halves.
        const set = SeenIds.fromStrings([...hashes, "not a hash", "zzzzzzzz.1", "1.zzzzzzzz", "1z141z4.1", "1.1z141z4", "A.1", "1.2.3", ".1", "1.", "", hashes[1]]);
        assert.deepEqual(set.toStrings(), hashes, "the well-formed entries, once each, in order");
        const edge = SeenIds.fromStrings(["1z141z3.0", "zzzzzz.zzzzzz"]);
        assert.deepEqual(edge.toStrings(), ["1z141z3.0", "zzzzzz.zzzzzz"], "2^32 - 1 and 36^6 - 1 are hashes");
        // Restored entries come back as they were read; ids added after them follow, in order.
        assert.equal(set.add("zz-new", Infinity), "added");
        assert.deepEqual(set.toStrings(), [...hashes, eventIdHash("zz-new")]);
        assert.equal(set.add("b", Infinity), "seen");
        assert.equal(set.add("d", Infinity), "added");
    });

    it("a window restored from a state de-duplicates the ids that state had seen", () => {
        const first = new WindowAccumulator([EVENTS_PER_MINUTE_BY_TYPE]);
        assert.equal(first.add(row({ event_id: "x-1" })), true);
        const state = JSON.parse(JSON.stringify(first.toState()));
        assert.deepEqual(state.seen, [eventIdHash("x-1")]);
        const restored = new WindowAccumulator([EVENTS_PER_MINUTE_BY_TYPE], {}, state);
        assert.equal(restored.add(row({ event_id: "x-1" })), false);
        assert.equal(restored.add(row({ event_id: "x-2" })), true);
        assert.equal(restored.duplicates, 1);
        assert.deepEqual(new WindowAccumulator([EVENTS_PER_MINUTE_BY_TYPE], {}, emptyWindowState()).toState().seen, []);
    });
});
