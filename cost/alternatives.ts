/**
 * Ingest paths the stacks do not build, priced from the same price book and assumptions so
 * docs/cost.md can compare them with the function URL collector honestly:
 * - a container collector behind an Application Load Balancer (what Clickstream Analytics on AWS runs):
 *   load balancer hours and LCUs, two Fargate tasks (one per AZ), public IPv4 addresses;
 * - CloudFront + WAF in front of the function URL (the documented way to get WAF back).
 * `npx tsx cost/alternatives.ts` prints both beside the collector at the target and Clickstream traffic.
 */
import { Assumptions, loadAssumptions } from "./assumptions";
import { collectorMsPerInvocation } from "./graph";
import { PriceBook } from "./prices";
import { deriveTraffic, GIB, TrafficInput } from "./traffic";

export interface ContainerCollectorShape {
    /** Fargate tasks, one per AZ for availability. */
    tasks: number;
    vcpuPerTask: number;
    gbPerTask: number;
    /** Share of requests that open a new TLS connection (browser trackers: most; server SDKs with keep-alive: few). */
    newConnectionShare: number;
    /** Public IPv4 addresses billed: the load balancer's (one per AZ) and the tasks' (to reach Kinesis without a NAT gateway). */
    publicIpv4: number;
    /** Response and header bytes the load balancer processes per request besides the body. */
    overheadBytesPerRequest: number;
}

export const CONTAINER_COLLECTOR: ContainerCollectorShape = { tasks: 2, vcpuPerTask: 0.25, gbPerTask: 0.5, newConnectionShare: 1, publicIpv4: 4, overheadBytesPerRequest: 600 };

export interface PricedLine { item: string; usd: number }

function total(lines: PricedLine[]): number {
    return lines.reduce((s, l) => s + l.usd, 0);
}

/** The function URL collector's requests and duration at 128 MB arm64 (what the stacks build). */
export function functionUrlCollectorCost(input: TrafficInput, p = PriceBook.load(), a: Assumptions = loadAssumptions(), memoryMb = 128): PricedLine[] {
    const t = deriveTraffic(input, a, p.hoursPerMonth);
    const ms = collectorMsPerInvocation(a, memoryMb);
    return [
        { item: "Lambda requests", usd: p.cost("lambda.requests", t.requestsPerMonth) },
        { item: `Lambda duration (${memoryMb} MB arm64, ${ms} ms per request)`, usd: p.cost("lambda.arm64.gbSecond", t.requestsPerMonth * (ms / 1000) * (memoryMb / 1024)) },
    ];
}

/** An ALB + Fargate collector sized for `input` (tasks grow when the CPU per request needs more than the shape gives). */
export function containerCollectorCost(input: TrafficInput, shape: ContainerCollectorShape = CONTAINER_COLLECTOR, p = PriceBook.load(), a: Assumptions = loadAssumptions()): PricedLine[] {
    const t = deriveTraffic(input, a, p.hoursPerMonth);
    const hours = p.hoursPerMonth;
    const lcu = p.entry("elb.alb.lcuHour");
    const byConnections = (t.requestsPerSecond * shape.newConnectionShare) / Number(lcu.newConnectionsPerLcu);
    const byBytes = ((t.requestsPerSecond * (t.requestBodyBytes + shape.overheadBytesPerRequest) * 3600) / GIB) / Number(lcu.processedGbPerLcu);
    const lcus = Math.max(byConnections, byBytes);
    // The collector's CPU per request (the same code, measured by bench:collector), kept under 50% of the tasks' vCPUs.
    const vcpuNeeded = (t.requestsPerSecond * a.collectorBench.cpuMicrosPerRequest) / 1e6 / 0.5;
    const tasks = Math.max(shape.tasks, Math.ceil(vcpuNeeded / shape.vcpuPerTask));
    return [
        { item: "ALB hours", usd: p.cost("elb.alb.hour", hours) },
        { item: `ALB LCUs (${lcus.toFixed(2)}: ${byConnections >= byBytes ? "new connections" : "processed bytes"})`, usd: p.cost("elb.alb.lcuHour", lcus * hours) },
        { item: `Fargate (${tasks} tasks x ${shape.vcpuPerTask} vCPU / ${shape.gbPerTask} GB arm64)`, usd: p.cost("fargate.arm64.vcpuHour", tasks * shape.vcpuPerTask * hours) + p.cost("fargate.arm64.gbHour", tasks * shape.gbPerTask * hours) },
        { item: `public IPv4 addresses (${shape.publicIpv4})`, usd: p.cost("vpc.publicIpv4Hour", shape.publicIpv4 * hours) },
    ];
}

/** CloudFront + WAF in front of the function URL: per-request prices on top of the collector's. */
export function cloudFrontWafCost(input: TrafficInput, p = PriceBook.load(), a: Assumptions = loadAssumptions(), wafRules = 3): PricedLine[] {
    const t = deriveTraffic(input, a, p.hoursPerMonth);
    return [
        { item: "CloudFront HTTPS requests", usd: p.cost("cloudfront.httpsRequests", t.requestsPerMonth) },
        { item: `WAF (web ACL, ${wafRules} rules, requests)`, usd: p.cost("waf.webAcl", 1) + p.cost("waf.rule", wafRules) + p.cost("waf.requests", t.requestsPerMonth) },
    ];
}

export function main(): void {
    const traffics: Array<[string, TrafficInput]> = [
        ["target: 1,000 events/s, 10 per request, 450 B", { eventsPerSecond: 1000, eventsPerRequest: 10, eventBytes: 450, queriesPerDay: 0 }],
        ["Clickstream traffic: 10,000 events/s, 10 per request, 200 B", { eventsPerSecond: 10_000, eventsPerRequest: 10, eventBytes: 200, queriesPerDay: 0 }],
        ["idle", { eventsPerSecond: 0, eventsPerRequest: 10, eventBytes: 450, queriesPerDay: 0 }],
    ];
    const usd = (x: number) => `$${x.toFixed(2)}`;
    const out = ["| traffic | function URL collector | ALB + Fargate, new connection per request | ALB + Fargate, 10% new connections | CloudFront + WAF in front of the function URL (extra) |", "| --- | --- | --- | --- | --- |"];
    for (const [name, input] of traffics) {
        out.push(`| ${name} | ${usd(total(functionUrlCollectorCost(input)))} | ${usd(total(containerCollectorCost(input)))} | ${usd(total(containerCollectorCost(input, { ...CONTAINER_COLLECTOR, newConnectionShare: 0.1 })))} | ${usd(total(cloudFrontWafCost(input)))} |`);
    }
    process.stdout.write(out.join("\n") + "\n");
}

if (require.main === module) main();
