/**
 * `clickstream review [--stack <name>] [--program <dir>] [--config key=value]`: what a reviewer wants
 * before `pulumi up`, in one run: the resource tree the program registers and the policy pack's
 * verdicts on it. One mock run serves both, so the listing and the verdicts describe exactly the
 * same resources.
 */
import { Command } from "commander";
import { checkProgram, mandatoryViolations } from "../offline/policyHarness";
import { formatViolations } from "./policyCheck";
import { formatResourceTree, toListed } from "./resources";
import { addTargetOptions, describeTarget, runTarget, TargetOptions } from "./target";

export function registerReview(program: Command): void {
    addTargetOptions(
        program.command("review").description("Offline resource listing and policy verdicts of a Pulumi program (no AWS account, no Pulumi CLI); exits 1 on mandatory violations"),
        "review",
    ).action(async (opts: TargetOptions) => {
        const { target, result, log } = await runTarget(opts);
        if (log) process.stderr.write(log);
        const subject = describeTarget(target);
        const violations = await checkProgram(result);
        process.stdout.write(`Resources of ${subject}:\n\n${formatResourceTree(toListed(result.resources))}\n\n${formatViolations(violations, subject)}\n`);
        if (mandatoryViolations(violations).length > 0) process.exitCode = 1;
    });
}
