import { StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { ofType, requireStackMatching } from "../lib/stack";

export interface AuthenticatedIngestConfig {
    stackPattern: string;
    methods: string[];
}

const DEFAULTS: AuthenticatedIngestConfig = { stackPattern: "prod", methods: ["post", "put"] };

/**
 * The operations of an OpenAPI document (`RestApi.body`, a JSON string) that accept writes without
 * an API key or authorizer. An operation is protected when its `security` (or the document's
 * top-level `security`) has a non-empty requirement whose schemes all exist and are API keys or
 * API Gateway authorizers.
 */
export function unauthenticatedOperations(body: unknown, methods: string[]): string[] {
    let doc: any = body;
    if (typeof body === "string") {
        try {
            doc = JSON.parse(body);
        } catch {
            return ["(RestApi.body is not JSON; cannot verify authentication)"];
        }
    }
    if (!doc || typeof doc !== "object") return [];
    const schemes: Record<string, any> = { ...(doc.securityDefinitions ?? {}), ...(doc.components?.securitySchemes ?? {}) };
    const protects = (requirement: Record<string, unknown>) =>
        Object.keys(requirement).length > 0 &&
        Object.keys(requirement).every((name) => {
            const s = schemes[name];
            return !!s && (s.type === "apiKey" || !!s["x-amazon-apigateway-authorizer"] || !!s["x-amazon-apigateway-authtype"]);
        });
    const open: string[] = [];
    for (const [path, item] of Object.entries<any>(doc.paths ?? {})) {
        for (const method of methods) {
            const op = item?.[method.toLowerCase()];
            if (!op) continue;
            const security: Record<string, unknown>[] | undefined = op.security ?? doc.security;
            if (!Array.isArray(security) || security.length === 0 || !security.every(protects)) {
                open.push(`${method.toUpperCase()} ${path}`);
            }
        }
    }
    return open;
}

/**
 * In production, nobody posts events without credentials (an API key tied to a usage plan, or an
 * authorizer): an open ingest endpoint lets anyone write PII-shaped data into the lake and run up
 * the Firehose bill. Applies to stacks whose name matches `stackPattern`.
 */
export const apigatewayAuthenticatedIngest: StackValidationPolicy = {
    name: "clickstream-apigateway-authenticated-ingest",
    description: "In stacks matching stackPattern (default \"prod\"), every write method of a REST API requires an API key or an authorizer.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["exposure", "apigateway"],
    remediationSteps:
        "In the OpenAPI body add securitySchemes { api_key: { type: \"apiKey\", name: \"x-api-key\", in: \"header\" } } and security: [{ api_key: [] }] on every POST " +
        "(plus an aws.apigateway.UsagePlan, ApiKey and UsagePlanKey for each client), or an authorizer; for aws.apigateway.Method set apiKeyRequired: true or authorization other than NONE.",
    configSchema: {
        properties: {
            stackPattern: { type: "string", default: DEFAULTS.stackPattern, description: "Regex (case-insensitive) of stack names where authentication is required." },
            methods: { type: "array", items: { type: "string" }, default: DEFAULTS.methods, description: "HTTP methods that must be authenticated." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        requireStackMatching(args, "clickstream-apigateway-authenticated-ingest", cfg.stackPattern);
        for (const api of ofType(args.resources, "aws:apigateway/restApi:RestApi")) {
            if (api.props.body === undefined || api.props.body === null) continue;
            const open = unauthenticatedOperations(api.props.body, cfg.methods);
            if (open.length > 0) reportViolation(`REST API "${api.props.name ?? api.name}" accepts ${open.join(", ")} without an API key or authorizer.`, api.urn);
        }
        const methods = cfg.methods.map((m) => m.toUpperCase());
        for (const m of ofType(args.resources, "aws:apigateway/method:Method")) {
            if (!methods.includes(String(m.props.httpMethod).toUpperCase())) continue;
            const auth = String(m.props.authorization ?? "NONE").toUpperCase();
            if (m.props.apiKeyRequired !== true && auth === "NONE") {
                reportViolation(`Method ${m.props.httpMethod} has authorization NONE and apiKeyRequired false.`, m.urn);
            }
        }
    },
};
