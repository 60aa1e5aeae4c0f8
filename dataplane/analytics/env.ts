/**
 * Environment contract between the AnalyticsWindow component (which writes these variables) and
 * the window Lambda (which reads and validates them at cold start). The transform's own variables
 * (CLICKSTREAM_TRANSFORM_CONFIG, CLICKSTREAM_PII_SECRET_ARN / _PARAMETER) come from
 * dataplane/transform/config.ts, so the window normalizes rows exactly like the lake.
 */
import { validateSpecs } from "./spec";
import { WindowSettings, validateWindowSettings } from "./window";

export const ENV_WINDOW_SPECS = "CLICKSTREAM_WINDOW_SPECS";
export const ENV_METRIC_NAMESPACE = "CLICKSTREAM_METRIC_NAMESPACE";
export const ENV_AGGREGATES_STREAM = "CLICKSTREAM_AGGREGATES_STREAM";
export const ENV_STATE_BUDGET_BYTES = "CLICKSTREAM_STATE_BUDGET_BYTES";
export const ENV_DEDUPE_CAPACITY = "CLICKSTREAM_DEDUPE_CAPACITY";
export const ENV_MAX_DIMENSION_VALUES = "CLICKSTREAM_MAX_DIMENSION_VALUES";

function optionalInt(env: Record<string, string | undefined>, name: string): number | undefined {
    const raw = env[name];
    if (raw === undefined || raw === "") return undefined;
    const n = Number(raw);
    if (!Number.isInteger(n)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
    return n;
}

/** Reads and validates the window Lambda's settings; every error names the variable. */
export function loadWindowSettings(env: Record<string, string | undefined> = process.env): WindowSettings & { aggregatesStream: string } {
    const specsText = env[ENV_WINDOW_SPECS];
    if (!specsText) throw new Error(`${ENV_WINDOW_SPECS} is not set: the AnalyticsWindow component writes the specs JSON there`);
    let parsed: unknown;
    try { parsed = JSON.parse(specsText); } catch (err) { throw new Error(`${ENV_WINDOW_SPECS} is not valid JSON: ${(err as Error).message}`); }
    const specs = validateSpecs(parsed, ENV_WINDOW_SPECS);
    const namespace = env[ENV_METRIC_NAMESPACE];
    if (!namespace) throw new Error(`${ENV_METRIC_NAMESPACE} is not set: the CloudWatch namespace for the window metrics`);
    const aggregatesStream = env[ENV_AGGREGATES_STREAM];
    if (!aggregatesStream) throw new Error(`${ENV_AGGREGATES_STREAM} is not set: the Firehose stream for aggregate rows`);
    const settings = {
        specs, namespace, aggregatesStream,
        stateBudgetBytes: optionalInt(env, ENV_STATE_BUDGET_BYTES),
        dedupeCapacity: optionalInt(env, ENV_DEDUPE_CAPACITY),
        maxDimensionValues: optionalInt(env, ENV_MAX_DIMENSION_VALUES),
    };
    validateWindowSettings(settings);
    return settings;
}
