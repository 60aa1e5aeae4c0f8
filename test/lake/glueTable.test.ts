import { strict as assert } from "assert";
import { EVENT_COLUMNS, PARTITION_KEYS } from "../../dataplane/schema";
import {
    EVENTS_PREFIX, FIREHOSE_ERROR_PREFIX, FIREHOSE_EVENTS_PREFIX, glueColumns, glueName, gluePartitionKeys, namedQueries,
    parquetStorageDescriptor, projectionParameters, tableParameters,
} from "../../components/lake/glueTable";

describe("lake/glueTable", () => {
    it("builds the Glue columns from schema.ts: same names, types and order", () => {
        const cols = glueColumns();
        assert.deepEqual(cols.map((c) => [c.name, c.type]), EVENT_COLUMNS.map((c) => [c.name, c.type]));
        assert.equal(cols.find((c) => c.name === "properties")?.type, "map<string,string>");
        assert.equal(cols.find((c) => c.name === "context")?.type, "map<string,string>");
        assert.equal(cols.find((c) => c.name === "event_time")?.type, "timestamp");
        for (const c of cols) assert.ok(c.comment.length > 0 && c.comment.length <= 255, `${c.name}: Glue comments are 1-255 chars`);
    });

    it("partition keys are dt and hour from PARTITION_KEYS, and never repeat a column", () => {
        assert.deepEqual(gluePartitionKeys().map((c) => [c.name, c.type]), PARTITION_KEYS.map((c) => [c.name, c.type]));
        assert.deepEqual(gluePartitionKeys().map((c) => c.name), ["dt", "hour"]);
        const names = new Set(glueColumns().map((c) => c.name));
        for (const k of gluePartitionKeys()) assert.ok(!names.has(k.name), `${k.name} is both a column and a partition key`);
    });

    it("projection matches what Firehose writes: dt=yyyy-MM-dd/hour=HH under events/", () => {
        const p = projectionParameters("lake-bucket", "2026-01-01");
        assert.equal(p["projection.enabled"], "true");
        assert.equal(p["projection.dt.type"], "date");
        assert.equal(p["projection.dt.format"], "yyyy-MM-dd");
        assert.equal(p["projection.dt.range"], "2026-01-01,NOW");
        assert.equal(p["projection.hour.type"], "integer");
        assert.equal(p["projection.hour.range"], "0,23");
        assert.equal(p["projection.hour.digits"], "2");
        assert.equal(p["storage.location.template"], "s3://lake-bucket/events/dt=${dt}/hour=${hour}/");
        // The Firehose prefix renders the same path for a given arrival time.
        const rendered = FIREHOSE_EVENTS_PREFIX.replace("!{timestamp:yyyy-MM-dd}", "2026-11-26").replace("!{timestamp:HH}", "07");
        const templated = p["storage.location.template"].replace("s3://lake-bucket/", "").replace("${dt}", "2026-11-26").replace("${hour}", "07");
        assert.equal(rendered, templated);
        assert.ok(FIREHOSE_EVENTS_PREFIX.startsWith(EVENTS_PREFIX));
        assert.ok(!FIREHOSE_ERROR_PREFIX.startsWith(EVENTS_PREFIX), "error output must not land inside the table location");
    });

    it("table parameters and storage descriptor describe an external Parquet table", () => {
        const t = tableParameters("b", "2026-02-03", "SNAPPY");
        assert.equal(t.EXTERNAL, "TRUE");
        assert.equal(t.classification, "parquet");
        assert.equal(t["parquet.compression"], "SNAPPY");
        assert.equal(t["projection.dt.range"], "2026-02-03,NOW");
        const sd = parquetStorageDescriptor("b");
        assert.equal(sd.location, "s3://b/events/");
        assert.equal(sd.serDeInfo.serializationLibrary, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assert.equal(sd.inputFormat, "org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat");
        assert.equal(sd.outputFormat, "org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat");
        assert.deepEqual(sd.columns, glueColumns());
    });

    it("named queries use only real columns and filter on the dt partition", () => {
        const known = new Set([...EVENT_COLUMNS, ...PARTITION_KEYS].map((c) => c.name));
        const sqlWords = new Set(["select", "count", "as", "from", "where", "and", "group", "by", "order", "desc", "limit", "distinct", "is", "not", "null",
            "cast", "varchar", "current_date", "interval", "day", "events", "views", "visitors", "sessions"]);
        const queries = namedQueries("db_x", "events");
        assert.deepEqual(queries.map((q) => q.key), ["events-per-hour", "top-pages", "sessions-per-day"]);
        for (const q of queries) {
            assert.match(q.sql, /FROM "db_x"\."events"/);
            assert.match(q.sql, /WHERE dt >= CAST\(current_date - INTERVAL '\d+' DAY AS varchar\)/, `${q.key} prunes partitions`);
            const quotedColumns = [...q.sql.replace(/"[^"]*"\."[^"]*"/g, "").matchAll(/"([^"]*)"/g)].map((m) => m[1]);
            for (const c of quotedColumns) assert.ok(known.has(c), `${q.key}: unknown quoted column ${c}`);
            const stripped = q.sql.replace(/'[^']*'/g, "").replace(/"[^"]*"/g, "");
            for (const word of stripped.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
                assert.ok(known.has(word) || sqlWords.has(word.toLowerCase()), `${q.key}: unknown identifier ${word}`);
            }
        }
    });

    it("glueName cleans names to what Athena accepts unquoted", () => {
        assert.equal(glueName("My-Lake_dev"), "my_lake_dev");
        assert.equal(glueName("--"), "clickstream");
        assert.equal(glueName("a..b"), "a_b");
    });
});
