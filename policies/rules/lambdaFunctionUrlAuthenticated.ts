import { StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { functionNamed, ofType, requireStackMatching } from "../lib/stack";

interface FunctionUrlAuthConfig {
    stackPattern: string;
}

const DEFAULTS: FunctionUrlAuthConfig = { stackPattern: "prod" };

/** The collector's setting (dataplane/handlers/functionUrlCollector.ts ENV_AUTH) that makes it check write keys. */
const AUTH_VARIABLE = "CLICKSTREAM_AUTH";

/**
 * The function URL counterpart of clickstream-apigatewayv2-authenticated-routes: browser trackers
 * cannot SigV4-sign, so an ingest function URL has authType NONE and the collector checks write keys
 * in code. In production the function behind it must do so (CLICKSTREAM_AUTH=write-keys); otherwise
 * anyone could write into the lake.
 */
export const lambdaFunctionUrlAuthenticated: StackValidationPolicy = {
    name: "clickstream-lambda-function-url-authenticated",
    description: "In stacks matching stackPattern (default \"prod\"), a function URL is AWS_IAM, or its function checks write keys (environment CLICKSTREAM_AUTH=write-keys).",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["exposure", "lambda"],
    remediationSteps: "Require write keys (IngestEndpoint requireApiKeys with apiKeyNames; clickstream:requireApiKeys true), or use authorizationType AWS_IAM for server-side callers that sign requests.",
    configSchema: {
        properties: {
            stackPattern: { type: "string", default: DEFAULTS.stackPattern, description: "Regex (case-insensitive) of stack names where authentication is required." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        requireStackMatching(args, "clickstream-lambda-function-url-authenticated", cfg.stackPattern);
        for (const url of ofType(args.resources, "aws:lambda/functionUrl:FunctionUrl")) {
            if (String(url.props.authorizationType ?? "").toUpperCase() === "AWS_IAM") continue;
            const fn = functionNamed(url.props.functionName, args.resources);
            const auth = fn?.props.environment?.variables?.[AUTH_VARIABLE];
            if (auth !== "write-keys") reportViolation(`Function URL ${url.name} is open (authorizationType NONE) and its function does not check write keys (${AUTH_VARIABLE}=${auth ?? "unset"}): anyone could write events.`, url.urn);
        }
    },
};
