/**
 * The modeled tables over the local lake: `clickstream models run` (through the CLI's own code, in
 * process) on a small lake written from the real transform's rows, with hand-computed results; the
 * model views of `clickstream query`; and the pipeline's event-time scheduler (local/modelScheduler.ts).
 */
import { strict as assert } from "assert";
import { promises as fsp } from "fs";
import * as path from "path";
import { buildProgram, main } from "../../cli/main";
import { LocalDb, openDuckDb } from "../../local/duckdb";
import { modelDayFile, runLocalModelsForDay } from "../../local/models";
import { modelDaysOf } from "../../local/modelDays";
import { ModelScheduler, SCHEDULE_FILE } from "../../local/modelScheduler";
import { queryLake } from "../../local/query";
import { MODEL_TABLES } from "../../local/tables";
import { MODEL_COLUMNS, MODEL_NAMES } from "../../models/sql";
import { capturedOutput } from "./localHarness";
import { TestEvent, nativeEnvelope, tempLakeDir, transformRows, writeEventRows } from "./queryFixtures";

const MIN = 60_000;
const at = (text: string) => Date.parse(`${text.replace(" ", "T")}:00Z`);
const page = (id: string, anonymousId: string, when: string, pagePath: string): TestEvent => ({ type: "page", eventId: id, anonymousId, at: at(when), pagePath });

/**
 * Day D = 2026-03-10, by hand:
 *   anon-a  09:00 /home, 09:20 /product (delivered twice), 10:00 /cart  -> two sessions on D (40-minute pause)
 *   anon-b  23:50 /home, D+1 00:10 /checkout                             -> one session on D, crossing midnight
 *   anon-b  D+1 02:00 /home                                              -> one session on D+1
 *   anon-c  D-1 23:55 /home, D 00:05 /about                              -> one session on D-1 (none on D)
 * Each event arrives one minute after it happened.
 */
const BASE_EVENTS: TestEvent[] = [
    page("a-1", "anon-a", "2026-03-10 09:00", "/home"),
    page("a-2", "anon-a", "2026-03-10 09:20", "/product"),
    page("a-3", "anon-a", "2026-03-10 10:00", "/cart"),
    page("b-1", "anon-b", "2026-03-10 23:50", "/home"),
    page("b-2", "anon-b", "2026-03-11 00:10", "/checkout"),
    page("b-3", "anon-b", "2026-03-11 02:00", "/home"),
    page("c-1", "anon-c", "2026-03-09 23:55", "/home"),
    page("c-2", "anon-c", "2026-03-10 00:05", "/about"),
];

/** Writes events into the lake as the pipeline would: the real transform's rows, by arrival partition. */
async function writeEvents(db: LocalDb, lakeDir: string, events: TestEvent[], fileName: string, receivedAt?: (e: TestEvent) => number): Promise<void> {
    const envelopes = events.map((e) => nativeEnvelope(receivedAt ? receivedAt(e) : e.at + MIN, [e]));
    await writeEventRows(db, lakeDir, transformRows(envelopes), fileName);
}

/** Runs the CLI in process and returns what it printed. */
async function cli(...args: string[]): Promise<string[]> {
    const lines: string[] = [];
    const original = console.log;
    console.log = (...parts: unknown[]) => lines.push(parts.join(" "));
    try {
        await main(["node", "clickstream", ...args]);
    } finally {
        console.log = original;
    }
    return lines;
}

async function rows(lakeDir: string, sql: string): Promise<Array<Record<string, unknown>>> {
    return (await queryLake(lakeDir, sql)).rows;
}

describe("local models", function () {
    let db: LocalDb;
    let lake: { dir: string; cleanup: () => Promise<void> };
    beforeEach(async () => {
        db = await openDuckDb();
        lake = await tempLakeDir();
    });
    afterEach(async () => {
        await db.close();
        await lake.cleanup();
    });

    describe("clickstream models run over the lake", function () {
        this.timeout(20_000);

        it("has a view per model before the first run: no rows, the model's columns", async () => {
            for (const model of MODEL_NAMES) {
                const r = await queryLake(lake.dir, `SELECT * FROM ${model}`);
                assert.equal(r.rows.length, 0, model);
                assert.deepEqual(r.columns.map((c) => c.name), [...MODEL_COLUMNS[model].map((c) => c.name), "dt"], model);
            }
            const types = Object.fromEntries((await queryLake(lake.dir, "SELECT * FROM sessions")).columns.map((c) => [c.name, c.type]));
            assert.equal(types.event_date, "DATE");
            assert.equal(types.session_start, "TIMESTAMP");
        });

        it("runs a day: hand-computed sessions across midnight, a duplicate counted once, page stats and active users", async () => {
            await writeEvents(db, lake.dir, [...BASE_EVENTS, page("a-2", "anon-a", "2026-03-10 09:20", "/product")], "part-0.parquet",
                (e) => (e.eventId === "a-2" ? e.at + 5 * MIN : e.at + MIN));
            // The duplicate of a-2 is a second row in the lake (another request), as in AWS.
            assert.equal(Number((await rows(lake.dir, "SELECT count(*) AS n FROM events WHERE event_id = 'a-2'"))[0].n), 2);

            const printed = await cli("models", "run", "--day", "2026-03-10", "--lake-dir", lake.dir);
            assert.match(printed[0], /^2026-03-10: sessions 3, daily_users 1, page_stats_daily 5, funnel_daily 0 rows/);

            const sessions = await rows(lake.dir, `SELECT strftime(session_start, '%H:%M') AS start, strftime(session_end, '%Y-%m-%d %H:%M') AS "end",
                event_count, page_count, entry_page, exit_page FROM sessions WHERE event_date = DATE '2026-03-10' ORDER BY session_start`);
            assert.deepEqual(sessions, [
                { start: "09:00", end: "2026-03-10 09:20", event_count: 2, page_count: 2, entry_page: "/home", exit_page: "/product" },
                { start: "10:00", end: "2026-03-10 10:00", event_count: 1, page_count: 1, entry_page: "/cart", exit_page: "/cart" },
                { start: "23:50", end: "2026-03-11 00:10", event_count: 2, page_count: 2, entry_page: "/home", exit_page: "/checkout" },
            ]);
            const pages = await rows(lake.dir, "SELECT page_path, views, unique_visitors, entries, exits FROM page_stats_daily ORDER BY page_path");
            assert.deepEqual(pages, [
                { page_path: "/about", views: 1, unique_visitors: 1, entries: 0, exits: 0 },
                { page_path: "/cart", views: 1, unique_visitors: 1, entries: 1, exits: 1 },
                { page_path: "/checkout", views: 0, unique_visitors: 0, entries: 0, exits: 1 },
                { page_path: "/home", views: 2, unique_visitors: 2, entries: 2, exits: 0 },
                { page_path: "/product", views: 1, unique_visitors: 1, entries: 0, exits: 1 },
            ]);
            const [users] = await rows(lake.dir, "SELECT dau_anonymous, dt FROM daily_users");
            assert.deepEqual(users, { dau_anonymous: 3, dt: "2026-03-10" });

            // A range: the day before has anon-c's session only, the day after anon-b's 02:00 session only.
            const range = await cli("models", "run", "--from", "2026-03-09", "--to", "2026-03-11", "--lake-dir", lake.dir);
            assert.equal(range.filter((l) => /^2026-03-\d\d: /.test(l)).length, 3);
            const perDay = await rows(lake.dir, "SELECT dt, count(*) AS n FROM sessions GROUP BY dt ORDER BY dt");
            assert.deepEqual(perDay, [{ dt: "2026-03-09", n: 1 }, { dt: "2026-03-10", n: 3 }, { dt: "2026-03-11", n: 1 }]);
        });

        it("is idempotent and picks up late events when the day is run again", async () => {
            await writeEvents(db, lake.dir, BASE_EVENTS, "part-0.parquet");
            const snapshot = async () => JSON.stringify(await rows(lake.dir, "SELECT * FROM sessions ORDER BY session_id"));
            await runLocalModelsForDay(lake.dir, "2026-03-10");
            const first = await snapshot();
            await runLocalModelsForDay(lake.dir, "2026-03-10");
            assert.equal(await snapshot(), first, "a second run gives the same rows");
            for (const model of ["sessions", "daily_users", "page_stats_daily"] as const) {
                assert.deepEqual(await fsp.readdir(path.dirname(modelDayFile(lake.dir, model, "2026-03-10"))), [`${model}.parquet`], `${model}: one file for the day`);
            }

            // anon-d's visit on D arrives two days late, in a later arrival partition.
            await writeEvents(db, lake.dir, [page("d-1", "anon-d", "2026-03-10 15:00", "/late")], "late.parquet", () => at("2026-03-12 08:00"));
            const count = async () => Number((await rows(lake.dir, "SELECT count(*) AS n FROM sessions WHERE event_date = DATE '2026-03-10'"))[0].n);
            assert.equal(await count(), 3, "not there before the day is run again");
            const printed = await cli("models", "run", "--day", "2026-03-10", "--lake-dir", lake.dir);
            assert.match(printed[0], /sessions 4,/);
            assert.equal(await count(), 4);
            const late = await rows(lake.dir, "SELECT entry_page, event_count FROM sessions WHERE strftime(session_start, '%H:%M') = '15:00'");
            assert.deepEqual(late, [{ entry_page: "/late", event_count: 1 }]);
            assert.equal(Number((await rows(lake.dir, "SELECT dau_anonymous AS n FROM daily_users"))[0].n), 4);
        });

        it("removes a day's file when the day has no rows any more", async () => {
            await writeEvents(db, lake.dir, BASE_EVENTS, "part-0.parquet");
            await runLocalModelsForDay(lake.dir, "2026-03-11");
            assert.equal(Number((await rows(lake.dir, "SELECT count(*) AS n FROM sessions"))[0].n), 1);
            await fsp.rm(path.join(lake.dir, "events"), { recursive: true });
            await fsp.mkdir(path.join(lake.dir, "events"));
            const results = await runLocalModelsForDay(lake.dir, "2026-03-11");
            assert.equal(results.find((r) => r.model === "sessions")!.rows, 0);
            await assert.rejects(fsp.stat(modelDayFile(lake.dir, "sessions", "2026-03-11")), /ENOENT/);
            assert.equal(Number((await rows(lake.dir, "SELECT count(*) AS n FROM sessions"))[0].n), 0);
        });

        it("takes the session gap and funnels from the stack file clickstream local mirrors; --session-gap overrides", async () => {
            const track = (id: string, anonymousId: string, when: string, name: string): TestEvent => ({ eventId: id, anonymousId, at: at(when), name });
            await writeEvents(db, lake.dir, [...BASE_EVENTS,
                track("a-t1", "anon-a", "2026-03-10 09:05", "Product Viewed"), track("a-t2", "anon-a", "2026-03-10 09:10", "Order Completed"),
                track("b-t1", "anon-b", "2026-03-10 23:55", "Product Viewed")], "part-0.parquet");
            const stackFile = path.join(lake.dir, "Pulumi.local-test.yaml");
            await fsp.writeFile(stackFile, [
                "config:",
                "  clickstream:sessionTimeoutMinutes: 45",
                "  clickstream:modelsFunnels:",
                "    - name: buy",
                "      steps: [\"Product Viewed\", \"Order Completed\"]",
            ].join("\n"));
            // 45 minutes: anon-a's 40-minute pause no longer ends a session (3 sessions on D with the default 30).
            const printed = await cli("models", "run", "--day", "2026-03-10", "--lake-dir", lake.dir, "--stack-file", stackFile);
            assert.match(printed[0], /^2026-03-10: sessions 2, daily_users 1, page_stats_daily \d+, funnel_daily 2 rows/);
            const funnel = await rows(lake.dir, "SELECT funnel, step_index, step_name, visitors, conversion_from_start FROM funnel_daily ORDER BY step_index");
            assert.deepEqual(funnel, [
                { funnel: "buy", step_index: 1, step_name: "Product Viewed", visitors: 2, conversion_from_start: 1 },
                { funnel: "buy", step_index: 2, step_name: "Order Completed", visitors: 1, conversion_from_start: 0.5 },
            ]);
            const override = await cli("models", "run", "--day", "2026-03-10", "--lake-dir", lake.dir, "--stack-file", stackFile, "--session-gap", "30");
            assert.match(override[0], /sessions 3,.*funnel_daily 2 rows/);
        });

        it("fails on a bad date or a missing lake, naming the flag and the fix", async () => {
            await assert.rejects(cli("models", "run", "--day", "2026-02-30", "--lake-dir", lake.dir), /--day: day "2026-02-30" is not a calendar date; pass YYYY-MM-DD \(UTC\)/);
            await assert.rejects(cli("models", "run", "--day", "10/03/2026", "--lake-dir", lake.dir), /--day: day "10\/03\/2026" is not a calendar date/);
            await assert.rejects(cli("models", "run", "--lake-dir", lake.dir), /no day given: pass --day YYYY-MM-DD/);
            await assert.rejects(cli("models", "run", "--from", "2026-03-01", "--lake-dir", lake.dir), /--to is missing/);
            await assert.rejects(cli("models", "run", "--from", "2026-03-05", "--to", "2026-03-01", "--lake-dir", lake.dir), /--to 2026-03-01 is before --from 2026-03-05/);
            await assert.rejects(cli("models", "run", "--day", "2026-03-10", "--from", "2026-03-01", "--to", "2026-03-02"), /either --day or --from\/--to/);
            await assert.rejects(cli("models", "run", "--day", "2026-03-10", "--lake-dir", path.join(lake.dir, "nope")), /nope does not exist: .*--lake-dir/);
            await assert.rejects(cli("models", "run", "--day", "2026-03-10", "--lake-dir", lake.dir), /has no events table .*point --lake-dir/);
            const run = buildProgram().commands.find((c) => c.name() === "models")!.commands.find((c) => c.name() === "run")!;
            const help = run.helpInformation();
            for (const flag of ["--day <YYYY-MM-DD>", "--from <YYYY-MM-DD>", "--to <YYYY-MM-DD>", "--lake-dir <dir>"]) assert.ok(help.includes(flag), flag);
        });
    });

    describe("the pipeline's event-time schedule", function () {
        this.timeout(60_000);

        it("notes a delivery's days from its rows: good rows with an anonymous id by event-time date; the latest event time of all rows", () => {
            const [row] = transformRows([nativeEnvelope(at("2026-03-10 23:59"), [page("g-1", "anon-g", "2026-03-10 23:58", "/home")])]);
            const arrivalMs = at("2026-03-11 00:30");
            const summary = modelDaysOf([{ arrivalMs, rows: [
                row,
                { ...row, event_time: "2026-03-09T12:00:00.000Z", event_type: "bad_row" },
                { ...row, event_time: "2026-03-08T12:00:00.000Z", anonymous_id: null },
                // An event time more than 5 minutes after arrival counts at arrival (received_at), as in the windows.
                { ...row, event_time: "2026-03-12T00:00:00.000Z", received_at: "2026-03-11T00:30:00.000Z" },
            ] }]);
            assert.deepEqual(summary.days.sort(), ["2026-03-10", "2026-03-12"]);
            assert.equal(summary.latestMs, at("2026-03-11 00:30"));
            assert.deepEqual(modelDaysOf([]), { days: [], latestMs: -Infinity });
        });

        it("runs a day once the watermark passes its end plus the lateness, re-runs it for late events, and keeps its state", async () => {
            const ran: string[] = [];
            const logs: string[] = [];
            let realRuns = false;
            const opts = {
                lakeDir: lake.dir,
                log: (l: string) => logs.push(l),
                // Real runs only where the test reads the models; the schedule itself is in `ran`.
                runDay: async (day: string) => {
                    ran.push(day);
                    return realRuns ? runLocalModelsForDay(lake.dir, day) : [];
                },
            };
            let scheduler = await ModelScheduler.start(opts);
            let fileNo = 0;
            /** Delivers events as one committed delivery would, at `clock`, and waits for the scheduler. */
            const deliver = async (events: TestEvent[], clock: number, receivedAt?: number) => {
                const name = `delivery-${fileNo++}.parquet`;
                const envelopes = events.map((e) => nativeEnvelope(receivedAt ?? e.at + MIN, [e]));
                const delivered = envelopes.map((envelope) => ({ rows: transformRows([envelope]), arrivalMs: envelope.receivedAt }));
                await writeEventRows(db, lake.dir, delivered.flatMap((d) => d.rows), name);
                // What the delivery worker hands the scheduler for these rows (local/lakeWriter.ts).
                scheduler.delivered(modelDaysOf(delivered));
                scheduler.advance(clock);
                await scheduler.idle();
            };
            const sessionsOn = async (day: string) => Number((await rows(lake.dir, `SELECT count(*) AS n FROM sessions WHERE event_date = DATE '${day}'`))[0].n);

            await deliver(BASE_EVENTS.filter((e) => e.eventId!.startsWith("a-")), at("2026-03-10 10:01"));
            assert.deepEqual(ran, [], "2026-03-10 is not over");
            // An event 20 s after midnight: the watermark (its time minus the windows' 30 s lateness) is still on D.
            const justAfterMidnight = at("2026-03-11 00:00") + 20_000;
            await deliver([{ ...page("a-4", "anon-a", "2026-03-11 00:00", "/x"), at: justAfterMidnight }], justAfterMidnight, justAfterMidnight);
            assert.deepEqual(ran, [], "D's end plus the lateness has not passed");
            scheduler.advance(at("2026-03-11 00:00") + 31_000);
            await scheduler.idle();
            assert.deepEqual(ran, ["2026-03-10"], "the clock passing the lateness closes D without new events");

            // A late event of D: D is run again, and the run reads it.
            realRuns = true;
            await deliver([page("d-1", "anon-d", "2026-03-10 15:00", "/late")], at("2026-03-11 01:00"), at("2026-03-11 01:00"));
            assert.deepEqual(ran, ["2026-03-10", "2026-03-10"]);
            assert.equal(await sessionsOn("2026-03-10"), 3);
            assert.ok(logs.some((l) => /^models: 2026-03-10: sessions 3, daily_users 1, page_stats_daily 4, funnel_daily 0 rows/.test(l)), logs.join("\n"));
            realRuns = false;

            // D+1 is pending (not over); close() runs it (end of a replay, shutdown), and D again with it,
            // since a session of D could continue into D+1.
            assert.equal(scheduler.stats().pendingDays, 1);
            await scheduler.close();
            assert.deepEqual(ran.slice(2), ["2026-03-10", "2026-03-11"]);
            const state = JSON.parse(await fsp.readFile(path.join(lake.dir, SCHEDULE_FILE), "utf8"));
            assert.deepEqual(state, { pending: [], modeled: ["2026-03-10", "2026-03-11"] });

            // Pending days survive a restart.
            scheduler = await ModelScheduler.start(opts);
            await deliver([page("b-9", "anon-b", "2026-03-12 09:00", "/home")], at("2026-03-12 09:01"));
            assert.equal(ran.length, 4, "2026-03-12 is not over");
            await scheduler.close(false); // a live shutdown: the day is not over, it stays pending
            assert.equal(ran.length, 4);
            assert.deepEqual(JSON.parse(await fsp.readFile(path.join(lake.dir, SCHEDULE_FILE), "utf8")).pending, ["2026-03-12"], "pending days are saved");
            scheduler = await ModelScheduler.start(opts);
            scheduler.advance(at("2026-03-13 00:01"));
            await scheduler.idle();
            assert.deepEqual(ran.slice(4), ["2026-03-11", "2026-03-12"], "a restarted scheduler runs the saved pending day once it is over");
            await scheduler.close();
            assert.deepEqual(ran.slice(6), [], "nothing was pending any more");
        });

        it("clickstream local --replay of a three-day recording leaves sessions for every day in `clickstream query`", async () => {
            // Each day 08:00 and 14:00, three visitors view two pages 5 minutes apart (6 sessions a day);
            // visitor v4 crosses from day 1 into day 2 (one more session on day 1).
            const events: TestEvent[] = [];
            for (const day of ["2026-03-09", "2026-03-10", "2026-03-11"]) {
                for (const hour of ["08", "14"]) {
                    for (const v of ["v1", "v2", "v3"]) {
                        events.push(page(`${day}-${hour}-${v}-1`, v, `${day} ${hour}:00`, "/home"), page(`${day}-${hour}-${v}-2`, v, `${day} ${hour}:05`, "/docs"));
                    }
                }
            }
            events.push(page("v4-1", "v4", "2026-03-09 23:50", "/home"), page("v4-2", "v4", "2026-03-10 00:10", "/pricing"));
            events.sort((a, b) => a.at - b.at);
            const recording = path.join(lake.dir, "recording.ndjson");
            await fsp.writeFile(recording, events.map((e) => JSON.stringify(nativeEnvelope(e.at + MIN, [e]))).join("\n") + "\n");
            const lakeDir = path.join(lake.dir, "lake");
            const { runLocal } = await import("../../local/run");
            const out = capturedOutput();
            assert.equal(await runLocal({ replay: recording, lakeDir, bufferInterval: "0.05", stdout: out }), 0);
            assert.match(out.text(), /replayed 38 requests .*, models for 3 day\(s\); lake /);
            const printed = await cli("query", "SELECT dt AS day, count(*) AS sessions, sum(event_count) AS events FROM sessions GROUP BY 1 ORDER BY 1", "--json", "--lake-dir", lakeDir);
            assert.deepEqual(JSON.parse(printed.join("\n")), [
                { day: "2026-03-09", sessions: 7, events: 14 },
                { day: "2026-03-10", sessions: 6, events: 12 },
                { day: "2026-03-11", sessions: 6, events: 12 },
            ]);
            const users = await rows(lakeDir, "SELECT dt, dau_anonymous FROM daily_users ORDER BY dt");
            assert.deepEqual(users, [{ dt: "2026-03-09", dau_anonymous: 4 }, { dt: "2026-03-10", dau_anonymous: 4 }, { dt: "2026-03-11", dau_anonymous: 3 }]);
            assert.deepEqual(Object.keys(MODEL_TABLES), [...MODEL_NAMES]);
        });
    });
});
