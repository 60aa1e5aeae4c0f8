/**
 * What first-touching fresh memory costs on this machine: 6 MB freshly allocated and filled (one page
 * fault per 4 KB page) against the same 6 MB filled again (no faults). On a sandboxed or virtualized
 * kernel a fault can cost far more than on bare Linux (~0.1-0.5 us), and the transform's ratio with
 * it (docs/transform.md, "Why the ratio differs between machines").
 *
 *   npx tsx bench/pageFaults.ts
 */
import { FaultSample, machineLine, median, timeWithFaults } from "./timing";

const BYTES = 6e6;
const reused = Buffer.allocUnsafeSlow(BYTES).fill(0);
const fresh: FaultSample[] = [];
const again: FaultSample[] = [];
for (let i = 0; i < 21; i++) {
    fresh.push(timeWithFaults(() => Buffer.allocUnsafeSlow(BYTES).fill(i)));
    again.push(timeWithFaults(() => reused.fill(i)));
}
console.log(machineLine());
for (const [name, samples] of [["fresh 6 MB, filled", fresh], ["same 6 MB, filled again", again]] as const) {
    const faulted = samples.filter((s) => s.faults > 100);
    const perFault = faulted.length === 0 ? "" : `; per fault ${median(faulted.map((s) => (1000 * s.cpu) / s.faults)).toFixed(1)} us CPU, ${median(faulted.map((s) => (1000 * s.wall) / s.faults)).toFixed(1)} us wall`;
    console.log(`${name}: median ${median(samples.map((s) => s.wall)).toFixed(2)} ms wall, ${median(samples.map((s) => s.cpu)).toFixed(2)} ms CPU, ${median(samples.map((s) => s.faults))} page faults${perFault}`);
}
