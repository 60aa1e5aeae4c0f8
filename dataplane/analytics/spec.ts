/**
 * The declarative window spec: what a tumbling-window aggregation computes. It replaces the
 * article's Kinesis Data Analytics SQL (discontinued 2026-01-27) with a small typed object that
 * the AnalyticsWindow component validates at deploy time and the window Lambda validates again at
 * cold start (the spec travels to the function as JSON in an environment variable).
 *
 * Data-plane code: no Pulumi imports.
 */
import { EVENT_COLUMNS } from "../schema";

/** Aggregations a metric can compute. All are mergeable across invocations and shards. */
export type MetricKind = "count" | "sum" | "avg" | "min" | "max" | "distinct";

export const METRIC_KINDS: readonly MetricKind[] = ["count", "sum", "avg", "min", "max", "distinct"];

export interface MetricSpec {
    /** What to compute. `distinct` is a HyperLogLog estimate (p=12, ~1.6% standard error). */
    kind: MetricKind;
    /**
     * Field the metric reads: a row column ("user_id") or a map entry ("properties.price",
     * "context.app.version"). Required for every kind but `count`; for `count` it restricts the count
     * to rows where the field is present. `sum`/`avg`/`min`/`max` ignore values that are not numbers.
     */
    field?: string;
    /**
     * Metric name within the spec, [A-Za-z0-9_]{1,64}. Defaults to `<kind>_<last field segment>`,
     * e.g. "avg_price", or "count" for a count without a field.
     */
    name?: string;
}

export interface FieldCondition {
    /** Row column or map entry, as for `MetricSpec.field`. */
    field: string;
    /** Keep rows whose value equals this string. Exactly one of `equals` and `in`. */
    equals?: string;
    /** Keep rows whose value is one of these strings. Exactly one of `equals` and `in`. */
    in?: string[];
}

export interface WindowFilter {
    /** Keep rows whose event_type is this one (or one of these). Defaults to every type, bad rows included. */
    eventType?: string | string[];
    /** Keep rows whose event_name is this one (or one of these). Defaults to every name. */
    eventName?: string | string[];
    /** Further conditions, all of which must hold. Defaults to none. */
    where?: FieldCondition[];
}

export interface WindowSpec {
    /** Spec name, [a-z][a-z0-9_]{0,62}: prefix of the CloudWatch metric names and value of the aggregates table's `spec` column. */
    name: string;
    /** Tumbling window length in seconds, 1-900 (Lambda's limit). CloudWatch alarms need a multiple of 60. */
    windowSeconds: number;
    /** Which rows the spec aggregates. Defaults to every row. */
    filter?: WindowFilter;
    /** Fields to group by (row columns or map entries), at most 5. Each becomes a CloudWatch dimension. Defaults to none (one group). */
    groupBy?: string[];
    /** What to compute per group, 1-20 metrics with unique names. */
    metrics: MetricSpec[];
}

/** The article's example: average purchase price per user group per minute. */
export const PURCHASE_PRICE_BY_GROUP: WindowSpec = {
    name: "purchase_price_by_group",
    windowSeconds: 60,
    filter: { eventName: "purchase" },
    groupBy: ["properties.user_group"],
    metrics: [{ kind: "avg", field: "properties.price" }, { kind: "count" }],
};

/** Events per minute by event type (bad rows included, so a spike of rejects shows), plus distinct users. */
export const EVENTS_PER_MINUTE_BY_TYPE: WindowSpec = {
    name: "events_per_minute",
    windowSeconds: 60,
    groupBy: ["event_type"],
    metrics: [{ kind: "count" }, { kind: "distinct", field: "anonymous_id", name: "distinct_visitors" }],
};

/** HyperLogLog precision used by `distinct`: 2^12 registers, standard error 1.04/sqrt(4096) ~ 1.6%. */
export const HLL_PRECISION = 12;
export const HLL_STANDARD_ERROR = 1.04 / Math.sqrt(2 ** HLL_PRECISION);

const NAME_PATTERN = /^[a-z][a-z0-9_]{0,62}$/;
const METRIC_NAME_PATTERN = /^[A-Za-z0-9_]{1,64}$/;
const MAP_COLUMNS = new Set(["properties", "context"]);
const SCALAR_COLUMNS = new Set(EVENT_COLUMNS.filter((c) => !MAP_COLUMNS.has(c.name)).map((c) => c.name));
const MAX_GROUP_BY = 5;
const MAX_METRICS = 20;

/** Why a field path is invalid, or undefined if it is a row column or `properties.x` / `context.x`. */
export function fieldPathProblem(path: unknown): string | undefined {
    if (typeof path !== "string" || path.length === 0) return "must be a non-empty string";
    if (SCALAR_COLUMNS.has(path)) return undefined;
    const dot = path.indexOf(".");
    if (dot > 0 && MAP_COLUMNS.has(path.slice(0, dot)) && path.length > dot + 1) return undefined;
    return `"${path}" is neither a row column (${[...SCALAR_COLUMNS].slice(0, 6).join(", ")}, ...) nor "properties.<key>" / "context.<key>"`;
}

/** Name a metric gets when the spec does not name it: "avg_price", "count", "distinct_user_id". */
export function defaultMetricName(metric: MetricSpec): string {
    if (!metric.field) return metric.kind;
    const last = metric.field.split(".").pop() ?? metric.field;
    return `${metric.kind}_${last.replace(/[^A-Za-z0-9_]/g, "_")}`.slice(0, 64);
}

export function metricNameOf(metric: MetricSpec): string {
    return metric.name ?? defaultMetricName(metric);
}

/** CloudWatch metric name of one metric of a spec: "<spec>_<metric>", e.g. "purchase_price_by_group_avg_price". */
export function cloudWatchMetricName(spec: WindowSpec, metric: MetricSpec): string {
    return `${spec.name}_${metricNameOf(metric)}`;
}

/** CloudWatch dimension name of a group-by field: its last path segment ("properties.user_group" -> "user_group"). */
export function dimensionNameOf(field: string): string {
    return field.split(".").pop() ?? field;
}

function checkStringOrList(value: unknown, where: string, errors: string[]): void {
    if (value === undefined) return;
    const list = Array.isArray(value) ? value : [value];
    if (list.length === 0 || list.some((v) => typeof v !== "string" || v.length === 0)) {
        errors.push(`${where} must be a non-empty string or a non-empty list of strings`);
    }
}

/**
 * Every problem with one spec, each naming the field and the fix; empty when the spec is valid.
 * `at` prefixes the field names (e.g. "specs[1]") so a component error points at the right entry.
 */
export function specProblems(spec: unknown, at = "spec"): string[] {
    const errors: string[] = [];
    if (!spec || typeof spec !== "object") return [`${at} must be an object like { name, windowSeconds, metrics }`];
    const s = spec as Partial<WindowSpec> & Record<string, unknown>;
    const known = new Set(["name", "windowSeconds", "filter", "groupBy", "metrics"]);
    for (const key of Object.keys(s)) if (!known.has(key)) errors.push(`${at}.${key} is not a spec field (expected one of ${[...known].join(", ")})`);
    if (typeof s.name !== "string" || !NAME_PATTERN.test(s.name)) errors.push(`${at}.name must match ${NAME_PATTERN} (lower-case letters, digits, underscores), got ${JSON.stringify(s.name)}`);
    if (typeof s.windowSeconds !== "number" || !Number.isInteger(s.windowSeconds) || s.windowSeconds < 1 || s.windowSeconds > 900) {
        errors.push(`${at}.windowSeconds must be an integer from 1 to 900 (Lambda tumbling window limit), got ${JSON.stringify(s.windowSeconds)}`);
    }
    if (s.filter !== undefined) {
        if (!s.filter || typeof s.filter !== "object") errors.push(`${at}.filter must be an object like { eventName: "purchase" }`);
        else {
            const f = s.filter as WindowFilter & Record<string, unknown>;
            for (const key of Object.keys(f)) if (!["eventType", "eventName", "where"].includes(key)) errors.push(`${at}.filter.${key} is not a filter field (expected eventType, eventName or where)`);
            checkStringOrList(f.eventType, `${at}.filter.eventType`, errors);
            checkStringOrList(f.eventName, `${at}.filter.eventName`, errors);
            if (f.where !== undefined) {
                if (!Array.isArray(f.where)) errors.push(`${at}.filter.where must be a list of { field, equals } or { field, in }`);
                else f.where.forEach((c, i) => {
                    const w = `${at}.filter.where[${i}]`;
                    const problem = fieldPathProblem(c?.field);
                    if (problem) errors.push(`${w}.field ${problem}`);
                    const hasEquals = c?.equals !== undefined;
                    const hasIn = c?.in !== undefined;
                    if (hasEquals === hasIn) errors.push(`${w} must set exactly one of equals and in`);
                    if (hasEquals && typeof c.equals !== "string") errors.push(`${w}.equals must be a string (map values are strings)`);
                    if (hasIn && (!Array.isArray(c.in) || c.in.length === 0 || c.in.some((v) => typeof v !== "string"))) errors.push(`${w}.in must be a non-empty list of strings`);
                });
            }
        }
    }
    if (s.groupBy !== undefined) {
        if (!Array.isArray(s.groupBy)) errors.push(`${at}.groupBy must be a list of fields, e.g. ["properties.user_group"]`);
        else {
            if (s.groupBy.length > MAX_GROUP_BY) errors.push(`${at}.groupBy has ${s.groupBy.length} fields; at most ${MAX_GROUP_BY} (each is a CloudWatch dimension)`);
            const dims = new Map<string, string>();
            s.groupBy.forEach((g, i) => {
                const problem = fieldPathProblem(g);
                if (problem) { errors.push(`${at}.groupBy[${i}] ${problem}`); return; }
                const dim = dimensionNameOf(g);
                if (dims.has(dim)) errors.push(`${at}.groupBy[${i}] "${g}" has the same dimension name "${dim}" as "${dims.get(dim)}"; group by only one of them`);
                dims.set(dim, g);
            });
        }
    }
    if (!Array.isArray(s.metrics) || s.metrics.length === 0 || s.metrics.length > MAX_METRICS) {
        errors.push(`${at}.metrics must be a list of 1 to ${MAX_METRICS} metrics like { kind: "avg", field: "properties.price" }`);
    } else {
        const names = new Set<string>();
        s.metrics.forEach((m, i) => {
            const w = `${at}.metrics[${i}]`;
            if (!m || typeof m !== "object") { errors.push(`${w} must be an object like { kind: "count" }`); return; }
            if (!METRIC_KINDS.includes(m.kind)) { errors.push(`${w}.kind must be one of ${METRIC_KINDS.join(", ")}, got ${JSON.stringify(m.kind)}`); return; }
            if (m.field === undefined && m.kind !== "count") errors.push(`${w}.field is required for kind "${m.kind}" (e.g. "properties.price")`);
            if (m.field !== undefined) {
                const problem = fieldPathProblem(m.field);
                if (problem) errors.push(`${w}.field ${problem}`);
            }
            if (m.name !== undefined && (typeof m.name !== "string" || !METRIC_NAME_PATTERN.test(m.name))) errors.push(`${w}.name must match ${METRIC_NAME_PATTERN}`);
            const name = m.name ?? (m.field === undefined || typeof m.field === "string" ? defaultMetricName(m) : m.kind);
            if (names.has(name)) errors.push(`${w} has the same name "${name}" as an earlier metric; give one of them a distinct "name"`);
            names.add(name);
        });
    }
    return errors;
}

/** Throws one Error listing every problem (each naming its field) if the spec is invalid. */
export function validateSpec(spec: unknown, at = "spec"): WindowSpec {
    const problems = specProblems(spec, at);
    if (problems.length) throw new Error(`Invalid window spec: ${problems.join("; ")}`);
    return spec as WindowSpec;
}

/**
 * Validates the specs one window Lambda runs: each spec valid, names unique, and one window
 * length for all (the event source mapping has a single `tumblingWindowInSeconds`).
 */
export function validateSpecs(specs: unknown, at = "specs"): WindowSpec[] {
    if (!Array.isArray(specs) || specs.length === 0) throw new Error(`Invalid window specs: ${at} must be a non-empty list of window specs, e.g. [PURCHASE_PRICE_BY_GROUP]`);
    const problems: string[] = [];
    specs.forEach((s, i) => problems.push(...specProblems(s, `${at}[${i}]`)));
    if (problems.length === 0) {
        const list = specs as WindowSpec[];
        const seen = new Set<string>();
        list.forEach((s, i) => {
            if (seen.has(s.name)) problems.push(`${at}[${i}].name "${s.name}" is used by an earlier spec; spec names must be unique`);
            seen.add(s.name);
        });
        const lengths = new Set(list.map((s) => s.windowSeconds));
        if (lengths.size > 1) problems.push(`${at}[*].windowSeconds differ (${[...lengths].join(", ")}); one AnalyticsWindow has one tumbling window length, so create one AnalyticsWindow per length`);
    }
    if (problems.length) throw new Error(`Invalid window specs: ${problems.join("; ")}`);
    return specs as WindowSpec[];
}
