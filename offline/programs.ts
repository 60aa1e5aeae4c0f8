/**
 * Loads the Pulumi programs we check offline: the shipped stacks of this project and any other
 * Pulumi TypeScript program directory (a team's own stack, examples/*), with the config from its
 * Pulumi.<stack>.yaml plus `--config` overrides, and runs them under mocks.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { resolveProgramEntry } from "./entrypoint";
import { ProgramError } from "./programError";
import { ProgramRun, runInChildProcess } from "./programProcess";
import { RunResult, runUnderMocks } from "./runUnderMocks";

/** Root of this project (where Pulumi.yaml lives). */
export const PROJECT_ROOT = path.resolve(__dirname, "..");

/** Stacks this project ships a Pulumi.<stack>.yaml for. */
export const SHIPPED_STACKS = ["dev", "prod"] as const;
export type ShippedStack = (typeof SHIPPED_STACKS)[number];

export interface PulumiProjectFile {
    name: string;
    main?: string;
}

/** Parses a YAML file; a syntax error names the file, line and column. */
function readYamlFile(file: string): any {
    const text = fs.readFileSync(file, "utf8");
    try {
        return parseYaml(text) ?? {};
    } catch (err: any) {
        const pos = err.linePos?.[0];
        const where = pos ? `${file}:${pos.line}:${pos.col}` : file;
        throw new Error(`${where}: not valid YAML: ${String(err.message).split("\n")[0]}`);
    }
}

export function readProjectFile(dir: string): PulumiProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new Error(`${dir} is not a Pulumi program: ${file} does not exist. Pass the directory that holds Pulumi.yaml.`);
    }
    const doc = readYamlFile(file);
    if (typeof doc.name !== "string" || doc.name === "") {
        throw new Error(`${file}: "name" is missing. Give the project a name, e.g. "name: my-clickstream".`);
    }
    return { name: doc.name, main: typeof doc.main === "string" ? doc.main : undefined };
}

/** The nearest directory at or above `from` with a Pulumi.yaml, as the Pulumi CLI finds its project. */
export function findProgramDir(from: string): string | undefined {
    for (let dir = path.resolve(from); ; dir = path.dirname(dir)) {
        if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
        if (path.dirname(dir) === dir) return undefined;
    }
}

/** Stacks a program directory has a Pulumi.<stack>.yaml for. */
export function stackNames(dir: string): string[] {
    return fs
        .readdirSync(dir)
        .map((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1])
        .filter((s): s is string => s !== undefined)
        .sort();
}

/** The error for a stack without a stack file, listing the stacks there are. */
export function unknownStack(stack: string, dir: string): Error {
    const known = stackNames(dir);
    return new Error(
        `Unknown stack "${stack}": ${path.join(dir, `Pulumi.${stack}.yaml`)} does not exist. ` +
            (known.length ? `Stacks there: ${known.join(", ")}.` : "That program has no stack file yet.") +
            ` Pick one with --stack, or create it (pulumi stack init ${stack}, then pulumi config set ...).`,
    );
}

/** "corsAllowedOrigins" -> "<project>:corsAllowedOrigins"; namespaced keys stay as they are. */
function fullKey(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The `config:` map of Pulumi.<stack>.yaml with the overrides on top. Structured values (lists,
 * objects) are kept as values; runUnderMocks serializes them to JSON the way the Pulumi CLI hands
 * them to the program. Secure values ({ secure: ... }) cannot be decrypted offline: each must be
 * given as an override (`--config key=value`).
 */
export function readStackConfig(dir: string, stack: string, overrides: Record<string, unknown> = {}, project = readProjectFile(dir).name): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) throw unknownStack(stack, dir);
    const doc = readYamlFile(file);
    const config: Record<string, unknown> = {};
    for (const [key, value] of Object.entries((doc.config ?? {}) as Record<string, unknown>)) config[fullKey(project, key)] = value;
    for (const [key, value] of Object.entries(overrides)) config[fullKey(project, key)] = value;
    for (const [key, value] of Object.entries(config)) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            throw new Error(
                `${file}: "${key}" is a secret, which an offline run cannot decrypt (it has no Pulumi backend). ` +
                    `Give the check a stand-in value: --config ${key}=<value> (any value of the right shape; it is not deployed).`,
            );
        }
    }
    return config;
}

/** Parses `--config key=value` arguments (repeatable) into overrides. */
export function parseConfigOverrides(pairs: string[] = []): Record<string, string> {
    const out: Record<string, string> = {};
    for (const pair of pairs) {
        const eq = pair.indexOf("=");
        if (eq <= 0) throw new Error(`--config ${pair}: expected key=value, e.g. --config clickstream:logRetentionDays=30 or --config 'clickstream:corsAllowedOrigins=["https://www.example.com"]'.`);
        out[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    return out;
}

/** Runs one of the shipped stacks (stacks/index.ts) with its Pulumi.<stack>.yaml config plus overrides. */
export async function runShippedStack(stack: string, overrides: Record<string, unknown> = {}): Promise<RunResult> {
    if (!(SHIPPED_STACKS as readonly string[]).includes(stack)) {
        throw new Error(`Unknown stack "${stack}". This project ships: ${SHIPPED_STACKS.join(", ")}.`);
    }
    const project = readProjectFile(PROJECT_ROOT).name;
    const config = readStackConfig(PROJECT_ROOT, stack, overrides, project);
    try {
        return await runUnderMocks({
            project,
            stack,
            config,
            // Required lazily so a CLI call that never runs a stack does not load the AWS SDK types.
            program: () => require("../stacks").deployStack(stack),
        });
    } catch (err: any) {
        throw ProgramError.fromThrown(err instanceof Error ? err : new Error(String(err)), PROJECT_ROOT);
    }
}

/**
 * Runs another Pulumi TypeScript program directory under mocks, in its own process (see
 * offline/programProcess.ts): its entry point chosen as the Pulumi SDK chooses it
 * (offline/entrypoint.ts), its imports resolved from its own directory, its top-level exports the
 * stack outputs. Errors it throws arrive as a ProgramError naming the file and line.
 */
export async function runProgramDir(dir: string, stack: string, overrides: Record<string, unknown> = {}): Promise<ProgramRun> {
    const absolute = path.resolve(dir);
    const projectFile = readProjectFile(absolute);
    const config = readStackConfig(absolute, stack, overrides, projectFile.name);
    const entry = resolveProgramEntry(absolute, projectFile.main);
    const run = await runInChildProcess(absolute, { project: projectFile.name, stack, config, entry });
    const warnings = entry.warnings.map((w) => `warning: ${w}\n`).join("");
    return { ...run, log: warnings + run.log };
}
