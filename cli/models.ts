/**
 * `clickstream models run --day YYYY-MM-DD | --from D --to D [--lake-dir DIR]`: runs the modeled tables
 * (sessions, daily_users, page_stats_daily, funnel_daily) for event-time days over the local lake, on
 * demand (local/models.ts). `clickstream local` runs them itself as days close (local/modelScheduler.ts).
 */
import { promises as fsp } from "fs";
import * as path from "path";
import { Command } from "commander";

export interface ModelsRunFlags {
    day?: string;
    from?: string;
    to?: string;
    lakeDir?: string;
    sessionGap?: string;
    stackFile?: string;
}

/** The days the flags ask for; throws naming the flag and the fix. */
export function daysFromFlags(flags: ModelsRunFlags): string[] {
    const { checkDay } = require("../models/sql") as typeof import("../models/sql");
    const { daysBetween } = require("../local/models") as typeof import("../local/models");
    const flagged = (flag: string, fn: () => string[]) => {
        try {
            return fn();
        } catch (e) {
            throw new Error(`${flag}: ${(e as Error).message.replace(/^models: /, "")}`);
        }
    };
    if (flags.day !== undefined) {
        if (flags.from !== undefined || flags.to !== undefined) throw new Error("give either --day or --from/--to, not both");
        return flagged("--day", () => [checkDay(flags.day!)]);
    }
    if (flags.from === undefined && flags.to === undefined) throw new Error("no day given: pass --day YYYY-MM-DD (UTC), or --from YYYY-MM-DD --to YYYY-MM-DD for a range");
    if (flags.from === undefined || flags.to === undefined) throw new Error(`${flags.from === undefined ? "--from" : "--to"} is missing: a range needs both --from YYYY-MM-DD and --to YYYY-MM-DD`);
    flagged("--from", () => [checkDay(flags.from!)]);
    flagged("--to", () => [checkDay(flags.to!)]);
    return daysBetween(flags.from, flags.to);
}

/** Runs the models for the flags' days; returns the lines printed. */
export async function runModelsCommand(flags: ModelsRunFlags, print: (line: string) => void = console.log): Promise<void> {
    const days = daysFromFlags(flags);
    const { checkLakeDir, resolveLakeDir } = require("../local/query") as typeof import("../local/query");
    const { runLocalModelsForDay, stackFileModelConfig } = require("../local/models") as typeof import("../local/models");
    const { EVENTS_TABLE, MODELS_FOLDER } = require("../local/tables") as typeof import("../local/tables");
    const lakeDir = resolveLakeDir(flags.lakeDir);
    await checkLakeDir(lakeDir);
    const eventsDir = path.join(lakeDir, EVENTS_TABLE.folder);
    if (!(await fsp.stat(eventsDir).then((s) => s.isDirectory(), () => false))) {
        throw new Error(`lake dir ${lakeDir} has no events table (${eventsDir} is missing): load events first (clickstream local, or clickstream local --replay <file>), or point --lake-dir / LAKE_DIR at the pipeline's lake`);
    }
    // The session gap and funnels of the stack file clickstream local mirrors (Pulumi.dev.yaml), as the pipeline's own runs use.
    const config = stackFileModelConfig(flags.stackFile);
    if (flags.sessionGap !== undefined) {
        if (!/^\d+$/.test(flags.sessionGap.trim())) throw new Error(`--session-gap ${flags.sessionGap} is not a whole number of minutes; pass e.g. --session-gap 30`);
        config.sessionGapMinutes = Number(flags.sessionGap);
    }
    for (const day of days) {
        const started = Date.now();
        const results = await runLocalModelsForDay(lakeDir, day, config);
        print(`${day}: ${results.map((r) => `${r.model} ${r.rows}`).join(", ")} rows (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    }
    print(`wrote ${path.join(lakeDir, MODELS_FOLDER)}<model>/dt=<day>/; query them with clickstream query "SELECT * FROM sessions"`);
}

export function registerModels(program: Command): void {
    const models = program
        .command("models")
        .description("modeled tables over the local lake: sessions, daily_users, page_stats_daily, funnel_daily");
    models
        .command("run")
        .description("run every model for event-time days (UTC) over the local lake; re-running a day replaces it (late events are picked up)")
        .option("--day <YYYY-MM-DD>", "the event-time day to run")
        .option("--from <YYYY-MM-DD>", "first day of a range (with --to)")
        .option("--to <YYYY-MM-DD>", "last day of a range, inclusive (with --from)")
        .option("--lake-dir <dir>", "the lake folder (default: $LAKE_DIR, else ./lake)")
        .option("--session-gap <minutes>", "minutes of inactivity that end a session (default: the stack file's clickstream:sessionTimeoutMinutes, 30 if unset)")
        .option("--stack-file <file>", "stack file whose clickstream:sessionTimeoutMinutes and clickstream:modelsFunnels apply (default: Pulumi.dev.yaml, as clickstream local)")
        .addHelpText("after", "\nExamples:\n  clickstream models run --day 2026-03-10\n  clickstream models run --from 2026-03-01 --to 2026-03-07 --lake-dir ./lake\n  clickstream query \"SELECT event_date, count(*) FROM sessions GROUP BY 1 ORDER BY 1\"")
        .action(async (flags: ModelsRunFlags) => {
            await runModelsCommand(flags);
        });
}
