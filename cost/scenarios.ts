/**
 * The README's scenario table, computed by the tool: each row prices a shipped stack (with the config
 * keys it names) at the same traffic as its anchor figure, the article's or AWS's Clickstream
 * Analytics on AWS. `npm run cost:scenarios` rewrites the table in README.md; a test checks it is current.
 */
import * as fs from "fs";
import * as path from "path";
import { runShippedStack } from "../offline/programs";
import type { CapturedResource } from "../offline/runUnderMocks";
import { CostReport, estimateCost } from "./model";
import type { TrafficInput } from "./traffic";

export interface Scenario {
    name: string;
    stack: "dev" | "prod";
    /** Stack config keys set on top of Pulumi.<stack>.yaml (the keys are `clickstream:<key>`). */
    config: Record<string, unknown>;
    traffic: TrafficInput;
    /** The anchor: the figure this row is compared with, and where it comes from. */
    anchor: string;
    /** Which of our figures the anchor compares with. */
    compare: "firehose" | "ingest" | "total";
}

const ARTICLE = "the 2019 article: Firehose alone 'under $400/month' at 1,000 requests/s of under 5 KB";
const CLICKSTREAM = "Clickstream Analytics on AWS cost page (1,000 requests/s, 10 events, 2 KB per request)";
/** Clickstream Analytics on AWS assumes 2 KB (compressed) requests of 10 events: 200 bytes per event, less our 48-byte batch wrapper. */
const CLICKSTREAM_TRAFFIC: TrafficInput = { eventsPerSecond: 10_000, eventsPerRequest: 10, eventBytes: Math.round((2048 - 48) / 10), queriesPerDay: 100 };
const ARTICLE_TRAFFIC: TrafficInput = { eventsPerSecond: 1000, eventsPerRequest: 1, eventBytes: 600, queriesPerDay: 100 };
/** The target: 1,000 events/s sent 10 per request, in requests under 5 KB (the article's condition for its figure). */
const TARGET_TRAFFIC: TrafficInput = { eventsPerSecond: 1000, eventsPerRequest: 10, eventBytes: 450, queriesPerDay: 100 };

const REST = { ingestApi: "rest", wafEnabled: true };

export const SCENARIOS: Scenario[] = [
    { name: "article: Firehose alone, one event per record", stack: "prod", config: {}, traffic: ARTICLE_TRAFFIC, anchor: `< $400 (${ARTICLE})`, compare: "firehose" },
    { name: "article traffic, whole prod pipeline, one event per request", stack: "prod", config: {}, traffic: ARTICLE_TRAFFIC, anchor: "(none: the article prices Firehose only)", compare: "total" },
    { name: "target: whole prod pipeline, 10 events per request (requests under 5 KB), 100 queries/day", stack: "prod", config: {}, traffic: TARGET_TRAFFIC, anchor: "<= $400 (issue 11's target: the article's figure)", compare: "total" },
    { name: "same, no Athena queries", stack: "prod", config: {}, traffic: { ...TARGET_TRAFFIC, queriesPerDay: 0 }, anchor: "<= $400", compare: "total" },
    { name: "same traffic, HTTP API variant", stack: "prod", config: { ingestApi: "http" }, traffic: TARGET_TRAFFIC, anchor: "<= $400", compare: "total" },
    { name: "same traffic, REST variant with WAF", stack: "prod", config: REST, traffic: TARGET_TRAFFIC, anchor: "<= $400", compare: "total" },
    { name: "same, 600-byte events (6 KB requests, billed as 10 KB by Firehose)", stack: "prod", config: {}, traffic: { ...TARGET_TRAFFIC, eventBytes: 600 }, anchor: "<= $400", compare: "total" },
    { name: "Clickstream traffic, ingest without a stream (REST API -> Firehose)", stack: "prod", config: { ingestMode: "firehose", ingestApi: "rest" }, traffic: CLICKSTREAM_TRAFFIC, anchor: `$398.8 ingestion without a buffer (${CLICKSTREAM})`, compare: "ingest" },
    { name: "Clickstream traffic, 10 provisioned shards", stack: "prod", config: { streamShardCount: 10 }, traffic: CLICKSTREAM_TRAFFIC, anchor: "$578.8 ingestion with 10 provisioned shards", compare: "ingest" },
    { name: "Clickstream traffic, Kinesis on-demand", stack: "prod", config: { streamShardCount: 0 }, traffic: CLICKSTREAM_TRAFFIC, anchor: "$1,449.8 ingestion with Kinesis on-demand", compare: "ingest" },
    { name: "Clickstream traffic, whole prod pipeline (10 shards)", stack: "prod", config: { streamShardCount: 10 }, traffic: CLICKSTREAM_TRAFFIC, anchor: "~$4,360 full pipeline ($398.8 + ~$3,961 EMR and Redshift, hourly)", compare: "total" },
    { name: "dev stack, idle", stack: "dev", config: {}, traffic: { eventsPerSecond: 0, eventsPerRequest: 10, eventBytes: 600, queriesPerDay: 0 }, anchor: "close to $0", compare: "total" },
];

export interface ScenarioResult {
    scenario: Scenario;
    report: CostReport;
    /** Firehose lines of the events lake. */
    firehose: number;
    /** The ingest path: API Gateway or the function URL collector, WAF, Kinesis and the ingest's logs, metrics, alarms and keys (IngestEndpoint and stack-level WAF). */
    ingest: number;
}

function sum(report: CostReport, pick: (l: CostReport["lines"][number]) => boolean): number {
    return report.lines.filter(pick).reduce((s, l) => s + l.usd, 0);
}

/** Resources of a shipped stack with config overrides, run once per distinct (stack, config). */
export async function stackResources(stack: string, config: Record<string, unknown>, cache: Map<string, CapturedResource[]>): Promise<CapturedResource[]> {
    const key = `${stack}:${JSON.stringify(config)}`;
    if (!cache.has(key)) cache.set(key, (await runShippedStack(stack, config)).resources);
    return cache.get(key)!;
}

/** Prices every scenario; stacks with the same config run once (pass a cache to share runs with other callers). */
export async function runScenarios(scenarios = SCENARIOS, cache = new Map<string, CapturedResource[]>()): Promise<ScenarioResult[]> {
    const out: ScenarioResult[] = [];
    for (const s of scenarios) {
        const report = estimateCost(await stackResources(s.stack, s.config, cache), s.traffic);
        out.push({
            scenario: s,
            report,
            firehose: sum(report, (l) => l.service === "Firehose" && /ingestion/.test(l.item) && !/window function/.test(l.item)),
            ingest: sum(report, (l) => /-ingest$/.test(l.component) || l.component === "(stack)"),
        });
    }
    return out;
}

function usd(x: number): string {
    return `$${x.toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 0 })}`;
}

function trafficText(t: TrafficInput): string {
    return t.eventsPerSecond === 0 ? "0 events/s" : `${t.eventsPerSecond.toLocaleString("en-US")} events/s, ${t.eventsPerRequest}/request, ${t.eventBytes} B/event`;
}

/** The markdown table (and its command lines) that README.md carries between the scenario markers. */
export function renderScenarioTable(results: ScenarioResult[]): string {
    const rows = results.map((r) => {
        const s = r.scenario;
        const config = Object.entries(s.config).map(([k, v]) => `\`${k}=${v}\``).join(", ") || "as shipped";
        const ours = s.compare === "firehose" ? r.firehose : s.compare === "ingest" ? r.ingest : r.report.total;
        const what = s.compare === "firehose" ? "Firehose ingestion" : s.compare === "ingest" ? "ingest (API or collector, WAF, stream)" : "whole stack";
        return `| ${s.name} | ${s.stack} (${config}) | ${trafficText(s.traffic)} | **${usd(ours)}** ${what} | ${usd(r.report.total)} | ${s.anchor} |`;
    });
    return [
        "| scenario | stack (config) | traffic | our figure | whole stack | anchor |",
        "| --- | --- | --- | --- | --- | --- |",
        ...rows,
    ].join("\n");
}

export const README_START = "<!-- cost-scenarios:start (npm run cost:scenarios rewrites this table) -->";
export const README_END = "<!-- cost-scenarios:end -->";
export const README_PATH = path.join(__dirname, "..", "README.md");

/** README.md with the scenario table replaced by `table`. */
export function withScenarioTable(readme: string, table: string): string {
    const start = readme.indexOf(README_START);
    const end = readme.indexOf(README_END);
    if (start < 0 || end < start) throw new Error(`README.md has no scenario markers (${README_START} ... ${README_END}).`);
    return `${readme.slice(0, start + README_START.length)}\n${table}\n${readme.slice(end)}`;
}

/** `npm run cost:scenarios`: recompute and rewrite the README table. */
export async function main(): Promise<void> {
    const table = renderScenarioTable(await runScenarios());
    fs.writeFileSync(README_PATH, withScenarioTable(fs.readFileSync(README_PATH, "utf8"), table));
    process.stdout.write(table + "\n");
}

if (require.main === module) {
    main().catch((err) => {
        process.stderr.write(`${(err as Error).stack}\n`);
        process.exitCode = 1;
    });
}
