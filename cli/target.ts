/**
 * Which Pulumi program and stack a `clickstream` command checks, shared by `resources`, `review`
 * and `policy-check`. Like `pulumi preview`, without --program the program is the Pulumi project
 * of the working directory (the nearest Pulumi.yaml at or above it); only when there is none, or it
 * is this package's own project, are the shipped stacks run. Every verdict names what was checked.
 */
import * as fs from "fs";
import * as path from "path";
import { Command, Option } from "commander";
import { displayPath } from "../offline/programError";
import { findProgramDir, parseConfigOverrides, PROJECT_ROOT, readProjectFile, runProgramDir, runShippedStack } from "../offline/programs";
import type { RunResult } from "../offline/runUnderMocks";

export interface TargetOptions {
    stack: string;
    /** A Pulumi program directory; without it, the project of the working directory. */
    program?: string;
    /** `--config key=value` overrides on top of Pulumi.<stack>.yaml. */
    config?: string[];
    /** Print stack traces and the program's output on errors. */
    verbose?: boolean;
}

/** What was checked: the program (project name, entry file) and the stack. */
export interface CheckedTarget {
    project: string;
    /** The program directory (where its Pulumi.yaml is). */
    dir: string;
    /** The file the program started from. */
    entry: string;
    stack: string;
    /** True when these are this package's shipped stacks (stacks/, run in-process). */
    shipped: boolean;
}

export interface TargetRun {
    target: CheckedTarget;
    result: RunResult;
    /** What the program printed (warnings, console output). */
    log: string;
}

/** Adds --stack, --program, --config and --verbose to a command. */
export function addTargetOptions(command: Command, verb: string): Command {
    return command
        .addOption(new Option("--stack <name>", `stack to ${verb}: one with a Pulumi.<stack>.yaml in the program directory`).default("dev"))
        .option("--program <dir>", `Pulumi TypeScript program directory to ${verb} (default: the Pulumi project of the current directory, else this package's shipped stacks)`)
        .option("--config <key=value>", "config value for this offline run, over Pulumi.<stack>.yaml (repeatable), e.g. --config clickstream:logRetentionDays=30", (v: string, prev: string[] = []) => [...prev, v])
        .option("--verbose", "on errors, print the stack trace and the program's output");
}

function realpath(dir: string): string {
    try {
        return fs.realpathSync(dir);
    } catch {
        return path.resolve(dir);
    }
}

/** The program directory the options point at, or undefined for this package's shipped stacks. */
export function targetDir(opts: Pick<TargetOptions, "program">, cwd = process.cwd()): string | undefined {
    const dir = opts.program ? path.resolve(cwd, opts.program) : findProgramDir(cwd);
    if (!dir || realpath(dir) === realpath(PROJECT_ROOT)) return undefined;
    return dir;
}

/** Runs the program and stack the options name, under mocks. */
export async function runTarget(opts: TargetOptions, cwd = process.cwd()): Promise<TargetRun> {
    const overrides = parseConfigOverrides(opts.config);
    const dir = targetDir(opts, cwd);
    if (!dir) {
        const result = await runShippedStack(opts.stack, overrides);
        const target = { project: readProjectFile(PROJECT_ROOT).name, dir: PROJECT_ROOT, entry: path.join(PROJECT_ROOT, "index.ts"), stack: opts.stack, shipped: true };
        return { target, result, log: "" };
    }
    const run = await runProgramDir(dir, opts.stack, overrides);
    const { entryFile, log, ...result } = run;
    return { target: { project: readProjectFile(dir).name, dir, entry: entryFile, stack: opts.stack, shipped: false }, result, log };
}

/** "program checkout-clickstream (examples/team-stack/index.ts), stack dev": what a verdict is about. */
export function describeTarget(target: CheckedTarget): string {
    return `program ${target.project} (${displayPath(target.entry)}), stack ${target.stack}`;
}

/** `{ program: { name, dir, entry }, stack }` for --json output. */
export function targetJson(target: CheckedTarget): { program: { name: string; dir: string; entry: string }; stack: string } {
    return { program: { name: target.project, dir: target.dir, entry: target.entry }, stack: target.stack };
}
