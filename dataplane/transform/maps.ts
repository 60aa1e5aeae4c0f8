/**
 * Builds the `properties` and `context` map columns: nested objects flattened to dotted keys, non-string
 * values stringified, and the PII rules applied per entry (drop, pseudonymize, or redact free text).
 */
import { BoundedCache } from "./cache";
import { Pseudonymizer, Redactor } from "./pii";
import { ResolvedPii } from "./resolve";

/** Deeper nesting is kept as one JSON string: bounds recursion on hostile input. */
const MAX_DEPTH = 12;

const KEEP = 0;
const PSEUDONYMIZE = 1;
const DROP = 2;
type Decision = typeof KEEP | typeof PSEUDONYMIZE | typeof DROP;

const NUMERIC = /^\d+$/;

/** JSON.stringify that never throws (cycles can't come from JSON.parse, but callers may pass objects). */
export function safeStringify(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return "[unserializable]";
    }
}

export class MapPolicy {
    private readonly decisions = new BoundedCache<Decision>(10_000);

    constructor(
        private readonly pii: ResolvedPii,
        private readonly redactor: Redactor,
        private readonly pseudonymizer: Pseudonymizer,
    ) {}

    /**
     * Decision for a full path ("context.traits.email"): exact/prefix paths from the config first, then
     * key patterns against every named segment (array indexes skipped), so "traits.address.city" is
     * covered by an "address" pattern and "emails.0" by an "e-mail" one.
     */
    decide(fullPath: string): Decision {
        const cached = this.decisions.get(fullPath);
        if (cached !== undefined) return cached;
        const { dropPaths, pseudonymizePaths, dropKey, pseudonymizeKey } = this.pii;
        let decision: Decision = KEEP;
        const segments = fullPath.split(".");
        for (let i = 1; i < segments.length && decision !== DROP; i++) {
            const prefix = segments.slice(0, i + 1).join(".");
            const seg = segments[i];
            const named = !NUMERIC.test(seg);
            if (dropPaths.has(prefix) || (named && dropKey !== undefined && dropKey.test(seg))) decision = DROP;
            else if (pseudonymizePaths.has(prefix) || (named && pseudonymizeKey !== undefined && pseudonymizeKey.test(seg))) decision = PSEUDONYMIZE;
        }
        this.decisions.set(fullPath, decision);
        return decision;
    }

    /** Writes `key` -> `value` into `target` with the PII decision for "<mapName>.<key>" applied. */
    put(target: Record<string, string>, mapName: string, key: string, value: string): void {
        const decision = this.decide(`${mapName}.${key}`);
        if (decision === DROP) return;
        const outKey = this.redactor.plain(key);
        target[outKey] = decision === PSEUDONYMIZE ? this.pseudonymizer.pseudonymize(value) : this.redactor.text(value);
    }

    /** Flattens `obj` into `target` under `prefix` ("" for top level). */
    flatten(target: Record<string, string>, mapName: string, prefix: string, obj: Record<string, unknown> | unknown[], depth = 0): void {
        const isArray = Array.isArray(obj);
        const keys = isArray ? undefined : Object.keys(obj);
        const n = isArray ? obj.length : keys!.length;
        for (let i = 0; i < n; i++) {
            const k = isArray ? String(i) : keys![i];
            const v = isArray ? obj[i] : (obj as Record<string, unknown>)[k];
            const path = prefix === "" ? k : `${prefix}.${k}`;
            switch (typeof v) {
                case "string":
                    this.put(target, mapName, path, v);
                    break;
                case "number":
                case "boolean":
                    this.put(target, mapName, path, String(v));
                    break;
                case "object":
                    if (v === null) this.put(target, mapName, path, "null");
                    else if (depth >= MAX_DEPTH) this.put(target, mapName, path, safeStringify(v));
                    else if (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0) this.put(target, mapName, path, Array.isArray(v) ? "[]" : "{}");
                    else this.flatten(target, mapName, path, v as Record<string, unknown>, depth + 1);
                    break;
                default:
                    // undefined/functions can't come out of JSON.parse; skip them like JSON.stringify does.
                    break;
            }
        }
    }
}
