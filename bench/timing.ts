/** Wall-clock timing for the benchmarks. */
import * as os from "os";

/** Milliseconds `fn` took. */
export function time(fn: () => unknown): number {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
}

/** The middle value (the upper one of the two middles for an even count). */
export const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * The machine a figure came from: CPU model and count, Node version, and the load average when the
 * run started (figures from a loaded shared machine are slower, and the transform more so than the
 * baseline: see docs/transform.md).
 */
export function machineLine(): string {
    const cpus = os.cpus();
    const load = os.loadavg().map((l) => l.toFixed(1)).join(" ");
    return `machine: ${cpus[0]?.model ?? "unknown CPU"} x${cpus.length}, node ${process.version}, load average ${load}`;
}
