/**
 * The raw copies: the raw backup bucket holds the request envelopes exactly as they arrived (raw ids
 * included), and Firehose's error output holds failed records as JSON lines with the original record in
 * base64 `rawData`. Neither can be found through the pseudonym, so they are scanned for the raw id
 * itself (held in memory only) and rewritten without the person's records; other people's records stay.
 */
import { gunzipSync, gzipSync } from "zlib";
import type { ErasureSubject } from "./subject";

/** Keys whose values are a person's ids in an envelope (the same set the transform treats as identities). */
const IDENTITY_KEY = /^(?:user_?id|anonymous_?id|previous_?id)$/i;

/**
 * Top-level JSON values of a text holding several concatenated ones (Firehose concatenates records as
 * they are; ours may or may not end in a newline). Each segment runs to the start of the next value, so
 * joining the kept segments reproduces their bytes exactly. Text after the last complete value (a cut
 * record) is one last segment.
 */
export function splitConcatenatedJson(text: string): string[] {
    const segments: string[] = [];
    let start = -1;
    let depth = 0;
    let inString = false;
    let escaped = false;
    for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (start < 0) {
            if (c === " " || c === "\n" || c === "\r" || c === "\t") continue;
            start = i;
        }
        if (inString) {
            if (escaped) escaped = false;
            else if (c === "\\") escaped = true;
            else if (c === '"') inString = false;
            continue;
        }
        if (c === '"') inString = true;
        else if (c === "{" || c === "[") depth++;
        else if (c === "}" || c === "]") {
            depth--;
            if (depth === 0) {
                let end = i + 1;
                while (end < text.length && /\s/.test(text[end])) end++;
                segments.push(text.slice(start, end));
                start = -1;
                i = end - 1;
            }
        }
    }
    if (start >= 0) segments.push(text.slice(start));
    return segments;
}

/** True when a parsed value holds one of `ids` under an identity key, at any depth (batches, traits, context). */
function holdsId(value: unknown, ids: ReadonlySet<string>, depth = 0): boolean {
    if (depth > 32 || value === null || typeof value !== "object") return false;
    if (Array.isArray(value)) return value.some((v) => holdsId(v, ids, depth + 1));
    for (const [key, v] of Object.entries(value)) {
        // Numbers are ids too: the transform stores String(n), so "123" erases a numeric 123.
        if (IDENTITY_KEY.test(key) && (typeof v === "string" || typeof v === "number") && ids.has(String(v))) return true;
        if (typeof v === "string" && key === "body" && v.length > 0) {
            // A local server passes the body as text.
            try {
                if (holdsId(JSON.parse(v), ids, depth + 1)) return true;
            } catch {
                /* not JSON: checked as text by the caller */
            }
        } else if (holdsId(v, ids, depth + 1)) return true;
    }
    return false;
}

/**
 * True when one raw record (an envelope's JSON text) carries one of the ids. A record that is not valid
 * JSON can't be read field by field: it counts as the person's when the id appears in it as a JSON
 * string ("<id>" with quotes), the privacy-safe side for a short-lived raw copy.
 */
export function rawRecordMentions(recordText: string, subjects: readonly ErasureSubject[]): boolean {
    const ids = new Set(subjects.map((s) => s.raw));
    try {
        return holdsId(JSON.parse(recordText), ids);
    } catch {
        return subjects.some((s) => recordText.includes(JSON.stringify(s.raw)));
    }
}

/** One line of Firehose error output: the original record is base64 in rawData. */
function errorLineMentions(line: string, subjects: readonly ErasureSubject[]): boolean {
    try {
        const parsed = JSON.parse(line) as { rawData?: unknown };
        if (typeof parsed.rawData === "string") {
            const original = Buffer.from(parsed.rawData, "base64").toString("utf8");
            return splitConcatenatedJson(original).some((r) => rawRecordMentions(r, subjects));
        }
    } catch {
        /* fall through */
    }
    return rawRecordMentions(line, subjects);
}

export type RawObjectKind = "raw-backup" | "error-output";

export interface RawRewrite {
    /** The object's new content (same compression as before), or undefined when nothing is left (delete it). */
    body?: Uint8Array;
    /** Records (or error lines) removed and kept. */
    removed: number;
    kept: number;
}

const isGzip = (b: Uint8Array) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** The object without the person's records; `removed` 0 means leave it untouched. */
export function rewriteRawObject(bytes: Uint8Array, kind: RawObjectKind, subjects: readonly ErasureSubject[]): RawRewrite {
    const gz = isGzip(bytes);
    const text = Buffer.from(gz ? gunzipSync(bytes) : bytes).toString("utf8");
    const parts = kind === "raw-backup" ? splitConcatenatedJson(text) : text.split(/(?<=\n)/).filter((l) => l.trim() !== "");
    const mentions = kind === "raw-backup" ? rawRecordMentions : errorLineMentions;
    const kept = parts.filter((p) => !mentions(p.trim(), subjects));
    const removed = parts.length - kept.length;
    if (removed === 0) return { removed: 0, kept: kept.length };
    if (kept.length === 0) return { removed, kept: 0 };
    const out = Buffer.from(kept.join(""), "utf8");
    return { body: gz ? gzipSync(out) : out, removed, kept: kept.length };
}
