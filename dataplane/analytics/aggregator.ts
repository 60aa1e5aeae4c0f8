/**
 * The pure tumbling-window aggregator: folds canonical lake rows (`EventRow`) into per-spec,
 * per-group metric accumulators, serializes them into the window state Lambda carries between
 * invocations of one window on one shard, and reads the finished aggregates back out.
 *
 * Shared by the window Lambda and the local pipeline; no I/O, no clock, no Pulumi.
 *
 * Guarantees:
 * - Mergeable: every accumulator (count, sum, min, max, HyperLogLog) merges exactly, so state from
 *   earlier invocations, early-emitted parts and other shards combine without loss.
 * - At-least-once input, de-duplicated: rows are de-duplicated by `event_id` within the window. The
 *   set of seen ids is bounded (`dedupeCapacity`); once full, the window is marked
 *   `dedupeSaturated` and further rows are aggregated WITHOUT de-duplication (never dropped), so a
 *   redelivered event beyond the bound may be counted twice. The flag travels to the output.
 * - Bounded state: `estimatedBytes()` is an upper bound of the serialized state's size, updated per
 *   row, so the handler can emit a window early (marked partial) before Lambda's 1 MB cap.
 */
import type { EventRow } from "../schema";
import { HyperLogLog, HllState } from "./hll";
import { SeenIds } from "./seenIds";
import { MetricKind, MetricSpec, WindowSpec, metricNameOf } from "./spec";

export { eventIdHash } from "./seenIds";

/** One metric's accumulator. `c` counts the values seen (rows for `count`); the rest depend on the kind. */
export interface MetricAcc {
    c: number;
    /** Sum of values (sum, avg). */
    s?: number;
    /** Smallest value (min). */
    lo?: number;
    /** Largest value (max). */
    hi?: number;
    /** Distinct sketch (distinct). */
    hll?: HyperLogLog;
}

/** The accumulators of one group of one spec. */
export interface GroupAggregate {
    /** Group-by values in `spec.groupBy` order; null where the row had no value. */
    key: (string | null)[];
    /** Rows that matched the filter in this group. */
    events: number;
    /** One accumulator per `spec.metrics` entry, same order. */
    metrics: MetricAcc[];
}

/** The JSON-able window state returned to Lambda between invocations. */
export interface WindowState {
    v: 1;
    /** Short hashes of the event_ids seen in this window (bounded by dedupeCapacity). */
    seen: string[];
    /** True once `seen` reached its bound: later rows were not de-duplicated. */
    saturated: boolean;
    /** Rows skipped as duplicates. */
    duplicates: number;
    /** Rows aggregated (after de-duplication), all specs' filters aside. */
    rows: number;
    /** Parts of this window already emitted early because the state outgrew its budget. */
    part: number;
    /** Sequence number of the first record folded into this window state: part of the aggregate id. */
    firstSeq: string | null;
    /** spec name -> groups. */
    specs: Record<string, Array<{ k: (string | null)[]; n: number; m: Array<{ c: number; s?: number; lo?: number; hi?: number; h?: HllState }> }>>;
}

export interface AggregatorOptions {
    /** Most event ids remembered for de-duplication per window state. Defaults to 20,000 (~320 KB of state). */
    dedupeCapacity?: number;
}

export const DEFAULT_DEDUPE_CAPACITY = 20_000;
/** Bytes one remembered event id takes in the serialized state (13-char hash, quotes, comma). */
export const SEEN_ENTRY_BYTES = 16;
const METRIC_BYTES = 110;
const GROUP_OVERHEAD_BYTES = 40;
const STATE_OVERHEAD_BYTES = 200;

/** The value of a row field: a column ("event_type") or a map entry ("properties.price"); null if absent. */
export function fieldValue(row: EventRow, path: string): string | null {
    const dot = path.indexOf(".");
    if (dot > 0) {
        const column = path.slice(0, dot);
        if (column === "properties" || column === "context") {
            const v = (row[column] ?? {})[path.slice(dot + 1)];
            return v === undefined || v === null ? null : String(v);
        }
    }
    const v = (row as unknown as Record<string, unknown>)[path];
    return v === undefined || v === null ? null : String(v);
}

/** A finite number parsed from a field value, or undefined ("", "abc", "NaN" and "Infinity" are not numbers). */
export function numericValue(value: string | null): number | undefined {
    if (value === null || value.trim() === "") return undefined;
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
}

function oneOf(value: string | null, wanted: string | string[] | undefined): boolean {
    if (wanted === undefined) return true;
    if (value === null) return false;
    return Array.isArray(wanted) ? wanted.includes(value) : value === wanted;
}

/** Whether a row passes a spec's filter. */
export function matchesFilter(spec: WindowSpec, row: EventRow): boolean {
    const f = spec.filter;
    if (!f) return true;
    if (!oneOf(row.event_type, f.eventType)) return false;
    if (!oneOf(row.event_name, f.eventName)) return false;
    for (const c of f.where ?? []) {
        const v = fieldValue(row, c.field);
        if (c.equals !== undefined ? v !== c.equals : !(v !== null && (c.in ?? []).includes(v))) return false;
    }
    return true;
}

function newAcc(kind: MetricKind): MetricAcc {
    return kind === "distinct" ? { c: 0, hll: new HyperLogLog() } : kind === "sum" || kind === "avg" ? { c: 0, s: 0 } : { c: 0 };
}

/** Folds one row's value into a metric accumulator; returns the change in the serialized-size bound. */
function accumulate(metric: MetricSpec, acc: MetricAcc, row: EventRow): number {
    const raw = metric.field === undefined ? null : fieldValue(row, metric.field);
    switch (metric.kind) {
        case "count":
            if (metric.field === undefined || raw !== null) acc.c++;
            return 0;
        case "distinct": {
            if (raw === null) return 0;
            acc.c++;
            const hll = acc.hll!;
            const before = hll.stateBytesBound();
            hll.add(raw);
            return hll.stateBytesBound() - before;
        }
        default: {
            const n = numericValue(raw);
            if (n === undefined) return 0;
            acc.c++;
            if (acc.s !== undefined) acc.s += n;
            if (metric.kind === "min") acc.lo = acc.lo === undefined ? n : Math.min(acc.lo, n);
            if (metric.kind === "max") acc.hi = acc.hi === undefined ? n : Math.max(acc.hi, n);
            return 0;
        }
    }
}

/** Merges `b` into `a` (same metric). Exact for every kind. */
export function mergeAcc(a: MetricAcc, b: MetricAcc): void {
    a.c += b.c;
    if (b.s !== undefined) a.s = (a.s ?? 0) + b.s;
    if (b.lo !== undefined) a.lo = a.lo === undefined ? b.lo : Math.min(a.lo, b.lo);
    if (b.hi !== undefined) a.hi = a.hi === undefined ? b.hi : Math.max(a.hi, b.hi);
    if (b.hll) {
        if (!a.hll) a.hll = new HyperLogLog();
        a.hll.merge(b.hll);
    }
}

/** The finished value of a metric: null when no value was seen (avg/min/max of nothing). */
export function metricValue(kind: MetricKind, acc: MetricAcc): number | null {
    switch (kind) {
        case "count": return acc.c;
        case "sum": return acc.s ?? 0;
        case "avg": return acc.c > 0 ? (acc.s ?? 0) / acc.c : null;
        case "min": return acc.lo ?? null;
        case "max": return acc.hi ?? null;
        case "distinct": return acc.hll ? Math.round(acc.hll.estimate()) : 0;
    }
}

/** Merges several groups of one spec into one (used to fold the tail into "other" and for roll-ups). */
export function mergeGroups(spec: WindowSpec, key: (string | null)[], groups: GroupAggregate[]): GroupAggregate {
    const merged: GroupAggregate = { key, events: 0, metrics: spec.metrics.map((m) => newAcc(m.kind)) };
    for (const g of groups) {
        merged.events += g.events;
        g.metrics.forEach((acc, i) => mergeAcc(merged.metrics[i], acc));
    }
    return merged;
}

const NO_GROUP_BY: readonly string[] = [];

/**
 * A group's id in its spec's map: the value itself for one group-by field (null included), else the
 * values as JSON. One spec's keys all have its group-by's length, so ids never collide across shapes.
 */
function groupId(key: readonly (string | null)[]): string | null {
    return key.length === 1 ? key[0] : JSON.stringify(key);
}

export function emptyWindowState(): WindowState {
    return { v: 1, seen: [], saturated: false, duplicates: 0, rows: 0, part: 0, firstSeq: null, specs: {} };
}

/**
 * Window accumulator for a set of specs. Build it from the state Lambda passed in (or none), `add`
 * rows, then either return `toState()` to Lambda or read `groups(spec)` when the window closes.
 */
export class WindowAccumulator {
    readonly specs: readonly WindowSpec[];
    readonly dedupeCapacity: number;
    private readonly seen: SeenIds;
    /** spec name -> groups by groupId(key). */
    private readonly groupsBySpec = new Map<string, Map<string | null, GroupAggregate>>();
    private bytes: number;
    saturated: boolean;
    duplicates: number;
    rows: number;
    part: number;
    firstSeq: string | null;

    constructor(specs: readonly WindowSpec[], options: AggregatorOptions = {}, state?: WindowState | Record<string, never>) {
        this.specs = specs;
        this.dedupeCapacity = options.dedupeCapacity ?? DEFAULT_DEDUPE_CAPACITY;
        const s: WindowState = state && (state as WindowState).v === 1 ? (state as WindowState) : emptyWindowState();
        this.seen = SeenIds.fromStrings(s.seen);
        this.saturated = s.saturated;
        this.duplicates = s.duplicates;
        this.rows = s.rows;
        this.part = s.part;
        this.firstSeq = s.firstSeq;
        this.bytes = STATE_OVERHEAD_BYTES + this.seen.size * SEEN_ENTRY_BYTES;
        for (const spec of specs) {
            const groups = new Map<string | null, GroupAggregate>();
            for (const g of s.specs[spec.name] ?? []) {
                const group: GroupAggregate = {
                    key: g.k,
                    events: g.n,
                    metrics: spec.metrics.map((m, i) => {
                        const a = g.m[i] ?? { c: 0 };
                        const acc: MetricAcc = { c: a.c };
                        if (a.s !== undefined) acc.s = a.s;
                        if (a.lo !== undefined) acc.lo = a.lo;
                        if (a.hi !== undefined) acc.hi = a.hi;
                        if (m.kind === "distinct") acc.hll = HyperLogLog.fromState(a.h);
                        return acc;
                    }),
                };
                groups.set(groupId(g.k), group);
                this.bytes += this.groupBytes(spec, group);
            }
            this.groupsBySpec.set(spec.name, groups);
        }
    }

    private groupBytes(spec: WindowSpec, group: GroupAggregate): number {
        let b = GROUP_OVERHEAD_BYTES + JSON.stringify(group.key).length + spec.metrics.length * METRIC_BYTES;
        for (const acc of group.metrics) if (acc.hll) b += acc.hll.stateBytesBound();
        return b;
    }

    /** Upper bound of `JSON.stringify(toState()).length`, maintained per row. */
    estimatedBytes(): number {
        return this.bytes;
    }

    /**
     * Folds one row into every spec whose filter it passes. Returns false (and changes nothing but
     * the duplicate counter) when the row's event_id was already seen in this window.
     */
    add(row: EventRow): boolean {
        if (row.event_id) {
            const seen = this.seen.add(row.event_id, this.dedupeCapacity);
            if (seen === "seen") { this.duplicates++; return false; }
            if (seen === "added") this.bytes += SEEN_ENTRY_BYTES;
            else this.saturated = true;
        }
        this.rows++;
        for (const spec of this.specs) {
            if (!matchesFilter(spec, row)) continue;
            const groupBy = spec.groupBy ?? NO_GROUP_BY;
            const groups = this.groupsBySpec.get(spec.name)!;
            // One group-by field (the usual case): looked up by its value, without a key array or JSON per row.
            const single = groupBy.length === 1 ? fieldValue(row, groupBy[0]) : undefined;
            const key = single !== undefined ? undefined : groupBy.map((f) => fieldValue(row, f));
            const id = single !== undefined ? single : groupId(key!);
            let group = groups.get(id);
            if (!group) {
                group = { key: key ?? [single!], events: 0, metrics: spec.metrics.map((m) => newAcc(m.kind)) };
                groups.set(id, group);
                this.bytes += this.groupBytes(spec, group);
            }
            group.events++;
            for (let i = 0; i < spec.metrics.length; i++) this.bytes += accumulate(spec.metrics[i], group.metrics[i], row);
        }
        return true;
    }

    /** The groups of one spec, in first-seen order. */
    groups(specName: string): GroupAggregate[] {
        return [...(this.groupsBySpec.get(specName)?.values() ?? [])];
    }

    /** Number of events that matched any group of the spec. */
    matched(specName: string): number {
        return this.groups(specName).reduce((n, g) => n + g.events, 0);
    }

    /**
     * Clears the aggregates after they were emitted early (state over budget) and counts the part.
     * The de-duplication set is kept, so a redelivered event is still recognised in later parts.
     */
    startNextPart(): void {
        for (const groups of this.groupsBySpec.values()) groups.clear();
        this.part++;
        this.bytes = STATE_OVERHEAD_BYTES + this.seen.size * SEEN_ENTRY_BYTES;
    }

    toState(): WindowState {
        const specs: WindowState["specs"] = {};
        for (const spec of this.specs) {
            specs[spec.name] = this.groups(spec.name).map((g) => ({
                k: g.key,
                n: g.events,
                m: g.metrics.map((a) => {
                    const out: { c: number; s?: number; lo?: number; hi?: number; h?: HllState } = { c: a.c };
                    if (a.s !== undefined) out.s = a.s;
                    if (a.lo !== undefined) out.lo = a.lo;
                    if (a.hi !== undefined) out.hi = a.hi;
                    if (a.hll) out.h = a.hll.toState();
                    return out;
                }),
            }));
        }
        return {
            v: 1, seen: this.seen.toStrings(), saturated: this.saturated, duplicates: this.duplicates, rows: this.rows,
            part: this.part, firstSeq: this.firstSeq, specs,
        };
    }
}

/** Metric names of a spec in order (default names filled in). */
export function metricNames(spec: WindowSpec): string[] {
    return spec.metrics.map(metricNameOf);
}
