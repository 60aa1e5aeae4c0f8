/**
 * Renders API Gateway mapping templates with velocityjs, supplying `$input`, `$util` and `$context`
 * the way API Gateway's REST API does (Apache Velocity 1.7 on the JVM), so tests evaluate the
 * templates instead of asserting on their text.
 *
 * What is emulated, and why it matters:
 * - `$util.escapeJavaScript` is Apache Commons Lang 2's escapeJavaScript: `'` -> `\'` (invalid in
 *   JSON, which is why templates undo it), `/` -> `\/`, control characters and every non-ASCII UTF-16
 *   unit -> `\uXXXX` (upper-case hex).
 * - Values are Java strings: templates call `.length()`, `.replaceAll(regex, replacement)` (a Java
 *   regex), `.contains()`; velocityjs would otherwise leave those calls unrendered.
 * - `$input.json(path)` returns JSON text, `$input.path(path)` the value, `$input.params(name)`
 *   looks in path, query string, then headers (header names case-insensitive), "" if absent.
 * - `$util.base64Encode` encodes the string's UTF-8 bytes.
 */
import { render } from "velocityjs";

export interface SimulatedRequest {
    /** Raw request body text. */
    body: string;
    headers?: Record<string, string>;
    query?: Record<string, string>;
    pathParams?: Record<string, string>;
    resourcePath: string;
    httpMethod?: string;
    sourceIp?: string;
    requestId?: string;
    requestTimeEpoch?: number;
    /** $context.identity.apiKeyId; API Gateway renders "" when the method has no key. */
    apiKeyId?: string;
}

export interface RenderResult {
    output: string;
    /** $context.responseOverride after rendering (status and headers a response template set). */
    responseOverride: { status?: number; header: Record<string, string> };
}

/** Commons Lang 2 StringEscapeUtils.escapeJavaScript. */
export function escapeJavaScript(value: unknown): string {
    if (value === null || value === undefined) return "";
    const s = String(value);
    let out = "";
    for (let i = 0; i < s.length; i++) {
        const code = s.charCodeAt(i);
        const ch = s[i];
        if (code > 0x7f) out += "\\u" + code.toString(16).toUpperCase().padStart(4, "0");
        else if (code < 32) {
            const named: Record<number, string> = { 8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r" };
            out += named[code] ?? "\\u" + code.toString(16).toUpperCase().padStart(4, "0");
        } else if (ch === "'") out += "\\'";
        else if (ch === '"') out += '\\"';
        else if (ch === "\\") out += "\\\\";
        else if (ch === "/") out += "\\/";
        else out += ch;
    }
    return out;
}

/** The tiny JSONPath subset API Gateway templates use here: $, $.a.b, $.a[0].b, $['a']. */
export function jsonPath(root: unknown, path: string): unknown {
    if (!path.startsWith("$")) throw new Error(`JSONPath must start with $: ${path}`);
    const tokens = [...path.slice(1).matchAll(/\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['([^']*)'\]/g)];
    const consumed = tokens.map((t) => t[0]).join("");
    if (consumed !== path.slice(1)) throw new Error(`unsupported JSONPath: ${path}`);
    let current: any = root;
    for (const t of tokens) {
        if (current === null || current === undefined) return undefined;
        const key = t[1] ?? t[3] ?? Number(t[2]);
        current = current[key];
    }
    return current;
}

/** Java's String.replaceAll: the pattern is a regex, `$n` in the replacement is a group. */
function javaReplaceAll(s: string, regex: string, replacement: string): string {
    return s.replace(new RegExp(regex, "g"), replacement);
}

const JAVA_STRING_METHODS: Record<string, (s: string, ...args: any[]) => unknown> = {
    length: (s) => s.length,
    isEmpty: (s) => s.length === 0,
    replaceAll: (s, regex: string, replacement: string) => javaReplaceAll(s, String(regex), String(replacement)),
    contains: (s, part: unknown) => s.includes(String(part)),
    matches: (s, regex: string) => new RegExp(`^(?:${regex})$`).test(s),
    substring: (s, from: number, to?: number) => s.substring(from, to),
    toString: (s: string) => s,
};

const CONFIG = {
    customMethodHandlers: [
        {
            uid: "java-string",
            match: ({ context, property }: { context: unknown; property: string }) => typeof context === "string" && property in JAVA_STRING_METHODS,
            resolve: ({ context, property, params }: { context: string; property: string; params: unknown[] }) => JAVA_STRING_METHODS[property](context, ...params),
        },
    ],
};

function lookupCaseInsensitive(map: Record<string, string> | undefined, name: string): string | undefined {
    if (!map) return undefined;
    if (name in map) return map[name];
    const lower = name.toLowerCase();
    for (const [k, v] of Object.entries(map)) if (k.toLowerCase() === lower) return v;
    return undefined;
}

function renderWith(template: string, req: SimulatedRequest, payload: string): RenderResult {
    const parsed: unknown = payload.trim() === "" ? {} : JSON.parse(payload);
    const responseOverride: RenderResult["responseOverride"] = { header: {} };
    const context = {
        input: {
            body: payload,
            json: (path: string) => JSON.stringify(jsonPath(parsed, path) ?? null),
            path: (path: string) => jsonPath(parsed, path),
            params: (name?: string) => {
                if (name === undefined) return { path: req.pathParams ?? {}, querystring: req.query ?? {}, header: req.headers ?? {} };
                return req.pathParams?.[name] ?? req.query?.[name] ?? lookupCaseInsensitive(req.headers, name) ?? "";
            },
        },
        util: {
            escapeJavaScript,
            base64Encode: (s: unknown) => Buffer.from(String(s ?? ""), "utf8").toString("base64"),
            base64Decode: (s: unknown) => Buffer.from(String(s ?? ""), "base64").toString("utf8"),
            parseJson: (s: string) => JSON.parse(s),
            urlEncode: (s: string) => encodeURIComponent(s),
        },
        context: {
            requestId: req.requestId ?? "00000000-0000-4000-8000-000000000000",
            requestTimeEpoch: req.requestTimeEpoch ?? Date.UTC(2026, 10, 26, 12, 0, 0),
            resourcePath: req.resourcePath,
            httpMethod: req.httpMethod ?? "POST",
            identity: { sourceIp: req.sourceIp ?? "203.0.113.7", apiKeyId: req.apiKeyId ?? "" },
            responseOverride,
        },
    };
    const output = render(template, context, undefined, CONFIG);
    return { output, responseOverride };
}

/** Renders an integration request template against a client request. */
export function renderRequestTemplate(template: string, req: SimulatedRequest): RenderResult {
    return renderWith(template, req, req.body);
}

/**
 * Renders an integration response template: `$input` is the backend's response body, except
 * `$input.params()`, which still reads the method request (the CORS Origin check relies on it).
 */
export function renderResponseTemplate(template: string, req: SimulatedRequest, backendBody: string): RenderResult {
    return renderWith(template, req, backendBody);
}
