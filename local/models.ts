/**
 * The modeled tables over the local lake: runs models/run.ts (the SQL the stacks run on Athena) for one
 * event-time day on DuckDB, reading the lake's `events` Parquet files, and writes each model's rows of
 * that day to `LAKE_DIR/models/<model>/dt=<day>/<model>.parquet` (local/tables.ts MODEL_TABLES), the
 * file replaced atomically (temp file, fsync, rename). Re-running a day replaces its files, so a run
 * is idempotent and picks up late events; a model with no rows for the day has no file.
 *
 * Each run works in a fresh in-memory database: the model tables there hold only the day being run
 * (page_stats_daily reads the day's sessions, which the same run has just computed).
 * `clickstream models run` (cli/models.ts) and the pipeline's scheduler (local/modelScheduler.ts) call this.
 */
import { promises as fsp } from "fs";
import * as path from "path";
import { ModelRunResult, runModelsForDay } from "../models/run";
import { DATE_COLUMN, MODEL_NAMES, ModelConfig, ModelName, checkDay } from "../models/sql";
import type { StackConfig } from "../stacks/configRules";
import { loadLocalStackConfig } from "./config";
import { LocalDb, openDuckDb, sqlIdentifier, sqlString } from "./duckdb";
import { fsyncPath, tempPathFor } from "./parquet";
import { tableViewSql } from "./query";
import { EVENTS_TABLE, MODEL_TABLES } from "./tables";

/**
 * The model settings of the stack file the local pipeline mirrors (clickstream:sessionTimeoutMinutes,
 * clickstream:modelsFunnels), so local sessions and funnels match the dev stack's. Arrival pruning
 * (modelsLateArrivalDays) keeps the models' default locally: a replay of an old recording arrives
 * days after its events, and reading every arrival partition costs little on one machine.
 */
export function localModelConfig(stack: Pick<StackConfig, "models">): ModelConfig {
    return { sessionGapMinutes: stack.models.sessionTimeoutMinutes, funnels: stack.models.funnels };
}

/** localModelConfig of the stack file (default Pulumi.dev.yaml): what `clickstream models run` and `erase --local` re-run the models with. */
export function stackFileModelConfig(stackFile?: string): ModelConfig {
    return localModelConfig(loadLocalStackConfig({ stackFile }).stack);
}

export interface LocalModelRunOptions {
    /** DuckDB threads for the run. Defaults to DuckDB's default (one per core). */
    threads?: number;
}

/** The Parquet file holding `model`'s rows of `day`. */
export function modelDayFile(lakeDir: string, model: ModelName, day: string): string {
    return path.join(lakeDir, MODEL_TABLES[model].folder, `dt=${day}`, `${model}.parquet`);
}

/**
 * Runs every model for event-time `day` over the lake at `lakeDir` and replaces the day's model files.
 * Returns the rows written per model, every model in MODEL_NAMES order (0: the day has no file).
 */
export async function runLocalModelsForDay(lakeDir: string, day: string, config: ModelConfig = {}, options: LocalModelRunOptions = {}): Promise<ModelRunResult[]> {
    checkDay(day);
    const db = await openDuckDb();
    try {
        if (options.threads !== undefined) await db.run(`SET threads = ${Math.max(1, Math.floor(options.threads))}`);
        // Only the events view: the model tables are created by runModelsForDay in this database.
        await db.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(EVENTS_TABLE.name)} AS ${await tableViewSql(lakeDir, EVENTS_TABLE)}`);
        const ran = await runModelsForDay(db, day, { ...config, eventsTable: EVENTS_TABLE.name, arrivalFilter: "dt" });
        // Every model, in order: funnel_daily has no statements without funnels, and then no rows (an old file goes).
        const results = MODEL_NAMES.map((model) => ran.find((r) => r.model === model) ?? { model, rows: 0 });
        for (const r of results) await replaceModelDay(db, lakeDir, r.model, day, r.rows);
        return results;
    } finally {
        await db.close();
    }
}

/** Writes `model`'s rows of `day` from the run's database over the day's file (or removes it when there are none). */
async function replaceModelDay(db: LocalDb, lakeDir: string, model: ModelName, day: string, rows: number): Promise<void> {
    const file = modelDayFile(lakeDir, model, day);
    const dir = path.dirname(file);
    if (rows === 0) {
        await fsp.rm(file, { force: true });
        await fsp.rmdir(dir).catch(() => undefined); // only when empty; a leftover folder is harmless
        return;
    }
    await fsp.mkdir(dir, { recursive: true });
    const tmp = tempPathFor(file, ".parquet.tmp");
    const columns = MODEL_TABLES[model].columns.map((c) => sqlIdentifier(c.name)).join(", ");
    try {
        // Ordered by every column, so a re-run over the same events writes the same file.
        await db.run(`COPY (SELECT ${columns} FROM ${sqlIdentifier(model)} WHERE ${DATE_COLUMN} = DATE ${sqlString(day)} ORDER BY ALL) ` +
            `TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`);
        await fsyncPath(tmp);
        await fsp.rename(tmp, file);
    } finally {
        await fsp.rm(tmp, { force: true });
    }
    await fsyncPath(dir);
}

/** Every day from `from` to `to`, inclusive (both checked). Throws naming the flags when `to` is before `from`. */
export function daysBetween(from: string, to: string, maxDays = 366): string[] {
    checkDay(from);
    checkDay(to);
    const first = Date.parse(`${from}T00:00:00Z`);
    const last = Date.parse(`${to}T00:00:00Z`);
    if (last < first) throw new Error(`--to ${to} is before --from ${from}; pass --from <first day> --to <last day>`);
    const count = (last - first) / 86_400_000 + 1;
    if (count > maxDays) throw new Error(`--from ${from} --to ${to} covers ${count} days; run at most ${maxDays} days at a time`);
    return Array.from({ length: count }, (_, i) => new Date(first + i * 86_400_000).toISOString().slice(0, 10));
}
