/**
 * One invocation of the tumbling-window Lambda, with its dependencies passed in (normalize, where
 * metrics and rows go), so the handler is a thin wiring layer and tests drive the real logic.
 *
 * Lambda keeps one window state per shard and invokes the function several times per window; the
 * last invoke has `isFinalInvokeForWindow` set and no records. We:
 *   1. normalize each Kinesis record (base64 JSON request envelope) to lake rows with the lake's transform;
 *   2. fold the rows into the window state (de-duplicated by event_id);
 *   3. if the state's size bound exceeds the budget, emit what we have as a partial part and carry on
 *      with fresh aggregates (Lambda's cap is 1 MB per shard; we never let it truncate state);
 *   4. on the final invoke, emit every spec's groups (EMF + aggregate rows) and return empty state.
 */
import type { KinesisStreamRecord } from "aws-lambda";
import type { EventRow } from "../schema";
import { AggregatorOptions, DEFAULT_DEDUPE_CAPACITY, SEEN_ENTRY_BYTES, WindowAccumulator, WindowState } from "./aggregator";
import { AggregateRow, EmfDocument, WindowClose, toAggregateRows, toEmfDocuments } from "./output";
import { WindowSpec } from "./spec";

/** The tumbling-window event Lambda sends (the @types event lacks shardId and eventSourceARN). */
export interface TumblingWindowEvent {
    Records: KinesisStreamRecord[];
    window: { start: string; end: string };
    state?: Record<string, unknown>;
    shardId?: string;
    eventSourceARN?: string;
    isFinalInvokeForWindow: boolean;
    isWindowTerminatedEarly: boolean;
}

export interface TumblingWindowResponse {
    state: Record<string, unknown>;
    batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface WindowSettings extends AggregatorOptions {
    specs: readonly WindowSpec[];
    /** CloudWatch namespace of the EMF metrics. */
    namespace: string;
    /** Serialized state size that triggers an early (partial) emit. Defaults to 900,000 bytes (Lambda's cap is 1 MB). */
    stateBudgetBytes?: number;
    /** Most dimension values per spec and window before the tail folds into "other". Defaults to 50. */
    maxDimensionValues?: number;
}

export interface WindowDeps {
    /** Record bytes (a request envelope as JSON) -> canonical rows: the lake transform's `normalize`. */
    normalize: (envelope: unknown) => EventRow[];
    /** Where EMF documents go: the handler prints them to stdout. */
    emitMetrics: (doc: EmfDocument) => void;
    /** Where aggregate rows go: the handler sends them to Firehose; must throw if they were not accepted. */
    emitRows: (rows: AggregateRow[]) => Promise<void>;
    /** Clock for `emitted_at`. Defaults to Date.now. */
    now?: () => number;
    /** Diagnostic log (JSON lines). Defaults to nothing. */
    log?: (entry: Record<string, unknown>) => void;
}

export const DEFAULT_STATE_BUDGET_BYTES = 900_000;
export const LAMBDA_STATE_LIMIT_BYTES = 1_000_000;
export const DEFAULT_MAX_DIMENSION_VALUES = 50;

/** Rejects settings under which the state could not fit Lambda's cap; each error names the setting. */
export function validateWindowSettings(settings: WindowSettings): void {
    const budget = settings.stateBudgetBytes ?? DEFAULT_STATE_BUDGET_BYTES;
    const capacity = settings.dedupeCapacity ?? DEFAULT_DEDUPE_CAPACITY;
    const maxDims = settings.maxDimensionValues ?? DEFAULT_MAX_DIMENSION_VALUES;
    if (!Number.isInteger(budget) || budget < 50_000 || budget > 950_000) {
        throw new Error(`stateBudgetBytes must be an integer from 50,000 to 950,000 (Lambda caps window state at 1 MB per shard), got ${budget}`);
    }
    if (!Number.isInteger(capacity) || capacity < 0 || capacity * SEEN_ENTRY_BYTES > budget / 2) {
        throw new Error(`dedupeCapacity must be an integer from 0 to ${Math.floor(budget / 2 / SEEN_ENTRY_BYTES)} (its ids may use at most half of stateBudgetBytes=${budget}), got ${capacity}`);
    }
    if (!Number.isInteger(maxDims) || maxDims < 2 || maxDims > 1000) {
        throw new Error(`maxDimensionValues must be an integer from 2 to 1000 (the tail beyond it folds into "other"), got ${maxDims}`);
    }
}

function shardOf(event: TumblingWindowEvent): string {
    if (event.shardId) return event.shardId;
    const id = event.Records[0]?.eventID ?? "";
    const colon = id.indexOf(":");
    return colon > 0 ? id.slice(0, colon) : "unknown";
}

async function emit(acc: WindowAccumulator, event: TumblingWindowEvent, settings: WindowSettings, deps: WindowDeps, partial: boolean): Promise<void> {
    const windowSeconds = Math.round((Date.parse(event.window.end) - Date.parse(event.window.start)) / 1000) || settings.specs[0].windowSeconds;
    const close: WindowClose = {
        windowStart: event.window.start,
        windowEnd: event.window.end,
        windowSeconds,
        shardId: shardOf(event),
        part: acc.part,
        partial,
        dedupeSaturated: acc.saturated,
        firstSeq: acc.firstSeq,
        emittedAt: new Date((deps.now ?? Date.now)()).toISOString(),
    };
    const rows: AggregateRow[] = [];
    const docs: EmfDocument[] = [];
    for (const spec of settings.specs) {
        const groups = acc.groups(spec.name);
        rows.push(...toAggregateRows(spec, groups, close));
        docs.push(...toEmfDocuments(spec, groups, settings.namespace, close, settings.maxDimensionValues ?? DEFAULT_MAX_DIMENSION_VALUES));
    }
    // Rows go to Firehose before metrics are printed: if Firehose fails, the invocation fails and
    // Lambda retries with the old state, and no metric datapoint was published twice.
    await deps.emitRows(rows);
    for (const doc of docs) deps.emitMetrics(doc);
    deps.log?.({
        msg: "window emitted", window_start: close.windowStart, shard_id: close.shardId, part: close.part, partial,
        rows: acc.rows, duplicates: acc.duplicates, dedupe_saturated: acc.saturated, aggregate_rows: rows.length,
    });
}

/** Processes one tumbling-window invocation. */
export async function processWindowEvent(event: TumblingWindowEvent, settings: WindowSettings, deps: WindowDeps): Promise<TumblingWindowResponse> {
    const budget = settings.stateBudgetBytes ?? DEFAULT_STATE_BUDGET_BYTES;
    const acc = new WindowAccumulator(settings.specs, settings, event.state as WindowState | undefined);
    const batchItemFailures: Array<{ itemIdentifier: string }> = [];

    for (const record of event.Records ?? []) {
        let rows: EventRow[];
        try {
            // The record's bytes go to the lake transform's normalize as they are: it decodes the
            // envelope and turns anything undecodable into a bad row, exactly as in the lake.
            rows = deps.normalize(Buffer.from(record.kinesis.data, "base64"));
        } catch (err) {
            // normalize never throws by contract; if it does (a bug), report this record and stop:
            // Lambda retries from it, and rows already folded are de-duplicated if they come again.
            deps.log?.({ msg: "normalize failed", sequence: record.kinesis.sequenceNumber, error: (err as Error).message });
            batchItemFailures.push({ itemIdentifier: record.kinesis.sequenceNumber });
            break;
        }
        if (acc.firstSeq === null) acc.firstSeq = record.kinesis.sequenceNumber;
        for (const row of rows) {
            acc.add(row);
            // Checked per row, not per record: one request may carry hundreds of events.
            if (acc.estimatedBytes() > budget) {
                await emit(acc, event, settings, deps, true);
                acc.startNextPart();
            }
        }
    }

    if (event.isFinalInvokeForWindow) {
        await emit(acc, event, settings, deps, acc.part > 0 || event.isWindowTerminatedEarly);
        return { state: {}, batchItemFailures };
    }
    const state = acc.toState();
    return { state: state as unknown as Record<string, unknown>, batchItemFailures };
}
