import { ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { bodyTokensIn } from "./apigatewayLogsNoBodies";

export interface HttpAccessLogsConfig {
    forbiddenFormatTokens: string[];
}

const DEFAULTS: HttpAccessLogsConfig = { forbiddenFormatTokens: ["$request.body", "$input", "body"] };

/**
 * An HTTP API stage keeps an access log (who wrote what, when, with which key: the audit trail that
 * replaces the REST API's usage plan and WAF logs) and the log holds request metadata only: request
 * bodies carry raw events with PII before the transform pseudonymizes them.
 */
export const apigatewayv2AccessLogs: ResourceValidationPolicy = {
    name: "clickstream-apigatewayv2-access-logs",
    description: "HTTP API stages have accessLogSettings with a destination and a format without request bodies ($request.body, body).",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["pii", "apigatewayv2", "logs"],
    remediationSteps:
        "Set accessLogSettings { destinationArn: <KMS-encrypted log group ARN>, format: JSON of $context fields only (requestId, identity.sourceIp, routeKey, status, integrationStatus, authorizer.error) } on the aws.apigatewayv2.Stage.",
    configSchema: {
        properties: {
            forbiddenFormatTokens: { type: "array", items: { type: "string" }, default: DEFAULTS.forbiddenFormatTokens, description: "Case-insensitive substrings not allowed in an access log format." },
        },
    },
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:apigatewayv2/stage:Stage") {
            args.notApplicable("Only API Gateway v2 (HTTP API) stages.");
            return;
        }
        const cfg = configWithDefaults(args, DEFAULTS);
        const settings = args.props.accessLogSettings;
        if (!settings?.destinationArn || typeof settings.format !== "string" || settings.format === "") {
            reportViolation("accessLogSettings is missing (or has no destinationArn or format): requests to the ingest API would leave no audit trail.");
            return;
        }
        const found = bodyTokensIn(settings.format, cfg.forbiddenFormatTokens);
        if (found.length > 0) reportViolation(`accessLogSettings.format includes ${found.join(", ")}: request bodies would be logged.`);
    },
};
