import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { promisify } from "util";
import { PROJECT_ROOT } from "../../offline/programs";
import { readmeLibrarySnippet } from "../support/readme";

const run = promisify(execFile);
const TIMEOUT_MS = 150_000;

/** Runs a command; resolves to its output and exit code (never rejects on a non-zero exit). */
async function sh(file: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string; code: number }> {
    try {
        const { stdout, stderr } = await run(file, args, { cwd, timeout: TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
        return { stdout, stderr, code: 0 };
    } catch (err: any) {
        return { stdout: err.stdout ?? "", stderr: err.stderr ?? String(err), code: typeof err.code === "number" ? err.code : 1 };
    }
}

/**
 * The library as a team gets it: `npm pack`, the tarball unpacked into a new project's node_modules
 * (its dependencies linked from this checkout's node_modules, so no network is needed), the README's
 * snippet as the team's program, type-checked against the packed declarations, then
 * `npx clickstream policy-check` in that project and `clickstream review --stack prod` of the
 * shipped stacks from the installed package.
 */
describe("the packed library in a new project", function () {
    this.timeout(4 * TIMEOUT_MS);
    let root: string;
    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-pack-"));
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("packs what an install needs, type-checks an import, and checks the team's program with the installed CLI", async () => {
        // `npm ci` builds dist/ (the "prepare" script); build it here only when it is missing.
        if (!fs.existsSync(path.join(PROJECT_ROOT, "dist", "components", "index.d.ts"))) {
            assert.equal((await sh("npm", ["run", "build"], PROJECT_ROOT)).code, 0, "npm run build failed");
        }
        const packed = await sh("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", root], PROJECT_ROOT);
        assert.equal(packed.code, 0, packed.stderr);
        const [{ filename, files }] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
        const paths = files.map((f) => f.path);
        for (const needed of ["Pulumi.yaml", "Pulumi.dev.yaml", "Pulumi.prod.yaml", "index.ts", "bin/clickstream.js", "dist/components/index.js", "dist/components/index.d.ts", "offline/programChild.ts", "offline/tsconfig.program-default.json", "stacks/index.ts", "dataplane/handlers/transform.ts"]) {
            assert.ok(paths.includes(needed), `the tarball lacks ${needed}`);
        }

        const app = path.join(root, "team-app");
        const modules = path.join(app, "node_modules");
        const installed = path.join(modules, "clickstream-pipeline");
        fs.mkdirSync(installed, { recursive: true });
        assert.equal((await sh("tar", ["-xzf", path.join(root, filename), "-C", installed, "--strip-components=1"], root)).code, 0);
        for (const entry of fs.readdirSync(path.join(PROJECT_ROOT, "node_modules"))) {
            if (entry === ".bin" || entry.startsWith(".") || entry === "clickstream-pipeline") continue;
            fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", entry), path.join(modules, entry), "dir");
        }
        fs.mkdirSync(path.join(modules, ".bin"));
        fs.symlinkSync("../clickstream-pipeline/bin/clickstream.js", path.join(modules, ".bin", "clickstream"));
        fs.writeFileSync(path.join(app, "package.json"), JSON.stringify({ name: "team-app", private: true, main: "index.ts", dependencies: { "clickstream-pipeline": "file:../" + filename } }));
        fs.writeFileSync(path.join(app, "Pulumi.yaml"), "name: team-app\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n");
        fs.writeFileSync(path.join(app, "Pulumi.dev.yaml"), "config:\n  aws:region: eu-west-1\n");
        fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", moduleResolution: "node", esModuleInterop: true, skipLibCheck: true, types: ["node"] } }));
        fs.writeFileSync(path.join(app, "index.ts"), readmeLibrarySnippet());

        const tsc = await sh(process.execPath, [path.join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", app], app);
        assert.equal(tsc.code, 0, tsc.stdout + tsc.stderr);

        const check = await sh("npx", ["--no", "clickstream", "policy-check"], app);
        assert.equal(check.code, 0, check.stdout + check.stderr);
        assert.equal(check.stdout.trim(), "Policies: every policy passed for program team-app (index.ts), stack dev.");

        const review = await sh(process.execPath, [path.join(modules, ".bin", "clickstream"), "review", "--stack", "prod"], root);
        assert.equal(review.code, 0, review.stdout + review.stderr);
        assert.match(review.stdout, /^Resources of program clickstream \(team-app\/node_modules\/clickstream-pipeline\/index\.ts\), stack prod:/);
        assert.match(review.stdout, /Policies: every policy passed for program clickstream .*, stack prod\.$/m);
    });
});
