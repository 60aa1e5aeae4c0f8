/**
 * Page faults, CPU and wall time of each bench:transform side, per run: baseline and transform
 * interleaved as in bench/transform.ts (TRANSFORM_ONLY=1: the transform alone, as a Lambda container
 * runs it). Shows where first-touch page faults land; on a machine where they are expensive they
 * decide the ratio (docs/transform.md, "Why the ratio differs between machines").
 *
 *   npx tsx bench/transformFaults.ts [checkout dir]     (default: this checkout)
 */
import { loadBundledTransform } from "./loadTransform";
import { machineLine, median } from "./timing";
import { baseline, BENCH_PII_KEY, buildBatch } from "./transformBatch";

interface Sample { wall: number; cpu: number; faults: number }

function measure(fn: () => unknown): Sample {
    const r0 = process.resourceUsage();
    const c0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(c0);
    return { wall, cpu: (cpu.user + cpu.system) / 1000, faults: process.resourceUsage().minorPageFault - r0.minorPageFault };
}

const transformOnly = process.env.TRANSFORM_ONLY === "1";
const transform = process.argv[2] ? loadBundledTransform(process.argv[2]) : loadBundledTransform();
const { event } = buildBatch();
for (let i = 0; i < 3; i++) { baseline(event); transform.createTransformer(undefined, BENCH_PII_KEY).firehose(event); }
const base: Sample[] = [];
const runs: Sample[] = [];
for (let i = 0; i < 21; i++) {
    if (!transformOnly) base.push(measure(() => baseline(event)));
    const transformer = transform.createTransformer(undefined, BENCH_PII_KEY);
    runs.push(measure(() => transformer.firehose(event)));
}
const show = (name: string, s: Sample[]) => console.log(`${name}: median ${median(s.map((x) => x.wall)).toFixed(1)} ms wall, ${median(s.map((x) => x.cpu)).toFixed(1)} ms CPU, ${median(s.map((x) => x.faults))} page faults`);
console.log(machineLine());
if (!transformOnly) show("baseline ", base);
show("transform", runs);
