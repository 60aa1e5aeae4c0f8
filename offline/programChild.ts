/**
 * The child process side of `runProgramDir` (offline/programProcess.ts starts it). A Pulumi program
 * runs here, in its own directory and with its own tsconfig (or none), so its imports resolve as
 * Node resolves them from that directory, never through the tsconfig `paths` of whoever started
 * the check. It receives one request over IPC, runs the program under mocks and sends back what
 * it registered, or the error it threw.
 */
import * as fs from "fs";
import { pathToFileURL } from "url";
import { moduleDirectoryIndex, ProgramEntry } from "./entrypoint";
import { RunResult, runUnderMocks } from "./runUnderMocks";

export interface ChildRequest {
    project: string;
    stack: string;
    config: Record<string, unknown>;
    entry: ProgramEntry;
}

export type ChildReply =
    | { ok: true; result: RunResult; entryFile: string }
    | { ok: false; error: { name: string; message: string; stack?: string; code?: string } };

// A native dynamic import (TypeScript would turn `import()` into `require` in a CommonJS module).
const dynamicImport = new Function("specifier", "return import(specifier)") as (specifier: string) => Promise<any>;

/** Loads the program as the SDK's run.js does; returns its exports and the file that was loaded. */
async function loadProgram(entry: ProgramEntry): Promise<{ exported: unknown; file: string }> {
    const isDirectory = fs.existsSync(entry.program) && fs.statSync(entry.program).isDirectory();
    if (entry.isModule) {
        const file = isDirectory ? moduleDirectoryIndex(entry.program) : entry.program;
        let exported = await dynamicImport(pathToFileURL(fs.realpathSync(file)).href);
        if (Object.getOwnPropertyDescriptor(exported, "default") !== undefined) {
            if (Object.keys(exported).length !== 1) throw new Error("expected entrypoint module to have either a default export or named exports but not both");
            exported = exported.default;
        }
        return { exported, file };
    }
    // A folder ends with "/" so that require loads the folder, not an adjacent file of the same name.
    const specifier = isDirectory && !entry.program.endsWith("/") ? entry.program + "/" : entry.program;
    return { exported: require(specifier), file: require.resolve(specifier) };
}

async function serve(request: ChildRequest): Promise<ChildReply> {
    let entryFile = "";
    try {
        const result = await runUnderMocks({
            project: request.project,
            stack: request.stack,
            config: request.config,
            program: async () => {
                const { exported, file } = await loadProgram(request.entry);
                entryFile = file;
                // As the SDK: an exported function is the program; its (awaited) result is the outputs.
                const outputs = await (exported instanceof Function ? exported() : exported);
                return outputs && typeof outputs === "object" ? { ...outputs } : {};
            },
        });
        return { ok: true, result, entryFile };
    } catch (err) {
        return errorReply(err);
    }
}

function errorReply(err: unknown): ChildReply {
    const error = err instanceof Error ? err : new Error(String(err));
    return { ok: false, error: { name: error.name, message: error.message, stack: error.stack, code: (error as any).code } };
}

let thrown: unknown;
// A rejection nobody handled (an apply that throws, or the runtime's echo of the program's own
// error) must not kill the process before it has replied; the reply carries the first error.
process.on("unhandledRejection", (reason) => {
    thrown ??= reason;
});

process.once("message", (request: ChildRequest) => {
    void serve(request).then((reply) => {
        if (reply.ok && thrown !== undefined) reply = errorReply(thrown);
        // JSON over IPC: assets' promises and functions do not cross; policies read plain values.
        process.send!(JSON.parse(JSON.stringify(reply)), () => process.exit(0));
    });
});
