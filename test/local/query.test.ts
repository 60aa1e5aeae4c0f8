import { strict as assert } from "assert";
import { execFile } from "child_process";
import { promises as fsp } from "fs";
import * as path from "path";
import { main } from "../../cli/main";
import { namedQueries } from "../../components/lake/glueTable";
import { AGGREGATE_COLUMNS } from "../../dataplane/analytics/output";
import { EVENT_COLUMNS, EventRow } from "../../dataplane/schema";
import { LocalDb, openDuckDb } from "../../local/duckdb";
import { formatTable, queryLake, toJsonRows, translateAthenaSql, VIEW_NAMES } from "../../local/query";
import { ERASURE_COLUMNS, MODEL_TABLES } from "../../local/tables";
import type { ModelName } from "../../models/sql";
import { promisify } from "util";
import { nativeEnvelope, partitionOf, tempLakeDir, transformRows, writeEventRows } from "./queryFixtures";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe("local query: views over the lake", function () {
    let db: LocalDb;
    let lake: { dir: string; cleanup: () => Promise<void> };
    beforeEach(async () => { db = await openDuckDb(); lake = await tempLakeDir(); });
    afterEach(async () => { await db.close(); await lake.cleanup(); });

    it("answers on an empty lake: every view exists with its columns and no rows", async () => {
        for (const view of VIEW_NAMES) {
            const r = await queryLake(lake.dir, `SELECT * FROM ${view}`, { db });
            assert.equal(r.rows.length, 0, view);
            const expected = view === "aggregates" ? [...AGGREGATE_COLUMNS.map((c) => c.name), "dt", "hour"]
                : view === "alerts" ? r.columns.map((c) => c.name) // checked below
                : view === "erasures" ? [...ERASURE_COLUMNS.map((c) => c.name), "dt"]
                : view in MODEL_TABLES ? [...MODEL_TABLES[view as ModelName].columns.map((c) => c.name), "dt"] // test/local/models.test.ts checks them
                : [...EVENT_COLUMNS.map((c) => c.name), "dt", "hour"];
            assert.deepEqual(r.columns.map((c) => c.name), expected, view);
        }
        const alerts = await queryLake(lake.dir, "SELECT * FROM alerts", { db });
        assert.deepEqual(alerts.columns.map((c) => c.name).slice(0, 3), ["alert_id", "spec", "metric"]);
        assert.equal(alerts.columns.at(-1)!.name, "dt");
        const types = Object.fromEntries((await queryLake(lake.dir, "SELECT * FROM events", { db })).columns.map((c) => [c.name, c.type]));
        assert.equal(types.event_time, "TIMESTAMP");
        assert.equal(types.properties, "MAP(VARCHAR, VARCHAR)");
        assert.equal(types.dt, "VARCHAR");
    });

    it("fails clearly when the lake dir is missing", async () => {
        await assert.rejects(queryLake(path.join(lake.dir, "nope"), "SELECT 1"), /lake dir .*nope does not exist: start the local pipeline first/);
    });

    it("reads one partition written by the real transform: rows, bad rows, maps, timestamps, dt/hour", async () => {
        const at = Date.parse("2026-11-26T16:05:00.000Z");
        const rows = transformRows([
            nativeEnvelope(at, [
                { at: at - 1000, eventId: "e1", name: "purchase", properties: { price: 12.5, user_group: "gold" } },
                { at: at - 500, eventId: "e2", type: "page", pagePath: "/pricing" },
            ]),
            // Not a valid event type: the transform keeps it as a bad row with its reason.
            { ...nativeEnvelope(at + 10, []), body: { events: [{ type: "bogus", anonymousId: "a" }] } },
        ]);
        assert.equal(rows.length, 3);
        await writeEventRows(db, lake.dir, rows);
        const all = await queryLake(lake.dir, "SELECT event_id, event_type, event_time, properties, dt, hour FROM events WHERE event_type <> 'bad_row' ORDER BY event_time", { db });
        assert.deepEqual(all.rows.map((r) => r.event_id), ["e1", "e2"]);
        assert.equal((all.rows[0].event_time as Date).toISOString(), rows.find((r) => r.event_id === "e1")!.event_time);
        assert.deepEqual(all.rows[0].properties, { price: "12.5", user_group: "gold" });
        assert.equal(all.rows[0].dt, "2026-11-26");
        assert.equal(all.rows[0].hour, "16");
        const bad = await queryLake(lake.dir, "SELECT event_type, bad_reason FROM bad_rows", { db });
        assert.equal(bad.rows.length, 1);
        assert.match(String(bad.rows[0].bad_reason), /type/);
        // Partially empty lake: events exist, aggregates and alerts do not yet.
        assert.equal((await queryLake(lake.dir, "SELECT count(*) AS n FROM aggregates", { db })).rows[0].n, 0);
    });

    it("reads many partitions and sees a partition written after the first query", async () => {
        const base = Date.parse("2026-11-26T10:30:00.000Z");
        const rows = transformRows(Array.from({ length: 30 }, (_, i) => nativeEnvelope(base + i * HOUR, [{ at: base + i * HOUR, eventId: `m${i}` }, { at: base + i * HOUR, eventId: `n${i}` }])));
        await writeEventRows(db, lake.dir, rows.slice(0, 40));
        const first = await queryLake(lake.dir, "SELECT dt, hour, count(*) AS n FROM events GROUP BY dt, hour ORDER BY dt, hour", { db });
        assert.equal(first.rows.length, 20);
        assert.deepEqual(first.rows[0], { dt: "2026-11-26", hour: "10", n: 2 });
        await writeEventRows(db, lake.dir, rows.slice(40), "part-1.parquet");
        const second = await queryLake(lake.dir, "SELECT count(*) AS n, count(DISTINCT dt || hour) AS partitions FROM events", { db });
        assert.deepEqual(second.rows[0], { n: 60, partitions: 30 });
    });

    it("--json rows are JSON-safe: ISO timestamps, numbers, maps as objects; the table is readable", async () => {
        const at = Date.parse("2026-11-26T16:05:00.000Z");
        await writeEventRows(db, lake.dir, transformRows([nativeEnvelope(at, [{ at, eventId: "j1", properties: { price: 3 } }])]));
        const r = await queryLake(lake.dir, "SELECT event_id, event_time, count(*) OVER () AS n, properties, 12345678901234567890::HUGEINT AS big FROM events", { db });
        const json = JSON.parse(JSON.stringify(toJsonRows(r)));
        assert.deepEqual(json, [{ event_id: "j1", event_time: "2026-11-26T16:05:00.000Z", n: 1, properties: { price: "3" }, big: "12345678901234567890" }]);
        const table = formatTable(r).split("\n");
        assert.match(table[0], /^event_id\s+event_time\s+n\s+properties\s+big$/);
        assert.match(table[2], /^j1\s+2026-11-26 16:05:00\.000\s+1\s+\{"price":"3"\}\s+12345678901234567890$/);
        assert.equal(table.at(-1), "(1 row)");
    });

    it("rejects bad SQL with DuckDB's message and the available views", async () => {
        await assert.rejects(queryLake(lake.dir, "SELEC * FROM events", { db }), /query failed: Parser Error: syntax error.*\n\(views: events, aggregates, alerts, erasures, sessions, daily_users, page_stats_daily, funnel_daily, bad_rows/s);
        await assert.rejects(queryLake(lake.dir, "SELECT * FROM evnts", { db }), /query failed: Catalog Error: Table with name evnts does not exist/);
        await assert.rejects(queryLake(lake.dir, "   "), /no SQL given/);
    });
});

describe("local query: Athena named queries", function () {
    let db: LocalDb;
    let lake: { dir: string; cleanup: () => Promise<void> };
    let rows: EventRow[];
    const now = Date.now();
    const ago = (ms: number) => now - ms;
    before(async () => {
        db = await openDuckDb();
        lake = await tempLakeDir();
        // Events today, yesterday (inside "last 2 days" only thanks to the date translation), 3 days ago
        // (top pages), 10 days ago (sessions per day only), 40 days ago (no query), plus a bad row today.
        const envelopes = [0, 1, 3, 10, 40].flatMap((days, d) => [0, 1].map((k) => {
            const t = ago(days * DAY + k * 2 * HOUR + 60_000);
            return nativeEnvelope(t, [
                { at: t, type: "page", pagePath: k ? "/pricing" : "/", anonymousId: `v${d}-${k}`, sessionId: `s${d}` },
                { at: t, type: "page", pagePath: "/pricing", anonymousId: `v${d}-x`, sessionId: `s${d}-b` },
                { at: t, name: "Signed Up", anonymousId: `v${d}-${k}`, sessionId: `s${d}` },
            ]);
        }));
        envelopes.push({ ...nativeEnvelope(ago(60_000), []), body: { events: [{ type: "bogus" }] } });
        rows = transformRows(envelopes);
        await writeEventRows(db, lake.dir, rows);
    });
    after(async () => { await db.close(); await lake.cleanup(); });

    const good = () => rows.filter((r) => r.event_type !== "bad_row");
    const dtOf = (r: EventRow) => partitionOf(Date.parse(r.received_at)).dt;
    const sinceDays = (days: number) => new Date(now - days * DAY).toISOString().slice(0, 10);
    const queries = () => Object.fromEntries(namedQueries("clickstream_dev", "events").map((q) => [q.key, q.sql]));

    it("translates qualified table names, date arithmetic and approx_distinct, never inside literals", () => {
        assert.equal(translateAthenaSql('SELECT * FROM "clickstream_dev"."events" e JOIN db.aggregates a ON true'), 'SELECT * FROM "events" e JOIN "aggregates" a ON true');
        assert.equal(translateAthenaSql("SELECT 1 FROM awsdatacatalog.lake.bad_rows"), 'SELECT 1 FROM "bad_rows"');
        assert.equal(translateAthenaSql("WHERE dt >= CAST(current_date - INTERVAL '7' DAY AS varchar)"), "WHERE dt >= CAST(CAST(current_date - INTERVAL '7' DAY AS DATE) AS varchar)");
        assert.equal(translateAthenaSql("SELECT approx_distinct(user_id), 'from db.events', x.events FROM t x"), "SELECT approx_count_distinct(user_id), 'from db.events', x.events FROM t x");
        assert.equal(translateAthenaSql("SELECT 'it''s', current_date + interval '1' day"), "SELECT 'it''s', CAST(current_date + interval '1' day AS DATE)");
    });

    it("events-per-hour runs as written (through the translation) and counts good events of the last 2 days", async () => {
        const sql = queries()["events-per-hour"];
        const r = await queryLake(lake.dir, sql, { db });
        const expected = new Map<string, number>();
        for (const row of good().filter((x) => dtOf(x) >= sinceDays(1))) {
            const { dt, hour } = partitionOf(Date.parse(row.received_at));
            const key = `${dt}|${hour}|${row.event_type}`;
            expected.set(key, (expected.get(key) ?? 0) + 1);
        }
        const got = new Map(r.rows.map((x) => [`${x.dt}|${x.hour}|${x.event_type}`, x.events as number]));
        assert.deepEqual(got, expected);
        // Yesterday is in: the untranslated date comparison would have dropped it.
        assert.ok(r.rows.some((x) => x.dt === sinceDays(1)));
        // Without translation the qualified "db"."events" does not exist in DuckDB.
        await assert.rejects(queryLake(lake.dir, sql, { db, raw: true }), /query failed: Catalog Error/);
    });

    it("top-pages and sessions-per-day match counts computed from the transform's rows", async () => {
        const top = await queryLake(lake.dir, queries()["top-pages"], { db });
        const pages = good().filter((x) => x.event_type === "page" && dtOf(x) >= sinceDays(7));
        const expectedTop = [...new Set(pages.map((p) => p.page_path))].map((p) => ({
            page_path: p,
            views: pages.filter((x) => x.page_path === p).length,
            visitors: new Set(pages.filter((x) => x.page_path === p).map((x) => x.anonymous_id)).size,
        })).sort((a, b) => b.views - a.views);
        assert.deepEqual(top.rows, expectedTop);

        const sessions = await queryLake(lake.dir, queries()["sessions-per-day"], { db });
        const recent = good().filter((x) => dtOf(x) >= sinceDays(30) && x.session_id !== null);
        const days = [...new Set(recent.map(dtOf))].sort();
        assert.deepEqual(sessions.rows, days.map((dt) => ({
            dt,
            sessions: new Set(recent.filter((x) => dtOf(x) === dt).map((x) => x.session_id)).size,
            visitors: new Set(recent.filter((x) => dtOf(x) === dt).map((x) => x.anonymous_id)).size,
        })));
        assert.equal(days.length, 4, "today, yesterday, 3 and 10 days ago; not 40");
    });

    it("writes nothing into the lake folder", async () => {
        const before = await fsp.readdir(lake.dir);
        await queryLake(lake.dir, "SELECT count(*) FROM events", { db });
        assert.deepEqual(await fsp.readdir(lake.dir), before);
    });
});

describe("clickstream query (the real binary)", function () {
    const bin = path.join(__dirname, "..", "..", "bin", "clickstream.js");
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) => promisify(execFile)(process.execPath, [bin, "query", ...args], { env: { ...process.env, ...env } });

    it("prints --json rows with LAKE_DIR from the environment; errors name the problem", async () => {
        const lake = await tempLakeDir();
        const db = await openDuckDb();
        try {
            const at = Date.parse("2026-11-26T16:05:00.000Z");
            await writeEventRows(db, lake.dir, transformRows([nativeEnvelope(at, [{ at, eventId: "c1" }, { at, eventId: "c2", type: "page", pagePath: "/" }])]));
            const sql = "SELECT event_id, event_type, event_time FROM events ORDER BY event_id";
            const json = await run(["--json", sql], { LAKE_DIR: lake.dir });
            assert.deepEqual(JSON.parse(json.stdout), [
                { event_id: "c1", event_type: "track", event_time: "2026-11-26T16:05:00.000Z" },
                { event_id: "c2", event_type: "page", event_time: "2026-11-26T16:05:00.000Z" },
            ]);
            // The error path in process (same code as the binary, which prints the message and exits 1).
            await assert.rejects(main(["node", "clickstream", "query", "--lake-dir", lake.dir, "SELECT nope FROM events"]), /query failed: Binder Error: Referenced column "nope" not found/);
            await assert.rejects(main(["node", "clickstream", "query", "--lake-dir", lake.dir, "--named", "nope"]), /--named nope is not a named query; use one of events-per-hour, top-pages, sessions-per-day/);
        } finally {
            await db.close();
            await lake.cleanup();
        }
    });
});
