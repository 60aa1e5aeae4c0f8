import { StackValidationPolicy } from "@pulumi/policy";
import { functionNamed, ofType } from "../lib/stack";
import { asString } from "../lib/values";

/**
 * A function URL with authType NONE is open to the internet with no API Gateway stage in front, so
 * the function's reserved concurrency is its throttle: without it a flood of requests scales the
 * function up to the account's concurrency (the bill, and every other function's capacity, with it).
 */
export const lambdaFunctionUrlConcurrency: StackValidationPolicy = {
    name: "clickstream-lambda-function-url-concurrency",
    description: "A Lambda function behind a function URL with authorizationType NONE sets reservedConcurrentExecutions > 0.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["exposure", "lambda", "cost"],
    remediationSteps: "Set reservedConcurrentExecutions on the aws.lambda.Function (IngestEndpoint with api \"function-url\" derives it from throttleRateLimit/throttleBurstLimit).",
    validateStack: (args, reportViolation) => {
        const urls = ofType(args.resources, "aws:lambda/functionUrl:FunctionUrl").filter((u) => String(u.props.authorizationType ?? "").toUpperCase() === "NONE");
        if (urls.length === 0) args.notApplicable("No function URL with authorizationType NONE.");
        for (const url of urls) {
            const fn = functionNamed(url.props.functionName, args.resources);
            if (!fn) {
                reportViolation(`Function URL ${url.name} names function ${asString(url.props.functionName) ?? "(unknown)"}, which is not in this stack: its reserved concurrency cannot be checked.`, url.urn);
                continue;
            }
            const reserved = Number(fn.props.reservedConcurrentExecutions ?? -1);
            if (!(reserved > 0)) reportViolation(`Function ${fn.name} serves public function URL ${url.name} without reservedConcurrentExecutions: a flood scales it to the account's concurrency.`, fn.urn);
        }
    },
};
