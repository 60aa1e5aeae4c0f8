/**
 * The local server when the disk cannot take the request: 503 with the reason, never a 200 for a
 * request that is not on disk; and a LAKE_DIR that cannot be created fails start-up clearly.
 */
import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as path from "path";
import { WriteAheadLog } from "../../local/wal";
import { LocalUnderTest, postJson, startLocal, tempLakeDir } from "./localHarness";

describe("clickstream local when the lake cannot be written", function () {
    this.timeout(60_000);
    let lakeDir: string;
    let local: LocalUnderTest | undefined;
    beforeEach(async () => {
        lakeDir = await tempLakeDir("local-disk-");
    });
    afterEach(async () => {
        await local?.pipeline.stop().catch(() => undefined);
        local = undefined;
        await fsp.rm(lakeDir, { recursive: true, force: true });
    });

    it("answers 503 with the reason when the write-ahead log cannot sync (disk full), and 200 again once it can", async () => {
        local = await startLocal(lakeDir);
        const wal = (local.pipeline as unknown as { wal: WriteAheadLog }).wal;
        const append = wal.append.bind(wal);
        wal.append = () => Promise.reject(Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" }));
        const full = await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u", messageId: "disk-1" });
        assert.equal(full.status, 503);
        assert.equal(full.body.error, "backend_unavailable");
        assert.match(full.body.message, /cannot write to LAKE_DIR .*: the disk is full \(ENOSPC\)/);
        assert.equal(local.pipeline.stats().requests, 0, "nothing counted as accepted");
        assert.ok(local.logs.some((l) => /ENOSPC/.test(l)), "the operator sees it in the log");
        wal.append = append;
        const ok = await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u", messageId: "disk-2" });
        assert.equal(ok.status, 200);
    });

    it("refuses new requests with 503 while delivery into the lake fails, keeping what it acknowledged", async () => {
        local = await startLocal(lakeDir, { bufferInterval: "0.05" });
        assert.equal((await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u", messageId: "kept-1" })).status, 200);
        // The events folder becomes a file: every Parquet write under it fails.
        await local.pipeline.flush().catch(() => undefined);
        await fsp.rm(path.join(lakeDir, "events"), { recursive: true, force: true });
        await fsp.writeFile(path.join(lakeDir, "events"), "not a folder");
        assert.equal((await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u", messageId: "kept-2" })).status, 200);
        await assert.rejects(local.pipeline.flush(), /cannot write to LAKE_DIR/);
        const refused = await postJson(`${local.url}/v1/track`, { type: "track", event: "x", userId: "u", messageId: "refused" });
        assert.equal(refused.status, 503);
        assert.match(refused.body.message, /cannot write to LAKE_DIR/);
        assert.equal(local.pipeline.stats().bufferedRequests, 1, "the acknowledged request waits in the buffer (and the log)");
    });

    it("fails start-up naming LAKE_DIR when it cannot be created", async () => {
        const file = path.join(lakeDir, "a-file");
        await fsp.writeFile(file, "x");
        await assert.rejects(startLocal(path.join(file, "lake")), /cannot write to LAKE_DIR .*a-file\/lake/);
    });
});
