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

/** The message a person reads: esbuild's "Transform failed" preamble and duplicated location removed. */
function cleanMessage(err: ThrownError): string {
    const transform = TRANSFORM.exec(err.message);
    if (transform) return `syntax error: ${transform[4]}`;
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
        const message = cleanMessage(err);
        const prefix = location ? `${displayPath(location.file)}:${location.line}: ` : "";
        return new ProgramError(prefix + message, { detail: err.stack ?? message, location, log, cause: err });
    }
}

export function displayPath(file: string): string {
    const relative = path.relative(process.cwd(), file);
    return relative && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}
