/**
 * `clickstream query "<SQL>" [--lake-dir <dir>] [--json]`: SQL over the local lake with views named
 * like the Glue tables (events, aggregates, alerts, bad_rows) and the modeled tables (sessions, ...). Athena SQL, such as the stacks' named
 * queries, is translated (local/query.ts); `--named <key>` runs one of those named queries as written.
 */
import { Command } from "commander";
import { namedQueries } from "../components/lake/glueTable";
import { formatTable, queryLake, resolveLakeDir, toJsonRows } from "../local/query";
import { EVENTS_TABLE } from "../local/tables";

/** The Athena named queries, written against a placeholder database (the translation drops it). */
function localNamedQueries() {
    return namedQueries("clickstream", EVENTS_TABLE.name);
}

export function registerQuery(program: Command): void {
    program
        .command("query")
        .description("run SQL over the local lake (LAKE_DIR): views events, aggregates, alerts, erasures, bad_rows and the models (sessions, daily_users, page_stats_daily, funnel_daily); Athena SQL is translated")
        .argument("[sql]", 'the query, e.g. "SELECT event_type, count(*) FROM events GROUP BY 1"')
        .option("--lake-dir <dir>", "the lake folder (default: $LAKE_DIR, else ./lake)")
        .option("--json", "print the rows as a JSON array (timestamps ISO-8601 UTC, maps as objects)")
        .option("--named <key>", `run an Athena named query as written: ${localNamedQueries().map((q) => q.key).join(", ")}`)
        .action(async (sql: string | undefined, opts: { lakeDir?: string; json?: boolean; named?: string }) => {
            if (opts.named) {
                const named = localNamedQueries().find((q) => q.key === opts.named);
                if (!named) throw new Error(`--named ${opts.named} is not a named query; use one of ${localNamedQueries().map((q) => q.key).join(", ")}`);
                if (sql) throw new Error("give either a SQL argument or --named, not both");
                sql = named.sql;
            }
            if (!sql) throw new Error('no SQL given: clickstream query "SELECT count(*) FROM events" (or --named <key>)');
            const result = await queryLake(resolveLakeDir(opts.lakeDir), sql);
            console.log(opts.json ? JSON.stringify(toJsonRows(result), null, 2) : formatTable(result));
        });
}
