/**
 * Runs the modeled tables (local/models.ts) from the local pipeline, in event time, as the stacks'
 * schedule runs them on Athena once a day is over:
 *
 * - After each committed delivery, the pipeline hands over what the delivery worker noted from the rows
 *   it wrote (modelDaysOf): their good rows' event-time days (UTC date of event_time) become pending,
 *   and their latest event time moves the watermark, by the windows' rule (local/windows.ts `eventTimeWatermark`: max(latest event time,
 *   clock) minus the allowed lateness, with event times more than MAX_EVENT_AHEAD_MS after arrival
 *   counted at arrival). The clock is the wall clock live and the latest arrival in a replay.
 * - A pending day is run once the watermark passes its end. Late events landing in a day already run
 *   make it pending again, and the watermark is past it, so it is run again (runs are idempotent).
 * - Running day D also re-runs D-1 when D-1 was run before: a session of D-1 that crosses midnight
 *   continues into D, so D-1's sessions are final only once D is.
 * - At the end of a replay, close() runs every pending day (the recording is complete), as the windows
 *   flush their open windows; a live shutdown leaves the days not yet over pending for the next start.
 *
 * Pending and run days are kept in LAKE_DIR/models/_schedule.json (atomically replaced), so a restart
 * keeps the days still to run. Runs happen one at a time, beside the deliveries (never blocking them).
 * A failed run keeps the day pending and is retried after RETRY_MS.
 */
import { promises as fsp } from "fs";
import * as path from "path";
import type { ModelRunResult } from "../models/run";
import { ModelConfig, addDays } from "../models/sql";
import { LocalModelRunOptions, runLocalModelsForDay } from "./models";
import { writeFileAtomic } from "./parquet";
import type { DeliveredDays } from "./modelDays";
import { MODELS_FOLDER } from "./tables";
import { DEFAULT_ALLOWED_LATENESS_MS, eventTimeWatermark } from "./windows";

/** The scheduler's state file inside LAKE_DIR. */
export const SCHEDULE_FILE = path.join(MODELS_FOLDER, "_schedule.json");
const DAY_MS = 86_400_000;
const RETRY_MS = 30_000;

export interface ModelSchedulerOptions {
    lakeDir: string;
    /** Model configuration (session gap, funnels). Defaults to models/sql.ts defaults. */
    config?: ModelConfig;
    log: (line: string) => void;
    /** Lateness added to a day's end before it is run. Defaults to the windows' (30 s). */
    allowedLatenessMs?: number;
    /** DuckDB threads for the runs. Defaults to DuckDB's default. */
    threads?: number;
    /** Runs one day (tests). Defaults to runLocalModelsForDay. */
    runDay?: (day: string) => Promise<ModelRunResult[]>;
}

export interface ModelSchedulerStats {
    /** Days with events not yet modeled since they arrived. */
    pendingDays: number;
    /** Day runs done by this process (re-runs included). */
    runs: number;
    /** Distinct days run by this process. */
    days: number;
    /** Latest day run. */
    lastDay?: string;
}

interface ScheduleState {
    pending: string[];
    modeled: string[];
}

export class ModelScheduler {
    private readonly pending = new Set<string>();
    private readonly modeled = new Set<string>();
    private readonly lateness: number;
    private readonly runDay: (day: string) => Promise<ModelRunResult[]>;
    /** Deliveries not yet noted: applied between runs, so a day's late events re-open it after its run. */
    private readonly newDeliveries: DeliveredDays[] = [];
    private clockMs = -Infinity;
    private maxEventMs = -Infinity;
    private retryAt = 0;
    private runs = 0;
    private lastDay: string | undefined;
    private readonly daysRun = new Set<string>();
    private pumping: Promise<void> | undefined;
    private closed = false;

    private constructor(private readonly opts: ModelSchedulerOptions, state: ScheduleState) {
        this.lateness = opts.allowedLatenessMs ?? DEFAULT_ALLOWED_LATENESS_MS;
        const runOptions: LocalModelRunOptions = { threads: opts.threads };
        this.runDay = opts.runDay ?? ((day) => runLocalModelsForDay(opts.lakeDir, day, opts.config, runOptions));
        for (const d of state.pending) this.pending.add(d);
        for (const d of state.modeled) this.modeled.add(d);
    }

    /** Reads the state file (none: nothing pending) and returns a scheduler. */
    static async start(opts: ModelSchedulerOptions): Promise<ModelScheduler> {
        const file = path.join(opts.lakeDir, SCHEDULE_FILE);
        let state: ScheduleState = { pending: [], modeled: [] };
        try {
            const parsed = JSON.parse(await fsp.readFile(file, "utf8")) as Partial<ScheduleState>;
            const days = (v: unknown) => (Array.isArray(v) ? v.filter((d): d is string => typeof d === "string" && /^\d{4}-\d{2}-\d{2}$/.test(d)) : []);
            state = { pending: days(parsed.pending), modeled: days(parsed.modeled) };
        } catch (e) {
            if ((e as NodeJS.ErrnoException).code !== "ENOENT") {
                opts.log(`models: ${file} is unreadable (${(e as Error).message}); starting with no pending days. Fix: run \`clickstream models run --from <day> --to <day>\` for the days since the last run`);
            }
        }
        const scheduler = new ModelScheduler(opts, state);
        if (state.pending.length > 0) opts.log(`models: ${state.pending.length} day(s) pending from the last run (${state.pending.slice(0, 5).join(", ")}${state.pending.length > 5 ? ", ..." : ""})`);
        return scheduler;
    }

    /** A committed delivery's event-time days and latest event time (modelDaysOf); taken in between runs. */
    delivered(summary: DeliveredDays): void {
        this.newDeliveries.push(summary);
        this.kick();
    }

    /** Moves the clock (wall clock live, latest arrival in a replay) and runs the days now due. */
    advance(clockMs: number): void {
        if (clockMs > this.clockMs) this.clockMs = clockMs;
        this.kick();
    }

    /**
     * Waits for the running work, runs every pending day whatever the watermark when `runPending` (the
     * end of a replay: the recording is complete), else leaves them pending in the state file (a live
     * shutdown: those days are not over).
     */
    async close(runPending = true): Promise<void> {
        if (this.closed) return;
        await this.idle();
        this.closed = true;
        await this.noteDeliveries();
        this.retryAt = 0;
        if (runPending) await this.runDays([...this.pending]);
    }

    /** Resolves once the work started so far (noting deliveries, due runs) is done. */
    async idle(): Promise<void> {
        while (this.pumping) await this.pumping;
    }

    stats(): ModelSchedulerStats {
        return { pendingDays: this.pending.size, runs: this.runs, days: this.daysRun.size, lastDay: this.lastDay };
    }

    /** The event-time watermark: days ending at or before it are due. */
    watermark(): number {
        return eventTimeWatermark(this.clockMs, this.maxEventMs, this.lateness);
    }

    private kick(): void {
        if (this.closed || this.pumping) return;
        this.pumping = this.pump().finally(() => {
            this.pumping = undefined;
        });
    }

    private async pump(): Promise<void> {
        for (;;) {
            if (this.newDeliveries.length > 0) {
                await this.noteDeliveries();
                continue;
            }
            const watermark = this.watermark();
            const due = [...this.pending].filter((d) => Date.parse(`${d}T00:00:00Z`) + DAY_MS <= watermark);
            if (due.length === 0 || Date.now() < this.retryAt || this.closed) return;
            if (!(await this.runDays(due))) return;
        }
    }

    /** Makes the days of the deliveries since the last call pending and moves the latest event time. */
    private async noteDeliveries(): Promise<void> {
        let changed = false;
        for (const { days, latestMs } of this.newDeliveries.splice(0)) {
            if (latestMs > this.maxEventMs) this.maxEventMs = latestMs;
            for (const d of days) {
                if (this.pending.has(d)) continue;
                this.pending.add(d);
                changed = true;
            }
        }
        if (changed) await this.saveState();
    }

    /** Runs `days` (and the day before each, when it was run before) in date order. Returns false on a failure. */
    private async runDays(days: readonly string[]): Promise<boolean> {
        if (days.length === 0) return true;
        const toRun = new Set(days);
        for (const d of days) if (this.modeled.has(addDays(d, -1))) toRun.add(addDays(d, -1));
        for (const day of [...toRun].sort()) {
            const started = Date.now();
            try {
                const results = await this.runDay(day);
                this.opts.log(`models: ${day}: ${results.map((r) => `${r.model} ${r.rows}`).join(", ")} rows (${((Date.now() - started) / 1000).toFixed(1)} s)`);
            } catch (e) {
                this.retryAt = Date.now() + RETRY_MS;
                this.opts.log(`models: ${day} failed, kept pending and retried in ${RETRY_MS / 1000} s: ${(e as Error).message}`);
                return false;
            }
            this.pending.delete(day);
            this.modeled.add(day);
            this.runs++;
            this.daysRun.add(day);
            this.lastDay = day;
            await this.saveState();
        }
        return true;
    }

    private async saveState(): Promise<void> {
        const state: ScheduleState = { pending: [...this.pending].sort(), modeled: [...this.modeled].sort() };
        try {
            await writeFileAtomic(path.join(this.opts.lakeDir, SCHEDULE_FILE), JSON.stringify(state) + "\n");
        } catch (e) {
            this.opts.log(`models: could not save ${SCHEDULE_FILE} (${(e as Error).message}); a restart may forget pending days`);
        }
    }
}
