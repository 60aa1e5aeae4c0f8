import { ResourceValidationPolicy } from "@pulumi/policy";

/**
 * A function URL's CORS configuration is what lets browsers post events from other sites. It must
 * name the origins it allows (an empty list is a misconfiguration that blocks every browser while
 * looking configured), and never pair "*" with credentials: any site could then send requests that
 * carry a visitor's cookies.
 */
export const lambdaFunctionUrlCors: ResourceValidationPolicy = {
    name: "clickstream-lambda-function-url-cors",
    description: "A Lambda function URL's CORS, when set, lists its allowed origins and never allows credentials with the \"*\" origin.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["exposure", "lambda"],
    remediationSteps: "Set cors.allowOrigins to the sites that post events (IngestEndpoint's corsAllowedOrigins, e.g. [\"https://www.example.com\"]) and cors.allowCredentials to false, or remove cors for server-side trackers only.",
    validateResource: (args, reportViolation) => {
        if (args.type !== "aws:lambda/functionUrl:FunctionUrl") {
            args.notApplicable("Only Lambda function URLs.");
            return;
        }
        const cors = args.props.cors;
        if (!cors) return;
        const origins: unknown[] = Array.isArray(cors.allowOrigins) ? cors.allowOrigins : [];
        if (origins.length === 0) reportViolation("cors is set but cors.allowOrigins is empty: no browser origin is named.");
        if (origins.includes("*") && cors.allowCredentials === true) reportViolation("cors.allowOrigins is \"*\" with allowCredentials true: any site could send credentialed requests.");
    },
};
