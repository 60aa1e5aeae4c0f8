import { strict as assert } from "assert";
import { capturingConsoleLog } from "../support/console";
import { ENV_WRITE_KEY_HASHES, handler, resetKeyCache, writeKeyHash } from "../../dataplane/handlers/httpWriteKeyAuthorizer";

const KEY = "k".repeat(24) + "webkey";

describe("HTTP API write-key authorizer", () => {
    beforeEach(() => {
        process.env[ENV_WRITE_KEY_HASHES] = JSON.stringify({ [writeKeyHash(KEY)]: "web" });
        resetKeyCache();
    });
    after(() => {
        delete process.env[ENV_WRITE_KEY_HASHES];
        resetKeyCache();
    });

    it("accepts a known key as Segment's Basic auth or as Bearer, naming the key", async () => {
        const basic = `Basic ${Buffer.from(`${KEY}:`).toString("base64")}`;
        assert.deepEqual(await handler({ headers: { authorization: basic } }), { isAuthorized: true, context: { keyName: "web" } });
        assert.deepEqual(await handler({ headers: { Authorization: `Bearer ${KEY}` } }), { isAuthorized: true, context: { keyName: "web" } });
    });

    it("refuses an unknown, missing or malformed key", async () => {
        const { lines } = await capturingConsoleLog(async () => {
            assert.deepEqual(await handler({ headers: { authorization: `Bearer ${"x".repeat(30)}` } }), { isAuthorized: false });
            assert.deepEqual(await handler({ headers: {} }), { isAuthorized: false });
            assert.deepEqual(await handler({ headers: { authorization: "Digest abc" } }), { isAuthorized: false });
        });
        // Each refusal is logged with its reason, never with the header.
        assert.equal(lines.length, 3);
        assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ["write key refused", "write key refused", "write key refused"]);
        assert.ok(!lines.some((l) => l.includes("x".repeat(30)) || l.includes("abc")), lines.join("\n"));
    });

    it("fails loudly without its key table", async () => {
        delete process.env[ENV_WRITE_KEY_HASHES];
        resetKeyCache();
        await assert.rejects(handler({ headers: { authorization: `Bearer ${KEY}` } }), /CLICKSTREAM_WRITE_KEY_HASHES is not set/);
    });
});
