/**
 * Runs a Pulumi program directory in a child Node.js process (offline/programChild.ts), the way the
 * Pulumi CLI runs it in its own language host: working directory = the program's directory,
 * TypeScript compiled with the program's own tsconfig.json (or none), imports resolved by Node from
 * the program's files. So `import ... from "clickstream-pipeline"` loads the package the program
 * installed, whichever directory the check is started from.
 */
import { fork } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { pathToFileURL } from "url";
import type { ChildReply, ChildRequest } from "./programChild";
import { ProgramError } from "./programError";
import type { RunResult } from "./runUnderMocks";

/** tsx's loader (ESM and CommonJS hooks), as a URL `node --import` accepts from any directory. */
const TSX_LOADER = pathToFileURL(require.resolve("tsx")).href;
const CHILD = path.join(__dirname, "programChild.ts");
/** Used when the program has no tsconfig.json: tsx must not pick up one from a parent directory. */
const NO_TSCONFIG = path.join(__dirname, "tsconfig.program-default.json");

/** Longest a program may run before the check gives up on it. */
export const PROGRAM_TIMEOUT_MS = 180_000;

export interface ProgramRun extends RunResult {
    /** The file the program started from. */
    entryFile: string;
    /** What the program printed (its console output and Pulumi log messages), for the caller to show. */
    log: string;
}

export function runInChildProcess(dir: string, request: ChildRequest): Promise<ProgramRun> {
    const tsconfig = path.join(dir, "tsconfig.json");
    const child = fork(CHILD, [], {
        cwd: dir,
        execArgv: ["--import", TSX_LOADER],
        env: { ...process.env, TSX_TSCONFIG_PATH: fs.existsSync(tsconfig) ? tsconfig : NO_TSCONFIG },
        stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let log = "";
    child.stdout!.on("data", (chunk) => (log += chunk));
    child.stderr!.on("data", (chunk) => (log += chunk));
    return new Promise<ProgramRun>((resolve, reject) => {
        let settled = false;
        const finish = (fn: () => void) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            fn();
        };
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            finish(() => reject(new ProgramError(`${request.entry.program}: the program did not finish within ${PROGRAM_TIMEOUT_MS / 1000} s under mocks.`, { log })));
        }, PROGRAM_TIMEOUT_MS);
        child.on("message", (reply: ChildReply) => {
            finish(() => {
                if (reply.ok) resolve({ ...reply.result, entryFile: reply.entryFile, log });
                else reject(ProgramError.fromThrown(reply.error, dir, log));
            });
        });
        child.on("error", (err) => finish(() => reject(err)));
        child.on("exit", (code, signal) => {
            // The child exits after replying; exiting without a reply means it crashed.
            finish(() => reject(new ProgramError(`${request.entry.program}: the program's process ended (${signal ?? `exit code ${code}`}) without a result.${log ? `\n${log.trim()}` : ""}`, { log })));
        });
        child.send(request);
    }).finally(() => {
        if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    });
}
