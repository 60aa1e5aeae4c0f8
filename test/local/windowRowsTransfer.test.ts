import { strict as assert } from "assert";
import fc from "fast-check";
import { MessageChannel } from "worker_threads";
import { packWindowRows, transferablesOf, unpackWindowRows, WindowRowsOfRequest } from "../../local/windowRowsTransfer";

/** Rows with any text (multi-byte characters, lone surrogates, quotes, newlines), nulls and map entries. */
const requestsArb = fc.array(
    fc.record({
        arrivalMs: fc.integer({ min: 0, max: 4_102_444_800_000 }),
        rows: fc.array(
            fc.record({
                event_id: fc.string({ unit: "binary" }),
                event_type: fc.constantFrom("track", "page", "bad_row"),
                event_name: fc.option(fc.string({ unit: "grapheme" })),
                properties: fc.dictionary(fc.string(), fc.string({ unit: "binary" }), { maxKeys: 3, noNullPrototype: true }),
            }, { noNullPrototype: true }),
            { maxLength: 8 },
        ),
    }, { noNullPrototype: true }),
    { maxLength: 40 },
);

describe("window rows across threads (windowRowsTransfer)", () => {
    it("reads back exactly the requests packed, in order, into a buffer given back for reuse or a grown one", () => {
        fc.assert(
            fc.property(requestsArb, fc.integer({ min: 0, max: 64 }), (requests, spareBytes) => {
                // A small spare buffer forces growing past it mid-way.
                const packed = packWindowRows(requests as WindowRowsOfRequest[], new ArrayBuffer(spareBytes));
                assert.deepEqual(unpackWindowRows(packed), requests);
                // The same buffer filled again with other requests gives those back, not leftovers.
                const again = packWindowRows(requests.slice().reverse() as WindowRowsOfRequest[], packed.bytes);
                assert.deepEqual(unpackWindowRows(again), requests.slice().reverse());
            }),
            { numRuns: 200 },
        );
    });

    it("moves its buffers through postMessage (transferred, not copied) and they read the same on the other side", async () => {
        const requests: WindowRowsOfRequest[] = [{ arrivalMs: 1, rows: [{ event_id: "a", event_name: "emoji \ud83d" }] }, { arrivalMs: 2, rows: [] }];
        const packed = packWindowRows(requests);
        const { port1, port2 } = new MessageChannel();
        try {
            const received = new Promise<typeof packed>((resolve) => port2.once("message", resolve));
            port1.postMessage(packed, transferablesOf(packed));
            assert.equal(packed.bytes.byteLength, 0, "the sender's buffer was moved, not copied");
            assert.deepEqual(unpackWindowRows(await received), requests);
        } finally {
            port1.close();
            port2.close();
        }
    });
});
