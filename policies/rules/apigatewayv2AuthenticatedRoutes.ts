import { StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { ofType, requireStackMatching } from "../lib/stack";

export interface AuthenticatedRoutesConfig {
    stackPattern: string;
    methods: string[];
}

const DEFAULTS: AuthenticatedRoutesConfig = { stackPattern: "prod", methods: ["POST", "PUT", "ANY"] };

/**
 * The HTTP API counterpart of clickstream-apigateway-authenticated-ingest: in production every write
 * route of an HTTP API has an authorizer (CUSTOM, JWT or AWS_IAM). HTTP APIs have no API keys, so an
 * open route lets anyone write into the lake.
 */
export const apigatewayv2AuthenticatedRoutes: StackValidationPolicy = {
    name: "clickstream-apigatewayv2-authenticated-routes",
    description: "In stacks matching stackPattern (default \"prod\"), every POST/PUT/ANY route (and $default) of an HTTP API has authorizationType CUSTOM, JWT or AWS_IAM.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["exposure", "apigatewayv2"],
    remediationSteps: "Set authorizationType: \"CUSTOM\" and authorizerId (a REQUEST authorizer checking write keys; IngestEndpoint with api \"http\" and requireApiKeys) on every aws.apigatewayv2.Route that accepts writes.",
    configSchema: {
        properties: {
            stackPattern: { type: "string", default: DEFAULTS.stackPattern, description: "Regex (case-insensitive) of stack names where authentication is required." },
            methods: { type: "array", items: { type: "string" }, default: DEFAULTS.methods, description: "Route methods that must be authenticated." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        requireStackMatching(args, "clickstream-apigatewayv2-authenticated-routes", cfg.stackPattern);
        const methods = cfg.methods.map((m) => m.toUpperCase());
        for (const route of ofType(args.resources, "aws:apigatewayv2/route:Route")) {
            const key = String(route.props.routeKey ?? "");
            const method = key === "$default" ? "ANY" : key.split(" ")[0].toUpperCase();
            if (key !== "$default" && !methods.includes(method)) continue;
            const auth = String(route.props.authorizationType ?? "NONE").toUpperCase();
            if (!["CUSTOM", "JWT", "AWS_IAM"].includes(auth)) reportViolation(`Route "${key}" has authorizationType ${auth}: anyone could write events.`, route.urn);
        }
    },
};
