/**
 * An error thrown while a Pulumi program ran under mocks, reduced to what a person acts on: the
 * message once, prefixed with the file and line it came from. The stack trace is kept in `detail`
 * for `--verbose`.
 */
import * as path from "path";

export interface ThrownError {
    name?: string;
    message: string;
    stack?: string;
    code?: string;
}

export interface Location {
    file: string;
    line: number;
    column?: number;
}

/** Frames of a V8 stack trace: "at fn (file:line:col)" or "at file:line:col". */
const FRAME = /^\s*at (?:.*? \()?(?:file:\/\/)?(\/[^():]+|[A-Za-z]:\\[^():]+):(\d+):(\d+)\)?$/;
/** esbuild's (tsx's) syntax errors: "<file>:<line>:<column>: ERROR: <text>". */
const TRANSFORM = /^(\/[^\n:]+|[A-Za-z]:\\[^\n:]+):(\d+):(\d+): ERROR: (.+)$/m;

/**
 * Where an error came from: for a syntax error, the file and line esbuild names; otherwise the first
 * stack frame in the program's own files (not node_modules), else the first frame outside Node.js
 * and node_modules.
 */
export function locate(err: ThrownError, programDir: string): Location | undefined {
    const transform = TRANSFORM.exec(err.message);
    if (transform) return { file: transform[1], line: Number(transform[2]), column: Number(transform[3]) };
    const frames: Location[] = [];
    for (const line of (err.stack ?? "").split("\n")) {
        const m = FRAME.exec(line);
        if (m && !m[1].includes(`${path.sep}node_modules${path.sep}`)) frames.push({ file: m[1], line: Number(m[2]), column: Number(m[3]) });
    }
    const inProgram = frames.find((f) => f.file.startsWith(programDir + path.sep));
    return inProgram ?? frames[0];
}

/** A package's build output that is missing: "<dir>/dist/components/index.js" of clickstream-pipeline. */
const UNBUILT = /Cannot find module '(.*?)[\\/]dist[\\/]components[\\/]index\.js'/;

/** What to do about a module that cannot be loaded. */
function moduleHint(message: string, programDir: string): string {
    const unbuilt = UNBUILT.exec(message);
    if (unbuilt) return ` The clickstream-pipeline package at ${unbuilt[1]} is not built: run "npm run build" there (a file: dependency links a checkout as it is; npm ci in the checkout builds it too).`;
    const bare = /Cannot find module '([^./][^']*)'/.exec(message);
    if (bare) return ` Install it in the program directory: (cd ${programDir} && npm install ${bare[1].startsWith("@") ? bare[1].split("/").slice(0, 2).join("/") : bare[1].split("/")[0]}).`;
    return "";
}

/** The message a person reads: esbuild's "Transform failed" preamble and duplicated location removed. */
function cleanMessage(err: ThrownError, programDir: string): string {
    const transform = TRANSFORM.exec(err.message);
    if (transform) return `syntax error: ${transform[4]}`;
    if (err.code === "MODULE_NOT_FOUND") {
        // Node's "Require stack" lists our loader too; the location prefix already says who required it.
        const first = err.message.split("\n")[0];
        const hint = moduleHint(first, programDir);
        return hint ? `${first}.${hint}` : first;
    }
    const message = err.message.replace(/\t/g, "  ").trim();
    // Pulumi's own hint needs a stack backend; an offline run takes the value on the command line.
    const missing = /Missing required configuration variable '([^']+)'/.exec(message);
    return missing ? `${message}\n  or, for this offline check only: --config ${missing[1]}=<value>` : message;
}

export class ProgramError extends Error {
    /** The stack trace (or the program's full output), shown with --verbose. */
    readonly detail: string;
    readonly location?: Location;
    /** What the program printed before it failed. */
    readonly log: string;

    constructor(message: string, opts: { detail?: string; location?: Location; log?: string; cause?: unknown } = {}) {
        super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
        this.name = "ProgramError";
        this.detail = opts.detail ?? "";
        this.location = opts.location;
        this.log = opts.log ?? "";
    }

    /** "<file>:<line>: <message>", the file relative to the working directory when it is below it. */
    static fromThrown(err: ThrownError, programDir: string, log = ""): ProgramError {
        const location = locate(err, programDir);
        const message = cleanMessage(err, programDir);
        const prefix = location ? `${displayPath(location.file)}:${location.line}: ` : "";
        return new ProgramError(prefix + message, { detail: err.stack ?? message, location, log, cause: err });
    }
}

export function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
