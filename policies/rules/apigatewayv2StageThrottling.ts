import { ResourceValidationPolicy } from "@pulumi/policy";

/**
 * An HTTP API cannot be fronted by WAF, so stage throttling is what bounds a flood of requests (and
 * the bill it would run up) before it reaches the stream: every HTTP API stage sets a rate and burst.
 */
export const apigatewayv2StageThrottling: ResourceValidationPolicy = {
    name: "clickstream-apigatewayv2-stage-throttling",
    description: "HTTP API stages set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit (> 0).",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["exposure", "apigatewayv2", "cost"],
    remediationSteps: "Set defaultRouteSettings { throttlingRateLimit, throttlingBurstLimit } on the aws.apigatewayv2.Stage (IngestEndpoint's throttleRateLimit/throttleBurstLimit), sized to what the stream takes.",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:apigatewayv2/stage:Stage") {
            args.notApplicable("Only API Gateway v2 (HTTP API) stages.");
            return;
        }
        const s = args.props.defaultRouteSettings ?? {};
        const missing = ["throttlingRateLimit", "throttlingBurstLimit"].filter((k) => !(typeof s[k] === "number" && s[k] > 0));
        if (missing.length > 0) reportViolation(`defaultRouteSettings.${missing.join(" and ")} not set: the stage takes requests up to the account limit, with no WAF in front.`);
    },
};
