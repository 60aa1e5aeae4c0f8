import { strict as assert } from "assert";
import { gunzipSync, gzipSync } from "zlib";
import { AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand } from "@aws-sdk/client-athena";
import {
    CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { mockClient } from "aws-sdk-client-mock";
import { renderReport } from "../../erasure/audit";
import { eraseOnStack, type StackLake } from "../../erasure/stack";
import { erasureSubjects } from "../../erasure/subject";
import { EVENT_COLUMNS } from "../../dataplane/schema";
import { AGGREGATE_COLUMNS } from "../../dataplane/analytics/output";
import { ERASURES_COLUMNS } from "../../components/lake/erasuresTable";

const KEY = "erasure-test-key-0123456789abcdef";
const RAW_ID = "alice-7731";
const [SUBJECT] = erasureSubjects({ userId: RAW_ID }, KEY);
const P = SUBJECT.pseudonym;
const PRED = `(user_id = '${P}' OR contains(map_values(properties), '${P}') OR contains(map_values(context), '${P}') OR (event_type = 'bad_row' AND strpos(bad_payload, '${P}') > 0))`;
const NOW = new Date("2026-11-30T08:30:00.000Z");

const lake = (tableFormat: "iceberg" | "parquet", aggregatesTable?: string): StackLake => ({
    stack: "prod", tableFormat, lakeBucket: "lake-bkt", rawBucket: "raw-bkt", database: "clickstream_prod", eventsTable: "events", workgroup: "wg", aggregatesTable,
});

const envelopeOf = (userId: string) => JSON.stringify({ v: 1, receivedAt: 1, sourceIp: "198.51.100.1", userAgent: "ua", path: "/v1/batch", body: { batch: [{ type: "track", event: "e", userId }] } });

/** An in-memory versioned S3 behind aws-sdk-client-mock, recording every call. */
function fakeS3(initial: Record<string, Buffer>) {
    const mock = mockClient(S3Client);
    const store = new Map<string, { versions: { id: string; body: Buffer }[] }>();
    let version = 0;
    const put = (bucketKey: string, body: Buffer) => {
        const id = `v${++version}`;
        const entry = store.get(bucketKey) ?? { versions: [] };
        entry.versions.push({ id, body });
        store.set(bucketKey, entry);
        return id;
    };
    for (const [k, v] of Object.entries(initial)) {
        put(k, v);
        put(k, v); // an older version too: versioned buckets keep noncurrent copies
    }
    mock.on(ListObjectsV2Command).callsFake((i) => ({
        Contents: [...store.entries()].filter(([k, e]) => k.startsWith(`${i.Bucket}/${i.Prefix}`) && e.versions.length > 0).map(([k]) => ({ Key: k.slice(i.Bucket.length + 1) })),
        IsTruncated: false,
    }));
    mock.on(GetObjectCommand).callsFake((i) => {
        const e = store.get(`${i.Bucket}/${i.Key}`)!;
        const body = e.versions[e.versions.length - 1].body;
        return { Body: { transformToByteArray: async () => new Uint8Array(body) } as never };
    });
    mock.on(PutObjectCommand).callsFake((i) => ({ VersionId: put(`${i.Bucket}/${i.Key}`, Buffer.from(i.Body as Uint8Array | string)) }));
    mock.on(CopyObjectCommand).callsFake((i) => {
        const src = store.get(i.CopySource!)!;
        return { VersionId: put(`${i.Bucket}/${i.Key}`, src.versions[src.versions.length - 1].body) };
    });
    mock.on(ListObjectVersionsCommand).callsFake((i) => ({
        Versions: [...store.entries()].filter(([k]) => k.startsWith(`${i.Bucket}/${i.Prefix}`)).flatMap(([k, e]) => e.versions.map((v) => ({ Key: k.slice(i.Bucket.length + 1), VersionId: v.id }))),
        IsTruncated: false,
    }));
    mock.on(DeleteObjectsCommand).callsFake((i) => {
        for (const o of i.Delete.Objects) {
            const e = store.get(`${i.Bucket}/${o.Key}`);
            if (e) e.versions = e.versions.filter((v) => v.id !== o.VersionId);
        }
        return {};
    });
    const current = (bucketKey: string) => {
        const e = store.get(bucketKey);
        return e && e.versions.length > 0 ? e.versions[e.versions.length - 1].body : undefined;
    };
    return { mock, store, current };
}

/** Athena behind aws-sdk-client-mock: answers SELECTs with `answer(sql)` and records every statement. */
function fakeAthena(answer: (sql: string) => string[][], fail?: (sql: string) => boolean) {
    const mock = mockClient(AthenaClient);
    const sqlById = new Map<string, string>();
    mock.on(StartQueryExecutionCommand).callsFake((i) => {
        const id = `q${sqlById.size + 1}`;
        sqlById.set(id, i.QueryString!);
        return { QueryExecutionId: id };
    });
    mock.on(GetQueryExecutionCommand).callsFake((i) => ({
        QueryExecution: { Status: fail?.(sqlById.get(i.QueryExecutionId!)!) ? { State: "FAILED", StateChangeReason: "TABLE_NOT_FOUND" } : { State: "SUCCEEDED" } },
    }));
    mock.on(GetQueryResultsCommand).callsFake((i) => ({
        ResultSet: { Rows: [{ Data: [{ VarCharValue: "header" }] }, ...answer(sqlById.get(i.QueryExecutionId!)!).map((r) => ({ Data: r.map((v) => ({ VarCharValue: v })) }))] },
    }));
    const statements = () => mock.commandCalls(StartQueryExecutionCommand).map((c) => c.args[0].input);
    return { mock, statements };
}

function rawObjects() {
    const mixed = [envelopeOf("bob"), envelopeOf(RAW_ID), envelopeOf(`${RAW_ID}2`), envelopeOf("ALICE-7731")].join("\n") + "\n";
    const onlyTheirs = envelopeOf(RAW_ID);
    const errorLine = (userId: string) => JSON.stringify({ attemptsMade: 4, errorCode: "Lambda.FunctionError", rawData: Buffer.from(envelopeOf(userId)).toString("base64") });
    return {
        "raw-bkt/raw/dt=2026-11-29/hour=10/a.gz": gzipSync(mixed),
        "raw-bkt/raw/dt=2026-11-29/hour=11/b.gz": gzipSync(onlyTheirs),
        "raw-bkt/raw/dt=2026-11-29/hour=12/c.gz": gzipSync(envelopeOf("carol")),
        "lake-bkt/errors/processing-failed/dt=2026-11-29/e": Buffer.from(`${errorLine("dave")}\n${errorLine(RAW_ID)}\n`),
    };
}

const everyRequest = (...mocks: { calls(): { args: unknown[] }[] }[]) => JSON.stringify(mocks.flatMap((m) => m.calls().map((c) => (c.args[0] as { input: unknown }).input)), (_k, v) => {
    // PutObject bodies of rewritten raw objects are gzip: unpack them so the check sees their text.
    if (v && typeof v === "object" && v.type === "Buffer") return gunzipIfGzip(Buffer.from(v.data));
    if (v instanceof Uint8Array) return gunzipIfGzip(Buffer.from(v));
    return v;
});
const gunzipIfGzip = (b: Buffer) => (b[0] === 0x1f && b[1] === 0x8b ? gunzipSync(b) : b).toString("utf8");

describe("erasure on a stack (mocked Athena and S3, exact requests)", () => {
    afterEach(() => {
        mockClient(AthenaClient).restore();
        mockClient(S3Client).restore();
    });

    it("Iceberg: counts, one DELETE, raw objects rewritten without the person (old versions gone), audit record; no raw id in any request", async () => {
        const athena = fakeAthena((sql) => (sql.startsWith("SELECT count_if") ? [["5", "1"]] : sql.startsWith("SELECT count(*)") ? [["2"]] : sql.startsWith("SELECT DISTINCT") ? [["s3://lake-bkt/aggregates/dt=2026-11-29/hour=10/agg.parquet"]] : []));
        const s3 = fakeS3({
            ...rawObjects(),
            "lake-bkt/aggregates/dt=2026-11-29/hour=10/agg.parquet": Buffer.from("PAR1"),
            "lake-bkt/athena-results/q-old.csv": Buffer.from(`"user_id","page"\n"${P}","/a"\n`),
            "lake-bkt/athena-results/q-other.csv": Buffer.from(`"page","views"\n"/a","3"\n`),
        });
        const record = await eraseOnStack({ lake: lake("iceberg", "aggregates"), subjects: [SUBJECT], dryRun: false, athena: new AthenaClient({}), s3: new S3Client({}), pollMs: 0, now: () => NOW, erasureId: "e-1" });

        const aggPred = `contains(map_values(group_values), '${P}')`;
        assert.deepEqual(athena.statements(), [
            { QueryString: `SELECT count_if(event_type <> 'bad_row'), count_if(event_type = 'bad_row') FROM "clickstream_prod"."events" WHERE ${PRED}`, WorkGroup: "wg", QueryExecutionContext: { Database: "clickstream_prod" } },
            { QueryString: `DELETE FROM "clickstream_prod"."events" WHERE ${PRED}`, WorkGroup: "wg", QueryExecutionContext: { Database: "clickstream_prod" } },
            { QueryString: `SELECT count(*) FROM "clickstream_prod"."aggregates" WHERE ${aggPred}`, WorkGroup: "wg", QueryExecutionContext: { Database: "clickstream_prod" } },
            { QueryString: `SELECT DISTINCT "$path" FROM "clickstream_prod"."aggregates" WHERE ${aggPred}`, WorkGroup: "wg", QueryExecutionContext: { Database: "clickstream_prod" } },
            {
                QueryString: `UNLOAD (SELECT ${AGGREGATE_COLUMNS.map((c) => `"${c.name}"`).join(", ")}` +
                    ` FROM "clickstream_prod"."aggregates" WHERE "$path" = 's3://lake-bkt/aggregates/dt=2026-11-29/hour=10/agg.parquet' AND NOT coalesce((${aggPred}), false)) TO 's3://lake-bkt/erasure-staging/e-1/0/' WITH (format = 'PARQUET', compression = 'SNAPPY')`,
                WorkGroup: "wg", QueryExecutionContext: { Database: "clickstream_prod" },
            },
        ]);

        // Mixed raw object: the person's record gone; look-alike ids (alice-77312, ALICE-7731) and bob kept, byte for byte.
        const mixed = gunzipSync(s3.current("raw-bkt/raw/dt=2026-11-29/hour=10/a.gz")!).toString("utf8");
        assert.equal(mixed, [envelopeOf("bob"), envelopeOf(`${RAW_ID}2`), envelopeOf("ALICE-7731")].join("\n") + "\n");
        assert.equal(s3.store.get("raw-bkt/raw/dt=2026-11-29/hour=10/a.gz")!.versions.length, 1, "older versions (with the record) deleted");
        assert.equal(s3.current("raw-bkt/raw/dt=2026-11-29/hour=11/b.gz"), undefined, "an object of only their records is deleted with every version");
        assert.equal(s3.store.get("raw-bkt/raw/dt=2026-11-29/hour=12/c.gz")!.versions.length, 2, "other people's objects untouched");
        const errors = s3.current("lake-bkt/errors/processing-failed/dt=2026-11-29/e")!.toString("utf8").trim().split("\n");
        assert.equal(errors.length, 1);
        assert.equal(Buffer.from(JSON.parse(errors[0]).rawData, "base64").toString("utf8"), envelopeOf("dave"));

        const audit = s3.mock.commandCalls(PutObjectCommand).find((c) => c.args[0].input.Key?.startsWith("erasures/"))!.args[0].input;
        assert.equal(audit.Bucket, "lake-bkt");
        assert.equal(audit.Key, "erasures/dt=2026-11-30/e-1.json");
        assert.deepEqual(JSON.parse(String(audit.Body)), record);
        assert.deepEqual(record.subjects, [{ kind: "user_id", pseudonym: P }]);
        assert.deepEqual(record.steps.map((s) => [s.place, s.method, s.removed, s.objects]), [
            ["events", "athena-delete", 5, undefined], ["bad_rows", "athena-delete", 1, undefined], ["aggregates", "partition-rewrite", 2, 1],
            ["raw_backup", "object-rewrite", 2, 2], ["error_output", "object-rewrite", 1, 1], ["query_results", "object-delete", 1, 1], ["alerts", "none", 0, undefined],
        ]);
        assert.equal(s3.store.get("lake-bkt/athena-results/q-old.csv")!.versions.length, 0, "a result naming the pseudonym is deleted, every version");
        assert.equal(s3.store.get("lake-bkt/athena-results/q-other.csv")!.versions.length, 2);
        // The audit record has exactly the erasures table's columns.
        assert.deepEqual(Object.keys(record), ERASURES_COLUMNS.map((c) => c.name));
        assert.equal(record.rows_removed, 8);
        assert.ok(!everyRequest(athena.mock, s3.mock).includes(`"userId":"${RAW_ID}"`), "the raw id is in no request");
        assert.ok(!JSON.stringify(record).includes(RAW_ID));
    });

    it("Parquet: each file with the person's rows is unloaded without them, the staged files copied into its partition, the old file and staging deleted (all versions)", async () => {
        const file = "s3://lake-bkt/events/dt=2026-11-29/hour=10/part-1.parquet";
        const athena = fakeAthena((sql) => (sql.startsWith("SELECT count_if") ? [["3", "0"]] : sql.startsWith("SELECT DISTINCT") ? [[file]] : []));
        const s3 = fakeS3({
            "lake-bkt/events/dt=2026-11-29/hour=10/part-1.parquet": Buffer.from("old"),
            "lake-bkt/events/dt=2026-11-29/hour=10/part-2.parquet": Buffer.from("other"),
            "lake-bkt/erasure-staging/e-2/0/20261130_a": Buffer.from("new-a"),
            "lake-bkt/erasure-staging/e-2/0/20261130_b": Buffer.from("new-b"),
        });
        const record = await eraseOnStack({ lake: lake("parquet"), subjects: [SUBJECT], dryRun: false, athena: new AthenaClient({}), s3: new S3Client({}), pollMs: 0, now: () => NOW, erasureId: "e-2" });
        const sql = athena.statements().map((s) => s.QueryString);
        assert.equal(sql[1], `SELECT DISTINCT "$path" FROM "clickstream_prod"."events" WHERE ${PRED}`);
        assert.equal(sql[2], `UNLOAD (SELECT ${EVENT_COLUMNS.map((c) => `"${c.name}"`).join(", ")} FROM "clickstream_prod"."events" WHERE "$path" = '${file}' AND NOT coalesce((${PRED}), false)) TO 's3://lake-bkt/erasure-staging/e-2/0/' WITH (format = 'PARQUET', compression = 'SNAPPY')`);
        assert.ok(!sql.some((s) => s?.startsWith("DELETE")), "no DELETE on a Parquet table");
        assert.deepEqual(s3.mock.commandCalls(CopyObjectCommand).map((c) => [c.args[0].input.CopySource, c.args[0].input.Key]), [
            ["lake-bkt/erasure-staging/e-2/0/20261130_a", "events/dt=2026-11-29/hour=10/erased-e-2-0-0.parquet"],
            ["lake-bkt/erasure-staging/e-2/0/20261130_b", "events/dt=2026-11-29/hour=10/erased-e-2-0-1.parquet"],
        ]);
        assert.equal(s3.current("lake-bkt/events/dt=2026-11-29/hour=10/part-1.parquet"), undefined);
        assert.equal(s3.store.get("lake-bkt/events/dt=2026-11-29/hour=10/part-1.parquet")!.versions.length, 0, "no noncurrent version left");
        assert.equal(s3.current("lake-bkt/events/dt=2026-11-29/hour=10/part-2.parquet")!.toString(), "other");
        assert.equal(s3.current("lake-bkt/erasure-staging/e-2/0/20261130_a"), undefined);
        assert.equal(s3.current("lake-bkt/events/dt=2026-11-29/hour=10/erased-e-2-0-1.parquet")!.toString(), "new-b");
        assert.deepEqual(record.steps.slice(0, 2).map((s) => [s.place, s.method, s.removed, s.objects]), [["events", "partition-rewrite", 3, 1], ["bad_rows", "partition-rewrite", 0, undefined]]);
    });

    it("--dry-run: only reads (SELECTs, lists, gets), and reports what would go", async () => {
        const athena = fakeAthena((sql) => (sql.startsWith("SELECT count_if") ? [["4", "2"]] : sql.startsWith("SELECT DISTINCT") ? [["s3://lake-bkt/events/dt=2026-11-29/hour=10/p.parquet"]] : []));
        const s3 = fakeS3(rawObjects());
        const record = await eraseOnStack({ lake: lake("parquet"), subjects: [SUBJECT], dryRun: true, athena: new AthenaClient({}), s3: new S3Client({}), pollMs: 0, now: () => NOW, erasureId: "e-3" });
        assert.ok(athena.statements().every((s) => /^SELECT /.test(s.QueryString!)));
        for (const write of [PutObjectCommand, CopyObjectCommand, DeleteObjectsCommand]) assert.equal(s3.mock.commandCalls(write as never).length, 0, write.name);
        assert.equal(record.dry_run, true);
        const text = renderReport(record);
        assert.match(text, /^Erasure plan \(dry run: nothing removed\) e-3 on stack prod/);
        assert.match(text, /events\s+partition-rewrite\s+would remove 4 in 1 object\(s\)/);
        assert.match(text, /raw_backup\s+object-rewrite\s+would remove 2 in 2 object\(s\)/);
        assert.ok(!text.includes(RAW_ID));
    });

    it("models: the person's sessions are deleted from the sessions Iceberg table (both ids), counted in the audit; a dry run only counts", async () => {
        const subjects = erasureSubjects({ userId: RAW_ID, anonymousId: "anon-77" }, KEY);
        const [U, A] = subjects.map((s) => s.pseudonym);
        const both = `(user_id = '${U}' OR contains(map_values(properties), '${U}') OR contains(map_values(context), '${U}') OR (event_type = 'bad_row' AND strpos(bad_payload, '${U}') > 0))` +
            ` OR (anonymous_id = '${A}' OR contains(map_values(properties), '${A}') OR contains(map_values(context), '${A}') OR (event_type = 'bad_row' AND strpos(bad_payload, '${A}') > 0))`;
        const sessionsPred = `user_id = '${U}' OR anonymous_id = '${A}'`;
        const answer = (sql: string) => (sql.startsWith("SELECT count_if") ? [["4", "0"]] : sql.startsWith("SELECT count(*)") ? [["3"]] : []);
        const withSessions: StackLake = { ...lake("iceberg"), sessionsTable: "sessions" };
        const ctx = { WorkGroup: "wg", QueryExecutionContext: { Database: "clickstream_prod" } };

        const athena = fakeAthena(answer);
        fakeS3({});
        const record = await eraseOnStack({ lake: withSessions, subjects, dryRun: false, athena: new AthenaClient({}), s3: new S3Client({}), pollMs: 0, now: () => NOW, erasureId: "e-5" });
        assert.deepEqual(athena.statements(), [
            { QueryString: `SELECT count_if(event_type <> 'bad_row'), count_if(event_type = 'bad_row') FROM "clickstream_prod"."events" WHERE ${both}`, ...ctx },
            { QueryString: `DELETE FROM "clickstream_prod"."events" WHERE ${both}`, ...ctx },
            { QueryString: `SELECT count(*) FROM "clickstream_prod"."sessions" WHERE ${sessionsPred}`, ...ctx },
            { QueryString: `DELETE FROM "clickstream_prod"."sessions" WHERE ${sessionsPred}`, ...ctx },
        ]);
        assert.deepEqual(record.steps.slice(0, 3).map((s) => [s.place, s.method, s.removed]), [["events", "athena-delete", 4], ["bad_rows", "athena-delete", 0], ["sessions", "athena-delete", 3]]);
        assert.equal(record.rows_removed, 7, "sessions rows count as table rows");
        mockClient(AthenaClient).restore();
        mockClient(S3Client).restore();

        const dry = fakeAthena(answer);
        fakeS3({});
        const plan = await eraseOnStack({ lake: withSessions, subjects, dryRun: true, athena: new AthenaClient({}), s3: new S3Client({}), pollMs: 0, now: () => NOW, erasureId: "e-6" });
        assert.deepEqual(dry.statements().map((s) => s.QueryString!.split(" WHERE ")[0]), [
            `SELECT count_if(event_type <> 'bad_row'), count_if(event_type = 'bad_row') FROM "clickstream_prod"."events"`,
            `SELECT count(*) FROM "clickstream_prod"."sessions"`,
        ]);
        assert.equal(plan.steps.find((s) => s.place === "sessions")!.removed, 3);
    });

    it("a failed Athena statement stops the erasure with its reason, before anything is deleted", async () => {
        fakeAthena(() => [["1", "0"]], (sql) => sql.startsWith("DELETE"));
        const s3 = fakeS3(rawObjects());
        await assert.rejects(
            eraseOnStack({ lake: lake("iceberg"), subjects: [SUBJECT], dryRun: false, athena: new AthenaClient({}), s3: new S3Client({}), pollMs: 0, now: () => NOW }),
            /Athena query q2 FAILED: TABLE_NOT_FOUND/,
        );
        assert.equal(s3.mock.commandCalls(DeleteObjectsCommand).length + s3.mock.commandCalls(PutObjectCommand).length, 0);
    });
});
