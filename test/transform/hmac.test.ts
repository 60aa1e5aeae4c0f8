import { strict as assert } from "assert";
import { createHmac } from "crypto";
import fc from "fast-check";
import { hmacSha256Hex } from "../../dataplane/transform/hmac";

const reference = (key: Uint8Array, message: string): string => createHmac("sha256", key).update(message, "utf8").digest("hex");

describe("transform: HMAC-SHA256 from precomputed pads", () => {
    const keys: [string, Buffer][] = [
        ["a generated 64-character alphanumeric key (the default)", Buffer.from("aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5bC7dE9fG1hJ3kL5mN7pQ9rS1tU3v")],
        ["a short ASCII key", Buffer.from("0123456789abcdef")],
        ["a binary key (createHmac fallback)", Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 37 + 200) % 256))],
        ["an ASCII key longer than a block (hashed first: fallback)", Buffer.from("k".repeat(100))],
    ];
    for (const [what, key] of keys) {
        it(`equals createHmac for ${what}, for any message`, () => {
            const hmac = hmacSha256Hex(key);
            for (const m of ["", "user-1", "é😀 ünïcødé", "\u0000\uffff", "x".repeat(200), "\ud800 lone surrogate"]) assert.equal(hmac(m), reference(key, m), JSON.stringify(m));
            fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 300 }), (m) => hmac(m) === reference(key, m)), { numRuns: 300 });
        });
    }

    it("keeps no state between calls (the outer pad buffer is reused)", () => {
        const key = Buffer.from("0123456789abcdef0123456789abcdef");
        const hmac = hmacSha256Hex(key);
        const first = hmac("a");
        hmac("b".repeat(1000));
        assert.equal(hmac("a"), first);
    });
});
