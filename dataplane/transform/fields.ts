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
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digitsAt(s: string, from: number, count: number): number {
    let n = 0;
    for (let i = from; i < from + count; i++) {
        const d = s.charCodeAt(i) - 48;
        if (d < 0 || d > 9) return -1;
        n = n * 10 + d;
    }
    return n;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
    const yy = m <= 2 ? y - 1 : y;
    const era = Math.floor(yy / 400);
    const yoe = yy - era * 400;
    const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
    const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
    return era * 146097 + doe - 719468;
}

/** "YYYY-MM-DDTHH:mm:ss.sssZ" or "YYYY-MM-DDTHH:mm:ssZ" by its punctuation (the digits are checked when read). */
function isTrackerShape(s: string): boolean {
    const n = s.length;
    return (n === 20 || n === 24) && s.charCodeAt(4) === 45 && s.charCodeAt(7) === 45 && s.charCodeAt(10) === 84 && s.charCodeAt(13) === 58 && s.charCodeAt(16) === 58 && s.charCodeAt(n - 1) === 90 && (n === 20 || s.charCodeAt(19) === 46);
}

/**
 * The shape trackers send ("2026-11-26T16:05:00.123Z", "...:00Z") is parsed by hand, several times
 * faster than Date.parse; anything else (offsets, other precisions) goes to Date.parse.
 */
export function parseIso(s: string): number {
    const n = s.length;
    if (isTrackerShape(s)) {
        const y = digitsAt(s, 0, 4), mo = digitsAt(s, 5, 2), d = digitsAt(s, 8, 2);
        const h = digitsAt(s, 11, 2), mi = digitsAt(s, 14, 2), sec = digitsAt(s, 17, 2);
        const ms = n === 24 ? digitsAt(s, 20, 3) : 0;
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59 || ms < 0) return NaN;
        const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
        if (d > (mo === 2 && !leap ? 28 : DAYS_IN_MONTH[mo - 1])) return NaN;
        return daysFromCivil(y, mo, d) * 86_400_000 + h * 3_600_000 + mi * 60_000 + sec * 1000 + ms;
    }
    return Date.parse(s);
}

/** Optional time: ISO-8601 string or epoch milliseconds, as epoch milliseconds. */
export function optTime(obj: Json, key: string, path: string): number | undefined {
    const v = obj[key];
    if (v === undefined || v === null) return undefined;
    let ms = NaN;
    if (typeof v === "number") ms = v;
    // The tracker shape needs no ISO_START test: parseIso reads its date digits and rejects anything else.
    else if (typeof v === "string" && (isTrackerShape(v) || ISO_START.test(v))) ms = parseIso(v);
    if (!Number.isFinite(ms) || ms < 0 || ms > MAX_TIME_MS) {
        throw new FieldError(at(path, key), "an ISO-8601 date-time or epoch milliseconds (1970..9999)", describe(v));
    }
    return ms;
}
