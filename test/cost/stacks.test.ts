/**
 * The cost model on the shipped stacks (run offline under mocks, as `clickstream resources` does): a
 * change to a stack's resources changes its cost; the README's scenario table is the tool's output;
 * the command's flags fail clearly.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { costOf } from "../../cli/cost";
import { formatCostTable } from "../../cost/format";
import { estimateCost } from "../../cost/model";
import { README_PATH, renderScenarioTable, runScenarios, ScenarioResult, stackResources, withScenarioTable } from "../../cost/scenarios";
import { PROJECT_ROOT } from "../../offline/programs";
import type { CapturedResource } from "../../offline/runUnderMocks";

const BIN = path.join(PROJECT_ROOT, "bin", "clickstream.js");
const TRAFFIC = { eventsPerSecond: 1000, eventsPerRequest: 10, eventBytes: 450, queriesPerDay: 100 };

function clickstream(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    return new Promise((resolve) => {
        execFile(process.execPath, [BIN, ...args], { cwd: PROJECT_ROOT, timeout: 120_000, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
            resolve({ stdout, stderr, code: err ? (typeof (err as any).code === "number" ? (err as any).code : 1) : 0 });
        });
    });
}

describe("cost of the shipped stacks", function () {
    this.timeout(240_000);
    const cache = new Map<string, CapturedResource[]>();
    let scenarios: ScenarioResult[];
    before(async () => {
        scenarios = await runScenarios(undefined, cache);
    });

    it("README's scenario table is what the tool computes now (npm run cost:scenarios rewrites it)", () => {
        const readme = fs.readFileSync(README_PATH, "utf8");
        assert.equal(readme, withScenarioTable(readme, renderScenarioTable(scenarios)), "README.md's cost table is stale: run npm run cost:scenarios");
    });

    it("prices the prod stack as configured: one line per billed term, totals add up", async () => {
        const report = estimateCost(await stackResources("prod", {}, cache), TRAFFIC);
        assert.ok(report.total > 0);
        assert.ok(Math.abs(report.lines.reduce((s, l) => s + l.usd, 0) - report.total) < 0.01);
        // Prod's ingest is the function URL collector: Lambda requests and duration, no API Gateway line.
        assert.ok(report.lines.some((l) => l.component === "clickstream-prod-ingest" && l.item === "requests (collector)"));
        assert.ok(!report.lines.some((l) => l.service === "API Gateway"));
        for (const service of ["Kinesis", "Firehose", "Lambda", "S3", "Athena", "CloudWatch", "KMS", "Secrets Manager", "Glue", "SNS", "DynamoDB"]) {
            assert.ok(report.lines.some((l) => l.service === service), `no ${service} line`);
        }
        assert.ok(report.lines.some((l) => l.component === "clickstream-prod-lake" && l.service === "Firehose"));
    });

    it("a stack change changes the figure: 10 provisioned shards instead of on-demand", async () => {
        const onDemand = estimateCost(await stackResources("prod", { streamShardCount: 0 }, cache), TRAFFIC);
        const provisioned = estimateCost(await stackResources("prod", { streamShardCount: 10 }, cache), TRAFFIC);
        const kinesis = (r: typeof onDemand) => r.lines.filter((l) => l.service === "Kinesis");
        assert.ok(kinesis(onDemand).some((l) => /on-demand stream-hours/.test(l.item)));
        assert.ok(!kinesis(provisioned).some((l) => /on-demand/.test(l.item)));
        assert.equal(kinesis(provisioned).find((l) => /shard-hours \(10 shards\)/.test(l.item))?.quantity, 10 * 730);
        assert.notEqual(onDemand.total, provisioned.total);
    });

    it("dev idle: no traffic-driven line", async () => {
        const idle = estimateCost(await stackResources("dev", {}, cache), { ...TRAFFIC, eventsPerSecond: 0, queriesPerDay: 0 });
        assert.ok(idle.lines.length > 0);
        for (const l of idle.lines) assert.ok(!/requests|ingestion|data in|GB-seconds/.test(`${l.item} ${l.unit}`), `traffic line when idle: ${l.service} ${l.item}`);
        assert.match(formatCostTable(idle), /Total: \$[\d,.]+ per month/);
    });

    it("clickstream cost --json prints { total, lines, assumptions }; bad flags exit 1 naming the flag", async () => {
        const ok = await clickstream("cost", "--stack", "dev", "--events-per-second", "10", "--json");
        assert.equal(ok.code, 0, ok.stderr);
        const report = JSON.parse(ok.stdout);
        assert.deepEqual(Object.keys(report).sort(), ["assumptions", "lines", "total"]);
        for (const l of report.lines) for (const k of ["service", "item", "quantity", "unit", "usd"]) assert.ok(k in l, k);
        const nan = await clickstream("cost", "--stack", "dev", "--events-per-second", "lots");
        assert.equal(nan.code, 1);
        assert.match(nan.stderr, /--events-per-second must be a number \(got "lots"\)/);
        // The same checks in-process (costOf is the command's code path), sparing a process start each.
        await assert.rejects(costOf({ stack: "dev", eventsPerSecond: 10, eventsPerRequest: 0 }), /--events-per-request must be a whole number >= 1 \(got 0\)\. Fix:/);
        await assert.rejects(costOf({ stack: "staging", eventsPerSecond: 10 }), /Unknown stack "staging"/);
    });
});
