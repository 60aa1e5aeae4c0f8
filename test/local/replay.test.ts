/**
 * `clickstream local --replay`: the raw backup of one lake rebuilds another, through the same
 * transform (here with a changed PII rule), keeping the original arrival partitions.
 */
import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as path from "path";
import { queryLake } from "../../local/query";
import { runLocal } from "../../local/run";
import { capturedOutput, listFiles, postJson, startLocal, tempLakeDir } from "./localHarness";

describe("clickstream local --replay", function () {
    this.timeout(120_000);
    const dirs: string[] = [];
    after(async () => {
        for (const d of dirs) await fsp.rm(d, { recursive: true, force: true });
    });

    it("rebuilds a lake from the raw backup with a new PII rule, same events and partitions", async () => {
        const source = await tempLakeDir("replay-src-");
        dirs.push(source);
        const local = await startLocal(source);
        for (let r = 0; r < 5; r++) {
            const res = await postJson(`${local.url}/v1/events`, {
                events: Array.from({ length: 4 }, (_, i) => ({ eventId: `rp-${r}-${i}`, type: "track", name: "Purchase", anonymousId: `a-${r}`, properties: { account: `acct-${r}`, price: 10 } })),
            });
            assert.equal(res.status, 200);
        }
        await local.pipeline.stop();

        const target = await tempLakeDir("replay-dst-");
        dirs.push(target);
        const rule = path.join(target, "..", `${path.basename(target)}-pii.json`);
        await fsp.writeFile(rule, JSON.stringify({ pii: { pseudonymize: ["anonymous_id", "user_id", "properties.account"] } }));
        dirs.push(rule);
        const out = capturedOutput();
        const code = await runLocal({ replay: path.join(source, "raw"), lakeDir: target, transformConfig: rule, bufferInterval: "600", stdout: out });
        assert.equal(code, 0);
        assert.match(out.text(), /^replayed 5 requests from 1 file\(s\) in [\d.]+ s: 20 rows \(0 bad\)/m);

        const before = (await queryLake(source, "SELECT event_id, dt, hour, properties['account'] AS account FROM events ORDER BY event_id")).rows;
        const after = (await queryLake(target, "SELECT event_id, dt, hour, properties['account'] AS account FROM events ORDER BY event_id")).rows;
        assert.equal(after.length, 20);
        assert.deepEqual(after.map((r) => [r.event_id, r.dt, r.hour]), before.map((r) => [r.event_id, r.dt, r.hour]));
        assert.equal(before[0].account, "acct-0");
        assert.match(String(after[0].account), /^[0-9a-f]{64}$/, "the new rule pseudonymizes properties.account");
        assert.ok((await listFiles(path.join(target, "raw"))).length > 0, "the replayed lake has its own raw backup");

        // A second replay into the same lake would add every event again: refused, with the fix.
        await assert.rejects(runLocal({ replay: path.join(source, "raw"), lakeDir: target, stdout: capturedOutput() }), /already holds events.*--lake-dir/);
    });

    it("reports lines that are not request envelopes and exits 1", async () => {
        const target = await tempLakeDir("replay-bad-");
        dirs.push(target);
        const file = path.join(target, "..", `${path.basename(target)}.ndjson`);
        dirs.push(file);
        await fsp.writeFile(file, [
            JSON.stringify({ v: 1, receivedAt: Date.parse("2026-11-20T10:00:00Z"), sourceIp: "203.0.113.9", userAgent: "x", path: "/v1/track", body: { type: "track", event: "Old", userId: "u1", messageId: "old-1" } }),
            "not json",
            JSON.stringify({ v: 1, receivedAt: 1, path: "/v9/nope", body: {} }),
        ].join("\n"));
        const out = capturedOutput();
        const err = capturedOutput();
        const code = await runLocal({ replay: file, lakeDir: path.join(target, "lake"), bufferInterval: "600", stdout: out, stderr: err });
        assert.equal(code, 1);
        assert.match(err.text(), /:2: not JSON .*\n.*:3: path "\/v9\/nope" is not an ingest route\n$/);
        assert.match(out.text(), /^replayed 1 requests/m);
        const rows = (await queryLake(path.join(target, "lake"), "SELECT event_id, dt, hour FROM events")).rows;
        assert.deepEqual(rows.map((r) => [r.event_id, r.dt, r.hour]), [["old-1", "2026-11-20", "10"]], "kept the recorded arrival partition");
    });
});
