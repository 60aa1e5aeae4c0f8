/**
 * Builds the `properties` and `context` map columns: nested objects flattened to dotted keys, non-string
 * values stringified, and the PII rules applied per entry (drop, pseudonymize, or redact free text).
 *
 * Hot path: decisions are made per key segment (cached by the segment string, which JSON.parse has
 * already interned) and per configured path through a small trie, so no dotted path string is built or
 * hashed just to look a rule up.
 */
import { BoundedCache } from "./cache";
import { Decision, DROP, KEEP, PSEUDONYMIZE } from "./decision";
import { numberText } from "./numberText";
import { Pseudonymizer, Redactor } from "./pii";
import { ResolvedPii } from "./resolve";

/** Deeper nesting is kept as one JSON string: bounds recursion on hostile input. */
const MAX_DEPTH = 12;

export { KEEP, PSEUDONYMIZE, DROP } from "./decision";
export type { Decision } from "./decision";

/** A node of the trie of configured paths ("properties.traits.name" -> properties > traits > name). */
interface PathNode {
    decision: Decision;
    children: Map<string, PathNode>;
}

interface PathEntry {
    /** "prefix.key" with the key's free-text PII redacted. */
    path: string;
    decision: Decision;
}

interface SegmentInfo {
    /** Decision from the key patterns for this segment alone. */
    decision: Decision;
    /** The segment with free-text PII redacted (an e-mail address used as a key). */
    key: string;
}

/** JSON.stringify that never throws (cycles can't come from JSON.parse, but callers may pass objects). */
export function safeStringify(value: unknown): string {
    try {
        return JSON.stringify(value) ?? String(value);
    } catch {
        return "[unserializable]";
    }
}

export type MapName = "properties" | "context";

/**
 * Keys of a source object whose string values were promoted to columns and so aren't repeated in the
 * map: `true` for a key to leave out, a nested map for an object key (`page` > `url`).
 */
export type Promoted = ReadonlyMap<string, Promoted | true>;

/** Array index keys "0".."63", built once. */
const INDEX_KEYS = Array.from({ length: 64 }, (_, i) => String(i));
/** Bound on memoized dotted paths; the memo is simply emptied when it grows past it. */
const MAX_JOINED_PATHS = 50_000;

export class MapPolicy {
    private readonly segments = new BoundedCache<SegmentInfo>(10_000);
    /**
     * prefix -> raw key -> { output path, key-pattern decision }. The same keys recur in every event
     * ("page.url", "library.version"): one lookup gives both, and reusing one path string instance saves
     * building it and, above all, interning it again as a property name of the map.
     */
    private entries = new Map<string, Map<string, PathEntry>>();
    private entryCount = 0;
    private readonly roots: Record<MapName, PathNode | undefined>;

    constructor(
        private readonly pii: ResolvedPii,
        private readonly redactor: Redactor,
        private readonly pseudonymizer: Pseudonymizer,
    ) {
        const root: PathNode = { decision: KEEP, children: new Map() };
        const add = (path: string, decision: Decision): void => {
            let node = root;
            for (const seg of path.split(".")) {
                let child = node.children.get(seg);
                if (!child) node.children.set(seg, (child = { decision: KEEP, children: new Map() }));
                node = child;
            }
            node.decision = Math.max(node.decision, decision) as Decision;
        };
        for (const p of pii.pseudonymizePaths) add(p, PSEUDONYMIZE);
        for (const p of pii.dropPaths) add(p, DROP);
        this.roots = { properties: root.children.get("properties"), context: root.children.get("context") };
    }

    private segment(key: string): SegmentInfo {
        let info = this.segments.get(key);
        if (info === undefined) {
            const { dropKey, pseudonymizeKey } = this.pii;
            const decision: Decision = dropKey?.test(key) ? DROP : pseudonymizeKey?.test(key) ? PSEUDONYMIZE : KEEP;
            info = { decision, key: this.redactor.plain(key) };
            this.segments.set(key, info);
        }
        return info;
    }

    /**
     * Writes `value` under the dotted key `path` (a direct entry such as "groupId" or "traits.name"),
     * applying the same rules as `flatten`, and at least `atLeast` (a column's rule for a copy of it).
     */
    putPath(target: Record<string, string>, mapName: MapName, path: string, value: string, atLeast: Decision = KEEP): void {
        let decision: Decision = atLeast;
        let node = this.roots[mapName];
        let outKey = "";
        for (const seg of path.split(".")) {
            const info = this.segment(seg);
            node = node?.children.get(seg);
            decision = Math.max(decision, info.decision, node?.decision ?? KEEP) as Decision;
            outKey = outKey === "" ? info.key : `${outKey}.${info.key}`;
        }
        this.write(target, outKey, value, decision);
    }

    /** The memo of one prefix's keys: looked up once per object walked, not once per key. */
    private entriesOf(prefix: string): Map<string, PathEntry> {
        let byKey = this.entries.get(prefix);
        if (byKey === undefined) {
            if (this.entryCount > MAX_JOINED_PATHS) {
                this.entries = new Map();
                this.entryCount = 0;
            }
            this.entries.set(prefix, (byKey = new Map()));
        }
        return byKey;
    }

    private entry(byKey: Map<string, PathEntry>, prefix: string, rawKey: string): PathEntry {
        let entry = byKey.get(rawKey);
        if (entry === undefined) {
            const info = this.segment(rawKey);
            entry = { path: prefix === "" ? info.key : `${prefix}.${info.key}`, decision: info.decision };
            byKey.set(rawKey, entry);
            this.entryCount++;
        }
        return entry;
    }

    /** Array elements: "prefix.<index>", no key-pattern decision of their own. */
    private indexPath(prefix: string, index: string): string {
        return prefix === "" ? index : this.entry(this.entriesOf(prefix), prefix, index).path;
    }

    private write(target: Record<string, string>, key: string, value: string, decision: Decision): void {
        if (decision === DROP) return;
        setEntry(target, key, decision === PSEUDONYMIZE ? this.pseudonymizer.pseudonymize(value) : this.redactor.text(value));
    }

    /**
     * Flattens `obj` into `target`, its keys prefixed with `prefix` ("" for none; "traits" for traits),
     * leaving out the string values listed in `promoted`.
     */
    flatten(target: Record<string, string>, mapName: MapName, prefix: string, obj: Record<string, unknown>, promoted?: Promoted): void {
        let node = this.roots[mapName];
        let decision: Decision = KEEP;
        let outPrefix = "";
        if (prefix !== "") {
            for (const seg of prefix.split(".")) {
                node = node?.children.get(seg);
                decision = Math.max(decision, this.segment(seg).decision, node?.decision ?? KEEP) as Decision;
            }
            outPrefix = prefix;
        }
        if (decision === DROP) return;
        this.walk(target, outPrefix, obj, 0, node, decision, promoted);
    }

    private walk(target: Record<string, string>, prefix: string, obj: Record<string, unknown> | unknown[], depth: number, node: PathNode | undefined, inherited: Decision, promoted: Promoted | undefined): void {
        if (Array.isArray(obj)) {
            for (let i = 0; i < obj.length; i++) {
                // Array indexes carry no meaning of their own: "emails.0" follows the rule for "emails".
                const index = i < INDEX_KEYS.length ? INDEX_KEYS[i] : String(i);
                const child = node === undefined ? undefined : node.children.get(index);
                const decision = child !== undefined && child.decision > inherited ? child.decision : inherited;
                if (decision !== DROP) this.visit(target, this.indexPath(prefix, index), obj[i], depth, child, decision, undefined);
            }
            return;
        }
        const byKey = this.entriesOf(prefix);
        for (const raw in obj) {
            let nested: Promoted | undefined;
            if (promoted !== undefined) {
                const p = promoted.get(raw);
                if (p === true && typeof obj[raw] === "string") continue;
                if (p !== true) nested = p;
            }
            const entry = this.entry(byKey, prefix, raw);
            const child = node === undefined ? undefined : node.children.get(raw);
            let decision = entry.decision > inherited ? entry.decision : inherited;
            if (child !== undefined && child.decision > decision) decision = child.decision;
            if (decision !== DROP) this.visit(target, entry.path, obj[raw], depth, child, decision, nested);
        }
    }

    private visit(target: Record<string, string>, path: string, v: unknown, depth: number, node: PathNode | undefined, decision: Decision, promoted: Promoted | undefined): void {
        switch (typeof v) {
            case "string":
                this.write(target, path, v, decision);
                break;
            case "number":
            case "boolean": {
                // A JSON number or boolean holds no e-mail, phone (digits alone aren't matched) or IP; one
                // of 13+ digits may be a card number.
                const text = typeof v === "number" ? numberText(v) : String(v);
                if (decision === KEEP && this.redactor.numbersAreSafe && !(typeof v === "number" && (v >= 1e12 || v <= -1e12))) setEntry(target, path, text);
                else this.write(target, path, text, decision);
                break;
            }
            case "object":
                if (v === null) this.write(target, path, "null", decision);
                else if (depth >= MAX_DEPTH) this.write(target, path, safeStringify(v), decision);
                else if (Array.isArray(v) ? v.length === 0 : isEmptyObject(v)) this.write(target, path, Array.isArray(v) ? "[]" : "{}", decision);
                else this.walk(target, path, v as Record<string, unknown>, depth + 1, node, decision, promoted);
                break;
            default:
                // undefined/functions can't come out of JSON.parse; skip them like JSON.stringify does.
                break;
        }
    }
}

/** A "__proto__" key (legal in JSON) must become an entry, not the map's prototype. */
function setEntry(target: Record<string, string>, key: string, value: string): void {
    if (key === "__proto__") Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    else target[key] = value;
}

function isEmptyObject(o: object): boolean {
    for (const _ in o) return false;
    return true;
}
