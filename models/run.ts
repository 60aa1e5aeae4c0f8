/**
 * Runs the modeled tables for one event-time day on a DuckDB-like database (the local pipeline's
 * LocalDb fits): creates the tables if needed, then per model deletes the day and inserts it again in
 * one transaction, so a re-run replaces the day and a failed run leaves the previous rows.
 */
import { DATE_COLUMN, ModelConfig, ModelName, modelDayStatements, modelTableStatements } from "./sql";

/** The part of local/duckdb.ts LocalDb the runner needs. */
export interface ModelDb {
    run(sql: string): Promise<void>;
    all<T = Record<string, unknown>>(sql: string): Promise<T[]>;
}

export interface ModelRunResult {
    model: ModelName;
    /** Rows of the model for the day after the run (for funnels: of all funnels so far). */
    rows: number;
}

export async function runModelsForDay(db: ModelDb, day: string, config: ModelConfig = {}): Promise<ModelRunResult[]> {
    const days = modelDayStatements("duckdb", day, config);
    for (const create of modelTableStatements("duckdb", config)) await db.run(create);
    const results: ModelRunResult[] = [];
    for (const s of days) {
        await db.run("BEGIN TRANSACTION");
        try {
            await db.run(s.delete);
            await db.run(s.insert);
            await db.run("COMMIT");
        } catch (err) {
            await db.run("ROLLBACK");
            throw new Error(`models: ${s.model} for ${day} failed, the day's previous rows are kept: ${(err as Error).message}`);
        }
        const [{ n }] = await db.all<{ n: number | bigint }>(`SELECT COUNT(*) AS n FROM ${s.model} WHERE ${DATE_COLUMN} = DATE '${day}'`);
        const prev = results.find((r) => r.model === s.model);
        if (prev) prev.rows = Number(n);
        else results.push({ model: s.model, rows: Number(n) });
    }
    return results;
}
