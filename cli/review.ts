/**
 * `clickstream review --stack <dev|prod>`: what a reviewer wants before `pulumi up`, in one run:
 * the resource tree the stack registers and the policy pack's verdicts on it. One mock run serves
 * both, so the listing and the verdicts describe exactly the same resources.
 */
import { Command, Option } from "commander";
import { checkProgram, mandatoryViolations } from "../offline/policyHarness";
import { formatViolations } from "./policyCheck";
import { formatResourceTree, runTarget, toListed } from "./resources";

export function registerReview(program: Command): void {
    program
        .command("review")
        .description("Offline resource listing and policy verdicts of a stack (no AWS account, no Pulumi CLI); exits 1 on mandatory violations")
        .addOption(new Option("--stack <name>", "stack to review: dev or prod (or a stack of --program)").default("dev"))
        .option("--program <dir>", "another Pulumi TypeScript program directory to review instead of the shipped stacks")
        .action(async (opts: { stack: string; program?: string }) => {
            const result = await runTarget({ stack: opts.stack, program: opts.program });
            const subject = opts.program ? `${opts.program} (stack ${opts.stack})` : `stack ${opts.stack}`;
            const violations = await checkProgram(result);
            process.stdout.write(`Resources of ${subject}:\n\n${formatResourceTree(toListed(result.resources))}\n\n${formatViolations(violations, subject)}\n`);
            if (mandatoryViolations(violations).length > 0) process.exitCode = 1;
        });
}
