import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { runDetect } from "../../cli/detect";
import { PROJECT_ROOT } from "../../offline/programs";

const BIN = path.join(PROJECT_ROOT, "bin", "clickstream.js");
const NAB = path.join(PROJECT_ROOT, "bench", "data", "nab-dev", "data");

/** Runs the real `clickstream` binary and returns its output and exit code. */
function clickstream(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, timeout: 90_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            resolve({ stdout, stderr, code: err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0 });
        });
    });
}

describe("clickstream detect", function () {
    this.timeout(120_000);
    let dir: string;
    before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-detect-")); });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("--json prints [{ start, end, peak, expected, score }] with the input's timestamps, one per episode", async () => {
        const input = path.join(NAB, "realKnownCause", "ec2_request_latency_system_failure.csv");
        const { stdout, code } = await clickstream("detect", "--input", input, "--json");
        assert.equal(code, 0);
        const episodes = JSON.parse(stdout) as Array<Record<string, any>>;
        assert.ok(episodes.length > 0 && episodes.length < 40, `${episodes.length} episodes on 4,032 points`);
        const stamps = new Set(fs.readFileSync(input, "utf8").split("\n").slice(1).map((l) => l.split(",")[0]));
        for (const e of episodes) {
            assert.deepEqual(Object.keys(e), ["start", "end", "peak", "expected", "score"]);
            assert.ok(stamps.has(e.start) && stamps.has(e.end) && stamps.has(e.peak.at), `timestamps as in the input: ${JSON.stringify(e)}`);
            assert.ok(e.start <= e.peak.at && e.peak.at <= e.end);
            assert.ok(e.expected.lower <= e.expected.value && e.expected.value <= e.expected.upper);
        }
        // NAB's labelled failure (window around 2014-03-21 03:01) is among the episodes.
        assert.ok(episodes.some((e) => e.start <= "2014-03-21 13:01:00" && e.end >= "2014-03-20 16:01:00"), "the labelled system failure is flagged");
    });

    it("text output states the inferred cadence and gaps; --period-seconds overrides; --missing zero scores gaps as 0", async () => {
        const file = path.join(dir, "counts.csv");
        const lines = ["timestamp,value"];
        const start = Date.UTC(2026, 0, 5);
        for (let i = 0; i < 3 * 288; i++) if (i < 500 || i >= 530) lines.push(`${new Date(start + i * 300_000).toISOString()},${200 + (i % 7)}`);
        fs.writeFileSync(file, lines.join("\n"));
        const text = await clickstream("detect", "--input", file);
        assert.equal(text.code, 0);
        assert.match(text.stdout, /counts\.csv: 834 rows, every 300 s \(inferred from the timestamps\), 1 gap\(s\), 30 missing point\(s\) skipped/);
        assert.match(text.stdout, /No anomalies flagged\./);
        const zero = await clickstream("detect", "--input", file, "--missing", "zero");
        assert.match(zero.stdout, /30 missing point\(s\) scored as 0/);
        assert.match(zero.stdout, /down/);
        assert.match(runDetect({ input: file, periodSeconds: "600", missing: "skip" }), /every 600 s \(--period-seconds\)/);
    });

    it("bad input: names the file, line, problem and fix, exit 1", async () => {
        const file = path.join(dir, "bad.csv");
        fs.writeFileSync(file, "timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,12,5\n2026-01-01 00:10:00,n/a\n");
        const bad = await clickstream("detect", "--input", file);
        assert.equal(bad.code, 1);
        assert.match(bad.stderr, /bad\.csv line 4: value "n\/a" is not a number; give a decimal number/);
        assert.throws(() => runDetect({ input: path.join(dir, "nope.csv"), missing: "skip" }), /cannot read --input .*nope\.csv: no such file/);
        assert.throws(() => runDetect({ input: file, periodSeconds: "-5", missing: "skip" }), /--period-seconds must be a positive number of seconds/);
    });
});
