/**
 * What a closed window becomes: CloudWatch Embedded Metric Format documents (printed to stdout by
 * the Lambda, turned into metrics by CloudWatch Logs) and rows of the lake's aggregates table (sent
 * to the aggregates Firehose stream, converted to Parquet by the Glue table built from
 * `AGGREGATE_COLUMNS`).
 *
 * Data-plane code: no Pulumi imports.
 */
import type { ColumnSpec, ColumnType } from "../schema";
import { GroupAggregate, mergeGroups, metricValue } from "./aggregator";
import { murmur3 } from "./hll";
import { MetricKind, WindowSpec, cloudWatchMetricName, dimensionNameOf, metricNameOf } from "./spec";

/** Where and how a window (part) closed. */
export interface WindowClose {
    /** Window start and end as Lambda reports them (ISO-8601). */
    windowStart: string;
    windowEnd: string;
    windowSeconds: number;
    /** Kinesis shard the window state belongs to (Lambda keeps one state per shard). */
    shardId: string;
    /** 0 for the first part of a window; incremented by each early emit. */
    part: number;
    /** True when this is not the whole window on this shard: emitted early, or terminated early by Lambda. */
    partial: boolean;
    /** True when the de-duplication set was full, so some duplicates may be counted. */
    dedupeSaturated: boolean;
    /** Sequence number of the first record of this state, to tell apart states after a Lambda early termination. */
    firstSeq: string | null;
    /** When the Lambda emitted it (ISO-8601). */
    emittedAt: string;
}

/** Dimension value for a group-by field that was absent on the row. */
export const NONE_DIMENSION_VALUE = "none";
/** Dimension value of the folded tail when a window has more groups than the cardinality cap. */
export const OTHER_DIMENSION_VALUE = "other";

/** Dimension value for an empty-string group-by value (CloudWatch dimension values are 1-1024 characters). */
export const EMPTY_DIMENSION_VALUE = "empty";
const MAX_DIMENSION_VALUE_CHARS = 1024;

/** A group-by value as a valid CloudWatch dimension value: "none" for absent, "empty" for "", at most 1,024 characters. */
export function dimensionValue(value: string | null): string {
    if (value === null) return NONE_DIMENSION_VALUE;
    if (value === "") return EMPTY_DIMENSION_VALUE;
    return value.length > MAX_DIMENSION_VALUE_CHARS ? value.slice(0, MAX_DIMENSION_VALUE_CHARS) : value;
}

/** The CloudWatch statistic an alarm on a metric of this kind should use (see docs/analytics.md for cross-shard semantics). */
export function alarmStatisticOf(kind: MetricKind): "Sum" | "Average" | "Minimum" | "Maximum" {
    switch (kind) {
        case "avg": return "Average";
        case "min": return "Minimum";
        case "max": return "Maximum";
        default: return "Sum";
    }
}

function unitOf(kind: MetricKind): "Count" | "None" {
    return kind === "count" || kind === "distinct" ? "Count" : "None";
}

/**
 * Folds the groups beyond the cardinality cap into one "other" group: keeps the `maxGroups - 1`
 * busiest groups (by events, ties by key for determinism) and merges the rest, so no event is
 * dropped from the metrics and CloudWatch sees at most `maxGroups` dimension values per window.
 */
export function capGroups(spec: WindowSpec, groups: GroupAggregate[], maxGroups: number): GroupAggregate[] {
    if (groups.length <= maxGroups) return groups;
    const sorted = [...groups].sort((a, b) => b.events - a.events || JSON.stringify(a.key).localeCompare(JSON.stringify(b.key)));
    const kept = sorted.slice(0, Math.max(0, maxGroups - 1));
    const tail = sorted.slice(kept.length);
    const otherKey = (spec.groupBy ?? []).map(() => OTHER_DIMENSION_VALUE);
    return [...kept, mergeGroups(spec, otherKey, tail)];
}

/** One EMF document (a log line): metric values, their dimensions, and context fields for Logs Insights. */
export type EmfDocument = Record<string, unknown> & {
    _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string; StorageResolution?: number }> }> };
};

function emfDocument(spec: WindowSpec, group: GroupAggregate, dims: string[], namespace: string, close: WindowClose): EmfDocument {
    const metrics: Array<{ Name: string; Unit: string; StorageResolution?: number }> = [];
    const values: Record<string, number> = {};
    spec.metrics.forEach((m, i) => {
        const v = metricValue(m.kind, group.metrics[i]);
        if (v === null) return; // avg/min/max of no values: no datapoint rather than a false zero
        const name = cloudWatchMetricName(spec, m);
        metrics.push(close.windowSeconds < 60 ? { Name: name, Unit: unitOf(m.kind), StorageResolution: 1 } : { Name: name, Unit: unitOf(m.kind) });
        values[name] = v;
    });
    const dimensionValues: Record<string, string> = {};
    dims.forEach((d, i) => { dimensionValues[d] = dimensionValue(group.key[i]); });
    return {
        _aws: { Timestamp: Date.parse(close.windowStart), CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [dims], Metrics: metrics }] },
        ...dimensionValues,
        ...values,
        spec: spec.name,
        window_start: close.windowStart,
        window_end: close.windowEnd,
        shard_id: close.shardId,
        part: close.part,
        partial: close.partial,
        events: group.events,
    };
}

/**
 * EMF documents for one spec's closed window: one per group (group-by fields as dimensions, tail
 * folded into "other" beyond `maxDimensionValues`) plus a roll-up over all groups with no
 * dimensions. The roll-up is emitted even for an empty window (count 0), so a traffic drop to
 * zero is a datapoint, not missing data.
 */
export function toEmfDocuments(spec: WindowSpec, groups: GroupAggregate[], namespace: string, close: WindowClose, maxDimensionValues: number): EmfDocument[] {
    const dims = (spec.groupBy ?? []).map(dimensionNameOf);
    const docs: EmfDocument[] = [];
    if (dims.length > 0) {
        for (const g of capGroups(spec, groups, maxDimensionValues)) docs.push(emfDocument(spec, g, dims, namespace, close));
    }
    docs.push(emfDocument(spec, mergeGroups(spec, [], groups), [], namespace, close));
    return docs;
}

/** A column of the aggregates table: the event schema's column types plus numeric maps. */
export interface AggregateColumnSpec extends Omit<ColumnSpec, "type"> {
    readonly type: ColumnType | "map<string,double>" | "map<string,bigint>";
}

/** Columns of the aggregates table, in order. Partitioned like the events table (dt, hour of arrival). */
export const AGGREGATE_COLUMNS: readonly AggregateColumnSpec[] = [
    { name: "aggregate_id", type: "string", classification: "internal", comment: "Deterministic id of (spec, shard, window, state, part, group): re-emits after a retry repeat it, so consumers can de-duplicate" },
    { name: "spec", type: "string", classification: "public", comment: "Window spec name" },
    { name: "window_start", type: "timestamp", classification: "public", comment: "Window start (Lambda tumbling window, by Kinesis arrival time)" },
    { name: "window_end", type: "timestamp", classification: "public", comment: "Window end" },
    { name: "window_seconds", type: "int", classification: "public", comment: "Window length in seconds" },
    { name: "shard_id", type: "string", classification: "public", comment: "Kinesis shard: windows are per shard; sum counts across shards" },
    { name: "part", type: "int", classification: "public", comment: "Part number when a window was emitted early (state over budget)" },
    { name: "partial", type: "boolean", classification: "public", comment: "True when this row covers only part of the window on its shard" },
    { name: "dedupe_saturated", type: "boolean", classification: "public", comment: "True when the de-duplication bound was reached: duplicates may be counted" },
    { name: "group_values", type: "map<string,string>", classification: "internal", comment: "Group-by field -> value (absent when the row had no value)" },
    { name: "event_count", type: "bigint", classification: "public", comment: "Rows of the group that passed the filter" },
    { name: "metric_values", type: "map<string,double>", classification: "public", comment: "Metric name -> value (absent for avg/min/max of no values)" },
    { name: "metric_counts", type: "map<string,bigint>", classification: "public", comment: "Metric name -> number of values seen (weights for merging avg across shards/parts)" },
    { name: "metric_sums", type: "map<string,double>", classification: "public", comment: "Metric name -> sum of values (sum/avg), for exact merging" },
    { name: "sketches", type: "map<string,string>", classification: "internal", comment: "Metric name -> HyperLogLog state JSON (distinct), mergeable across shards/parts" },
    { name: "emitted_at", type: "timestamp", classification: "public", comment: "When the window Lambda emitted the row" },
];

/** One row of the aggregates table (JSON as sent to Firehose; timestamps match TIMESTAMP_FORMAT). */
export interface AggregateRow {
    aggregate_id: string;
    spec: string;
    window_start: string;
    window_end: string;
    window_seconds: number;
    shard_id: string;
    part: number;
    partial: boolean;
    dedupe_saturated: boolean;
    group_values: Record<string, string>;
    event_count: number;
    metric_values: Record<string, number>;
    metric_counts: Record<string, number>;
    metric_sums: Record<string, number>;
    sketches: Record<string, string>;
    emitted_at: string;
}

/** ISO timestamp with milliseconds, as the Hive JSON SerDe expects ("2026-11-26T16:05:00.000Z"). */
function isoMillis(text: string): string {
    const t = Date.parse(text);
    return Number.isFinite(t) ? new Date(t).toISOString() : text;
}

export function aggregateId(spec: string, close: WindowClose, key: (string | null)[]): string {
    const text = `${spec}|${close.shardId}|${close.windowStart}|${close.firstSeq ?? ""}|${close.part}|${JSON.stringify(key)}`;
    return murmur3(text, 1).toString(16).padStart(8, "0") + murmur3(text, 2).toString(16).padStart(8, "0") + murmur3(text, 3).toString(16).padStart(8, "0");
}

/**
 * Aggregates-table rows for one spec's closed window: one per group, uncapped (the lake keeps the
 * long tail CloudWatch folds). A spec without group-by always yields its one row, count 0 when empty.
 */
export function toAggregateRows(spec: WindowSpec, groups: GroupAggregate[], close: WindowClose): AggregateRow[] {
    const list = groups.length === 0 && (spec.groupBy ?? []).length === 0 ? [mergeGroups(spec, [], [])] : groups;
    return list.map((g) => {
        const group_values: Record<string, string> = {};
        (spec.groupBy ?? []).forEach((f, i) => { if (g.key[i] !== null) group_values[f] = g.key[i] as string; });
        const metric_values: Record<string, number> = {};
        const metric_counts: Record<string, number> = {};
        const metric_sums: Record<string, number> = {};
        const sketches: Record<string, string> = {};
        spec.metrics.forEach((m, i) => {
            const name = metricNameOf(m);
            const acc = g.metrics[i];
            const v = metricValue(m.kind, acc);
            if (v !== null) metric_values[name] = v;
            metric_counts[name] = acc.c;
            if (acc.s !== undefined) metric_sums[name] = acc.s;
            if (acc.hll) sketches[name] = JSON.stringify(acc.hll.toState());
        });
        return {
            aggregate_id: aggregateId(spec.name, close, g.key),
            spec: spec.name,
            window_start: isoMillis(close.windowStart),
            window_end: isoMillis(close.windowEnd),
            window_seconds: close.windowSeconds,
            shard_id: close.shardId,
            part: close.part,
            partial: close.partial,
            dedupe_saturated: close.dedupeSaturated,
            group_values,
            event_count: g.events,
            metric_values,
            metric_counts,
            metric_sums,
            sketches,
            emitted_at: isoMillis(close.emittedAt),
        };
    });
}
