/**
 * The local pipeline's tumbling windows and anomaly alerts: the SAME aggregator as the window Lambda
 * (dataplane/analytics/aggregator.ts WindowAccumulator, output.ts toAggregateRows) over the dev stack's
 * specs, writing the aggregates table as Parquet, and the anomaly detector (through local/anomaly.ts)
 * flagging the metrics the stacks alarm on; alerts go to the lake, the console and a webhook.
 *
 * Time. Windows follow EVENT time by default: a row belongs to the window of its event_time (the
 * transform's clock-skew-corrected time), or of received_at when it has none (bad rows) or when its
 * event_time lies more than 5 minutes after received_at (a client clock far ahead must not push the
 * watermark). A window closes once the watermark passes its end, where
 *     watermark = max(latest event time seen, the clock given to advance()) - allowedLatenessMs.
 * The pipeline passes the wall clock to advance() for live traffic, so windows close `allowedLatenessMs`
 * after they end even when no event arrives (a quiet minute is a count of 0, scored as such), and the
 * latest arrival time of the delivered requests during a replay, so a replayed day closes its 1,440
 * windows as fast as its rows go through (seconds), in event-time order.
 * With `timeBasis: "arrival"` rows are windowed by their request's arrival time instead, as the window
 * Lambda does (Kinesis arrival time): live dashboards that must match the stacks' CloudWatch metrics.
 *
 * Late rows (their window already closed) are never dropped: they are folded into a new part of the
 * window (part + 1, partial = true), emitted at the next advance(), de-duplicated by event_id against the
 * window's earlier parts while the window is within `lateHorizonMs` of the watermark. Readers sum parts,
 * as they sum shards and parts in the stacks. Late parts are not scored: the detector saw the window.
 *
 * Detector series: one per alerted metric (default: the stacks' alarms, stacks/pipeline.ts: the roll-up
 * over all groups of events_per_minute.count and purchase_price_by_group.avg_price), fed in window order.
 * A window without events is 0 for a count metric; for avg/min/max it has no value and is skipped. A gap
 * longer than one season (e.g. the pipeline was off for a day) restarts the series instead of feeding a
 * day of zeros. Windows and detector state live in memory: a restart starts new series (warm-up again),
 * and the open windows of requests already delivered before a crash are not rebuilt.
 */
import * as path from "path";
import { WindowAccumulator, mergeGroups, metricValue } from "../dataplane/analytics/aggregator";
import { murmur3 } from "../dataplane/analytics/hll";
import { AggregateRow, WindowClose, toAggregateRows } from "../dataplane/analytics/output";
import { WindowSpec, metricNameOf } from "../dataplane/analytics/spec";
import type { EventRow } from "../dataplane/schema";
import { parseIso } from "../dataplane/transform/fields";
import { AlertRow, WebhookSink, alertText } from "./alerts";
import { AnomalyEpisode, MetricScorer, ScorerOptions, createMetricScorer } from "./anomaly";
import type { LocalDb } from "./duckdb";
import { writeParquetAtomic } from "./parquet";
import { AGGREGATES_TABLE, ALERTS_TABLE } from "./tables";

/** A metric the detector watches: the roll-up over all groups of `spec`'s `metric`. */
export interface AlertedMetric {
    spec: string;
    metric: string;
}

/** The metrics the stacks alarm on (stacks/pipeline.ts deployWindows), when their specs are configured. */
export const STACK_ALERTED_METRICS: readonly AlertedMetric[] = [
    { spec: "events_per_minute", metric: "count" },
    { spec: "purchase_price_by_group", metric: "avg_price" },
];

export interface LocalWindowsOptions {
    /** The lake folder; aggregates go to <lakeDir>/aggregates/, alerts to <lakeDir>/alerts/. */
    lakeDir: string;
    /** Window specs (the dev stack's: stacks/defaults.ts STACK_WINDOW_SPECS). */
    specs: WindowSpec[];
    /** Database the Parquet files are written with. */
    db: LocalDb;
    /** POST alerts here as JSON; https://, or http:// to localhost. Defaults to none. */
    webhookUrl?: string;
    /** Webhook retry tuning (tests). Defaults to 4 attempts, 500 ms back-off doubling, 5 s timeout. */
    webhook?: { attempts?: number; backoffMs?: number; timeoutMs?: number };
    /** Console lines (alerts, write errors). */
    log: (line: string) => void;
    /** "event" (default): window by event time; "arrival": by the request's arrival time, as the window Lambda. */
    timeBasis?: "event" | "arrival";
    /** How long after a window ends rows may still arrive before it closes. Defaults to 30,000 ms. */
    allowedLatenessMs?: number;
    /** How long a closed window remembers its event ids to de-duplicate late rows. Defaults to 1 hour. */
    lateHorizonMs?: number;
    /** Event ids remembered per window for de-duplication. Defaults to 200,000. */
    dedupeCapacity?: number;
    /** Metrics scored by the detector. Defaults to STACK_ALERTED_METRICS (those whose spec is configured). */
    alertedMetrics?: readonly AlertedMetric[];
    /** Detector settings; seasonPeriod defaults to one day of windows (1,440 for 60-second windows). */
    detector?: Partial<ScorerOptions>;
    /** Wall clock for emitted_at / detected_at. Defaults to Date.now. */
    now?: () => number;
}

/** A client clock this far ahead of the server is not trusted for windowing (received_at is used). */
export const MAX_EVENT_AHEAD_MS = 5 * 60_000;
/** How long after a window ends rows may still arrive before it closes (LocalWindowsOptions.allowedLatenessMs). */
export const DEFAULT_ALLOWED_LATENESS_MS = 30_000;

/**
 * The event-time watermark (module comment): everything ending at or before it is closed. The model
 * scheduler (local/modelScheduler.ts) closes event-time days by the same rule.
 */
export function eventTimeWatermark(clockMs: number, maxEventMs: number, allowedLatenessMs: number): number {
    return Math.max(clockMs, maxEventMs) - allowedLatenessMs;
}
let lastReceived = { text: "", ms: NaN };

/**
 * A row's event time as the windows and the model scheduler count it: event_time, unless missing or
 * more than MAX_EVENT_AHEAD_MS after the row's arrival (received_at, else the request's arrival).
 */
export function eventTimeOf(row: EventRow, arrivalMs: number): number {
    // parseIso: the transform's own ISO-8601 reader (Date.parse for other shapes), ~5x faster than
    // Date.parse on the transform's "YYYY-MM-DDTHH:MM:SS.sssZ"; this runs twice per row in a delivery.
    // The rows of one request share received_at: the last one read is remembered.
    if (row.received_at !== lastReceived.text) lastReceived = { text: row.received_at, ms: parseIso(row.received_at) };
    const received = lastReceived.ms;
    const reference = Number.isFinite(received) ? received : arrivalMs;
    const event = row.event_time === null ? NaN : parseIso(row.event_time);
    return Number.isFinite(event) && event <= reference + MAX_EVENT_AHEAD_MS ? event : reference;
}

/** Shard id of local aggregate rows: one process, one "shard". */
export const LOCAL_SHARD_ID = "local";

interface WindowPart {
    startMs: number;
    acc: WindowAccumulator;
    /** Part number the accumulator's current contents will be emitted as. */
    part: number;
    /** Rows were added since the last emit (late parts only). */
    dirty: boolean;
    /** Set for late parts of windows no longer remembered: keeps their aggregate ids unique. */
    firstSeq: string | null;
}

/** One window length and the specs that use it. */
class WindowGroup {
    readonly open = new Map<number, WindowPart>();
    /** Closed windows kept for late rows (their accumulators keep the seen event ids). */
    readonly closed = new Map<number, WindowPart>();
    /** Every window ending at or before this has closed. */
    closedUpTo = -Infinity;
    /** Start of the last window fed to the detectors. */
    lastScoredStart: number | undefined;
    readonly scorers = new Map<string, MetricScorer>();
    constructor(readonly seconds: number, readonly specs: WindowSpec[], readonly alerted: Array<{ spec: WindowSpec; metric: AlertedMetric; index: number }>) {}
    get lengthMs(): number { return this.seconds * 1000; }
}

export class LocalWindows {
    private readonly groups: WindowGroup[] = [];
    private readonly lateness: number;
    private readonly lateHorizon: number;
    private readonly dedupeCapacity: number;
    private readonly now: () => number;
    private readonly webhook: WebhookSink | undefined;
    private maxEventMs = -Infinity;
    private pendingAggregates: AggregateRow[] = [];
    private pendingAlerts: AlertRow[] = [];
    private fileSeq = 0;
    private counts = { aggregatesWritten: 0, alerts: 0, lateRows: 0, duplicates: 0 };

    constructor(private readonly opts: LocalWindowsOptions) {
        this.lateness = opts.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
        this.lateHorizon = opts.lateHorizonMs ?? 3_600_000;
        this.dedupeCapacity = opts.dedupeCapacity ?? 200_000;
        this.now = opts.now ?? Date.now;
        if (!(this.lateness >= 0)) throw new Error(`allowedLatenessMs must be >= 0, got ${opts.allowedLatenessMs}`);
        if (opts.timeBasis !== undefined && opts.timeBasis !== "event" && opts.timeBasis !== "arrival") throw new Error(`timeBasis must be "event" or "arrival", got ${JSON.stringify(opts.timeBasis)}`);
        const alerted = opts.alertedMetrics ?? STACK_ALERTED_METRICS.filter((m) => opts.specs.some((s) => s.name === m.spec));
        for (const m of alerted) {
            const spec = opts.specs.find((s) => s.name === m.spec);
            if (!spec) throw new Error(`alertedMetrics: spec "${m.spec}" is not one of the window specs (${opts.specs.map((s) => s.name).join(", ")})`);
            if (!spec.metrics.some((x) => metricNameOf(x) === m.metric)) throw new Error(`alertedMetrics: spec "${m.spec}" has no metric "${m.metric}" (it has ${spec.metrics.map(metricNameOf).join(", ")})`);
        }
        for (const seconds of [...new Set(opts.specs.map((s) => s.windowSeconds))]) {
            const specs = opts.specs.filter((s) => s.windowSeconds === seconds);
            const group = new WindowGroup(seconds, specs, alerted.flatMap((m) => {
                const spec = specs.find((s) => s.name === m.spec);
                return spec ? [{ spec, metric: m, index: spec.metrics.findIndex((x) => metricNameOf(x) === m.metric) }] : [];
            }));
            this.groups.push(group);
        }
        this.webhook = opts.webhookUrl ? new WebhookSink({ url: opts.webhookUrl, log: opts.log, ...opts.webhook }) : undefined;
    }

    /** The time a row is windowed by (see the module comment). */
    private timeOf(row: EventRow, arrivalMs: number): number {
        return this.opts.timeBasis === "arrival" ? arrivalMs : eventTimeOf(row, arrivalMs);
    }

    /** Rows as the transform emitted them, with their request's arrival time. */
    addRows(rows: readonly EventRow[], arrivalMs: number): void {
        for (const row of rows) {
            const t = this.timeOf(row, arrivalMs);
            if (t > this.maxEventMs) this.maxEventMs = t;
            for (const g of this.groups) {
                const start = Math.floor(t / g.lengthMs) * g.lengthMs;
                let part: WindowPart | undefined;
                if (start + g.lengthMs <= g.closedUpTo) {
                    // Late: a new part of a closed window (de-duplicated against its earlier parts while remembered).
                    part = g.closed.get(start);
                    if (!part) {
                        part = { startMs: start, acc: this.accumulator(g), part: 1, dirty: false, firstSeq: `late@${this.now()}` };
                        g.closed.set(start, part);
                    }
                    if (part.acc.add(row)) { part.dirty = true; this.counts.lateRows++; } else this.counts.duplicates++;
                    continue;
                }
                part = g.open.get(start);
                if (!part) {
                    part = { startMs: start, acc: this.accumulator(g), part: 0, dirty: true, firstSeq: null };
                    g.open.set(start, part);
                }
                if (!part.acc.add(row)) this.counts.duplicates++;
            }
        }
    }

    private accumulator(g: WindowGroup): WindowAccumulator {
        return new WindowAccumulator(g.specs, { dedupeCapacity: this.dedupeCapacity });
    }

    /**
     * Closes the windows whose end is at or before the watermark (module comment; `clockMs` is the wall
     * clock for live traffic, the latest delivered arrival for a replay), scores them, and writes the
     * aggregates and alerts. Call it on every tick, also when nothing was delivered, so quiet windows close.
     */
    async advance(clockMs: number): Promise<void> {
        const watermark = eventTimeWatermark(clockMs, this.maxEventMs, this.lateness);
        const emittedAt = this.now();
        for (const g of this.groups) this.closeUpTo(g, Math.floor(watermark / g.lengthMs) * g.lengthMs, emittedAt);
        for (const g of this.groups) this.emitLateParts(g, watermark, emittedAt);
        await this.writePending(emittedAt);
    }

    /** Flushes every open window and late part (shutdown, end of a replay), and waits for webhook deliveries. */
    async close(): Promise<void> {
        const emittedAt = this.now();
        for (const g of this.groups) {
            const lastOpen = Math.max(-Infinity, ...g.open.keys());
            if (lastOpen > -Infinity) this.closeUpTo(g, lastOpen + g.lengthMs, emittedAt);
            this.emitLateParts(g, Infinity, emittedAt);
            this.flushEpisodes(g, emittedAt);
        }
        await this.writePending(emittedAt, true);
        await this.webhook?.drain();
    }

    stats(): { openWindows: number; aggregatesWritten: number; alerts: number; lateRows: number; duplicates: number } {
        return { openWindows: this.groups.reduce((n, g) => n + g.open.size, 0), ...this.counts };
    }

    /** Closes (emits and scores) every window of `g` ending at or before `endMs`, in window order. */
    private closeUpTo(g: WindowGroup, endMs: number, emittedAt: number): void {
        if (endMs <= g.closedUpTo) return;
        const due = [...g.open.keys()].filter((s) => s + g.lengthMs <= endMs).sort((a, b) => a - b);
        for (const start of due) {
            const part = g.open.get(start)!;
            g.open.delete(start);
            this.scoreGapUpTo(g, start, emittedAt);
            this.emit(g, part, emittedAt);
            this.score(g, start, part.acc, emittedAt);
            part.acc.startNextPart();
            part.part++;
            part.dirty = false;
            g.closed.set(start, part);
        }
        // Quiet windows up to the watermark are closed too: 0 for count metrics.
        if (g.lastScoredStart !== undefined) this.scoreGapUpTo(g, endMs, emittedAt);
        g.closedUpTo = endMs;
    }

    /** Feeds the empty windows between the last scored one and `beforeStart` (exclusive) to the detectors. */
    private scoreGapUpTo(g: WindowGroup, beforeStart: number, emittedAt: number): void {
        if (g.lastScoredStart === undefined || g.alerted.length === 0) return;
        const missing = Math.round((beforeStart - g.lastScoredStart) / g.lengthMs) - 1;
        if (missing <= 0) return;
        const season = this.seasonPeriod(g);
        if (missing > season) {
            this.opts.log(`windows: no ${g.seconds}-second windows for ${missing} windows (more than one season): anomaly series restart and warm up again`);
            this.flushEpisodes(g, emittedAt);
            g.scorers.clear();
            g.lastScoredStart = undefined;
            return;
        }
        const empty = this.accumulator(g);
        for (let s = g.lastScoredStart + g.lengthMs; s < beforeStart; s += g.lengthMs) this.score(g, s, empty, emittedAt);
    }

    private seasonPeriod(g: WindowGroup): number {
        return this.opts.detector?.seasonPeriod ?? Math.max(1, Math.round(86_400 / g.seconds));
    }

    private scorer(g: WindowGroup, key: string): MetricScorer {
        let s = g.scorers.get(key);
        if (!s) {
            s = createMetricScorer({ ...this.opts.detector, seasonPeriod: this.seasonPeriod(g) });
            g.scorers.set(key, s);
        }
        return s;
    }

    /**
     * Scores the roll-up of each alerted metric for one window. Consecutive flagged windows are one
     * episode (local/anomaly.ts); its alert is raised when the episode closes (the next window that is
     * not flagged, a series restart, or shutdown), carrying its start, end, peak and expected band.
     */
    private score(g: WindowGroup, start: number, acc: WindowAccumulator, emittedAt: number): void {
        g.lastScoredStart = start;
        for (const { spec, metric, index } of g.alerted) {
            const rollup = mergeGroups(spec, [], acc.groups(spec.name));
            const value = metricValue(spec.metrics[index].kind, rollup.metrics[index]);
            if (value === null) continue; // avg/min/max of a window without values: no datapoint
            const { verdict, opened, closed } = this.scorer(g, `${spec.name}.${metric.metric}`).score(value, start);
            if (closed) this.raise(g, spec.name, metric.metric, closed, emittedAt);
            // The alert waits for the episode's end; say at once that one started.
            if (opened) this.opts.log(`anomaly started: ${spec.name}.${metric.metric} (all groups) window ${new Date(start).toISOString()}: ${value}, expected ${verdict.expected.toFixed(2)} (z ${verdict.score.toFixed(1)}); the alert follows when the episode ends`);
        }
    }

    /** Closes every open episode of `g` (series restart, shutdown). */
    private flushEpisodes(g: WindowGroup, emittedAt: number): void {
        for (const [key, scorer] of g.scorers) {
            const closed = scorer.flush();
            if (closed) this.raise(g, key.slice(0, key.lastIndexOf(".")), key.slice(key.lastIndexOf(".") + 1), closed, emittedAt);
        }
    }

    /** One alert for one episode: to the lake (at the next write), the console and the webhook. */
    private raise(g: WindowGroup, spec: string, metric: string, e: AnomalyEpisode, emittedAt: number): void {
        const windowStart = new Date(e.firstStartMs).toISOString();
        const alert: AlertRow = {
            alert_id: alertId(spec, metric, windowStart),
            spec,
            metric,
            group_values: {},
            window_start: windowStart,
            window_end: new Date(e.lastStartMs + g.lengthMs).toISOString(),
            flagged_windows: e.windows,
            peak_window_start: new Date(e.peak.startMs).toISOString(),
            value: e.peak.value,
            expected: e.peak.expected,
            expected_lower: e.peak.lower,
            expected_upper: e.peak.upper,
            score: e.peak.score,
            direction: e.direction,
            detected_at: new Date(emittedAt).toISOString(),
        };
        this.pendingAlerts.push(alert);
        this.counts.alerts++;
        this.opts.log(alertText(alert));
        this.webhook?.send(alert);
    }

    /** Aggregate rows of one window part (every spec of the group). */
    private emit(g: WindowGroup, part: WindowPart, emittedAt: number): void {
        const close: WindowClose = {
            windowStart: new Date(part.startMs).toISOString(),
            windowEnd: new Date(part.startMs + g.lengthMs).toISOString(),
            windowSeconds: g.seconds,
            shardId: LOCAL_SHARD_ID,
            part: part.part,
            partial: part.part > 0,
            dedupeSaturated: part.acc.saturated,
            firstSeq: part.firstSeq,
            emittedAt: new Date(emittedAt).toISOString(),
        };
        for (const spec of g.specs) this.pendingAggregates.push(...toAggregateRows(spec, part.acc.groups(spec.name), close));
    }

    /** Emits the late parts that got rows, and forgets closed windows beyond the late horizon. */
    private emitLateParts(g: WindowGroup, watermark: number, emittedAt: number): void {
        for (const [start, part] of g.closed) {
            if (part.dirty) {
                this.emit(g, part, emittedAt);
                part.acc.startNextPart();
                part.part++;
                part.dirty = false;
            }
            if (start + g.lengthMs < watermark - this.lateHorizon) g.closed.delete(start);
        }
    }

    /** Writes pending aggregates and alerts; on failure keeps them for the next call (and throws on `final`). */
    private async writePending(emittedAt: number, final = false): Promise<void> {
        const iso = new Date(emittedAt).toISOString();
        const dt = iso.slice(0, 10);
        const hour = iso.slice(11, 13);
        const stamp = iso.replace(/[-:.]/g, "");
        try {
            if (this.pendingAggregates.length > 0) {
                const rows = this.pendingAggregates;
                const file = path.join(this.opts.lakeDir, AGGREGATES_TABLE.folder, `dt=${dt}`, `hour=${hour}`, `${stamp}-${process.pid}-${this.fileSeq++}.parquet`);
                await writeParquetAtomic(this.opts.db, file, AGGREGATES_TABLE.columns, rows);
                this.pendingAggregates = [];
                this.counts.aggregatesWritten += rows.length;
            }
            if (this.pendingAlerts.length > 0) {
                const file = path.join(this.opts.lakeDir, ALERTS_TABLE.folder, `dt=${dt}`, `${stamp}-${process.pid}-${this.fileSeq++}.parquet`);
                await writeParquetAtomic(this.opts.db, file, ALERTS_TABLE.columns, this.pendingAlerts);
                this.pendingAlerts = [];
            }
        } catch (e) {
            const message = `windows: could not write ${this.pendingAggregates.length} aggregate rows / ${this.pendingAlerts.length} alerts to ${this.opts.lakeDir} (${e instanceof Error ? e.message : String(e)}); kept in memory, retried at the next tick`;
            this.opts.log(message);
            if (final) throw new Error(message);
        }
    }
}

/** Deterministic id of an alert: a re-run over the same window repeats it. */
export function alertId(spec: string, metric: string, windowStart: string): string {
    const text = `${spec}|${metric}|${windowStart}`;
    return murmur3(text, 11).toString(16).padStart(8, "0") + murmur3(text, 12).toString(16).padStart(8, "0");
}
