/**
 * SQL over the local lake: DuckDB views named like the Glue tables (`events`, `aggregates`, `alerts`,
 * `erasures`, the modeled tables `sessions`, `daily_users`, `page_stats_daily`, `funnel_daily`, and
 * `bad_rows`, the events whose event_type is 'bad_row') over the Parquet files under LAKE_DIR, and
 * a small translation so the Athena named queries (components/lake/glueTable.ts `namedQueries`) run
 * locally as written. `clickstream query` (cli/query.ts) is a thin layer over `queryLake`.
 *
 * Views are rebuilt from the files present when a query starts: a table with no files yet is an empty
 * view with the table's columns (a query on a fresh lake returns no rows rather than failing), and
 * Parquet files appear atomically (local/parquet.ts), so a query never reads half a file. The views
 * bind columns by the first file's schema (no union_by_name: that makes DuckDB open every file's footer
 * before pruning partitions, 6x the bytes of a one-day query in bench:query), which holds because one
 * writer writes every file of a table with the table's columns.
 *
 * Athena -> DuckDB translation (`translateAthenaSql`), applied to the SQL text outside string literals:
 *   FROM/JOIN "db"."events" (or db.events, awsdatacatalog.db.events)  ->  FROM/JOIN "events"
 *       (any database name: the local lake is one database; only the lake's table names are rewritten)
 *   current_date - INTERVAL '7' DAY  ->  CAST(current_date - INTERVAL '7' DAY AS DATE)
 *       (Athena/Trino keeps a DATE, DuckDB makes a TIMESTAMP, whose text '2026-11-23 00:00:00' would
 *        compare wrongly with the dt partition '2026-11-23'; also for + and WEEK/MONTH/YEAR)
 *   approx_distinct(x)  ->  approx_count_distinct(x)
 * Everything else is passed to DuckDB unchanged: most Presto/Trino SQL the named queries use
 * (count(DISTINCT), CAST(... AS varchar), quoted "hour") is also DuckDB SQL. The session time zone is
 * UTC, as Athena's, so current_date matches the UTC dt partitions.
 */
import { promises as fsp } from "fs";
import * as path from "path";
import { LocalDb, QueryResult, openDuckDb, sqlIdentifier, sqlString, toJsonValue } from "./duckdb";
import { BAD_ROW_TYPE, LAKE_TABLES, LakeTable } from "./tables";

/** The bad rows view: events rejected by the transform, with bad_reason and a redacted bad_payload. */
export const BAD_ROWS_VIEW = "bad_rows";
/** Every view a query can use. */
export const VIEW_NAMES: readonly string[] = [...LAKE_TABLES.map((t) => t.name), BAD_ROWS_VIEW];

/** LAKE_DIR from a flag, else the environment, else ./lake, as an absolute path. */
export function resolveLakeDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
    return path.resolve(flag || env.LAKE_DIR || "lake");
}

/** Throws a clear error when the lake folder is missing or not a folder. */
export async function checkLakeDir(lakeDir: string): Promise<void> {
    let stat;
    try {
        stat = await fsp.stat(lakeDir);
    } catch {
        throw new Error(`lake dir ${lakeDir} does not exist: start the local pipeline first (npm start), or point LAKE_DIR / --lake-dir at an existing lake`);
    }
    if (!stat.isDirectory()) throw new Error(`lake dir ${lakeDir} is not a directory: set LAKE_DIR / --lake-dir to the pipeline's lake folder`);
}

/** Whether `dir` holds at least one `*.parquet` file exactly `depth` partition levels (key=value folders) down. */
async function hasParquetFiles(dir: string, keys: readonly string[]): Promise<boolean> {
    let entries;
    try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
        return false;
    }
    if (keys.length === 0) return entries.some((e) => e.isFile() && e.name.endsWith(".parquet"));
    for (const e of entries) {
        if (e.isDirectory() && e.name.startsWith(`${keys[0]}=`) && (await hasParquetFiles(path.join(dir, e.name), keys.slice(1)))) return true;
    }
    return false;
}

/** The glob of a table's Parquet files: <lake>/<folder>/dt=*\/hour=*\/*.parquet (hidden temp files never match). */
export function tableGlob(lakeDir: string, table: LakeTable): string {
    return path.join(lakeDir, table.folder, ...table.partitionKeys.map((k) => `${k}=*`), "*.parquet");
}

/** SELECT list casting every column to the table's type, then the partition keys (VARCHAR, like Glue). */
function selectList(table: LakeTable, source: "files" | "empty"): string {
    const cols = [...table.columns.map((c) => ({ name: c.name, type: c.duckType })), ...table.partitionKeys.map((k) => ({ name: k, type: "VARCHAR" }))];
    return cols.map((c) => `CAST(${source === "files" ? sqlIdentifier(c.name) : "NULL"} AS ${c.type}) AS ${sqlIdentifier(c.name)}`).join(", ");
}

/** The SQL of one table's view: over its files, or an empty relation with the same columns. */
export async function tableViewSql(lakeDir: string, table: LakeTable): Promise<string> {
    if (!(await hasParquetFiles(path.join(lakeDir, table.folder), table.partitionKeys))) {
        return `SELECT ${selectList(table, "empty")} WHERE false`;
    }
    const hiveTypes = `{${table.partitionKeys.map((k) => `${sqlString(k)}: VARCHAR`).join(", ")}}`;
    return `SELECT ${selectList(table, "files")} FROM read_parquet(${sqlString(tableGlob(lakeDir, table))}, hive_partitioning = true, hive_types = ${hiveTypes})`;
}

/** (Re)creates the views over the lake's current files. Call again to see tables that got their first file. */
export async function createLakeViews(db: LocalDb, lakeDir: string): Promise<void> {
    for (const table of LAKE_TABLES) {
        await db.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(table.name)} AS ${await tableViewSql(lakeDir, table)}`);
    }
    await db.run(`CREATE OR REPLACE VIEW ${sqlIdentifier(BAD_ROWS_VIEW)} AS SELECT * FROM "events" WHERE event_type = ${sqlString(BAD_ROW_TYPE)}`);
}

const IDENT = String.raw`(?:"[^"]+"|[A-Za-z_][A-Za-z0-9_]*)`;
const QUALIFIED_TABLE = new RegExp(String.raw`\b(FROM|JOIN)(\s+)(?:${IDENT}\s*\.\s*){1,2}("?)(${VIEW_NAMES.join("|")})\3(?![A-Za-z0-9_"])`, "gi");
/** current_date +/- INTERVAL '<n>' <unit>, with the '<n>' literal masked as '\0<index>\0' (see translateAthenaSql). */
const DATE_INTERVAL = /\bcurrent_date\s*[-+]\s*INTERVAL\s*'\u0000\d+\u0000'\s*(?:DAY|WEEK|MONTH|YEAR)S?\b/gi;
const APPROX_DISTINCT = /\bapprox_distinct\s*\(/gi;

/** Applies the Athena -> DuckDB rewrites (module comment) to the SQL outside '...' string literals. */
export function translateAthenaSql(sql: string): string {
    // Mask string literals ('it''s' included) so a literal like 'from db.events' is never rewritten;
    // INTERVAL '7' DAY contains a literal, which the date rewrite matches in its masked form.
    const literals: string[] = [];
    const masked = sql.replace(/'(?:[^']|'')*'/g, (lit) => {
        literals.push(lit);
        return `'\u0000${literals.length - 1}\u0000'`;
    });
    const unmask = (text: string) => text.replace(/'\u0000(\d+)\u0000'/g, (_, i: string) => literals[Number(i)]);
    const rewritten = masked
        .replace(QUALIFIED_TABLE, (_m, kw: string, space: string, _q: string, table: string) => `${kw}${space}${sqlIdentifier(table.toLowerCase())}`)
        .replace(DATE_INTERVAL, (m) => `CAST(${m} AS DATE)`)
        .replace(APPROX_DISTINCT, "approx_count_distinct(");
    return unmask(rewritten);
}

/** Wraps DuckDB's error with the views a query can use, so a typo in a table name says what exists. */
function queryError(err: unknown): Error {
    const message = err instanceof Error ? err.message : String(err);
    return new Error(`query failed: ${message}\n(views: ${VIEW_NAMES.join(", ")}; Athena SQL is translated as described in docs/local.md)`);
}

export interface QueryLakeOptions {
    /** Run on this database instead of a fresh in-memory one (it keeps its views afterwards). */
    db?: LocalDb;
    /** Skip the Athena translation. Defaults to false. */
    raw?: boolean;
}

/** Runs one SQL query (Athena SQL accepted, see translateAthenaSql) over the lake and returns its rows. */
export async function queryLake(lakeDir: string, sql: string, options: QueryLakeOptions = {}): Promise<QueryResult<Record<string, unknown>>> {
    if (!sql || !sql.trim()) throw new Error('no SQL given: clickstream query "SELECT count(*) FROM events"');
    await checkLakeDir(lakeDir);
    const db = options.db ?? (await openDuckDb());
    try {
        await createLakeViews(db, lakeDir);
        try {
            return await db.query(options.raw ? sql : translateAthenaSql(sql));
        } catch (err) {
            throw queryError(err);
        }
    } finally {
        if (!options.db) await db.close();
    }
}

/** Rows as JSON-safe objects (timestamps ISO-8601 UTC, big integers as strings, maps as objects). */
export function toJsonRows(result: QueryResult<Record<string, unknown>>): unknown[] {
    return result.rows.map((r) => toJsonValue(r));
}

const MAX_CELL_CHARS = 60;

function cellText(value: unknown): string {
    if (value === null || value === undefined) return "NULL";
    if (value instanceof Date) return Number.isNaN(value.getTime()) ? "NULL" : value.toISOString().replace("T", " ").replace("Z", "");
    if (typeof value === "object") return JSON.stringify(toJsonValue(value));
    return String(value);
}

/** A readable fixed-width table: header, rule, rows (numbers right-aligned, long cells cut), row count. */
export function formatTable(result: QueryResult<Record<string, unknown>>): string {
    const names = result.columns.map((c) => c.name);
    const numeric = result.columns.map((c) => /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|FLOAT|DOUBLE|DECIMAL)/.test(c.type));
    const cells = result.rows.map((r) => names.map((n) => {
        const t = cellText(r[n]).replace(/\s+/g, " ");
        return t.length > MAX_CELL_CHARS ? `${t.slice(0, MAX_CELL_CHARS - 1)}…` : t;
    }));
    const widths = names.map((n, i) => Math.max(n.length, ...cells.map((row) => row[i].length)));
    const line = (row: string[]) => row.map((t, i) => (numeric[i] ? t.padStart(widths[i]) : t.padEnd(widths[i]))).join("  ").trimEnd();
    const out = [line(names), widths.map((w) => "-".repeat(w)).join("  "), ...cells.map(line)];
    out.push(`(${result.rows.length} row${result.rows.length === 1 ? "" : "s"})`);
    return out.join("\n");
}
