/**
 * The `clickstream` command. Each subcommand lives in its own module under cli/ and registers
 * itself here.
 */
import { Command } from "commander";
import { ProgramError } from "../offline/programError";
import { registerDetect } from "./detect";
import { registerLocal } from "./local";
import { registerModels } from "./models";
import { registerErase } from "./erase";
import { registerCost } from "./cost";
import { registerPolicyCheck } from "./policyCheck";
import { registerQuery } from "./query";
import { registerResources } from "./resources";
import { registerReview } from "./review";
import { registerTransform } from "./transform";

export function buildProgram(): Command {
    const program = new Command();
    program
        .name("clickstream")
        .description("Click-stream pipeline on AWS: offline resource listing, policy checks and a local pipeline")
        .showHelpAfterError()
        .exitOverride();
    registerReview(program);
    registerResources(program);
    registerPolicyCheck(program);
    registerTransform(program);
    registerDetect(program);
    registerLocal(program);
    registerQuery(program);
    registerModels(program);
    registerErase(program);
    registerCost(program);
    return program;
}

export async function main(argv: string[]): Promise<void> {
    const program = buildProgram();
    try {
        await program.parseAsync(argv);
    } catch (err: any) {
        // commander throws on --help/--version with exitCode 0 and on usage errors with 1.
        if (err && typeof err.exitCode === "number") {
            process.exitCode = err.exitCode;
            return;
        }
        throw err;
    }
}

/**
 * What a failed command prints (bin/clickstream.js): the message once (a program's error already
 * names its file and line); with --verbose also the program's output and the stack trace.
 */
export function errorReport(err: unknown, verbose: boolean): string {
    if (!(err instanceof Error)) return String(err);
    if (!verbose) return `error: ${err.message}`;
    const log = err instanceof ProgramError && err.log.trim() ? `${err.log.trim()}\n` : "";
    const trace = err instanceof ProgramError ? err.detail : err.stack ?? "";
    return `${log}error: ${err.message}\n\n${trace}`;
}
