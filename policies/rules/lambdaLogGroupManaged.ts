import { StackValidationPolicy } from "@pulumi/policy";
import { ofType } from "../lib/stack";
import { asString } from "../lib/values";

/** The log group a function writes to: its loggingConfig.logGroup, else Lambda's default name. */
export function lambdaLogGroupName(fn: { name: string; props: Record<string, any> }): string {
    return asString(fn.props.loggingConfig?.logGroup) ?? `/aws/lambda/${asString(fn.props.name) ?? fn.name}`;
}

/**
 * A Lambda whose log group is not in the stack gets one created by Lambda on first invocation:
 * no retention, no customer-managed key, invisible to the retention and encryption policies.
 * Every function's log group must therefore be an aws.cloudwatch.LogGroup of the stack.
 */
export const lambdaLogGroupManaged: StackValidationPolicy = {
    name: "clickstream-lambda-log-group-managed",
    description: "Every Lambda function logs to a CloudWatch log group declared in the stack (so retention and KMS policies apply to it), not to one Lambda creates implicitly.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["retention", "logs", "lambda"],
    remediationSteps:
        "Create an aws.cloudwatch.LogGroup with retentionInDays and kmsKeyId, and point the function at it with loggingConfig { logFormat: \"JSON\", logGroup: group.name } " +
        "(or name the group /aws/lambda/<function name> and create it before the function).",
    validateStack: (args, reportViolation) => {
        const functions = ofType(args.resources, "aws:lambda/function:Function");
        if (functions.length === 0) args.notApplicable("No Lambda functions in this stack.");
        const groups = new Set(ofType(args.resources, "aws:cloudwatch/logGroup:LogGroup").map((g) => asString(g.props.name)));
        for (const fn of functions) {
            const expected = lambdaLogGroupName(fn);
            if (!groups.has(expected)) {
                reportViolation(`Function "${asString(fn.props.name) ?? fn.name}" logs to "${expected}", which this stack does not declare: Lambda would create it without retention or KMS.`, fn.urn);
            }
        }
    },
};
