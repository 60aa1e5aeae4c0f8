import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { gunzipSync, gzipSync } from "zlib";
import fc from "fast-check";
import { rawRecordMentions, rewriteRawObject, splitConcatenatedJson } from "../../erasure/rawRecords";
import { erasureSubjects } from "../../erasure/subject";
import { stackLakeFromOutputs } from "../../erasure/targets";
import { PROJECT_ROOT } from "../../offline/programs";
import { buildProgram } from "../../cli/main";

const KEY = "erasure-test-key-0123456789abcdef";
const subjects = (id: string) => erasureSubjects({ userId: id }, KEY);

describe("erasure: raw records", () => {
    it("splits concatenated JSON values exactly (strings with braces and escapes, with or without newlines, a cut tail)", () => {
        fc.assert(fc.property(fc.array(fc.jsonValue().map((v) => JSON.stringify({ v })), { minLength: 1, maxLength: 8 }), fc.constantFrom("", "\n", " \r\n"), (records, sep) => {
            const text = records.join(sep);
            const parts = splitConcatenatedJson(text);
            assert.equal(parts.join(""), text);
            assert.deepEqual(parts.map((p) => JSON.parse(p)), records.map((r) => JSON.parse(r)));
        }), { numRuns: 200 });
        assert.deepEqual(splitConcatenatedJson('{"a":"}{"}{"b":1'), ['{"a":"}{"}', '{"b":1']);
    });

    it("finds the id under any identity key at any depth (batch, traits, text body), numbers included; never by prefix, case or a non-identity field", () => {
        const env = (body: unknown) => JSON.stringify({ v: 1, path: "/v1/batch", body });
        assert.equal(rawRecordMentions(env({ batch: [{ userId: "u-1" }] }), subjects("u-1")), true);
        assert.equal(rawRecordMentions(env({ batch: [{ context: { traits: { user_id: "u-1" } } }] }), subjects("u-1")), true);
        assert.equal(rawRecordMentions(env(JSON.stringify({ events: [{ anonymousId: "u-1" }] })), subjects("u-1")), true);
        assert.equal(rawRecordMentions(env({ previousId: 42 }), subjects("42")), true);
        for (const other of ["u-10", "u-", "U-1", "xu-1"]) assert.equal(rawRecordMentions(env({ batch: [{ userId: other }] }), subjects("u-1")), false, other);
        assert.equal(rawRecordMentions(env({ batch: [{ userId: "bob", properties: { note: "u-1" } }] }), subjects("u-1")), false);
        // Not JSON: judged on the quoted id, the privacy-safe side for a raw copy.
        assert.equal(rawRecordMentions('{"userId":"u-1", broken', subjects("u-1")), true);
        assert.equal(rawRecordMentions('{"userId":"u-10", broken', subjects("u-1")), false);
    });

    it("rewrites gzip and plain objects without the person's records, keeping everything else byte for byte", () => {
        const a = JSON.stringify({ body: { userId: "a" } }), b = JSON.stringify({ body: { userId: "b" } });
        const gz = rewriteRawObject(gzipSync(`${a}\n${b}\n`), "raw-backup", subjects("a"));
        assert.deepEqual([gz.removed, gz.kept], [1, 1]);
        assert.equal(gunzipSync(gz.body!).toString(), `${b}\n`);
        const plain = rewriteRawObject(Buffer.from(`${a}${b}`), "raw-backup", subjects("b"));
        assert.equal(Buffer.from(plain.body!).toString(), a);
        assert.deepEqual(rewriteRawObject(Buffer.from(a), "raw-backup", subjects("a")), { removed: 1, kept: 0 });
        assert.deepEqual(rewriteRawObject(Buffer.from(a), "raw-backup", subjects("z")), { removed: 0, kept: 1 });
    });
});

describe("erasure: stack outputs", () => {
    const outputs = { lakeBucket: "l", rawBucket: "r", glueDatabase: "d", glueTable: "events", athenaWorkgroup: "w", piiSecretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:k", lakeTableFormat: "iceberg" };
    it("reads the lake's names, and names a missing output with the fix", () => {
        assert.deepEqual(stackLakeFromOutputs("prod", outputs), {
            stack: "prod", tableFormat: "iceberg", lakeBucket: "l", rawBucket: "r", database: "d", eventsTable: "events", workgroup: "w", aggregatesTable: undefined, sessionsTable: undefined, piiSecretArn: outputs.piiSecretArn,
        });
        // A stack with models exports its sessions table, which erase deletes the person's sessions from.
        assert.equal(stackLakeFromOutputs("prod", { ...outputs, sessionsTable: "sessions" }).sessionsTable, "sessions");
        const { piiSecretArn: _omit, ...old } = outputs;
        assert.throws(() => stackLakeFromOutputs("prod", old), /stack prod has no output "piiSecretArn". Fix: deploy this version of the program \(pulumi up --stack prod\)/);
        assert.throws(() => stackLakeFromOutputs("prod", { ...outputs, lakeTableFormat: "delta" }), /lakeTableFormat is "delta"/);
    });
});

describe("clickstream erase (the real binary)", function () {
    this.timeout(60_000);
    const run = (...args: string[]) => new Promise<{ stderr: string; code: number }>((resolve) => {
        execFile(process.execPath, [path.join(PROJECT_ROOT, "bin", "clickstream.js"), "erase", ...args], { cwd: PROJECT_ROOT, timeout: 50_000 }, (err, _out, stderr) => {
            resolve({ stderr, code: err ? 1 : 0 });
        });
    });
    it("--local on a missing lake names it and the fix; a missing target names the flags", async () => {
        const local = await run("--user-id", "someone", "--local", "--lake-dir", "/nonexistent/lake");
        assert.equal(local.code, 1);
        assert.match(local.stderr, /lake dir \/nonexistent\/lake does not exist.*point LAKE_DIR \/ --lake-dir at an existing lake/);
        assert.ok(!local.stderr.includes("someone"));
        // In process (no second process start): the action's error names both flags.
        await assert.rejects(buildProgram().parseAsync(["node", "clickstream", "erase", "--user-id", "someone"]), /pass exactly one of --stack <name> or --local/);
        await assert.rejects(buildProgram().parseAsync(["node", "clickstream", "erase", "--stack", "prod", "--outputs-file", "/nonexistent/outputs.json", "--user-id", "x"]), /ENOENT/);
    });
});
