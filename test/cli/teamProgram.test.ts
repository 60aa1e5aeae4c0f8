import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { formatViolations, runPolicyCheck, violationsJson } from "../../cli/policyCheck";
import { describeTarget, runTarget } from "../../cli/target";
import { errorReport } from "../../cli/main";
import { ProgramError } from "../../offline/programError";
import { PROJECT_ROOT } from "../../offline/programs";

/**
 * A team's own Pulumi project outside this repository, as a new user has it: its own package.json
 * (whose `main` points at a build that does not exist), its stack file with a secret, and an
 * installed `clickstream-pipeline` in its node_modules. The installed package here is a stand-in
 * whose FirehoseLake registers a plain, unencrypted bucket, so the verdict shows which code ran.
 */
const TEAM_INDEX = `import * as pulumi from "@pulumi/pulumi";
import { FirehoseLake } from "clickstream-pipeline";

const config = new pulumi.Config();
const lake = new FirehoseLake("team", { name: config.require("bucketName") });
export const bucket = lake.bucketName;
`;
const INSTALLED_PACKAGE = `const aws = require("@pulumi/aws");
class FirehoseLake {
    constructor(name, args) {
        this.bucketName = new aws.s3.Bucket(name + "-from-installed-package", { bucket: args.name }).bucket;
    }
}
module.exports = { FirehoseLake };
`;

function writeFiles(dir: string, files: Record<string, string>): void {
    for (const [rel, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
        fs.writeFileSync(path.join(dir, rel), content);
    }
}

describe("clickstream commands on a team's own program", function () {
    this.timeout(180_000);
    let root: string;
    let team: string;

    before(() => {
        root = fs.mkdtempSync(path.join(os.tmpdir(), "clickstream-team-"));
        team = path.join(root, "team-app");
        writeFiles(team, {
            "Pulumi.yaml": "name: team-app\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
            "Pulumi.dev.yaml": "config:\n  aws:region: eu-west-1\n  team-app:bucketName: team-raw-events\n  team-app:apiToken:\n    secure: AAABAKxyz\n",
            "package.json": JSON.stringify({ name: "team-app", main: "dist/index.js", dependencies: { "clickstream-pipeline": "^0.1.0" } }),
            "index.ts": TEAM_INDEX,
            "node_modules/clickstream-pipeline/package.json": JSON.stringify({ name: "clickstream-pipeline", version: "0.1.0", main: "index.js" }),
            "node_modules/clickstream-pipeline/index.js": INSTALLED_PACKAGE,
        });
        // The team's @pulumi packages: this checkout's (same versions), linked as npm links them.
        fs.symlinkSync(path.join(PROJECT_ROOT, "node_modules", "@pulumi"), path.join(team, "node_modules", "@pulumi"), "dir");
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("without --program checks the program of the working directory, loading its own installed packages, and names it in every verdict", async () => {
        const check = await runPolicyCheck({ stack: "dev", config: ["team-app:apiToken=stand-in"], policyConfig: { "clickstream-s3-tls-only": "disabled" } }, team);
        assert.equal(check.target.dir, team);
        assert.equal(check.target.project, "team-app");
        // package.json's main (dist/index.js) does not exist: the SDK warns and runs the directory's index.ts.
        assert.equal(check.target.entry, path.join(team, "index.ts"));
        assert.match(check.log, /Could not find entry point 'dist\/index\.js' specified in package\.json/);
        // `clickstream-pipeline` came from the team's node_modules, not from this checkout's sources.
        assert.deepEqual(check.result.resources.map((r) => `${r.type}::${r.name}`), ["aws:s3/bucket:Bucket::team-from-installed-package"]);
        assert.equal(check.result.outputs.bucket, "team-raw-events");

        const policies = check.violations.map((v) => v.policy);
        assert.ok(policies.includes("clickstream-s3-bucket-sse-kms"), policies.join(", "));
        assert.ok(!policies.includes("clickstream-s3-tls-only"));
        const subject = describeTarget(check.target);
        assert.match(subject, /^program team-app \(.*team-app\/index\.ts\), stack dev$/);
        const table = formatViolations(check.violations, subject, check.disabled).split("\n");
        assert.equal(table[0], `Policy violations for ${subject}:`);
        assert.match(table[table.length - 1], new RegExp(`^\\d+ violation\\(s\\) for ${subject.replace(/[()./\\]/g, "\\$&")}: \\d+ mandatory, 0 advisory\\. .* 1 policy disabled by the policy config, not checked: clickstream-s3-tls-only\\.$`));
        const json = JSON.parse(violationsJson(check.violations, check.target, check.disabled));
        assert.deepEqual({ program: json.program, stack: json.stack, disabled: json.disabledPolicies }, { program: { name: "team-app", dir: team, entry: path.join(team, "index.ts") }, stack: "dev", disabled: ["clickstream-s3-tls-only"] });
    });

    it("a stack without a stack file is an unknown stack, listing the stacks there are", async () => {
        await assert.rejects(runPolicyCheck({ stack: "staging" }, team), /Unknown stack "staging": .*Pulumi\.staging\.yaml does not exist\. Stacks there: dev\./);
        await assert.rejects(runPolicyCheck({ stack: "staging", program: team }), /Unknown stack "staging"/);
    });

    it("a secret in the stack file asks for --config, naming the key", async () => {
        await assert.rejects(runPolicyCheck({ stack: "dev", program: team }), /"team-app:apiToken" is a secret.*--config team-app:apiToken=<value>/);
    });

    it("a misspelled policy name in the policy config is an error listing the known policies", async () => {
        await assert.rejects(
            runPolicyCheck({ stack: "dev", program: team, policyConfig: { "clickstream-s3-bucket-sse-kmss": "disabled", all: "advisory" } }),
            /names a policy the pack does not have: clickstream-s3-bucket-sse-kmss\. Known policies \(and "all"\): .*clickstream-s3-bucket-sse-kms, /,
        );
    });

    it("a YAML syntax error names the stack file and line", async () => {
        const broken = path.join(root, "broken-yaml");
        writeFiles(broken, { "Pulumi.yaml": "name: broken\nruntime: nodejs\n", "Pulumi.dev.yaml": "config:\n  broken:a: [1, 2\n  broken:b: 3\n" });
        await assert.rejects(runTarget({ stack: "dev", program: broken }), new RegExp(`${path.join(broken, "Pulumi.dev.yaml").replace(/[./]/g, "\\$&")}:\\d+:\\d+: not valid YAML`));
    });

    it("an error thrown by the program is one message naming file and line; the trace only with --verbose", async () => {
        const failing = path.join(root, "failing");
        writeFiles(failing, {
            "Pulumi.yaml": "name: failing\nruntime: nodejs\nmain: index.ts\n",
            "Pulumi.dev.yaml": "config: {}\n",
            "index.ts": `import * as pulumi from "@pulumi/pulumi";\nconst retention = Number(new pulumi.Config().get("days") ?? "0");\nif (retention < 1) throw new Error("failing:days must be at least 1");\n`,
        });
        fs.symlinkSync(path.join(team, "node_modules"), path.join(failing, "node_modules"), "dir");
        const err = await runTarget({ stack: "dev", program: failing }).then(() => assert.fail("expected an error"), (e) => e);
        assert.ok(err instanceof ProgramError);
        assert.match(err.message, /failing\/index\.ts:3: failing:days must be at least 1$/);
        assert.equal(errorReport(err, false), `error: ${err.message}`);
        assert.doesNotMatch(errorReport(err, false), /\n\s+at /);
        assert.match(errorReport(err, true), /\n\s+at .*index\.ts:3/);
    });

    it("a TypeScript syntax error names file and line", async () => {
        const typo = path.join(root, "typo");
        writeFiles(typo, { "Pulumi.yaml": "name: typo\nruntime: nodejs\n", "Pulumi.dev.yaml": "config: {}\n", "index.ts": "export const a = 1;\nexport const b = (;\n" });
        await assert.rejects(runTarget({ stack: "dev", program: typo }), /typo\/index\.ts:2: syntax error: /);
    });
});
