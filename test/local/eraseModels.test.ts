/**
 * `clickstream erase --local` and the modeled tables: a lake with two people's events over two days
 * (and a third day of only the other person), the models run, one person erased. Their pseudonyms must
 * be in no model file, the other person's sessions unchanged, the day counts recomputed by hand, and
 * only the affected days re-run.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { promises as fsp } from "fs";
import * as path from "path";
import { eraseLocal } from "../../erasure/local";
import { erasureSubjects } from "../../erasure/subject";
import { LocalDb, openDuckDb, sqlString } from "../../local/duckdb";
import { modelDayFile, runLocalModelsForDay } from "../../local/models";
import { PII_KEY_FILE } from "../../local/pipeline";
import { queryLake, toJsonRows } from "../../local/query";
import { MODEL_NAMES } from "../../models/sql";
import { TEST_PII_KEY, TestEvent, nativeEnvelope, tempLakeDir, transformRows, writeEventRows } from "./queryFixtures";

const MIN = 60_000;
const at = (text: string) => Date.parse(`${text.replace(" ", "T")}:00Z`);
const page = (id: string, anonymousId: string, when: string, pagePath: string): TestEvent => ({ type: "page", eventId: id, anonymousId, at: at(when), pagePath });
const D1 = "2026-03-10", D2 = "2026-03-11", D3 = "2026-03-12";

/**
 *   anon-alice  D1 09:00 /home, 09:05 /product       D2 10:00 /cart
 *   anon-bob    D1 09:30 /home                       D2 11:00 /home, 11:10 /checkout     D3 08:00 /home
 */
const EVENTS: TestEvent[] = [
    page("a-1", "anon-alice", `${D1} 09:00`, "/home"),
    page("a-2", "anon-alice", `${D1} 09:05`, "/product"),
    page("a-3", "anon-alice", `${D2} 10:00`, "/cart"),
    page("b-1", "anon-bob", `${D1} 09:30`, "/home"),
    page("b-2", "anon-bob", `${D2} 11:00`, "/home"),
    page("b-3", "anon-bob", `${D2} 11:10`, "/checkout"),
    page("b-4", "anon-bob", `${D3} 08:00`, "/home"),
];

async function modelRows(lakeDir: string, model: string): Promise<Array<Record<string, unknown>>> {
    // Ordered by day first, then every column (ORDER BY ALL alone follows the column order).
    const rows = toJsonRows(await queryLake(lakeDir, `SELECT * FROM (SELECT event_date AS day_first, * FROM ${model}) ORDER BY ALL`)) as Array<Record<string, unknown>>;
    return rows.map(({ day_first: _day, ...row }) => row);
}

/** Every row of every model file, as text (what must not name the person). */
async function allModelText(db: LocalDb, lakeDir: string): Promise<string> {
    const parts: string[] = [];
    for (const model of MODEL_NAMES) {
        for (const day of [D1, D2, D3]) {
            const file = modelDayFile(lakeDir, model, day);
            if (!(await fsp.stat(file).then(() => true, () => false))) continue;
            parts.push(JSON.stringify(await db.all(`SELECT * FROM read_parquet(${sqlString(file)})`), (_k, v) => (typeof v === "bigint" ? Number(v) : v)));
        }
    }
    return parts.join("\n");
}

const digest = async (file: string) => createHash("sha256").update(await fsp.readFile(file)).digest("hex");

describe("clickstream erase --local re-runs the models of the person's days", function () {
    this.timeout(60_000);
    let db: LocalDb;
    let lake: { dir: string; cleanup: () => Promise<void> };
    let alice: string, bob: string;

    beforeEach(async () => {
        db = await openDuckDb();
        lake = await tempLakeDir();
        await fsp.writeFile(path.join(lake.dir, PII_KEY_FILE), TEST_PII_KEY);
        await writeEventRows(db, lake.dir, transformRows(EVENTS.map((e) => nativeEnvelope(e.at + MIN, [e]))));
        for (const day of [D1, D2, D3]) await runLocalModelsForDay(lake.dir, day);
        [alice] = erasureSubjects({ anonymousId: "anon-alice" }, TEST_PII_KEY).map((s) => s.pseudonym);
        [bob] = erasureSubjects({ anonymousId: "anon-bob" }, TEST_PII_KEY).map((s) => s.pseudonym);
    });
    afterEach(async () => {
        await db.close();
        await lake.cleanup();
    });

    it("removes the person's pseudonyms from every model file, keeps the other's sessions, recomputes the day counts, re-runs only their days", async () => {
        // Preconditions: the models hold both people, with counts over both.
        assert.ok((await allModelText(db, lake.dir)).includes(alice), "precondition: sessions hold the person's pseudonym");
        const sessionsBefore = await modelRows(lake.dir, "sessions");
        const counts = (id: string) => sessionsBefore.filter((r) => r.anonymous_id === id).map((r) => Number(r.event_count)).sort();
        assert.deepEqual([counts(alice), counts(bob)], [[1, 2], [1, 1, 2]]);
        const dauBefore = (await modelRows(lake.dir, "daily_users")).map((r) => [String(r.event_date).slice(0, 10), r.dau_anonymous]);
        assert.deepEqual(dauBefore, [[D1, 2], [D2, 2], [D3, 1]]);
        const day3Files = await Promise.all(MODEL_NAMES.filter((m) => m !== "funnel_daily").map((m) => digest(modelDayFile(lake.dir, m, D3))));

        // A dry run finds the days and changes nothing.
        const plan = await eraseLocal({ lakeDir: lake.dir, request: { anonymousId: "anon-alice" }, dryRun: true });
        const planStep = plan.steps.find((s) => s.place === "sessions")!;
        assert.deepEqual([planStep.removed, planStep.objects], [2, 2]);
        assert.match(planStep.note!, new RegExp(`day\\(s\\) ${D1}, ${D2} would be re-run`));
        assert.ok((await allModelText(db, lake.dir)).includes(alice), "a dry run re-runs nothing");

        const lines: string[] = [];
        const record = await eraseLocal({ lakeDir: lake.dir, request: { anonymousId: "anon-alice" }, dryRun: false, log: (l) => lines.push(l) });

        const text = await allModelText(db, lake.dir);
        assert.ok(!text.includes(alice), "the person's pseudonym is still in a model file");
        assert.ok(text.includes(bob));
        const sessionsAfter = await modelRows(lake.dir, "sessions");
        assert.deepEqual(sessionsAfter, sessionsBefore.filter((r) => r.anonymous_id !== alice), "the other person's sessions changed");

        // Day counts recomputed from the erased events (by hand: only anon-bob is left).
        assert.deepEqual((await modelRows(lake.dir, "daily_users")).map((r) => [String(r.event_date).slice(0, 10), r.dau_anonymous]), [[D1, 1], [D2, 1], [D3, 1]]);
        const pages = (await modelRows(lake.dir, "page_stats_daily")).map((r) => [String(r.event_date).slice(0, 10), r.page_path, r.views, r.unique_visitors, r.entries]);
        assert.deepEqual(pages.filter((p) => p[0] !== D3), [[D1, "/home", 1, 1, 1], [D2, "/checkout", 1, 1, 0], [D2, "/home", 1, 1, 1]]);

        // Only the person's days were re-run: day 3's files are byte for byte the same.
        assert.deepEqual(await Promise.all(MODEL_NAMES.filter((m) => m !== "funnel_daily").map((m) => digest(modelDayFile(lake.dir, m, D3)))), day3Files);

        // Reported in the output and in the audit row.
        assert.ok(lines.some((l) => l === `models: 2 session(s); day(s) ${D1}, ${D2} re-run`), lines.join("\n"));
        const audit = toJsonRows(await queryLake(lake.dir, "SELECT * FROM erasures")) as Array<Record<string, unknown>>;
        assert.equal(audit[0].erasure_id, record.erasure_id);
        const step = (JSON.parse(String(audit[0].steps)) as Array<{ place: string; method: string; removed: number; objects: number; note: string }>).find((s) => s.place === "sessions")!;
        assert.deepEqual([step.method, step.removed, step.objects], ["model-rerun", 2, 2]);
        assert.match(step.note, new RegExp(`day\\(s\\) ${D1}, ${D2} were re-run`));
        assert.equal(audit[0].rows_removed, 3 + 2, "3 events and 2 sessions");

        // Again: nothing left to find.
        const again = await eraseLocal({ lakeDir: lake.dir, request: { anonymousId: "anon-alice" }, dryRun: true });
        assert.deepEqual([again.steps.find((s) => s.place === "sessions")!.removed, again.rows_removed], [0, 0]);
    });

    it("also re-runs a modeled day the person had events on but no session of its own (a session crossing midnight)", async () => {
        // anon-alice D2 23:55 -> D3 00:02: one session, on D2; day 3's counts include her event all the same.
        await writeEventRows(db, lake.dir, transformRows([page("a-4", "anon-alice", `${D2} 23:55`, "/late"), page("a-5", "anon-alice", `${D3} 00:02`, "/later")]
            .map((e) => nativeEnvelope(e.at + MIN, [e]))), "part-1.parquet");
        for (const day of [D2, D3]) await runLocalModelsForDay(lake.dir, day);
        const dau = async () => (await modelRows(lake.dir, "daily_users")).map((r) => [String(r.event_date).slice(0, 10), r.dau_anonymous]);
        assert.deepEqual(await dau(), [[D1, 2], [D2, 2], [D3, 2]]);
        assert.ok(!(await modelRows(lake.dir, "sessions")).some((r) => r.anonymous_id === alice && String(r.event_date).startsWith(D3)), "precondition: no session of hers on day 3");

        const record = await eraseLocal({ lakeDir: lake.dir, request: { anonymousId: "anon-alice" }, dryRun: false });
        assert.match(record.steps.find((s) => s.place === "sessions")!.note!, new RegExp(`day\\(s\\) ${D1}, ${D2}, ${D3} were re-run`));
        assert.deepEqual(await dau(), [[D1, 1], [D2, 1], [D3, 1]]);
        assert.ok(!(await allModelText(db, lake.dir)).includes(alice));
    });
});
