/**
 * The few places where DuckDB (local) and Athena (Trino, in the stacks) need different SQL for the
 * modeled tables. Everything else in models/sql.ts is written once in the subset both engines accept
 * (window functions, min_by/max_by with FILTER, regexp_extract, url_decode, TIMESTAMP/DATE literals).
 */

export type Dialect = "duckdb" | "athena";
export const DIALECTS: readonly Dialect[] = ["duckdb", "athena"];

/** Column types of the model tables, in engine-neutral terms. */
export type ModelColumnType = "string" | "timestamp" | "date" | "bigint" | "double";

export interface ModelColumn {
    readonly name: string;
    readonly type: ModelColumnType;
    readonly comment: string;
}

export const DUCKDB_TYPES: Record<ModelColumnType, string> = { string: "VARCHAR", timestamp: "TIMESTAMP", date: "DATE", bigint: "BIGINT", double: "DOUBLE" };

/** Milliseconds since the epoch of a timestamp expression, as BIGINT. */
export function epochMillis(dialect: Dialect, expr: string): string {
    // DuckDB has epoch_ms(ts); Trino has to_unixtime (seconds as double).
    return dialect === "duckdb" ? `epoch_ms(${expr})` : `CAST(round(to_unixtime(${expr}) * 1000) AS BIGINT)`;
}

/** Where Athena keeps a model table: an Iceberg table (DELETE + INSERT make a day's run idempotent). */
export interface AthenaTableLocation {
    /** Glue database of the model tables. */
    database: string;
    /** s3://bucket/prefix/ under which each table gets its own folder. */
    s3Prefix: string;
}

/** CREATE TABLE IF NOT EXISTS for a model table, partitioned by its date column. */
export function createTableSql(dialect: Dialect, table: string, columns: readonly ModelColumn[], partitionColumn: string, athena?: AthenaTableLocation): string {
    if (dialect === "duckdb") {
        return `CREATE TABLE IF NOT EXISTS ${table} (${columns.map((c) => `${c.name} ${DUCKDB_TYPES[c.type]}`).join(", ")})`;
    }
    if (!athena) throw new Error(`createTableSql: the athena dialect needs { database, s3Prefix } for table ${table}`);
    const prefix = athena.s3Prefix.endsWith("/") ? athena.s3Prefix : `${athena.s3Prefix}/`;
    return [
        `CREATE TABLE IF NOT EXISTS ${athena.database}.${table} (`,
        columns.map((c) => `  ${c.name} ${c.type} COMMENT ${sqlString(c.comment)}`).join(",\n"),
        `) PARTITIONED BY (${partitionColumn}) LOCATION ${sqlString(`${prefix}${table}/`)} TBLPROPERTIES ('table_type' = 'ICEBERG')`,
    ].join("\n");
}

/** A table name as the engine addresses it: Athena qualifies it with the model database. */
export function tableRef(dialect: Dialect, table: string, athena?: AthenaTableLocation): string {
    return dialect === "athena" && athena ? `${athena.database}.${table}` : table;
}

/** A SQL string literal (quotes doubled); identical in both engines. */
export function sqlString(value: string): string {
    return `'${value.replace(/'/g, "''")}'`;
}
