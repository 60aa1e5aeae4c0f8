/**
 * `clickstream erase --local`: removes one person's data from the local pipeline's lake (LAKE_DIR,
 * layout in docs/local.md) with the stack path's predicates (match.ts, rawRecords.ts):
 *
 * - events (good and bad rows), aggregates and alerts: each Parquet file holding matching rows is
 *   rewritten without them (DuckDB COPY of the other rows to a hidden temp file in the same folder,
 *   fsync, rename, fsync of the folder: a crash leaves the old file or the new one, never half), or
 *   deleted when nothing else is left in it;
 * - raw/ (request envelopes, raw ids) and errors/processing-failed/ (Firehose's error record shape):
 *   rewritten without the person's records the same way (writeFileAtomic);
 * - wal/: the write-ahead log keeps envelopes (raw ids) of delivered requests until its segment rolls
 *   over. Erase refuses while a `clickstream local` holds the lake (local/lakeLock.ts) and while the log
 *   holds requests not yet in the lake (they would arrive after the erase); then every segment holds
 *   only delivered requests, whose rows and envelopes are in the lake, so the segments are deleted.
 *
 * - models/ (the modeled tables): the days whose `sessions` file holds the person's pseudonyms, and the
 *   days of their erased events that the models were run for, are run again (local/models.ts) once the
 *   events are erased, so sessions and the counts of daily_users, page_stats_daily and funnel_daily
 *   are recomputed without them. A crash before the re-run leaves the pseudonyms in sessions, which
 *   the next erase finds again.
 *
 * Then one audit row goes to erasures/dt=<day>/<erasure_id>.parquet (the `erasures` view): pseudonyms
 * and counts, never the raw id. The places are done one after another; a crash between two leaves the
 * earlier ones done and no audit row, and running erase again finishes the rest (it is idempotent).
 */
import { promises as fsp } from "fs";
import * as path from "path";
import { PROCESSING_FAILED_FOLDER, RAW_FOLDER, readCommittedSeq, walk } from "../local/lakeWriter";
import { acquireLakeLock } from "../local/lakeLock";
import { LocalDb, openDuckDb, sqlString } from "../local/duckdb";
import { fsyncPath, tempPathFor, writeFileAtomic, writeParquetAtomic } from "../local/parquet";
import { PII_KEY_FILE } from "../local/pipeline";
import { checkLakeDir } from "../local/query";
import { runLocalModelsForDay } from "../local/models";
import { AGGREGATES_TABLE, ALERTS_TABLE, BAD_ROW_TYPE, ERASURES_TABLE, EVENTS_TABLE, LakeTable, MODEL_TABLES, MODELS_FOLDER } from "../local/tables";
import type { ModelConfig } from "../models/sql";
import { decodeWalSegment } from "../local/wal";
import { ErasureAuditRecord, ErasureStep, auditRecord, newErasureId } from "./audit";
import { aggregateRowPredicateSql, eventRowPredicateSql, sessionRowPredicateSql } from "./match";
import { RawObjectKind, rewriteRawObject } from "./rawRecords";
import { ErasureRequest, ErasureSubject, erasureSubjects } from "./subject";

export interface LocalErasureOptions {
    lakeDir: string;
    request: ErasureRequest;
    dryRun: boolean;
    /** Progress lines (never a raw id). */
    log?: (line: string) => void;
    /** Clock for the audit record. Defaults to now. */
    now?: () => Date;
    /**
     * Session gap and funnels for re-running the models of the affected days: the pipeline's own
     * (localModelConfig of the stack file `clickstream local` mirrors). Defaults to the models' defaults.
     */
    modelConfig?: ModelConfig;
}

/** Reads LAKE_DIR/pii-key without creating it: a lake without a key never stored a pseudonym. */
export async function readLakePiiKey(lakeDir: string): Promise<string> {
    const file = path.join(lakeDir, PII_KEY_FILE);
    try {
        return (await fsp.readFile(file, "utf8")).trim();
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`erase: ${file} does not exist, so this lake never held events. Fix: point --lake-dir / LAKE_DIR at the pipeline's lake`);
        throw e;
    }
}

/** Every file under `dir` whose name ends with `suffix` (hidden temp files excluded), sorted. */
async function filesUnder(dir: string, suffix: string): Promise<string[]> {
    const out: string[] = [];
    for await (const file of walk(dir)) {
        const name = path.basename(file);
        if (name.endsWith(suffix) && !name.startsWith(".")) out.push(file);
    }
    return out.sort();
}

/** Refuses while the write-ahead log holds acknowledged requests that are not in the lake yet; returns the segments (all delivered). */
async function deliveredWalSegments(lakeDir: string): Promise<string[]> {
    const committed = await readCommittedSeq(lakeDir);
    const segments = await filesUnder(path.join(lakeDir, "wal"), ".log");
    let pending = 0;
    for (const file of segments) {
        pending += decodeWalSegment(await fsp.readFile(file)).records.filter((r) => r.seq > committed).length;
    }
    if (pending > 0) {
        throw new Error(
            `erase: ${pending} acknowledged request(s) in ${path.join(lakeDir, "wal")} are not in the lake yet (the pipeline stopped before delivering them), ` +
            "and they would reach it after the erase. Fix: run `clickstream local` on this lake and stop it with Ctrl-C (it delivers them), then erase",
        );
    }
    return segments;
}

interface FileMatch {
    file: string;
    matched: number;
    bad: number;
    total: number;
}

/** Per Parquet file of `table`: rows matching `predicate` (bad rows among them) and all rows. */
async function matchingFiles(db: LocalDb, lakeDir: string, table: LakeTable, predicate: string): Promise<FileMatch[]> {
    const files = await filesUnder(path.join(lakeDir, table.folder), ".parquet");
    if (files.length === 0) return [];
    const list = `[${files.map(sqlString).join(", ")}]`;
    // coalesce: a row whose ids or maps are NULL is never the person's.
    const rows = await db.all<{ file: string; matched: number; bad: number; total: number }>(
        `SELECT filename AS file, count(*) FILTER (WHERE m) AS matched, count(*) FILTER (WHERE m AND bad) AS bad, count(*) AS total FROM (` +
        `SELECT filename, coalesce(${predicate}, false) AS m, ${table === EVENTS_TABLE ? "coalesce(event_type = 'bad_row', false)" : "false"} AS bad ` +
        `FROM read_parquet(${list}, filename = true, hive_partitioning = false)) GROUP BY filename HAVING count(*) FILTER (WHERE m) > 0 ORDER BY filename`,
    );
    return rows.map((r) => ({ file: r.file, matched: Number(r.matched), bad: Number(r.bad), total: Number(r.total) }));
}

/** Replaces `file` with its rows that do not match (atomically), or deletes it when none are left. */
async function rewriteParquetWithout(db: LocalDb, match: FileMatch, predicate: string): Promise<void> {
    const dir = path.dirname(match.file);
    if (match.matched === match.total) {
        await fsp.rm(match.file);
    } else {
        const tmp = tempPathFor(match.file, ".parquet.tmp");
        try {
            await db.run(
                `COPY (SELECT * FROM read_parquet(${sqlString(match.file)}, hive_partitioning = false) WHERE NOT coalesce(${predicate}, false)) ` +
                `TO ${sqlString(tmp)} (FORMAT parquet, COMPRESSION zstd)`,
            );
            await fsyncPath(tmp);
            await fsp.rename(tmp, match.file);
        } finally {
            await fsp.rm(tmp, { force: true });
        }
    }
    await fsyncPath(dir);
}

/** Rewrites each Parquet file of `table` holding rows that match `predicate` without them (a dry run only counts). */
export async function eraseFromTable(db: LocalDb, lakeDir: string, table: LakeTable, predicate: string, dryRun: boolean): Promise<{ removed: number; bad: number; files: number }> {
    const matches = await matchingFiles(db, lakeDir, table, predicate);
    if (!dryRun) for (const m of matches) await rewriteParquetWithout(db, m, predicate);
    return { removed: matches.reduce((n, m) => n + m.matched, 0), bad: matches.reduce((n, m) => n + m.bad, 0), files: matches.length };
}

async function eraseFromRawFiles(dir: string, kind: RawObjectKind, subjects: readonly ErasureSubject[], dryRun: boolean): Promise<{ removed: number; files: number }> {
    let removed = 0;
    let files = 0;
    for (const file of await filesUnder(dir, ".ndjson")) {
        const r = rewriteRawObject(await fsp.readFile(file), kind, subjects);
        if (r.removed === 0) continue;
        removed += r.removed;
        files++;
        if (dryRun) continue;
        if (r.body === undefined) {
            await fsp.rm(file);
            await fsyncPath(path.dirname(file));
        } else {
            await writeFileAtomic(file, Buffer.from(r.body));
        }
    }
    return { removed, files };
}

/** Erases the request's person from the lake (or, dry run, counts what would go); returns the audit record. */
export async function eraseLocal(opts: LocalErasureOptions): Promise<ErasureAuditRecord> {
    const now = opts.now ?? (() => new Date());
    const log = opts.log ?? (() => undefined);
    const lakeDir = path.resolve(opts.lakeDir);
    await checkLakeDir(lakeDir);
    const subjects = erasureSubjects(opts.request, await readLakePiiKey(lakeDir));
    const requestedAt = now();
    const release = await acquireLakeLock(lakeDir, "clickstream erase --local");
    const db = await openDuckDb();
    try {
        const walSegments = await deliveredWalSegments(lakeDir);
        const steps: ErasureStep[] = [];
        const method = opts.dryRun ? "none (dry run)" : "file-rewrite";

        // Read before the events go: the event-time days the person's events fall in (for the models).
        const eventDays = await personEventDays(db, lakeDir, eventRowPredicateSql(subjects));
        const events = await eraseFromTable(db, lakeDir, EVENTS_TABLE, eventRowPredicateSql(subjects), opts.dryRun);
        steps.push(
            { place: "events", method, removed: events.removed - events.bad, objects: events.files },
            { place: "bad_rows", method, removed: events.bad, note: "same files as events; matched by the pseudonym inside the redacted bad_payload" },
        );
        log(`events: ${events.removed} row(s) (${events.bad} bad) in ${events.files} file(s)`);

        const groupPredicate = aggregateRowPredicateSql(subjects);
        const aggregates = await eraseFromTable(db, lakeDir, AGGREGATES_TABLE, groupPredicate, opts.dryRun);
        steps.push({ place: "aggregates", method, removed: aggregates.removed, objects: aggregates.files, note: "rows of a person's group only; other groups keep their counts, which still include the person's past events" });
        const alerts = await eraseFromTable(db, lakeDir, ALERTS_TABLE, groupPredicate, opts.dryRun);
        steps.push({ place: "alerts", method, removed: alerts.removed, objects: alerts.files, note: "alerts of a person's group; roll-up alerts hold no identifier and stay. Webhook posts already sent are outside the lake" });

        const models = await rerunModels(db, lakeDir, subjects, eventDays, opts);
        steps.push({
            place: "sessions", method: opts.dryRun ? "none (dry run)" : "model-rerun", removed: models.sessionRows, objects: models.days.length,
            note: models.days.length === 0 ? "no modeled day held the person" :
                `day(s) ${models.days.join(", ")} ${opts.dryRun ? "would be" : "were"} re-run from the erased events: sessions, daily_users, page_stats_daily, funnel_daily recomputed; ` +
                "daily_users' wau/mau of the following 29 days still count the person (counts, no ids) until those days are re-run",
        });
        log(`models: ${models.sessionRows} session(s); ${models.days.length === 0 ? "no day" : `day(s) ${models.days.join(", ")}`} ${opts.dryRun ? "to re-run" : "re-run"}`);

        const raw = await eraseFromRawFiles(path.join(lakeDir, RAW_FOLDER), "raw-backup", subjects, opts.dryRun);
        steps.push({ place: "raw_backup", method, removed: raw.removed, objects: raw.files, note: "envelopes carrying the raw id, removed now" });
        const failed = await eraseFromRawFiles(path.join(lakeDir, PROCESSING_FAILED_FOLDER), "error-output", subjects, opts.dryRun);
        steps.push({ place: "error_output", method, removed: failed.removed, objects: failed.files });
        log(`raw: ${raw.removed} envelope(s) in ${raw.files} file(s); processing-failed: ${failed.removed} record(s)`);

        if (!opts.dryRun) {
            for (const file of walSegments) await fsp.rm(file);
            if (walSegments.length > 0) await fsyncPath(path.join(lakeDir, "wal"));
        }
        steps.push({ place: "wal", method: opts.dryRun ? "none (dry run)" : "segment-delete", removed: 0, objects: walSegments.length, note: "segments of delivered requests only (raw envelopes, everyone's); the lake's raw/ keeps the others' copies" });

        const record = auditRecord({ erasureId: newErasureId(), requestedAt, completedAt: now(), target: `local:${lakeDir}`, dryRun: opts.dryRun, subjects, steps });
        // The stack's rows_removed counts events, bad rows and aggregates; alerts are a table here too.
        record.rows_removed += alerts.removed;
        if (!opts.dryRun) await writeAuditRow(db, lakeDir, record);
        return record;
    } finally {
        await db.close();
        await release();
    }
}

/** The event-time days (UTC, YYYY-MM-DD) of the good rows matching `predicate`. */
async function personEventDays(db: LocalDb, lakeDir: string, predicate: string): Promise<string[]> {
    const files = await filesUnder(path.join(lakeDir, EVENTS_TABLE.folder), ".parquet");
    if (files.length === 0) return [];
    const rows = await db.all<{ day: string }>(
        `SELECT DISTINCT strftime(event_time, '%Y-%m-%d') AS day FROM read_parquet([${files.map(sqlString).join(", ")}], hive_partitioning = false) ` +
        `WHERE coalesce(${predicate}, false) AND event_type <> ${sqlString(BAD_ROW_TYPE)} AND event_time IS NOT NULL`,
    );
    return rows.map((r) => r.day);
}

/**
 * Re-runs the models for every day whose sessions file holds one of the subjects' pseudonyms, and every
 * day of the person's events that the models ran for (a day with a model file): a session that started
 * the day before, or an alias event on someone else's session, leaves no pseudonym in that day's sessions.
 * Days never modeled stay unmodeled (the scheduler runs them when they close). Dry run: only finds them.
 */
async function rerunModels(
    db: LocalDb, lakeDir: string, subjects: readonly ErasureSubject[], eventDays: readonly string[], opts: LocalErasureOptions,
): Promise<{ days: string[]; sessionRows: number }> {
    const sessionFiles = await filesUnder(path.join(lakeDir, MODEL_TABLES.sessions.folder), ".parquet");
    const sessionDays = new Map<string, number>();
    if (sessionFiles.length > 0) {
        const rows = await db.all<{ day: string; n: number }>(
            `SELECT strftime(event_date, '%Y-%m-%d') AS day, count(*) AS n FROM read_parquet([${sessionFiles.map(sqlString).join(", ")}], hive_partitioning = false) ` +
            `WHERE coalesce(${sessionRowPredicateSql(subjects)}, false) GROUP BY 1`,
        );
        for (const r of rows) sessionDays.set(r.day, Number(r.n));
    }
    const modeled = new Set<string>();
    for (const file of await filesUnder(path.join(lakeDir, MODELS_FOLDER), ".parquet")) {
        const dt = /^dt=(\d{4}-\d{2}-\d{2})$/.exec(path.basename(path.dirname(file)));
        if (dt) modeled.add(dt[1]);
    }
    const days = [...new Set([...sessionDays.keys(), ...eventDays.filter((d) => modeled.has(d))])].sort();
    if (!opts.dryRun) for (const day of days) await runLocalModelsForDay(lakeDir, day, opts.modelConfig ?? {});
    return { days, sessionRows: [...sessionDays.values()].reduce((a, b) => a + b, 0) };
}

async function writeAuditRow(db: LocalDb, lakeDir: string, r: ErasureAuditRecord): Promise<void> {
    const file = path.join(lakeDir, ERASURES_TABLE.folder, `dt=${r.completed_at.slice(0, 10)}`, `${r.erasure_id}.parquet`);
    await writeParquetAtomic(db, file, ERASURES_TABLE.columns, [{
        erasure_id: r.erasure_id, requested_at: r.requested_at, completed_at: r.completed_at, target: r.target,
        subjects: JSON.stringify(r.subjects), steps: JSON.stringify(r.steps), rows_removed: r.rows_removed,
    }]);
}
