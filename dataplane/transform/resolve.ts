/**
 * Validates a `TransformConfig` and fills in the defaults, once, at cold start. A bad configuration is an
 * operator error: it fails loudly here (naming the field and the fix) instead of letting PII through.
 */
import { DEFAULT_LIMITS, DEFAULT_PII, PiiConfig, TransformConfig } from "./config";

/** Row columns a `pii.pseudonymize` / `pii.drop` path may name (client-supplied nullable strings). */
export const PII_PATH_COLUMNS = [
    "event_name", "anonymous_id", "user_id", "session_id", "app_id",
    "page_url", "page_path", "page_referrer", "page_title", "ip_truncated",
] as const;
export type PiiPathColumn = (typeof PII_PATH_COLUMNS)[number];

export interface ResolvedPii {
    /** Columns replaced by their HMAC. */
    readonly pseudonymizeColumns: readonly PiiPathColumn[];
    /** Columns set to null. */
    readonly dropColumns: readonly PiiPathColumn[];
    /** Exact map paths ("properties.traits.name") pseudonymized / dropped. */
    readonly pseudonymizePaths: ReadonlySet<string>;
    readonly dropPaths: ReadonlySet<string>;
    /** One anchored, case-insensitive regex per list, or undefined when the list is empty. */
    readonly pseudonymizeKey: RegExp | undefined;
    readonly dropKey: RegExp | undefined;
    /** `dropUrlParamPatterns` as one anchored, case-insensitive regex (URL parameter names only). */
    readonly dropUrlParam: RegExp | undefined;
    readonly redactEmails: boolean;
    readonly redactPhones: boolean;
    /** Extra free-text patterns (global regexes). */
    readonly redactPatterns: readonly RegExp[];
    readonly truncateIp: boolean;
}

export interface ResolvedTransformConfig {
    readonly pii: ResolvedPii;
    readonly maxBodyBytes: number;
    readonly maxEventBytes: number;
    readonly maxEventsPerRequest: number;
    readonly badPayloadMaxChars: number;
    readonly maxResponseBytes: number;
}

const TOP_KEYS = ["pii", "maxBodyBytes", "maxEventBytes", "maxEventsPerRequest", "badPayloadMaxChars", "maxResponseBytes"];
const PII_KEYS = ["pseudonymize", "drop", "pseudonymizeKeyPatterns", "dropKeyPatterns", "dropUrlParamPatterns", "redactEmails", "redactPhones", "redactPatterns", "truncateIp"];
/** Lambda's synchronous response limit: a budget above it can only fail the whole invocation. */
const LAMBDA_RESPONSE_LIMIT = 6 * 1024 * 1024;

function fail(field: string, problem: string, fix: string): never {
    throw new Error(`transform config ${field}: ${problem}. Fix: ${fix}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function rejectUnknownKeys(obj: Record<string, unknown>, allowed: string[], where: string): void {
    for (const key of Object.keys(obj)) {
        if (!allowed.includes(key)) fail(`${where}${key}`, "unknown setting", `remove it or use one of ${allowed.join(", ")}`);
    }
}

function positiveInt(value: unknown, field: string, fallback: number, max: number): number {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > max) {
        fail(field, `expected an integer from 1 to ${max}, got ${JSON.stringify(value)}`, `set ${field} to such an integer or remove it for the default ${fallback}`);
    }
    return value;
}

function bool(value: unknown, field: string, fallback: boolean): boolean {
    if (value === undefined) return fallback;
    if (typeof value !== "boolean") fail(field, `expected true or false, got ${JSON.stringify(value)}`, `set ${field} to a boolean`);
    return value;
}

function stringList(value: unknown, field: string, fallback: readonly string[]): string[] {
    if (value === undefined) return [...fallback];
    if (!Array.isArray(value)) fail(field, `expected an array of strings, got ${typeof value}`, `set ${field} to e.g. ["..."]`);
    return value.map((item, i) => {
        if (typeof item !== "string" || item === "") fail(`${field}[${i}]`, `expected a non-empty string, got ${JSON.stringify(item)}`, "remove the entry or make it a non-empty string");
        return item;
    });
}

function compile(source: string, flags: string, field: string): RegExp {
    try {
        return new RegExp(source, flags);
    } catch (err) {
        return fail(field, `invalid regular expression (${(err as Error).message})`, "fix the pattern (JavaScript RegExp syntax)");
    }
}

/** One anchored alternation of key patterns; each pattern is compiled alone first so an error names its index. */
function keyRegex(patterns: string[], field: string): RegExp | undefined {
    patterns.forEach((p, i) => compile(p, "i", `${field}[${i}]`));
    return patterns.length === 0 ? undefined : new RegExp(`^(?:${patterns.map((p) => `(?:${p})`).join("|")})$`, "i");
}

/** Splits field paths into column names and map paths, rejecting anything else. */
function splitPaths(paths: string[], field: string, forDrop: boolean): { columns: PiiPathColumn[]; maps: Set<string> } {
    const columns: PiiPathColumn[] = [];
    const maps = new Set<string>();
    paths.forEach((path, i) => {
        if ((PII_PATH_COLUMNS as readonly string[]).includes(path)) columns.push(path as PiiPathColumn);
        else if (/^(properties|context)\.[^.].*$/.test(path)) maps.add(path);
        else {
            const why = forDrop ? "can't drop this field (required columns stay)" : "unknown field path";
            fail(`${field}[${i}]`, `${why}: ${JSON.stringify(path)}`, `use one of ${PII_PATH_COLUMNS.join(", ")} or a map entry like "properties.email" / "context.traits.phone"`);
        }
    });
    return { columns, maps };
}

function resolvePii(raw: unknown): ResolvedPii {
    if (raw !== undefined && !isPlainObject(raw)) fail("pii", `expected an object, got ${JSON.stringify(raw)}`, "set pii to an object or remove it for the defaults");
    const pii = (raw ?? {}) as Record<string, unknown> & PiiConfig;
    rejectUnknownKeys(pii, PII_KEYS, "pii.");
    const pseudo = splitPaths(stringList(pii.pseudonymize, "pii.pseudonymize", DEFAULT_PII.pseudonymize), "pii.pseudonymize", false);
    const drop = splitPaths(stringList(pii.drop, "pii.drop", DEFAULT_PII.drop), "pii.drop", true);
    const extra = stringList(pii.redactPatterns, "pii.redactPatterns", DEFAULT_PII.redactPatterns);
    return {
        pseudonymizeColumns: pseudo.columns,
        dropColumns: drop.columns,
        pseudonymizePaths: pseudo.maps,
        dropPaths: drop.maps,
        pseudonymizeKey: keyRegex(stringList(pii.pseudonymizeKeyPatterns, "pii.pseudonymizeKeyPatterns", DEFAULT_PII.pseudonymizeKeyPatterns), "pii.pseudonymizeKeyPatterns"),
        dropKey: keyRegex(stringList(pii.dropKeyPatterns, "pii.dropKeyPatterns", DEFAULT_PII.dropKeyPatterns), "pii.dropKeyPatterns"),
        dropUrlParam: keyRegex(stringList(pii.dropUrlParamPatterns, "pii.dropUrlParamPatterns", DEFAULT_PII.dropUrlParamPatterns), "pii.dropUrlParamPatterns"),
        redactEmails: bool(pii.redactEmails, "pii.redactEmails", DEFAULT_PII.redactEmails),
        redactPhones: bool(pii.redactPhones, "pii.redactPhones", DEFAULT_PII.redactPhones),
        redactPatterns: extra.map((p, i) => {
            const re = compile(p, "g", `pii.redactPatterns[${i}]`);
            if (re.test("")) fail(`pii.redactPatterns[${i}]`, "pattern matches the empty string", "make the pattern match at least one character");
            return re;
        }),
        truncateIp: bool(pii.truncateIp, "pii.truncateIp", DEFAULT_PII.truncateIp),
    };
}

/**
 * Validates `config` and applies defaults. Throws an Error naming the bad field and the fix, e.g.
 * `transform config maxBodyBytes: expected an integer from 1 to 1048576, got "big". Fix: ...`.
 */
export function resolveTransformConfig(config?: TransformConfig): ResolvedTransformConfig {
    if (config !== undefined && !isPlainObject(config)) fail("(root)", `expected an object, got ${JSON.stringify(config)}`, "pass a TransformConfig object or nothing for the defaults");
    const c = (config ?? {}) as Record<string, unknown> & TransformConfig;
    rejectUnknownKeys(c, TOP_KEYS, "");
    const maxBodyBytes = positiveInt(c.maxBodyBytes, "maxBodyBytes", DEFAULT_LIMITS.maxBodyBytes, 10 * 1024 * 1024);
    const maxEventBytes = positiveInt(c.maxEventBytes, "maxEventBytes", DEFAULT_LIMITS.maxEventBytes, 10 * 1024 * 1024);
    if (maxEventBytes > maxBodyBytes) fail("maxEventBytes", `${maxEventBytes} is larger than maxBodyBytes ${maxBodyBytes}`, "make maxEventBytes <= maxBodyBytes");
    return {
        pii: resolvePii(c.pii),
        maxBodyBytes,
        maxEventBytes,
        maxEventsPerRequest: positiveInt(c.maxEventsPerRequest, "maxEventsPerRequest", DEFAULT_LIMITS.maxEventsPerRequest, 100_000),
        badPayloadMaxChars: positiveInt(c.badPayloadMaxChars, "badPayloadMaxChars", DEFAULT_LIMITS.badPayloadMaxChars, 1024 * 1024),
        maxResponseBytes: positiveInt(c.maxResponseBytes, "maxResponseBytes", DEFAULT_LIMITS.maxResponseBytes, LAMBDA_RESPONSE_LIMIT),
    };
}
