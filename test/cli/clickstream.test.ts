import { strict as assert } from "assert";
import { execFile } from "child_process";
import { createHmac } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatResourceTree, listResources } from "../../cli/resources";
import { PROJECT_ROOT } from "../../offline/programs";
import { PREVIEW_PII_KEY } from "../../offline/transformPreview";

const BIN = path.join(PROJECT_ROOT, "bin", "clickstream.js");

/** Runs the real `clickstream` binary (bin -> tsx -> cli/main.ts) and returns its output and exit code. */
function clickstream(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, timeout: 90_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
            resolve({ stdout, stderr, code: err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0 });
        });
    });
}

describe("clickstream command", function () {
    this.timeout(120_000);

    it("resources --json prints every resource of the stack as { type, name, parent, inputs }", async () => {
        const { stdout, code } = await clickstream("resources", "--stack", "dev", "--json");
        assert.equal(code, 0);
        const listed = JSON.parse(stdout) as Array<Record<string, unknown>>;
        assert.deepEqual(listed, JSON.parse(JSON.stringify(await listResources({ stack: "dev" }))));
        for (const r of listed) assert.deepEqual(Object.keys(r).sort(), ["inputs", "name", "parent", "type"]);
        const lake = listed.find((r) => r.type === "clickstream:lake:FirehoseLake");
        assert.equal(lake?.parent, null);
        const bucket = listed.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "clickstream-dev-lake-lake");
        assert.equal(bucket?.parent, "clickstream:storage:SecureBucket::clickstream-dev-lake-lake");
    });

    it("review prints the resource tree and the policy verdicts, exit 0 for prod", async () => {
        const { stdout, code } = await clickstream("review", "--stack", "prod");
        assert.equal(code, 0, stdout);
        assert.match(stdout, /clickstream:ingest:IngestEndpoint\s+clickstream-prod-ingest\n(└─ .*\n)*└─ aws:lambda\/functionUrl:FunctionUrl\s+clickstream-prod-ingest-url/);
        assert.match(stdout, /\d+ resources \(\d+ AWS\/provider resources, \d+ components\)/);
        assert.match(stdout, /^Resources of program clickstream \(index\.ts\), stack prod:/);
        assert.match(stdout, /Policies: every policy passed for program clickstream \(index\.ts\), stack prod\./);
    });

    it("review of a careless program lists its violations and exits 1", async () => {
        const { stdout, code } = await clickstream("review", "--program", "examples/insecure");
        assert.equal(code, 1);
        assert.match(stdout, /clickstream-s3-bucket-sse-kms\s+critical\s+mandatory/);
    });

    it("names a bad stack and the stacks it knows, exit 1", async () => {
        const { stderr, code } = await clickstream("resources", "--stack", "staging");
        assert.equal(code, 1);
        assert.match(stderr, /Unknown stack "staging"\. This project ships: dev, prod\./);
    });

    describe("transform", () => {
        const corpus = path.join(PROJECT_ROOT, "test", "transform", "fixtures", "real-traffic.ndjson");
        const values = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, "test", "transform", "fixtures", "real-traffic.values.json"), "utf8")) as { sensitive: string[]; survive: string[] };
        let dir: string;
        before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-transform-"))));
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("prints the rows the lake would store for the realistic corpus, one JSON object per line, keyed with the labelled preview key", async () => {
            const { stdout, stderr, code } = await clickstream("transform", "--input", corpus);
            assert.equal(code, 0, stderr);
            const rows = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
            assert.equal(rows.length, 9);
            assert.equal(rows.filter((r) => r.event_type === "bad_row").length, 1);
            assert.ok(rows.every((r) => !Object.values(r).includes(null)), "absent columns are left out, as in the lake's records");
            assert.match(stderr, /public PREVIEW key/);
            // The first event's anonymousId, pseudonymized with the preview key.
            assert.equal(rows[0].anonymous_id, createHmac("sha256", PREVIEW_PII_KEY).update("anon-7f3a").digest("hex"));
            for (const value of values.sensitive) assert.ok(!stdout.toLowerCase().includes(value.toLowerCase()), value);
            for (const value of values.survive) assert.ok(stdout.includes(value), value);
        });

        it("takes --config and --key-file, and names each bad input line, field and fix (exit 1)", async () => {
            const input = path.join(dir, "requests.ndjson");
            fs.writeFileSync(input, [
                JSON.stringify({ path: "/v1/track", body: { event: "Signed In", anonymousId: "a-1", properties: { href: "https://x.example/cb?code=c0de-123&state=s" } }, receivedAt: "2026-11-26T16:00:00Z" }),
                "{not json",
                JSON.stringify({ path: "/v1/evnts", body: {} }),
                "",
                JSON.stringify({ path: "/v1/track", bdy: {}, receivedAt: "yesterday" }),
            ].join("\n"));
            const config = path.join(dir, "config.json");
            fs.writeFileSync(config, JSON.stringify({ pii: { dropUrlParamPatterns: ["code"] } }));
            const keyFile = path.join(dir, "key");
            fs.writeFileSync(keyFile, "team-preview-key-0123456789abcdef\n");
            const { stdout, stderr, code } = await clickstream("transform", "--input", input, "--config", config, "--key-file", keyFile);
            assert.equal(code, 1);
            const [row] = stdout.trimEnd().split("\n").map((line) => JSON.parse(line) as Record<string, any>);
            assert.equal(row.properties.href, "https://x.example/cb?code=&state=s");
            assert.equal(row.received_at, "2026-11-26T16:00:00.000Z");
            assert.equal(row.anonymous_id, createHmac("sha256", "team-preview-key-0123456789abcdef").update("a-1").digest("hex"));
            assert.match(stderr, /pseudonyms keyed with .*key; configuration: .*config\.json/);
            assert.match(stderr, /^line 2: \(line\): not valid JSON .*Fix: write one JSON object per line/m);
            assert.match(stderr, /^line 3: path: expected one of \/v1\/events\|.*, got "\/v1\/evnts"\. Fix: set path/m);
            assert.match(stderr, /^line 5: bdy: unknown field\. Fix: remove it or use one of path, body, sourceIp, userAgent, receivedAt/m);
            assert.match(stderr, /^line 5: body: expected the request body/m);
            assert.match(stderr, /^line 5: receivedAt: expected epoch milliseconds or an ISO-8601 time, got "yesterday"/m);
            assert.doesNotMatch(stderr, /^line 4/m, "blank lines are skipped");

            fs.writeFileSync(config, JSON.stringify({ pii: { dropUrlParamPatterns: ["(unclosed"] } }));
            const bad = await clickstream("transform", "--input", input, "--config", config);
            assert.equal(bad.code, 1);
            assert.match(bad.stderr, /--config .*config\.json: transform config pii\.dropUrlParamPatterns\[0\]: invalid regular expression .*Fix:/);
            assert.equal(bad.stdout, "");
        });
    });

    it("formats a tree with children under their parents and a count", () => {
        const tree = formatResourceTree([
            { type: "clickstream:lake:FirehoseLake", name: "lake", parent: null, inputs: {} },
            { type: "aws:s3/bucket:Bucket", name: "lake-data", parent: "clickstream:lake:FirehoseLake::lake", inputs: {} },
            { type: "aws:kms/key:Key", name: "team-key", parent: null, inputs: {} },
        ]);
        assert.deepEqual(tree.split("\n").map((l) => l.replace(/\s+/g, " ").trim()), [
            "clickstream:lake:FirehoseLake lake",
            "└─ aws:s3/bucket:Bucket lake-data",
            "aws:kms/key:Key team-key",
            "",
            "3 resources (2 AWS/provider resources, 1 components)",
        ]);
    });
});
