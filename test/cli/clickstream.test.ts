import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as path from "path";
import { formatResourceTree, listResources } from "../../cli/resources";
import { PROJECT_ROOT } from "../../offline/programs";

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
        assert.match(stdout, /clickstream:ingest:IngestEndpoint\s+clickstream-prod-ingest\n└─ aws:apigateway\/apiKey:ApiKey\s+clickstream-prod-ingest-key-web/);
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
