import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Command } from "commander";
import { formatViolations, registerPolicyCheck, violationsJson } from "../../cli/policyCheck";
import { PROJECT_ROOT } from "../../offline/programs";
import { Violation } from "../../offline/policyHarness";

const EXAMPLE = path.join(PROJECT_ROOT, "examples", "insecure");

/** Runs `clickstream policy-check ...` in-process; returns stdout and the exit code it set. */
async function cli(...args: string[]): Promise<{ out: string; exitCode: number }> {
    const program = new Command().exitOverride();
    registerPolicyCheck(program);
    const chunks: string[] = [];
    const write = process.stdout.write;
    const previous = process.exitCode;
    process.exitCode = 0;
    (process.stdout as any).write = (chunk: any) => {
        chunks.push(String(chunk));
        return true;
    };
    try {
        await program.parseAsync(["node", "clickstream", "policy-check", ...args]);
    } finally {
        process.stdout.write = write;
    }
    const exitCode = Number(process.exitCode ?? 0);
    process.exitCode = previous;
    return { out: chunks.join(""), exitCode };
}

describe("clickstream policy-check", () => {
    it("--json prints { program, stack, violations, disabledPolicies } and exits 1 on mandatory violations", async () => {
        const { out, exitCode } = await cli("--program", EXAMPLE, "--stack", "dev", "--json");
        const parsed = JSON.parse(out);
        assert.equal(parsed.violations.length, 13);
        assert.deepEqual(Object.keys(parsed.violations[0]).sort(), ["enforcement", "message", "policy", "resource", "severity", "type"]);
        assert.deepEqual(parsed.program, { name: "clickstream-insecure-example", dir: EXAMPLE, entry: path.join(EXAMPLE, "index.ts") });
        assert.equal(parsed.stack, "dev");
        assert.deepEqual(parsed.disabledPolicies, []);
        assert.equal(exitCode, 1);
    });

    it("prints a table and exits 0 when the only violations are advisory (--policy-config)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        try {
            const file = path.join(dir, "config.json");
            // one policy by name, the rest through "all", as in a Pulumi policy pack config file
            fs.writeFileSync(file, JSON.stringify({ all: "advisory", "clickstream-s3-bucket-sse-kms": { enforcementLevel: "advisory" } }));
            const { out, exitCode } = await cli("--program", EXAMPLE, "--policy-config", file);
            const subject = /^Policy violations for (program clickstream-insecure-example \(.*examples\/insecure\/index\.ts\), stack dev):\nPOLICY +SEVERITY +ENFORCEMENT +RESOURCE +MESSAGE/.exec(out)?.[1];
            assert.ok(subject, out);
            assert.ok(out.trimEnd().endsWith(`13 violation(s) for ${subject}: 0 mandatory, 13 advisory.`), out);
            assert.equal(exitCode, 0);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("rejects an unreadable policy config with the flag named", async () => {
        await assert.rejects(cli("--program", EXAMPLE, "--policy-config", "/nonexistent.json"), /--policy-config \/nonexistent.json: cannot read it/);
    });

    it("formats an empty result, disabled policies and the JSON shape", () => {
        assert.equal(formatViolations([], "stack dev"), "Policies: every policy passed for stack dev.");
        assert.equal(
            formatViolations([], "stack dev", ["clickstream-s3-tls-only", "clickstream-kms-key-rotation"]),
            "Policies: every enabled policy passed for stack dev. 2 policies disabled by the policy config, not checked: clickstream-s3-tls-only, clickstream-kms-key-rotation.",
        );
        const v: Violation = { policy: "p", severity: "high", enforcement: "mandatory", resource: "t::n", type: "t", message: "m", urn: "urn" };
        assert.deepEqual(JSON.parse(violationsJson([v])), { violations: [{ policy: "p", severity: "high", enforcement: "mandatory", resource: "t::n", type: "t", message: "m" }], disabledPolicies: [] });
    });
});
