/**
 * Which file a Pulumi Node.js program starts from, decided exactly as the Pulumi SDK's language
 * runtime decides it (`@pulumi/pulumi` cmd/run/run.js, `run` and `resolveEntrypoint`, 3.248):
 *
 * 1. `main` in Pulumi.yaml: that path (file or directory), relative to the project directory;
 *    package.json is not consulted.
 * 2. Otherwise the package root is the nearest directory at or above the program directory holding a
 *    package.json (or package.yaml); without one, the program directory itself.
 * 3. Its `exports` when a string; else `exports["."]` when a string; else `exports["."].default`,
 *    `.require` or `.import` (first one set); only when there is no `exports`, its `main`.
 * 4. An entry named there that does not exist is not an error: the SDK warns "Could not find entry
 *    point ..." and falls back to the program directory.
 * 5. A directory is loaded the way `require("<dir>/")` loads it (its own package.json `main`, then
 *    index.js before index.ts, with a warning when both exist); an ES module package (`"type":
 *    "module"`) takes the first of index.js, index.mjs, index.ts, index.mts.
 */
import * as fs from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";

export interface ProgramEntry {
    /** What the runtime loads: a file, or a directory (loaded as `require("<dir>/")` does). */
    program: string;
    /** The package root whose package.json was read (rule 2). */
    packageRoot: string;
    /** `"type": "module"` in that package.json: the program is imported, not required. */
    isModule: boolean;
    /** The SDK's warnings for this resolution, worded as the SDK words them. */
    warnings: string[];
}

const MANIFESTS = ["package.json", "package.yaml"];

/** Rule 2: the nearest directory at or above `dir` with a package manifest, or undefined. */
function manifestAbove(dir: string): string | undefined {
    for (let d = dir; ; d = path.dirname(d)) {
        for (const name of MANIFESTS) {
            const file = path.join(d, name);
            if (fs.existsSync(file)) return file;
        }
        if (path.dirname(d) === d) return undefined;
    }
}

/** The manifest's content; like the SDK, a manifest that cannot be read or parsed counts as empty. */
function readManifest(file: string | undefined): Record<string, any> {
    if (!file) return {};
    try {
        const text = fs.readFileSync(file, "utf8");
        const data = file.endsWith(".json") ? JSON.parse(text) : parseYaml(text);
        return data && typeof data === "object" ? data : {};
    } catch {
        return {};
    }
}

/** Rule 3: the entry package.json names, if any. */
function declaredEntry(pkg: Record<string, any>): string | undefined {
    const exp = pkg.exports;
    if (typeof exp === "string") return exp;
    if (exp && typeof exp === "object") {
        const dot = exp["."];
        if (typeof dot === "string") return dot;
        if (dot && typeof dot === "object") return dot.default || dot.require || dot.import;
        return undefined;
    }
    return pkg.main || undefined;
}

/** Resolves the program of the Pulumi project in `projectDir`, whose Pulumi.yaml has `main` (or not). */
export function resolveProgramEntry(projectDir: string, main?: string): ProgramEntry {
    const warnings: string[] = [];
    let program = main ? path.join(projectDir, main) : projectDir;
    const programDir = fs.existsSync(program) && fs.statSync(program).isDirectory() ? program : path.dirname(program);
    const manifest = manifestAbove(programDir);
    if (!manifest) warnings.push("Could not find a package.json or package.yaml file for the program. Using the Pulumi program directory as the project root.");
    const packageRoot = manifest ? path.dirname(manifest) : programDir;
    const pkg = readManifest(manifest);
    if (!main) {
        const entry = declaredEntry(pkg);
        if (entry) {
            const candidate = path.join(packageRoot, entry);
            if (fs.existsSync(candidate)) program = candidate;
            else warnings.push(`Could not find entry point '${entry}' specified in package.json; using '${program}' instead`);
        }
    }
    if (fs.existsSync(program) && fs.statSync(program).isDirectory()) {
        const files = fs.readdirSync(program);
        if (files.includes("index.js") && files.includes("index.ts")) {
            warnings.push("Found a TypeScript project containing an index.js file and no explicit entrypoint in Pulumi.yaml - Pulumi will use index.js");
        }
    }
    return { program, packageRoot, isModule: pkg.type === "module", warnings };
}

/** Rule 5 for ES modules: the file `import` loads for a directory program, as the SDK picks it. */
export function moduleDirectoryIndex(dir: string): string {
    for (const index of ["index.js", "index.mjs", "index.ts", "index.mts"]) {
        if (fs.existsSync(path.join(dir, index))) return path.join(dir, index);
    }
    throw new Error(`No entrypoint found in ${dir}`);
}
