/**
 * Loads the Pulumi programs we check offline: the shipped stacks of this project and any other
 * Pulumi TypeScript program directory (a team's own stack, examples/*), with the config from its
 * Pulumi.<stack>.yaml, and runs them under mocks.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
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

export function readProjectFile(dir: string): PulumiProjectFile {
    const file = path.join(dir, "Pulumi.yaml");
    if (!fs.existsSync(file)) {
        throw new Error(`${dir} is not a Pulumi program: ${file} does not exist. Pass the directory that holds Pulumi.yaml.`);
    }
    const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    if (typeof doc.name !== "string" || doc.name === "") {
        throw new Error(`${file}: "name" is missing. Give the project a name, e.g. "name: my-clickstream".`);
    }
    return { name: doc.name, main: typeof doc.main === "string" ? doc.main : undefined };
}

/**
 * The `config:` map of Pulumi.<stack>.yaml. Structured values (lists, objects) are kept as values;
 * runUnderMocks serializes them to JSON the way the Pulumi CLI hands them to the program.
 * Secure values ({ secure: ... }) cannot be decrypted offline and are reported as errors.
 */
export function readStackConfig(dir: string, stack: string): Record<string, unknown> {
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        throw new Error(`No stack file ${file}. Create it (pulumi stack init ${stack}) or pick a stack that has one.`);
    }
    const doc = parseYaml(fs.readFileSync(file, "utf8")) ?? {};
    const config = (doc.config ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(config)) {
        if (value && typeof value === "object" && "secure" in (value as object)) {
            throw new Error(`${file}: "${key}" is a secret; offline runs cannot decrypt it. Pass it with an override instead.`);
        }
    }
    return config;
}

/** Runs one of the shipped stacks (stacks/index.ts) with its Pulumi.<stack>.yaml config plus overrides. */
export async function runShippedStack(stack: string, overrides: Record<string, unknown> = {}): Promise<RunResult> {
    if (!(SHIPPED_STACKS as readonly string[]).includes(stack)) {
        throw new Error(`Unknown stack "${stack}". This project ships: ${SHIPPED_STACKS.join(", ")}.`);
    }
    const project = readProjectFile(PROJECT_ROOT).name;
    const config = { ...readStackConfig(PROJECT_ROOT, stack), ...overrides };
    return runUnderMocks({
        project,
        stack,
        config,
        // Required lazily so a CLI call that never runs a stack does not load the AWS SDK types.
        program: () => require("../stacks").deployStack(stack),
    });
}

/**
 * Runs another Pulumi TypeScript program directory under mocks. Its module is loaded afresh each
 * time, and its top-level exports become the stack outputs, as under the Pulumi CLI.
 */
export async function runProgramDir(dir: string, stack: string, overrides: Record<string, unknown> = {}): Promise<RunResult> {
    const absolute = path.resolve(dir);
    const projectFile = readProjectFile(absolute);
    const configFile = path.join(absolute, `Pulumi.${stack}.yaml`);
    const config = { ...(fs.existsSync(configFile) ? readStackConfig(absolute, stack) : {}), ...overrides };
    const entry = resolveEntry(absolute, projectFile.main);
    return runUnderMocks({
        project: projectFile.name,
        stack,
        config,
        program: async () => {
            for (const key of Object.keys(require.cache)) {
                // The program's own modules load afresh; its dependencies (and so Pulumi's runtime) stay shared.
                if (key.startsWith(absolute + path.sep) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete require.cache[key];
            }
            const mod = require(entry);
            return { ...mod };
        },
    });
}

/**
 * The file the Pulumi Node.js host would load (@pulumi/pulumi cmd/run): Pulumi.yaml's `main` when set;
 * otherwise package.json's `exports` or `main`; otherwise the directory's index.ts / index.js.
 */
export function resolveEntry(dir: string, main?: string): string {
    let base = main ? path.resolve(dir, main) : dir;
    if (!main) {
        // Like the SDK, use the nearest package.json at or above the program directory.
        let root = dir;
        while (!fs.existsSync(path.join(root, "package.json")) && path.dirname(root) !== root) root = path.dirname(root);
        const pkgFile = path.join(root, "package.json");
        const pkg = fs.existsSync(pkgFile) ? JSON.parse(fs.readFileSync(pkgFile, "utf8")) : {};
        const exported = typeof pkg.exports === "string" ? pkg.exports : pkg.exports?.["."];
        const entry = typeof exported === "string" ? exported : exported?.default ?? exported?.require ?? exported?.import ?? pkg.main;
        if (typeof entry === "string") base = path.resolve(root, entry);
    }
    for (const candidate of [base, `${base}.ts`, path.join(base, "index.ts"), path.join(base, "index.js")]) {
        if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
    }
    throw new Error(`No program entry in ${dir}: the Pulumi CLI would load ${path.relative(dir, base) || "index.ts"}, which does not exist. Set "main" in Pulumi.yaml (e.g. main: index.ts) or in package.json.`);
}
