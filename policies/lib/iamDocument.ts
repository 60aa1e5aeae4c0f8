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
