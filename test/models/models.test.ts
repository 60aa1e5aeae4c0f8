import { strict as assert } from "assert";
import { runModelsForDay } from "../../models/run";
import type { ModelConfig } from "../../models/sql";
import type { LocalDb } from "../../local/duckdb";
import { TestEvent, createEventsTable, insertEvents, openTestDb } from "./duckdb";

const D = "2026-03-10";
const CHECKOUT = { name: "checkout", steps: ["Product Viewed", "Added to Cart", "Order Completed"] };
const CONFIG: ModelConfig = { funnels: [CHECKOUT] };

/** The hand-computed scenario (expected results are worked out in the tests below). */
const EVENTS: TestEvent[] = [
    // A: one session 09:00-09:55 (a 30-minute gap exactly does not end it), then a new one at 10:30 (35 min later).
    { id: "a1", anon: "A", at: `${D} 09:00`, path: "/home", url: "https://shop.example/home?utm_source=news%20letter&utm_medium=email&utm_campaign=spring", referrer: "https://google.example/", device: "mobile", browser: "Mobile Safari" },
    { id: "a2", anon: "A", at: `${D} 09:10`, type: "track", name: "Product Viewed", device: "mobile", browser: "Mobile Safari" },
    { id: "a2", anon: "A", at: `${D} 09:10`, type: "track", name: "Product Viewed", received: `${D} 11:00`, device: "mobile", browser: "Mobile Safari" }, // duplicate delivery
    { id: "a3", anon: "A", at: `${D} 09:20`, path: "/product", user: "uA" },
    { id: "a4", anon: "A", at: `${D} 09:45`, type: "track", name: "Added to Cart" },
    { id: "a5", anon: "A", at: `${D} 09:50`, path: "/cart" },
    { id: "a6", anon: "A", at: `${D} 09:55`, type: "track", name: "Order Completed" },
    { id: "abad", anon: "A", at: `${D} 09:05`, type: "bad_row" },
    { id: "a7", anon: "A", at: `${D} 10:30`, path: "/home" },
    // B: starts 23:40 on D and crosses midnight; its cart comes before the product view.
    { id: "b0", anon: "B", at: `${D} 23:40`, type: "track", name: "Added to Cart" },
    { id: "b1", anon: "B", at: `${D} 23:45`, type: "track", name: "Product Viewed" },
    { id: "b2", anon: "B", at: `${D} 23:50`, path: "/landing" },
    { id: "b3", anon: "B", at: "2026-03-11 00:10", path: "/pricing" },
    { id: "b4", anon: "B", at: "2026-03-11 00:15", path: "/pricing" },
    // C: a session of D-1 continues past midnight (00:05); a new session starts at 01:00; an order the next day.
    { id: "c0", anon: "C", at: "2026-03-09 23:55", path: "/x", user: "uC" },
    { id: "c1", anon: "C", at: `${D} 00:05`, path: "/y" },
    { id: "c2", anon: "C", at: `${D} 01:00`, path: "/z", user: "uC" },
    { id: "c3", anon: "C", at: `${D} 01:05`, type: "track", name: "Product Viewed" },
    { id: "c4", anon: "C", at: `${D} 01:10`, type: "track", name: "Added to Cart" },
    { id: "c5", anon: "C", at: "2026-03-11 00:01", type: "track", name: "Order Completed" },
    // Earlier activity for the weekly and monthly counts.
    { id: "e1", anon: "E", at: "2026-03-07 12:00", path: "/home", user: "uE" },
    { id: "f1", anon: "F", at: "2026-02-28 12:00", path: "/home", user: "uF" },
    { id: "g1", anon: "G", at: "2026-01-20 12:00", path: "/home", user: "uG" },
];

/** An event of D that arrives three days late (its arrival partition is 2026-03-13). */
const LATE: TestEvent = { id: "d1", anon: "LATE", at: `${D} 12:00`, path: "/late", received: "2026-03-13 08:00" };

async function scenario(): Promise<LocalDb> {
    const db = await openTestDb();
    await createEventsTable(db);
    await insertEvents(db, EVENTS);
    return db;
}

const num = (v: unknown) => (v === null ? null : Number(v));

describe("models on DuckDB (hand-computed)", function () {
    this.timeout(30_000);
    let db: LocalDb;
    beforeEach(async () => { db = await scenario(); });
    afterEach(() => db.close());

    const sessions = async (day = D) =>
        db.all<any>(`SELECT anonymous_id, user_id, CAST(session_start AS VARCHAR) AS s, CAST(session_end AS VARCHAR) AS e, duration_seconds, event_count, page_count, entry_page, exit_page,
            referrer, utm_source, utm_medium, utm_campaign, device_type, browser, session_id FROM sessions WHERE event_date = DATE '${day}' ORDER BY session_start`);

    it("sessions: 30-minute gap, midnight crossing, the previous day's session, duplicates and bad rows", async () => {
        await runModelsForDay(db, D, CONFIG);
        const rows = await sessions();
        assert.deepEqual(rows.map((r) => [r.anonymous_id, r.s, r.e, r.duration_seconds, num(r.event_count), num(r.page_count), r.entry_page, r.exit_page]), [
            ["C", `${D} 01:00:00`, `${D} 01:10:00`, 600, 3, 1, "/z", "/z"],
            ["A", `${D} 09:00:00`, `${D} 09:55:00`, 3300, 6, 3, "/home", "/cart"],
            ["A", `${D} 10:30:00`, `${D} 10:30:00`, 0, 1, 1, "/home", "/home"],
            ["B", `${D} 23:40:00`, "2026-03-11 00:15:00", 2100, 5, 3, "/landing", "/pricing"],
        ]);
        const a1 = rows[1];
        assert.deepEqual([a1.user_id, a1.referrer, a1.utm_source, a1.utm_medium, a1.utm_campaign, a1.device_type, a1.browser],
            ["uA", "https://google.example/", "news letter", "email", "spring", "mobile", "Mobile Safari"]);
        assert.equal(a1.session_id, `A:${Date.parse(`${D}T09:00:00Z`)}`);
        assert.deepEqual([rows[2].utm_source, rows[2].referrer, rows[2].user_id], [null, null, null]);
    });

    it("sessions: the next day has only its own sessions (B's crossing session stays on the day it started)", async () => {
        await runModelsForDay(db, "2026-03-11", CONFIG);
        assert.deepEqual((await sessions("2026-03-11")).map((r) => [r.anonymous_id, r.s, num(r.event_count)]), [["C", "2026-03-11 00:01:00", 1]]);
    });

    it("sessions: the inactivity gap is configurable", async () => {
        await runModelsForDay(db, D, { ...CONFIG, sessionGapMinutes: 60 });
        // A's 35-minute pause no longer splits; C's 00:05 -> 01:00 (55 min) continues the session of the day before.
        assert.deepEqual((await sessions()).map((r) => [r.anonymous_id, r.s, r.e]), [["A", `${D} 09:00:00`, `${D} 10:30:00`], ["B", `${D} 23:40:00`, "2026-03-11 00:15:00"]]);
    });

    it("daily_users: daily, weekly and monthly active by user id and by anonymous id", async () => {
        await runModelsForDay(db, D, CONFIG);
        const [row] = await db.all<any>(`SELECT * FROM daily_users WHERE event_date = DATE '${D}'`);
        assert.deepEqual([row.dau_users, row.wau_users, row.mau_users, row.dau_anonymous, row.wau_anonymous, row.mau_anonymous].map(num), [2, 3, 4, 3, 4, 5]);
    });

    it("page_stats_daily: views and unique visitors of the day's page views, entries and exits of the day's sessions", async () => {
        await runModelsForDay(db, D, CONFIG);
        const rows = await db.all<any>(`SELECT page_path, views, unique_visitors, entries, exits FROM page_stats_daily WHERE event_date = DATE '${D}' ORDER BY page_path`);
        assert.deepEqual(rows.map((r) => [r.page_path, ...[r.views, r.unique_visitors, r.entries, r.exits].map(num)]), [
            ["/cart", 1, 1, 0, 1],
            ["/home", 2, 1, 2, 1],
            ["/landing", 1, 1, 1, 0],
            ["/pricing", 0, 0, 0, 1],
            ["/product", 1, 1, 0, 0],
            ["/y", 1, 1, 0, 0],
            ["/z", 1, 1, 1, 1],
        ]);
    });

    it("funnel_daily: ordered steps within the day, conversion per step", async () => {
        await runModelsForDay(db, D, CONFIG);
        const rows = await db.all<any>(`SELECT funnel, step_index, step_name, visitors, conversion_from_previous AS prev, conversion_from_start AS start FROM funnel_daily WHERE event_date = DATE '${D}' ORDER BY step_index`);
        assert.deepEqual(rows.map((r) => [r.funnel, num(r.step_index), r.step_name, num(r.visitors), r.prev, r.start]), [
            ["checkout", 1, "Product Viewed", 3, null, 1],
            ["checkout", 2, "Added to Cart", 2, 2 / 3, 2 / 3],
            ["checkout", 3, "Order Completed", 1, 0.5, 1 / 3],
        ]);
    });

    it("re-running a day replaces it (idempotent), and picks up a late event", async () => {
        const first = await runModelsForDay(db, D, CONFIG);
        const again = await runModelsForDay(db, D, CONFIG);
        assert.deepEqual(again, first);
        assert.deepEqual(first.map((r) => [r.model, r.rows]), [["sessions", 4], ["daily_users", 1], ["page_stats_daily", 7], ["funnel_daily", 3]]);
        await insertEvents(db, [LATE]);
        const late = await runModelsForDay(db, D, CONFIG);
        assert.deepEqual(late.map((r) => [r.model, r.rows]), [["sessions", 5], ["daily_users", 1], ["page_stats_daily", 8], ["funnel_daily", 3]]);
        const [stats] = await db.all<any>(`SELECT views, entries, exits FROM page_stats_daily WHERE event_date = DATE '${D}' AND page_path = '/late'`);
        assert.deepEqual([stats.views, stats.entries, stats.exits].map(num), [1, 1, 1]);
        // Other days are untouched by a day's run.
        await runModelsForDay(db, "2026-03-11", CONFIG);
        assert.equal((await db.all(`SELECT * FROM sessions WHERE event_date = DATE '${D}'`)).length, 5);
    });

    it("ignores a late event beyond lateArrivalDays until the window is widened", async () => {
        await insertEvents(db, [LATE]);
        await runModelsForDay(db, D, { ...CONFIG, lateArrivalDays: 0 });
        assert.ok(!(await sessions()).some((r) => r.anonymous_id === "LATE"));
        await runModelsForDay(db, D, { ...CONFIG, lateArrivalDays: 3 });
        assert.ok((await sessions()).some((r) => r.anonymous_id === "LATE"));
    });

    it("gives the same results when arrival is pruned by received_at (Iceberg) instead of dt", async () => {
        const dt = await runModelsForDay(db, D, CONFIG);
        const viaDt = await sessions();
        await insertEvents(db, [LATE]);
        const received = await runModelsForDay(db, D, { ...CONFIG, arrivalFilter: "received_at", lateArrivalDays: 0 });
        assert.deepEqual(received, dt);
        assert.deepEqual(await sessions(), viaDt);
    });

    it("keeps the day's previous rows when a model fails", async () => {
        await runModelsForDay(db, D, CONFIG);
        await db.run("ALTER TABLE events RENAME COLUMN page_path TO page_path_gone");
        await assert.rejects(runModelsForDay(db, D, CONFIG), /models: sessions for 2026-03-10 failed, the day's previous rows are kept/);
        assert.equal((await sessions()).length, 4);
    });
});
