/**
 * Field validation helpers. Every error names the JSON path of the field, what was expected and what
 * came, e.g. `events[3].type: expected one of track|page|screen|identify|group|alias, got 42`. Values of
 * identity fields are never echoed (they'd put a raw user id into bad_reason): only their type is.
 */

export class FieldError extends Error {
    constructor(readonly field: string, expected: string, got: string) {
        super(`${field}: expected ${expected}, got ${got}`);
    }
}

/** Short description of a value for an error message. */
export function describe(value: unknown, sensitive = false): string {
    if (value === undefined) return "nothing";
    if (value === null) return "null";
    if (Array.isArray(value)) return "an array";
    const t = typeof value;
    if (t === "object") return "an object";
    if (sensitive) return `a ${t}`;
    if (t === "string") {
        const s = value as string;
        return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}...` : s);
    }
    return String(value);
}

export type Json = Record<string, unknown>;

/** JSON path of `key` under `path` ("" is the body root): at("events[3]", "type") -> "events[3].type". */
export function at(path: string, key: string): string {
    return path === "" ? key : `${path}.${key}`;
}

export function isObject(v: unknown): v is Json {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Optional string; `maxLength` guards columns against megabyte-long values. */
export function optString(obj: Json, key: string, path: string, maxLength = 8192): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== "string") throw new FieldError(at(path, key), "a string", describe(v));
    if (v.length > maxLength) throw new FieldError(at(path, key), `a string of at most ${maxLength} characters`, `${v.length} characters`);
    return v;
}

export function reqString(obj: Json, key: string, path: string, maxLength = 8192): string {
    const v = optString(obj, key, path, maxLength);
    if (v === undefined || v === "") throw new FieldError(at(path, key), "a non-empty string", describe(obj[key]));
    return v;
}

/** Identity fields: strings or finite numbers (many SDKs send numeric user ids), as a string. */
export function optId(obj: Json, key: string, path: string): string | undefined {
    const v = obj[key];
    if (v === undefined || v === null || v === "") return undefined;
    if (typeof v === "string") {
        if (v.length > 1024) throw new FieldError(at(path, key), "an id of at most 1024 characters", `${v.length} characters`);
        return v;
    }
    if (typeof v === "number" && Number.isFinite(v)) return String(v);
    throw new FieldError(at(path, key), "a string or number", describe(v, true));
}

export function optObject(obj: Json, key: string, path: string): Json | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    if (!isObject(v)) throw new FieldError(at(path, key), "an object", describe(v));
    return v;
}

/** Latest instant `Date.prototype.toISOString` prints as "YYYY-MM-DDTHH:mm:ss.sssZ". */
export const MAX_TIME_MS = 253402300799999;
const ISO_START = /^\d{4}-\d{2}-\d{2}/;
/** The shape trackers send ("2026-11-26T16:05:00.123Z"): parsed by hand, several times faster than Date.parse. */
const ISO_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?Z$/;

function parseIso(text: string): number {
    const m = ISO_UTC.exec(text);
    if (m === null) return Date.parse(text);
    const [, y, mo, d, h, mi, s, frac] = m;
    const month = +mo;
    const day = +d;
    if (month < 1 || month > 12 || day < 1 || day > 31 || +h > 23 || +mi > 59 || +s > 59) return NaN;
    const ms = Date.UTC(+y, month - 1, day, +h, +mi, +s, frac === undefined ? 0 : +frac.padEnd(3, "0"));
    // Date.UTC would roll an impossible "02-30" over into March: reject it instead.
    return new Date(ms).getUTCDate() === day ? ms : NaN;
}

/** Optional time: ISO-8601 string or epoch milliseconds, as epoch milliseconds. */
export function optTime(obj: Json, key: string, path: string): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    let ms = NaN;
    if (typeof v === "number") ms = v;
    else if (typeof v === "string" && ISO_START.test(v)) ms = parseIso(v);
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) {
        throw new FieldError(at(path, key), "an ISO-8601 date-time or epoch milliseconds (1970..9999)", describe(v));
    }
    return ms;
}
