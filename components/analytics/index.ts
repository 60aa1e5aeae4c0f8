/** AnalyticsWindow and the window spec vocabulary (specs are data-plane types, re-exported here). */
export { AnalyticsWindow, resolveAnalyticsWindowSettings, windowMetric, windowMetricRefs, AGGREGATES_LOG_STREAM } from "./analyticsWindow";
export type { AnalyticsWindowArgs, AnalyticsWindowSettings, StartingPosition, WindowMetricRef } from "./analyticsWindow";
export { windowFunctionPolicyDocument, aggregatesFirehosePolicyDocument, KINESIS_CONSUMER_ACTIONS } from "./policies";
export { AGGREGATES_PREFIX, aggregateGlueColumns } from "./aggregatesTable";
export {
    PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE, HLL_PRECISION, HLL_STANDARD_ERROR, METRIC_KINDS,
    validateSpec, validateSpecs, specProblems, cloudWatchMetricName,
} from "../../dataplane/analytics/spec";
export type { WindowSpec, MetricSpec, MetricKind, WindowFilter, FieldCondition } from "../../dataplane/analytics/spec";
export { AGGREGATE_COLUMNS } from "../../dataplane/analytics/output";
export type { AggregateRow } from "../../dataplane/analytics/output";
