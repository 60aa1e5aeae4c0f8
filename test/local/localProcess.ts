/**
 * Runs `clickstream local` as a child process (the real binary) on a free loopback port, for the
 * crash test and the benchmark.
 */
import { ChildProcess, spawn } from "child_process";
import * as net from "net";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");

export async function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.once("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

export interface LocalChild {
    child: ChildProcess;
    url: string;
    output: () => string;
    /** Resolves with the exit code (or signal) once the process has ended. */
    exited: Promise<number | string>;
}

/**
 * Starts the binary and waits for its health check. `ownSession` runs it in a session of its own
 * (setsid), as a service runs apart from its clients: with the kernel's autogroup scheduling, a
 * child in the caller's session would share one CPU share with the load generator. `nodeFlags` go to
 * node before the script (e.g. `--cpu-prof` to profile the server).
 */
export async function spawnLocal(lakeDir: string, env: Record<string, string> = {}, timeoutMs = 60_000, ownSession = false, nodeFlags: readonly string[] = []): Promise<LocalChild> {
    const port = await freePort();
    const child = spawn(process.execPath, [...nodeFlags, path.join(REPO_ROOT, "bin", "clickstream.js"), "local"], {
        cwd: REPO_ROOT,
        env: { ...process.env, PORT: String(port), LAKE_DIR: lakeDir, ...env },
        stdio: ["ignore", "pipe", "pipe"],
        detached: ownSession,
    });
    // Never leave the server behind, even if the caller dies first.
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", () => process.off("exit", killOnExit));
    let out = "";
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    const exited = new Promise<number | string>((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")));
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`clickstream local exited before it was healthy:\n${out}`);
        try {
            const res = await fetch(`${url}/healthz`);
            if (res.status === 200) break;
        } catch {
            // not listening yet
        }
        if (Date.now() > deadline) {
            child.kill("SIGKILL");
            throw new Error(`clickstream local was not healthy within ${timeoutMs} ms:\n${out}`);
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    return { child, url, output: () => out, exited };
}
