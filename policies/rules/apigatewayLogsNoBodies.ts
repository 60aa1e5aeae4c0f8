import { ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";

export interface LogsNoBodiesConfig {
    forbiddenFormatTokens: string[];
}

const DEFAULTS: LogsNoBodiesConfig = {
    forbiddenFormatTokens: ["$input", "$context.requestOverride", "$context.responseOverride", "body"],
};

/** The tokens of `format` that would put request or response bodies into the access log. */
export function bodyTokensIn(format: string, forbidden: string[]): string[] {
    const lower = format.toLowerCase();
    return forbidden.filter((t) => lower.includes(t.toLowerCase()));
}

/**
 * Request bodies carry the raw events (emails, user ids, IPs in properties) before the transform
 * pseudonymizes them. Access logs must record request metadata only, and execution logging must
 * not trace full requests (dataTraceEnabled logs bodies too).
 */
export const apigatewayLogsNoBodies: ResourceValidationPolicy = {
    name: "clickstream-apigateway-logs-no-bodies",
    description: "API Gateway access log formats contain no request/response bodies ($input, body, $context.requestOverride) and method settings do not enable dataTraceEnabled.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["pii", "apigateway", "logs"],
    remediationSteps:
        "Log only $context fields such as requestId, requestTime, httpMethod, resourcePath, status, responseLength, identity.sourceIp (if allowed) in accessLogSettings.format; " +
        "set settings.dataTraceEnabled: false (and loggingLevel ERROR or INFO) in aws.apigateway.MethodSettings.",
    configSchema: {
        properties: {
            forbiddenFormatTokens: { type: "array", items: { type: "string" }, default: DEFAULTS.forbiddenFormatTokens, description: "Case-insensitive substrings not allowed in an access log format." },
        },
    },
    validateResource: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        if (args.type === "aws:apigateway/stage:Stage") {
            const format = args.props.accessLogSettings?.format;
            if (typeof format !== "string") return;
            const found = bodyTokensIn(format, cfg.forbiddenFormatTokens);
            if (found.length > 0) reportViolation(`accessLogSettings.format includes ${found.join(", ")}: request or response bodies would be logged.`);
        } else if (args.type === "aws:apigateway/methodSettings:MethodSettings") {
            if (args.props.settings?.dataTraceEnabled === true) {
                reportViolation(`settings.dataTraceEnabled is true for ${args.props.methodPath ?? "*/*"}: full request and response bodies go to the execution log.`);
            }
        } else {
            args.notApplicable("Only API Gateway stages and method settings.");
        }
    },
};
