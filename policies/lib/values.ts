/** Small helpers for reading resource properties that may be absent, single or lists. */

export function asArray<T>(value: T | T[] | undefined | null): T[] {
    if (value === undefined || value === null) return [];
    return Array.isArray(value) ? value : [value];
}

export function asString(value: unknown): string | undefined {
    return typeof value === "string" && value !== "" ? value : undefined;
}

/** AWS-managed KMS key aliases ("alias/aws/s3", ...): encrypted, but not with a key we control. */
export function isAwsManagedKey(keyId: string | undefined): boolean {
    return !!keyId && /(^|:)alias\/aws\//.test(keyId);
}

/** True when `value` names a customer-managed key (an ARN, key id or a non-AWS alias). */
export function isCustomerManagedKey(keyId: unknown): boolean {
    const id = asString(keyId);
    return !!id && !isAwsManagedKey(id);
}

/** The stack name from a resource URN: `urn:pulumi:<stack>::<project>::<type>::<name>`. */
export function stackOfUrn(urn: string): string {
    const match = /^urn:pulumi:([^:]+)::/.exec(urn);
    return match ? match[1] : "";
}

/** Tags of a resource's props: `tags` and, where present, provider-level `tagsAll`. */
export function tagsOf(props: Record<string, any>): Record<string, string> {
    return { ...(props.tagsAll ?? {}), ...(props.tags ?? {}) };
}
