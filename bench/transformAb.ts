/**
 * A/B of the transform: an earlier revision (A) against this checkout (B), both bundled as deployed and
 * loaded into one process, run on the same batch in interleaved pairs (the order alternating), each run
 * with a new transformer. Changes of a few percent are invisible to single runs of bench:transform on a
 * shared machine, whose load moves them by +-15 %; pairs taken a few milliseconds apart see the same
 * load, and the fastest run of each side is the least disturbed one.
 *
 *   npm run bench:transform:ab -- <revision>     e.g. main, HEAD~3 (default HEAD); AB_PAIRS=61
 *
 * Prints B/A as the median of the per-pair ratios, as the ratio of the fastest runs and as the median
 * of the per-pair ratios of CPU time (below 1: B is faster), and each side's paired ratio to the
 * bench:transform baseline. Both sides run under the transform Lambda's malloc settings (transformEnv.ts).
 */
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { loadBundledTransform, TransformModule } from "./loadTransform";
import { machineLine, median, time, timeWithCpu } from "./timing";
import { baseline, BENCH_PII_KEY, buildBatch } from "./transformBatch";
import { mallocLine, runWithTransformMallocEnv } from "./transformEnv";

const ROOT = path.resolve(__dirname, "..");
const PAIRS = Number(process.env.AB_PAIRS ?? 61);

function git(...args: string[]): string {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/** A worktree of `revision` under bench/out (ignored by git), removed by the returned function. */
function checkout(revision: string): { dir: string; sha: string; remove: () => void } {
    let sha: string;
    try {
        sha = git("rev-parse", "--verify", `${revision}^{commit}`);
    } catch {
        throw new Error(`revision "${revision}" not found. Fix: pass a commit, branch or tag of this repository, e.g. npm run bench:transform:ab -- main`);
    }
    const dir = path.join(ROOT, "bench", "out", `ab-${sha.slice(0, 12)}`);
    if (!fs.existsSync(dir)) git("worktree", "add", "--detach", dir, sha);
    if (!fs.existsSync(path.join(dir, "dataplane", "transform", "index.ts"))) {
        git("worktree", "remove", "--force", dir);
        throw new Error(`revision ${sha.slice(0, 12)} has no dataplane/transform/index.ts to compare with. Fix: pick a later revision`);
    }
    return { dir, sha, remove: () => git("worktree", "remove", "--force", dir) };
}

function main(): void {
    const revision = process.argv[2] ?? "HEAD";
    const a = checkout(revision);
    try {
        const sides: [string, TransformModule][] = [[`A ${revision} (${a.sha.slice(0, 12)})`, loadBundledTransform(a.dir)], ["B this checkout", loadBundledTransform()]];
        console.log(machineLine());
        console.log(mallocLine());
        const { event } = buildBatch();
        for (let i = 0; i < 3; i++) for (const [, t] of sides) t.createTransformer(undefined, BENCH_PII_KEY).firehose(event);
        const times: number[][] = [[], []];
        const cpu: number[][] = [[], []];
        const base: number[] = [];
        for (let i = 0; i < PAIRS; i++) {
            base.push(time(() => baseline(event)));
            for (const s of i % 2 === 0 ? [0, 1] : [1, 0]) {
                const transformer = sides[s][1].createTransformer(undefined, BENCH_PII_KEY);
                const t = timeWithCpu(() => transformer.firehose(event));
                times[s].push(t.wall);
                cpu[s].push(t.cpu);
            }
        }
        for (const [s, [name]] of sides.entries()) {
            console.log(`${name}: fastest ${Math.min(...times[s]).toFixed(1)} ms, median ${median(times[s]).toFixed(1)} ms (CPU ${median(cpu[s]).toFixed(1)} ms), ratio to baseline ${median(times[s].map((t, i) => base[i] / t)).toFixed(3)}`);
        }
        console.log(`B/A over ${PAIRS} pairs: median ${median(times[1].map((t, i) => t / times[0][i])).toFixed(3)}, fastest runs ${(Math.min(...times[1]) / Math.min(...times[0])).toFixed(3)}, median of CPU time ${median(cpu[1].map((t, i) => t / cpu[0][i])).toFixed(3)} (the steadiest on a loaded machine)`);
    } finally {
        a.remove();
    }
}

try {
    if (runWithTransformMallocEnv()) main();
} catch (err) {
    console.error(`bench:transform:ab: ${(err as Error).message}`);
    process.exitCode = 2;
}
