/**
 * Reading IAM policy documents the way AWS evaluates them: the document may be a JSON string or an
 * object, `Statement` a single statement or a list, `Action`/`Resource` a string or a list.
 */
import { asArray } from "./values";

export interface Statement {
    Sid?: string;
    Effect?: string;
    Action?: string | string[];
    NotAction?: string | string[];
    Resource?: string | string[];
    NotResource?: string | string[];
    Principal?: unknown;
    Condition?: Record<string, Record<string, unknown>>;
}

/** Parses a policy document; returns undefined (not a throw) for text that is not JSON. */
export function parsePolicyDocument(doc: unknown): { Statement: Statement[] } | undefined {
    let value: any = doc;
    if (typeof doc === "string") {
        try {
            value = JSON.parse(doc);
        } catch {
            return undefined;
        }
    }
    if (!value || typeof value !== "object") return undefined;
    return { Statement: asArray(value.Statement) as Statement[] };
}

export function actionsOf(s: Statement): string[] {
    return asArray(s.Action).map(String);
}

export function resourcesOf(s: Statement): string[] {
    return asArray(s.Resource).map(String);
}

/** Value of a condition key under any operator, e.g. ("Bool", "aws:SecureTransport"). */
export function conditionValues(s: Statement, operator: string, key: string): string[] {
    const block = s.Condition?.[operator];
    if (!block) return [];
    const entry = Object.entries(block).find(([k]) => k.toLowerCase() === key.toLowerCase());
    return entry ? asArray(entry[1] as any).map((v) => String(v).toLowerCase()) : [];
}

/** Whose permissions a document states: an identity's (role/user/group policy) or a resource's (bucket, key, topic, queue, trust policy). */
export type DocumentKind = "identity" | "resource";

export interface EmbeddedDocument {
    /** Where in the resource: "policy", "assumeRolePolicy", "inlinePolicies[0] (name)". */
    where: string;
    kind: DocumentKind;
    doc: unknown;
}

/** Resource types whose `policy` property is an identity policy. */
export const IDENTITY_POLICY_TYPES = ["aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];

/** Resource types whose `policy` property is a resource-based policy. */
export const RESOURCE_POLICY_TYPES = [
    "aws:s3/bucketPolicy:BucketPolicy",
    "aws:kms/key:Key",
    "aws:kms/keyPolicy:KeyPolicy",
    "aws:sns/topic:Topic",
    "aws:sns/topicPolicy:TopicPolicy",
    "aws:sqs/queue:Queue",
    "aws:sqs/queuePolicy:QueuePolicy",
    "aws:secretsmanager/secretPolicy:SecretPolicy",
    "aws:lambda/permission:Permission",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy",
];

/**
 * Every IAM policy document a resource carries, from its props (inputs or state): identity
 * policies, role trust policies and inline policies, and resource policies (bucket, key, topic,
 * queue, secret, log resource policy). A Lambda permission is one statement (its `action`).
 */
export function documentsIn(type: string, props: Record<string, any>): EmbeddedDocument[] {
    const present = (doc: unknown) => doc !== undefined && doc !== null && doc !== "";
    if (IDENTITY_POLICY_TYPES.includes(type)) return present(props.policy) ? [{ where: "policy", kind: "identity", doc: props.policy }] : [];
    if (type === "aws:iam/role:Role") {
        const out: EmbeddedDocument[] = present(props.assumeRolePolicy) ? [{ where: "assumeRolePolicy", kind: "resource", doc: props.assumeRolePolicy }] : [];
        asArray(props.inlinePolicies).forEach((p: any, i: number) => {
            if (present(p?.policy)) out.push({ where: `inlinePolicies[${i}]${p?.name ? ` (${p.name})` : ""}`, kind: "identity", doc: p.policy });
        });
        return out;
    }
    if (type === "aws:lambda/permission:Permission") {
        return present(props.action) ? [{ where: "action", kind: "resource", doc: { Statement: [{ Effect: "Allow", Action: props.action }] } }] : [];
    }
    if (type === "aws:cloudwatch/logResourcePolicy:LogResourcePolicy") {
        return present(props.policyDocument) ? [{ where: "policyDocument", kind: "resource", doc: props.policyDocument }] : [];
    }
    if (RESOURCE_POLICY_TYPES.includes(type)) return present(props.policy) ? [{ where: "policy", kind: "resource", doc: props.policy }] : [];
    return [];
}
