/**
 * Page faults, CPU and wall time of each bench:transform side, per run: baseline and transform
 * interleaved as in bench/transform.ts (TRANSFORM_ONLY=1: the transform alone, as a Lambda container
 * runs it). Shows where first-touch page faults land; on a machine where they are expensive they
 * decide the ratio (docs/transform.md, "Why the ratio differs between machines"). Runs under the
 * transform Lambda's malloc settings (transformEnv.ts; BENCH_GLIBC_TUNABLES=default: glibc's).
 *
 *   npx tsx bench/transformFaults.ts [checkout dir]     (default: this checkout)
 */
import { loadBundledTransform } from "./loadTransform";
import { FaultSample, machineLine, median, timeWithFaults } from "./timing";
import { baseline, BENCH_PII_KEY, buildBatch } from "./transformBatch";
import { mallocLine, runWithTransformMallocEnv } from "./transformEnv";

function main(): void {
    const transformOnly = process.env.TRANSFORM_ONLY === "1";
    const transform = process.argv[2] ? loadBundledTransform(process.argv[2]) : loadBundledTransform();
    const { event } = buildBatch();
    for (let i = 0; i < 3; i++) { baseline(event); transform.createTransformer(undefined, BENCH_PII_KEY).firehose(event); }
    const base: FaultSample[] = [];
    const runs: FaultSample[] = [];
    for (let i = 0; i < 21; i++) {
        if (!transformOnly) base.push(timeWithFaults(() => baseline(event)));
        const transformer = transform.createTransformer(undefined, BENCH_PII_KEY);
        runs.push(timeWithFaults(() => transformer.firehose(event)));
    }
    const show = (name: string, s: FaultSample[]) => console.log(`${name}: median ${median(s.map((x) => x.wall)).toFixed(1)} ms wall, ${median(s.map((x) => x.cpu)).toFixed(1)} ms CPU, ${median(s.map((x) => x.faults))} page faults`);
    console.log(machineLine());
    console.log(mallocLine());
    if (!transformOnly) show("baseline ", base);
    show("transform", runs);
}

if (runWithTransformMallocEnv()) main();
