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
    it("--json prints { violations } and exits 1 on mandatory violations", async () => {
        const { out, exitCode } = await cli("--program", EXAMPLE, "--stack", "dev", "--json");
        const parsed = JSON.parse(out);
        assert.equal(parsed.violations.length, 13);
        assert.deepEqual(Object.keys(parsed.violations[0]).sort(), ["enforcement", "message", "policy", "resource", "severity", "type"]);
        assert.equal(exitCode, 1);
    });

    it("prints a table and exits 0 when the only violations are advisory (--policy-config)", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-config-"));
        const file = path.join(dir, "config.json");
        const names = JSON.parse((await cli("--program", EXAMPLE, "--json")).out).violations.map((v: Violation) => v.policy);
        // one policy by name, the rest through "all", as in a Pulumi policy pack config file
        fs.writeFileSync(file, JSON.stringify({ all: "advisory", [names[0]]: { enforcementLevel: "advisory" } }));
        const { out, exitCode } = await cli("--program", EXAMPLE, "--policy-config", file);
        assert.match(out, /^Policy violations for .*insecure \(stack dev\):\nPOLICY +SEVERITY +ENFORCEMENT +RESOURCE +MESSAGE/);
        assert.match(out, /13 violation\(s\): 0 mandatory, 13 advisory\./);
        assert.equal(exitCode, 0);
    });

    it("rejects an unreadable policy config with the flag named", async () => {
        await assert.rejects(cli("--program", EXAMPLE, "--policy-config", "/nonexistent.json"), /--policy-config \/nonexistent.json: cannot read it/);
    });

    it("formats an empty result and the JSON shape", () => {
        assert.equal(formatViolations([], "stack dev"), "Policies: every policy passed for stack dev.");
        const v: Violation = { policy: "p", severity: "high", enforcement: "mandatory", resource: "t::n", type: "t", message: "m", urn: "urn" };
        assert.deepEqual(JSON.parse(violationsJson([v])), { violations: [{ policy: "p", severity: "high", enforcement: "mandatory", resource: "t::n", type: "t", message: "m" }] });
    });
});
