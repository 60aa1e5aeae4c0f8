/**
 * `clickstream policy-check [--stack <name>] [--program <dir>] [--config key=value] [--policy-config <file>] [--json]`:
 * runs a Pulumi program offline under mocks and evaluates the CrossGuard pack (policies/) against
 * what it registers, with the same harness the tests use. Mandatory violations set exit code 1, as
 * `pulumi preview --policy-pack policies` fails the preview. Every verdict names the program and
 * stack it is about, and the policies the policy config turned off.
 */
import * as fs from "fs";
import { Command } from "commander";
import { checkPolicyConfigNames, checkProgram, disabledPolicies, mandatoryViolations, PolicyConfigMap, Violation } from "../offline/policyHarness";
import type { RunResult } from "../offline/runUnderMocks";
import { addTargetOptions, CheckedTarget, describeTarget, runTarget, TargetOptions, targetJson } from "./target";

export interface PolicyCheckTarget extends TargetOptions {
    /** Policy config (per-policy enforcement and properties), as `pulumi preview --policy-pack-config` takes it. */
    policyConfig?: PolicyConfigMap;
}

export interface PolicyCheckResult {
    target: CheckedTarget;
    /** Most serious first. */
    violations: Violation[];
    /** Policies the policy config disabled: not evaluated. */
    disabled: string[];
    /** What the program registered. */
    result: RunResult;
    /** What the program printed. */
    log: string;
}

const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"];
const ENFORCEMENT_ORDER = ["mandatory", "advisory"];

/** Runs the target and the pack; violations most serious first (see sortViolations). */
export async function runPolicyCheck(opts: PolicyCheckTarget, cwd = process.cwd()): Promise<PolicyCheckResult> {
    // A misspelled policy name fails before the program runs, not after.
    checkPolicyConfigNames(opts.policyConfig);
    const { target, result, log } = await runTarget(opts, cwd);
    const violations = sortViolations(await checkProgram(result, { config: opts.policyConfig }));
    return { target, violations, disabled: disabledPolicies(opts.policyConfig), result, log };
}

/** Most serious first: mandatory before advisory, then by severity, policy, resource. */
export function sortViolations(violations: Violation[]): Violation[] {
    return [...violations].sort(
        (a, b) =>
            ENFORCEMENT_ORDER.indexOf(a.enforcement) - ENFORCEMENT_ORDER.indexOf(b.enforcement) ||
            SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
            a.policy.localeCompare(b.policy) ||
            a.resource.localeCompare(b.resource),
    );
}

function disabledNote(disabled: string[]): string {
    if (disabled.length === 0) return "";
    return ` ${disabled.length} ${disabled.length === 1 ? "policy" : "policies"} disabled by the policy config, not checked: ${disabled.join(", ")}.`;
}

/** A table like the CLI's policy output: one row per violation, then a summary line; both name the subject. */
export function formatViolations(violations: Violation[], subject: string, disabled: string[] = []): string {
    if (violations.length === 0) {
        return `Policies: every ${disabled.length ? "enabled " : ""}policy passed for ${subject}.${disabledNote(disabled)}`;
    }
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
        `${violations.length} violation(s) for ${subject}: ${mandatory} mandatory, ${violations.length - mandatory} advisory.` +
            (mandatory > 0 ? " Mandatory violations would block `pulumi up` under the policy pack." : "") +
            disabledNote(disabled),
    ].join("\n");
}

/** The --json document: what was checked, the violations, and the disabled policies. */
export function violationsJson(violations: Violation[], target?: CheckedTarget, disabled: string[] = []): string {
    return JSON.stringify(
        {
            ...(target ? targetJson(target) : {}),
            violations: violations.map(({ policy, severity, enforcement, resource, type, message }) => ({ policy, severity, enforcement, resource, type, message })),
            disabledPolicies: disabled,
        },
        null,
        2,
    );
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
    addTargetOptions(
        program
            .command("policy-check")
            .description("Evaluate the CrossGuard policy pack against a Pulumi program offline under Pulumi mocks (no AWS account, no Pulumi CLI); exits 1 on mandatory violations"),
        "check",
    )
        .option("--policy-config <file>", "policy config JSON, as for pulumi preview --policy-pack-config (unknown policy names are an error)")
        .option("--json", "print { program, stack, violations: [{ policy, severity, enforcement, resource, type, message }], disabledPolicies }")
        .action(async (opts: TargetOptions & { policyConfig?: string; json?: boolean }) => {
            const policyConfig = opts.policyConfig ? readPolicyConfig(opts.policyConfig) : undefined;
            const { target, violations, disabled, log } = await runPolicyCheck({ ...opts, policyConfig });
            if (log) process.stderr.write(log);
            process.stdout.write((opts.json ? violationsJson(violations, target, disabled) : formatViolations(violations, describeTarget(target), disabled)) + "\n");
            if (mandatoryViolations(violations).length > 0) process.exitCode = 1;
        });
}
