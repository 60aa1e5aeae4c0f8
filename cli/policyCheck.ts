/**
 * `clickstream policy-check --stack <dev|prod> [--json] [--program <dir>] [--policy-config <file>]`:
 * runs a stack offline under mocks and evaluates the CrossGuard pack (policies/) against what it
 * registers, with the same harness the tests use. Mandatory violations set exit code 1, as
 * `pulumi preview --policy-pack policies` fails the preview.
 */
import * as fs from "fs";
import { Command, Option } from "commander";
import { checkProgram, mandatoryViolations, PolicyConfigMap, Violation } from "../offline/policyHarness";
import { runProgramDir, runShippedStack } from "../offline/programs";

export interface PolicyCheckTarget {
    stack: string;
    /** Another Pulumi program directory; the shipped stacks when absent. */
    program?: string;
    /** Policy config (per-policy enforcement and properties), as `pulumi preview --policy-pack-config` takes it. */
    policyConfig?: PolicyConfigMap;
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"];
const ENFORCEMENT_ORDER = ["mandatory", "advisory"];

/** Violations of the target, most serious first (mandatory before advisory, then by severity, policy, resource). */
export async function runPolicyCheck(target: PolicyCheckTarget): Promise<Violation[]> {
    const result = target.program ? await runProgramDir(target.program, target.stack) : await runShippedStack(target.stack);
    const violations = await checkProgram(result, { config: target.policyConfig });
    return violations.sort(
        (a, b) =>
            ENFORCEMENT_ORDER.indexOf(a.enforcement) - ENFORCEMENT_ORDER.indexOf(b.enforcement) ||
            SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
            a.policy.localeCompare(b.policy) ||
            a.resource.localeCompare(b.resource),
    );
}

/** A table like the CLI's policy output: one row per violation, then a summary line. */
export function formatViolations(violations: Violation[], subject: string): string {
    if (violations.length === 0) return `Policies: every policy passed for ${subject}.`;
    const header = ["POLICY", "SEVERITY", "ENFORCEMENT", "RESOURCE", "MESSAGE"];
    const rows = violations.map((v) => [v.policy, v.severity, v.enforcement, v.resource, v.message]);
    const widths = header.slice(0, 4).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]) => cells.map((c, i) => (i < 4 ? c.padEnd(widths[i]) : c)).join("  ");
    const mandatory = mandatoryViolations(violations).length;
    return [
        `Policy violations for ${subject}:`,
        line(header),
        ...rows.map(line),
        "",
        `${violations.length} violation(s): ${mandatory} mandatory, ${violations.length - mandatory} advisory.` +
            (mandatory > 0 ? " Mandatory violations would block `pulumi up` under the policy pack." : ""),
    ].join("\n");
}

/** `{ violations: [...] }` for --json: the fields a CI job or a reviewer's script reads. */
export function violationsJson(violations: Violation[]): string {
    return JSON.stringify({ violations: violations.map(({ policy, severity, enforcement, resource, type, message }) => ({ policy, severity, enforcement, resource, type, message })) }, null, 2);
}

function readPolicyConfig(file: string): PolicyConfigMap {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (err: any) {
        throw new Error(`--policy-config ${file}: cannot read it (${err.code ?? err.message}).`);
    }
    try {
        return JSON.parse(text) as PolicyConfigMap;
    } catch (err: any) {
        throw new Error(`--policy-config ${file}: not valid JSON (${err.message}). Use the format of pulumi preview --policy-pack-config.`);
    }
}

export function registerPolicyCheck(program: Command): void {
    program
        .command("policy-check")
        .description("Evaluate the CrossGuard policy pack against a stack offline under Pulumi mocks (no AWS account, no Pulumi CLI); exits 1 on mandatory violations")
        .addOption(new Option("--stack <name>", "stack to check: dev or prod (or a stack of --program)").default("dev"))
        .option("--program <dir>", "another Pulumi TypeScript program directory to check instead of the shipped stacks")
        .option("--policy-config <file>", "policy config JSON, as for pulumi preview --policy-pack-config")
        .option("--json", "print { violations: [{ policy, severity, enforcement, resource, type, message }] }")
        .action(async (opts: { stack: string; program?: string; policyConfig?: string; json?: boolean }) => {
            const violations = await runPolicyCheck({ stack: opts.stack, program: opts.program, policyConfig: opts.policyConfig ? readPolicyConfig(opts.policyConfig) : undefined });
            const subject = opts.program ? `${opts.program} (stack ${opts.stack})` : `stack ${opts.stack}`;
            process.stdout.write((opts.json ? violationsJson(violations) : formatViolations(violations, subject)) + "\n");
            if (mandatoryViolations(violations).length > 0) process.exitCode = 1;
        });
}
