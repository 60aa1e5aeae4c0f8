import { strict as assert } from "assert";
import { createTableSql, epochMillis, sqlString } from "../../models/dialect";
import { MODEL_NAMES, ModelConfig, modelDayStatements, modelTableStatements, resolveModelConfig } from "../../models/sql";

const ATHENA = { database: "clickstream_dev_models", s3Prefix: "s3://lake-bucket/models" };
const CONFIG: ModelConfig = { funnels: [{ name: "checkout", steps: ["Product Viewed", "Customer's Order"] }], athena: ATHENA };

/** Undoes the Athena translations, so what remains must be the DuckDB text exactly. */
function athenaToDuckDb(sql: string): string {
    return sql.replace(/CAST\(round\(to_unixtime\(([a-z_]+)\) \* 1000\) AS BIGINT\)/g, "epoch_ms($1)").replace(/clickstream_dev_models\./g, "");
}

describe("models: Athena (Trino) dialect", () => {
    it("translates epoch milliseconds per engine", () => {
        assert.equal(epochMillis("duckdb", "event_time"), "epoch_ms(event_time)");
        assert.equal(epochMillis("athena", "event_time"), "CAST(round(to_unixtime(event_time) * 1000) AS BIGINT)");
    });

    it("creates Iceberg tables partitioned by the date column under the models prefix in Athena, plain tables in DuckDB", () => {
        const cols = [{ name: "page_path", type: "string", comment: "Page's path" }, { name: "event_date", type: "date", comment: "UTC date" }] as const;
        assert.equal(createTableSql("athena", "page_stats_daily", cols, "event_date", ATHENA), [
            "CREATE TABLE IF NOT EXISTS clickstream_dev_models.page_stats_daily (",
            "  page_path string COMMENT 'Page''s path',",
            "  event_date date COMMENT 'UTC date'",
            ") PARTITIONED BY (event_date) LOCATION 's3://lake-bucket/models/page_stats_daily/' TBLPROPERTIES ('table_type' = 'ICEBERG')",
        ].join("\n"));
        assert.equal(createTableSql("duckdb", "page_stats_daily", cols, "event_date"), "CREATE TABLE IF NOT EXISTS page_stats_daily (page_path VARCHAR, event_date DATE)");
        assert.throws(() => createTableSql("athena", "sessions", cols, "event_date"), /athena dialect needs \{ database, s3Prefix \} for table sessions/);
        assert.equal(modelTableStatements("athena", CONFIG).length, MODEL_NAMES.length);
    });

    it("differs from the DuckDB statements only by the translated functions and the table's database", () => {
        const duck = modelDayStatements("duckdb", "2026-03-10", CONFIG);
        const athena = modelDayStatements("athena", "2026-03-10", CONFIG);
        assert.deepEqual(athena.map((s) => s.model), ["sessions", "daily_users", "page_stats_daily", "funnel_daily"]);
        for (const [i, s] of athena.entries()) {
            assert.ok(!/epoch_ms/.test(s.insert), `${s.model}: DuckDB-only function left in the Athena SQL`);
            assert.equal(athenaToDuckDb(s.delete), duck[i].delete);
            assert.equal(athenaToDuckDb(s.insert), duck[i].insert);
        }
        assert.equal(athena[0].delete, "DELETE FROM clickstream_dev_models.sessions WHERE event_date = DATE '2026-03-10'");
        assert.equal(athena[3].delete, "DELETE FROM clickstream_dev_models.funnel_daily WHERE event_date = DATE '2026-03-10' AND funnel = 'checkout'");
        assert.match(athena[0].insert, /CAST\(round\(to_unixtime\(session_end\) \* 1000\) AS BIGINT\) - CAST\(round\(to_unixtime\(session_start\) \* 1000\) AS BIGINT\)/);
        // Partition pruning on the arrival date: the day before D-1 to D+2 plus the late-arrival days.
        assert.match(athena[0].insert, /e\.dt BETWEEN '2026-03-08' AND '2026-03-19'/);
        const iceberg = modelDayStatements("athena", "2026-03-10", { ...CONFIG, arrivalFilter: "received_at" });
        assert.match(iceberg[0].insert, /e\.received_at >= TIMESTAMP '2026-03-08 00:00:00' AND e\.received_at < TIMESTAMP '2026-03-20 00:00:00'/);
        assert.throws(() => resolveModelConfig({ arrivalFilter: "hour" as never }), /arrivalFilter is "hour"; pass "dt"/);
        // Step names are quoted as SQL strings.
        assert.match(athena[3].insert, /event_name = 'Customer''s Order'/);
    });

    it("rejects bad input naming the field and the fix", () => {
        assert.throws(() => modelDayStatements("duckdb", "2026-02-30"), /day "2026-02-30" is not a calendar date; pass YYYY-MM-DD/);
        assert.throws(() => resolveModelConfig({ sessionGapMinutes: 0 }), /sessionGapMinutes is 0; pass a whole number of minutes from 1 to 1440/);
        assert.throws(() => resolveModelConfig({ lateArrivalDays: -1 }), /lateArrivalDays is -1/);
        assert.throws(() => resolveModelConfig({ eventsTable: "events; DROP TABLE x" }), /eventsTable .* is not a table name/);
        assert.throws(() => resolveModelConfig({ funnels: [{ name: "Checkout!", steps: ["a", "b"] }] }), /funnels\[0\]\.name "Checkout!" is invalid/);
        assert.throws(() => resolveModelConfig({ funnels: [{ name: "f", steps: ["only"] }] }), /funnels\[0\]\.steps must list at least two/);
        assert.throws(() => resolveModelConfig({ funnels: [{ name: "f", steps: ["a", "b"] }, { name: "f", steps: ["a", "b"] }] }), /used twice/);
        assert.equal(sqlString("it's"), "'it''s'");
    });
});
