import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { moduleDirectoryIndex, resolveProgramEntry } from "../../offline/entrypoint";

/**
 * One test per rule of the Pulumi SDK's entry point resolution (@pulumi/pulumi cmd/run/run.js,
 * `run` and `resolveEntrypoint`), on throwaway directories.
 */
describe("offline/entrypoint: the Pulumi SDK's entry point rules", () => {
    let root: string;
    const write = (rel: string, content = "") => {
        const file = path.join(root, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content);
        return file;
    };
    const pkg = (rel: string, content: object) => write(rel, JSON.stringify(content));

    beforeEach(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-entry-"));
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it("Pulumi.yaml main wins: package.json is not consulted", () => {
        pkg("package.json", { main: "other.ts" });
        write("other.ts");
        write("src/app.ts");
        const entry = resolveProgramEntry(root, "src/app.ts");
        assert.equal(entry.program, path.join(root, "src/app.ts"));
        assert.deepEqual(entry.warnings, []);
    });

    it("package root is the nearest package.json above the program directory", () => {
        pkg("package.json", { main: "lib/start.ts" });
        write("lib/start.ts");
        fs.mkdirSync(path.join(root, "infra"));
        const entry = resolveProgramEntry(path.join(root, "infra"));
        assert.equal(entry.packageRoot, root);
        assert.equal(entry.program, path.join(root, "lib/start.ts"));
    });

    it("without a package.json the program directory is the root, with the SDK's warning", () => {
        // os.tmpdir() has no package.json above it here; the rule is checked only when that holds.
        if (fs.existsSync(path.join(path.dirname(root), "package.json"))) return;
        const entry = resolveProgramEntry(root);
        assert.equal(entry.packageRoot, root);
        assert.equal(entry.program, root);
        assert.match(entry.warnings.join("\n"), /Could not find a package\.json or package\.yaml file for the program/);
    });

    it("exports as a string is the entry", () => {
        pkg("package.json", { exports: "./run.ts", main: "ignored.ts" });
        write("run.ts");
        write("ignored.ts");
        assert.equal(resolveProgramEntry(root).program, path.join(root, "run.ts"));
    });

    it('exports["."] as a string is the entry', () => {
        pkg("package.json", { exports: { ".": "./dot.ts" }, main: "ignored.ts" });
        write("dot.ts");
        assert.equal(resolveProgramEntry(root).program, path.join(root, "dot.ts"));
    });

    it('exports["."] as an object: default, then require, then import', () => {
        pkg("package.json", { exports: { ".": { import: "./esm.mjs", require: "./cjs.js" } } });
        write("esm.mjs");
        write("cjs.js");
        assert.equal(resolveProgramEntry(root).program, path.join(root, "cjs.js"));
        pkg("package.json", { exports: { ".": { import: "./esm.mjs", require: "./cjs.js", default: "./def.js" } } });
        write("def.js");
        assert.equal(resolveProgramEntry(root).program, path.join(root, "def.js"));
        pkg("package.json", { exports: { ".": { import: "./esm.mjs" } } });
        assert.equal(resolveProgramEntry(root).program, path.join(root, "esm.mjs"));
    });

    it("exports without a \".\" entry leaves the program directory (main is not tried)", () => {
        pkg("package.json", { exports: { "./sub": "./sub.js" }, main: "main.ts" });
        write("main.ts");
        const entry = resolveProgramEntry(root);
        assert.equal(entry.program, root);
        assert.deepEqual(entry.warnings, []);
    });

    it("main is used only when there is no exports", () => {
        pkg("package.json", { main: "start.ts" });
        write("start.ts");
        assert.equal(resolveProgramEntry(root).program, path.join(root, "start.ts"));
    });

    it("a missing entry warns and falls back to the program directory (not an error)", () => {
        pkg("package.json", { main: "dist/index.js" });
        write("index.ts");
        const entry = resolveProgramEntry(root);
        assert.equal(entry.program, root);
        assert.deepEqual(entry.warnings, [`Could not find entry point 'dist/index.js' specified in package.json; using '${root}' instead`]);
    });

    it("a directory with index.js and index.ts warns that index.js is used", () => {
        pkg("package.json", {});
        write("index.js");
        write("index.ts");
        assert.match(resolveProgramEntry(root).warnings.join("\n"), /Pulumi will use index\.js/);
    });

    it('an ES module package ("type": "module") is imported; its directory index is index.js, .mjs, .ts, .mts in that order', () => {
        pkg("package.json", { type: "module" });
        write("index.mts");
        assert.equal(resolveProgramEntry(root).isModule, true);
        assert.equal(moduleDirectoryIndex(root), path.join(root, "index.mts"));
        write("index.ts");
        assert.equal(moduleDirectoryIndex(root), path.join(root, "index.ts"));
        write("index.js");
        assert.equal(moduleDirectoryIndex(root), path.join(root, "index.js"));
    });
});
