/**
 * What first-touching fresh memory costs on this machine: 6 MB freshly allocated and filled (one page
 * fault per 4 KB page) against the same 6 MB filled again (no faults). On a sandboxed or virtualized
 * kernel a fault can cost far more than on bare Linux (~0.1-0.5 us), and the transform's ratio with
 * it (docs/transform.md, "Why the ratio differs between machines").
 *
 *   npx tsx bench/pageFaults.ts
 */
import { machineLine, median } from "./timing";

interface Sample { wall: number; cpu: number; faults: number }

function measure(fn: () => void): Sample {
    const r0 = process.resourceUsage();
    const c0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(c0);
    return { wall, cpu: (cpu.user + cpu.system) / 1000, faults: process.resourceUsage().minorPageFault - r0.minorPageFault };
}

const BYTES = 6e6;
const reused = Buffer.allocUnsafeSlow(BYTES).fill(0);
const fresh: Sample[] = [];
const again: Sample[] = [];
for (let i = 0; i < 21; i++) {
    fresh.push(measure(() => Buffer.allocUnsafeSlow(BYTES).fill(i)));
    again.push(measure(() => reused.fill(i)));
}
console.log(machineLine());
for (const [name, samples] of [["fresh 6 MB, filled", fresh], ["same 6 MB, filled again", again]] as const) {
    const faulted = samples.filter((s) => s.faults > 100);
    const perFault = faulted.length === 0 ? "" : `; per fault ${median(faulted.map((s) => (1000 * s.cpu) / s.faults)).toFixed(1)} us CPU, ${median(faulted.map((s) => (1000 * s.wall) / s.faults)).toFixed(1)} us wall`;
    console.log(`${name}: median ${median(samples.map((s) => s.wall)).toFixed(2)} ms wall, ${median(samples.map((s) => s.cpu)).toFixed(2)} ms CPU, ${median(samples.map((s) => s.faults))} page faults${perFault}`);
}
