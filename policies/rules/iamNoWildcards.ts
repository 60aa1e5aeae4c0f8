import { ResourceValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { actionsOf, documentsIn, parsePolicyDocument, resourcesOf, Statement } from "../lib/iamDocument";

export interface NoWildcardsConfig {
    resourceWildcardActions: string[];
    forbidPartialActionWildcards: boolean;
}

/**
 * Actions whose IAM resource can only be "*": AWS offers no resource-level scoping for them.
 * Keep this list short: each entry is documented in docs/policies.md.
 */
export const DEFAULT_RESOURCE_WILDCARD_ACTIONS = [
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "xray:GetSamplingRules",
    "xray:GetSamplingTargets",
    "cloudwatch:PutMetricData",
    "lakeformation:GetDataAccess",
    "logs:DescribeLogGroups",
    // Vended log delivery (Step Functions execution logs): these configure delivery, they touch no log data.
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:DescribeResourcePolicies",
];

const DEFAULTS: NoWildcardsConfig = { resourceWildcardActions: DEFAULT_RESOURCE_WILDCARD_ACTIONS, forbidPartialActionWildcards: false };

/** Problems of one policy document, one message per offending statement. */
export function wildcardProblems(document: unknown, cfg: NoWildcardsConfig): string[] {
    const doc = parsePolicyDocument(document);
    if (!doc) return ["the policy document is not valid JSON"];
    const allowed = new Set(cfg.resourceWildcardActions.map((a) => a.toLowerCase()));
    const problems: string[] = [];
    doc.Statement.forEach((s: Statement, i) => {
        if (s.Effect !== "Allow") return;
        const id = s.Sid ? `statement "${s.Sid}"` : `statement ${i}`;
        if (s.NotAction !== undefined) problems.push(`${id} allows NotAction (everything except a list)`);
        if (s.NotResource !== undefined) problems.push(`${id} allows NotResource (everything except a list)`);
        const actions = actionsOf(s);
        const wild = actions.filter((a) => a === "*" || a.endsWith(":*") || (cfg.forbidPartialActionWildcards && a.includes("*")));
        if (wild.length > 0) problems.push(`${id} allows wildcard action(s) ${wild.join(", ")}`);
        if (resourcesOf(s).includes("*")) {
            // Wildcard actions are already reported above; name the remaining ones once.
            const unscoped = actions.filter((a) => !allowed.has(a.toLowerCase()) && !wild.includes(a));
            if (unscoped.length > 0) problems.push(`${id} allows ${unscoped.join(", ")} on Resource "*"`);
        }
    });
    return problems;
}

/**
 * Pipeline roles get exactly what they use: no `*` or `service:*` actions, no NotAction/NotResource
 * allows, and Resource "*" only for the few actions AWS cannot scope.
 */
export const iamNoWildcards: ResourceValidationPolicy = {
    name: "clickstream-iam-no-wildcards",
    description: "IAM policies (role, user and group inline policies, managed policies, Role.inlinePolicies) allow no wildcard actions and Resource \"*\" only for actions that cannot be scoped.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["least-privilege", "iam"],
    remediationSteps:
        "List the exact actions (e.g. firehose:PutRecordBatch) and the resource ARNs they act on (bucket/*, stream ARN, key ARN). " +
        "Resource \"*\" is accepted only for the actions in resourceWildcardActions (X-Ray, cloudwatch:PutMetricData, lakeformation:GetDataAccess, logs:DescribeLogGroups, the log-delivery actions Step Functions logging needs).",
    configSchema: {
        properties: {
            resourceWildcardActions: { type: "array", items: { type: "string" }, default: DEFAULT_RESOURCE_WILDCARD_ACTIONS, description: "Actions allowed on Resource \"*\"." },
            forbidPartialActionWildcards: { type: "boolean", default: false, description: "Also reject partial wildcards such as kms:GenerateDataKey*." },
        },
    },
    validateResource: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        // Identity policies only: in a key or bucket policy, Resource "*" means "this resource".
        const documents = documentsIn(args.type, args.props).filter((d) => d.kind === "identity");
        if (documents.length === 0) return args.notApplicable("Only IAM policies and roles with inline policies.");
        for (const { where, doc } of documents) {
            for (const problem of wildcardProblems(doc, cfg)) reportViolation(`${where}: ${problem}.`);
        }
    },
};
