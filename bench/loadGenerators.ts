/**
 * The HTTP load generators bench:local drives `clickstream local` with: wrk (C, Debian package `wrk`)
 * when it is installed, else autocannon (npm, always installed). Both are real HTTP clients on
 * loopback, bounded in time, POSTing the same request bodies with event ids of their own.
 *
 * Why two: the load generator runs on the same 2 cores as the pipeline it measures, so its own CPU is
 * taken from the pipeline. autocannon costs ~7-14 us of CPU per event here (20-event requests) under
 * load, wrk a fraction of that; the bench prints the generator's CPU per event either way.
 * `BENCH_LOADGEN=autocannon|wrk` picks one.
 */
import autocannon from "autocannon";
import { spawn, spawnSync } from "child_process";
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";

export interface LoadOptions {
    url: string;
    path: string;
    connections: number;
    seconds: number;
    /** Request bodies; every "__ID__" in a body becomes the request's number (`requestNumberText`), so event ids never repeat. */
    bodies: readonly string[];
}

export interface LoadResult {
    generator: string;
    /** Answers received (2xx and others) before the generator stopped. */
    answered: number;
    acknowledged: number;
    non2xx: number;
    errors: number;
    timeouts: number;
    latencyMs: { p50: number; p99: number; max: number };
    /** CPU seconds (user + system) the generator itself used. */
    cpuSeconds: number;
}

/** Runs the generator BENCH_LOADGEN names, or wrk when it is on PATH, else autocannon. */
export async function runLoad(opts: LoadOptions, log: (line: string) => void): Promise<LoadResult> {
    const wanted = process.env.BENCH_LOADGEN;
    if (wanted !== undefined && wanted !== "wrk" && wanted !== "autocannon") throw new Error(`BENCH_LOADGEN=${wanted}: use wrk or autocannon`);
    const wrk = wrkVersion();
    if (wanted === "wrk" && wrk === undefined) throw new Error("BENCH_LOADGEN=wrk but wrk is not on PATH. Fix: apt-get install wrk (Debian/Ubuntu), or BENCH_LOADGEN=autocannon");
    if (wanted === "autocannon" || wrk === undefined) {
        if (wanted === undefined) log("load generator: wrk is not installed (apt-get install wrk), so autocannon, which takes more of the 2 cores from the pipeline");
        return runAutocannon(opts);
    }
    return runWrk(opts, wrk);
}

function wrkVersion(): string | undefined {
    const probe = spawnSync("wrk", ["--version"], { encoding: "utf8" });
    if (probe.error) return undefined;
    return /wrk (\S+)/.exec(`${probe.stdout}${probe.stderr}`)?.[1] ?? "unknown version";
}

/**
 * What "__ID__" becomes in the n-th request: n as 10 hex digits (wrk's script does the same with
 * string.format("%010x")), so an id written around it can be a canonical UUID.
 */
export function requestNumberText(n: number): string {
    return n.toString(16).padStart(10, "0");
}

async function runAutocannon(opts: LoadOptions): Promise<LoadResult> {
    let counter = 0;
    const cpuBefore = process.cpuUsage();
    const result = await autocannon({
        url: opts.url,
        connections: opts.connections,
        duration: opts.seconds,
        timeout: 10,
        requests: [{
            method: "POST",
            path: opts.path,
            headers: { "content-type": "application/json" },
            setupRequest: (req) => ({ ...req, body: opts.bodies[counter % opts.bodies.length].replace(/__ID__/g, requestNumberText(counter++)) }),
        }],
    });
    const cpu = process.cpuUsage(cpuBefore);
    return {
        generator: `autocannon (npm), ${opts.connections} connections`,
        answered: result["2xx"] + result.non2xx,
        acknowledged: result["2xx"],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
        cpuSeconds: (cpu.user + cpu.system) / 1e6,
    };
}

/**
 * wrk with bench/wrk/post-bodies.lua, one thread, in a bash whose `times` reports the CPU wrk used
 * (its child's user and system time), which Node cannot read of a child process.
 */
async function runWrk(opts: LoadOptions, version: string): Promise<LoadResult> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "bench-wrk-"));
    try {
        const pool = path.join(dir, "bodies.ndjson");
        for (const body of opts.bodies) if (body.includes("\n")) throw new Error("runWrk: a request body holds a newline; the pool file has one body per line");
        await fsp.writeFile(pool, opts.bodies.join("\n") + "\n");
        const script = path.join(__dirname, "wrk", "post-bodies.lua");
        const args = ["-t1", `-c${opts.connections}`, `-d${opts.seconds}s`, "--timeout", "10s", "-s", script, opts.url, "--", pool, opts.path];
        const output = await new Promise<string>((resolve, reject) => {
            const child = spawn("bash", ["-c", 'wrk "$@"; status=$?; times; exit $status', "bash", ...args], { stdio: ["ignore", "pipe", "pipe"] });
            let out = "";
            child.stdout.on("data", (d: Buffer) => (out += d.toString("utf8")));
            child.stderr.on("data", (d: Buffer) => (out += d.toString("utf8")));
            child.on("error", reject);
            child.on("close", (code) => (code === 0 ? resolve(out) : reject(new Error(`wrk exited with ${code}:\n${out}`))));
        });
        const line = /^WRK_RESULT (\{.*\})$/m.exec(output);
        if (!line) throw new Error(`wrk printed no result line:\n${output}`);
        const r = JSON.parse(line[1]) as { requests: number; non2xx: number; connect: number; read: number; write: number; timeout: number; p50: number; p99: number; max: number };
        // `times` prints the shell's user/system times, then its children's: "0m1.234s 0m0.567s".
        const children = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/m.exec(output.trim().split("\n").at(-1) ?? "");
        const cpuSeconds = children ? Number(children[1]) * 60 + Number(children[2]) + Number(children[3]) * 60 + Number(children[4]) : NaN;
        return {
            generator: `wrk ${version} (1 thread, ${opts.connections} connections)`,
            answered: r.requests,
            acknowledged: r.requests - r.non2xx,
            non2xx: r.non2xx,
            errors: r.connect + r.read + r.write,
            timeouts: r.timeout,
            latencyMs: { p50: r.p50, p99: r.p99, max: r.max },
            cpuSeconds,
        };
    } finally {
        await fsp.rm(dir, { recursive: true, force: true });
    }
}
