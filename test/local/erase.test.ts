/**
 * `clickstream erase --local` end to end: events of several people through the real local pipeline
 * (HTTP server, log, transform, Parquet), one person erased, and every view, the raw backup and the
 * log checked: none of their rows anywhere, everyone else's rows unchanged, one audit row.
 */
import { strict as assert } from "assert";
import { createHash } from "crypto";
import { promises as fsp } from "fs";
import * as path from "path";
import { eraseLocal, readLakePiiKey } from "../../erasure/local";
import { erasureSubjects } from "../../erasure/subject";
import { readCommittedSeq } from "../../local/lakeWriter";
import { queryLake, toJsonRows } from "../../local/query";
import { WriteAheadLog } from "../../local/wal";
import { listFiles, postJson, startLocal, tempLakeDir } from "./localHarness";

const ALICE = "alice@example.com";
const ALICE_ANON = "anon-alice-7";
const OTHERS = ["bob-42", "carol", "Alice@example.com", "alice@example.co"];

/** Every table and view, rows in a stable order, as JSON-safe values. */
async function snapshot(lakeDir: string): Promise<Record<string, unknown[]>> {
    const out: Record<string, unknown[]> = {};
    for (const [view, order] of [["events", "event_id, received_at"], ["bad_rows", "event_id"], ["aggregates", "aggregate_id"], ["alerts", "alert_id"]]) {
        out[view] = toJsonRows(await queryLake(lakeDir, `SELECT * FROM ${view} ORDER BY ${order}`));
    }
    return out;
}

async function fileDigests(lakeDir: string): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const f of await listFiles(lakeDir)) out[path.relative(lakeDir, f)] = createHash("sha256").update(await fsp.readFile(f)).digest("hex");
    return out;
}

describe("clickstream erase --local (end to end through the local pipeline)", function () {
    this.timeout(120_000);
    let lakeDir: string;
    let pseudonyms: string[];
    let snapshotBefore: Record<string, unknown[]>;

    before(async () => {
        lakeDir = await tempLakeDir("erase-lake-");
        const local = await startLocal(lakeDir);
        try {
            const post = async (route: string, body: unknown) => assert.equal((await postJson(`${local.url}${route}`, body)).status, 200);
            // Two deliveries, so the person's rows are spread over several files.
            for (const round of [0, 1]) {
                for (const who of [ALICE, ...OTHERS]) {
                    await post("/v1/events", { events: [
                        { eventId: `${who}-${round}-view`, type: "page", userId: who, page: { path: "/docs" } },
                        { eventId: `${who}-${round}-buy`, type: "track", name: "Order Completed", userId: who, properties: { price: 10 + round, user_group: "g1" } },
                        { eventId: `${who}-${round}-bad`, type: "track", userId: who },
                    ] });
                }
                // The person's anonymous visits, and the alias linking them to the user id (previousId in the maps).
                await post("/v1/events", { events: [{ eventId: `anon-${round}`, type: "page", anonymousId: ALICE_ANON, page: { path: "/pricing" } }] });
                await post("/v1/batch", { batch: [{ type: "alias", userId: ALICE, previousId: ALICE_ANON, messageId: `alias-${round}` }] });
                await local.pipeline.flush();
            }
            // While the pipeline runs, events it acknowledged could reach the lake after an erase: refused.
            await assert.rejects(eraseLocal({ lakeDir, request: { userId: ALICE }, dryRun: false }), /clickstream local \(pid \d+.*is using the lake.*Fix: stop it first/);
        } finally {
            await local.pipeline.stop();
        }
        pseudonyms = erasureSubjects({ userId: ALICE, anonymousId: ALICE_ANON }, await readLakePiiKey(lakeDir)).map((s) => s.pseudonym);
        snapshotBefore = await snapshot(lakeDir);
    });
    after(async () => {
        await fsp.rm(lakeDir, { recursive: true, force: true });
    });

    const isAlices = (row: unknown) => pseudonyms.some((p) => JSON.stringify(row).includes(p));

    it("--dry-run reports what would go and changes no file", async () => {
        const digests = await fileDigests(lakeDir);
        const plan = await eraseLocal({ lakeDir, request: { userId: ALICE, anonymousId: ALICE_ANON }, dryRun: true });
        assert.equal(plan.dry_run, true);
        const step = (place: string) => plan.steps.find((s) => s.place === place)!;
        assert.equal(step("events").removed, snapshotBefore.events.filter((r) => isAlices(r) && (r as { event_type: string }).event_type !== "bad_row").length);
        assert.equal(step("events").removed, 8, "2 rounds x (page, track, alias, anonymous page)");
        assert.equal(step("bad_rows").removed, 2);
        assert.equal(step("raw_backup").removed, 6, "2 rounds x (own batch, anonymous page, alias)");
        assert.deepEqual(await fileDigests(lakeDir), digests, "a dry run touches nothing");
        assert.ok(!JSON.stringify(plan).includes(ALICE), "no raw id in the plan");
    });

    it("removes the person's rows from every view, the raw backup and the log, and nobody else's", async () => {
        const lakeText = async () => (await Promise.all((await listFiles(lakeDir)).map((f) => fsp.readFile(f, "latin1")))).join("\n");
        assert.ok((await lakeText()).includes(ALICE), "precondition: the raw backup and the log hold the raw id");
        const record = await eraseLocal({ lakeDir, request: { userId: ALICE, anonymousId: ALICE_ANON }, dryRun: false });
        const after = await snapshot(lakeDir);

        for (const view of Object.keys(snapshotBefore)) {
            assert.deepEqual(after[view].filter(isAlices), [], `${view} still holds the person's rows`);
            // Everyone else's rows: the same count and the same contents, column by column.
            assert.deepEqual(after[view], snapshotBefore[view].filter((r) => !isAlices(r)), `${view}: other people's rows changed`);
        }
        assert.ok(snapshotBefore.aggregates.length > 0, "precondition: windows wrote aggregates");
        assert.deepEqual(after.aggregates, snapshotBefore.aggregates, "aggregates of groups (event type, user group) keep their counts");
        for (const other of OTHERS) assert.equal(after.events.filter((r) => JSON.stringify(r).includes(`"${other}-0-buy"`)).length, 1);

        // Raw copies: the raw id is in no file of the lake any more (raw/ and wal/ are plain text).
        const text = await lakeText();
        assert.ok(!text.includes(ALICE) && !text.includes(ALICE_ANON), "the raw id survives in a lake file");
        assert.ok(text.includes("bob-42"), "other people's raw envelopes stay");
        assert.deepEqual(await listFiles(path.join(lakeDir, "wal")), [], "delivered log segments are deleted");

        // The audit row: pseudonyms and counts, no raw id.
        const audit = toJsonRows(await queryLake(lakeDir, "SELECT * FROM erasures")) as Array<Record<string, unknown>>;
        assert.equal(audit.length, 1);
        assert.equal(audit[0].erasure_id, record.erasure_id);
        assert.equal(audit[0].rows_removed, 10);
        assert.deepEqual(JSON.parse(String(audit[0].subjects)).map((s: { pseudonym: string }) => s.pseudonym), pseudonyms);
        const steps = JSON.parse(String(audit[0].steps)) as Array<{ place: string; removed: number }>;
        assert.deepEqual(steps.map((s) => [s.place, s.removed]), [["events", 8], ["bad_rows", 2], ["aggregates", 0], ["alerts", 0], ["sessions", 0], ["raw_backup", 6], ["error_output", 0], ["wal", 0]]);
        assert.ok(!JSON.stringify(audit).includes(ALICE));

        // Erasing again finds nothing; the lake keeps working: a restarted pipeline continues the sequence.
        const again = await eraseLocal({ lakeDir, request: { userId: ALICE }, dryRun: true });
        assert.equal(again.rows_removed, 0);
        const committed = await readCommittedSeq(lakeDir);
        const local = await startLocal(lakeDir);
        try {
            assert.equal((await postJson(`${local.url}/v1/events`, { events: [{ eventId: "after-erase", type: "page", userId: "dave", page: { path: "/" } }] })).status, 200);
            await local.pipeline.flush();
        } finally {
            await local.pipeline.stop();
        }
        assert.ok((await readCommittedSeq(lakeDir)) > committed);
        assert.equal((await queryLake(lakeDir, "SELECT count(*) AS n FROM events")).rows[0].n, after.events.length + 1);
    });

    it("refuses while the log holds acknowledged requests not yet in the lake", async () => {
        const { wal } = await WriteAheadLog.open(path.join(lakeDir, "wal"), await readCommittedSeq(lakeDir));
        await wal.append(Buffer.from(JSON.stringify({ v: 1, receivedAt: Date.now(), path: "/v1/events", body: { events: [] } })));
        await wal.close();
        await assert.rejects(eraseLocal({ lakeDir, request: { userId: ALICE }, dryRun: false }), /1 acknowledged request\(s\) in .*wal are not in the lake yet.*Fix: run `clickstream local`/);
    });
});
