/** Wall-clock timing for the benchmarks. */
import { readFileSync } from "fs";
import * as os from "os";

/** Milliseconds `fn` took. */
export function time(fn: () => unknown): number {
    const start = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Wall-clock and CPU milliseconds `fn` took. CPU time (user + system, all of the process's threads, so
 * GC helper threads included) leaves out the time the process waited for a core: on a shared machine
 * it spreads far less than wall time, though it still grows when other processes evict the caches.
 */
export function timeWithCpu(fn: () => unknown): { wall: number; cpu: number } {
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    fn();
    const wall = Number(process.hrtime.bigint() - start) / 1e6;
    const cpu = process.cpuUsage(cpu0);
    return { wall, cpu: (cpu.user + cpu.system) / 1000 };
}

/** Wall ms, CPU ms (as `timeWithCpu`) and minor page faults (first touches of fresh memory) of one call of `fn`. */
export interface FaultSample { wall: number; cpu: number; faults: number }

export function timeWithFaults(fn: () => unknown): FaultSample {
    const faults0 = process.resourceUsage().minorPageFault;
    const { wall, cpu } = timeWithCpu(fn);
    return { wall, cpu, faults: process.resourceUsage().minorPageFault - faults0 };
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

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat (Linux);
 * undefined elsewhere. CPU time, unlike wall time, does not grow with the machine's other load.
 */
export function processCpuSeconds(pid: number | "self" | undefined): number | undefined {
    const fields = procStatFields(pid);
    return fields && cpuSecondsOfFields(fields);
}

/** Minor page faults of a process so far, all its threads (Linux /proc), or undefined elsewhere. */
export function processMinorFaults(pid: number | "self" | undefined): number | undefined {
    // minflt is the 10th field, the 8th after the command name.
    const fields = procStatFields(pid);
    return fields && Number(fields[7]);
}

/** utime + stime of a /proc stat line (process or thread), in seconds (clock ticks of 1/100 s). */
export function cpuSecondsOfStat(stat: string): number {
    return cpuSecondsOfFields(fieldsOfStat(stat));
}

/** The fields of /proc/<pid>/stat after the command name, or undefined (not Linux, or the process is gone). */
function procStatFields(pid: number | "self" | undefined): string[] | undefined {
    try {
        return fieldsOfStat(readFileSync(`/proc/${pid}/stat`, "utf8"));
    } catch {
        return undefined;
    }
}

/** A stat line's fields after the command name, which may hold spaces. */
function fieldsOfStat(stat: string): string[] {
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

/** utime and stime are the 12th and 13th fields after the command name. */
function cpuSecondsOfFields(fields: readonly string[]): number {
    return (Number(fields[11]) + Number(fields[12])) / 100;
}
