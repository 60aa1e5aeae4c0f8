/**
 * Runs a transform benchmark under the malloc settings the transform Lambda has
 * (dataplane/transform/mallocTunables.ts): glibc reads GLIBC_TUNABLES only at process start, so a
 * benchmark started without it runs itself again, once, with it. BENCH_GLIBC_TUNABLES=default keeps
 * glibc's defaults instead (to measure what the setting changes).
 */
import { spawnSync } from "child_process";
import { ENV_GLIBC_TUNABLES, TRANSFORM_GLIBC_TUNABLES } from "../dataplane/transform/mallocTunables";

const keepDefaults = (): boolean => process.env.BENCH_GLIBC_TUNABLES === "default";

/**
 * Call first thing: returns true when this process already runs with the Lambda's setting (or the
 * defaults were asked for) and should benchmark; otherwise runs the same command in a child process with
 * the setting, sets this process's exit code to the child's and returns false.
 */
export function runWithTransformMallocEnv(): boolean {
    if (keepDefaults() || process.env[ENV_GLIBC_TUNABLES] === TRANSFORM_GLIBC_TUNABLES) return true;
    // execArgv carries tsx's loader flags; argv[1] is this script.
    const child = spawnSync(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
        stdio: "inherit",
        env: { ...process.env, [ENV_GLIBC_TUNABLES]: TRANSFORM_GLIBC_TUNABLES },
    });
    if (child.error) throw child.error;
    process.exitCode = child.status ?? 1;
    return false;
}

/** The malloc line the transform benchmarks print under the machine line. */
export function mallocLine(): string {
    const value = process.env[ENV_GLIBC_TUNABLES];
    return `malloc: ${value ? `${ENV_GLIBC_TUNABLES}=${value}` : "glibc defaults"}${value === TRANSFORM_GLIBC_TUNABLES ? " (as the transform Lambda)" : keepDefaults() ? " (BENCH_GLIBC_TUNABLES=default)" : ""}`;
}
