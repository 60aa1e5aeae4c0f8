/**
 * Erasure against a deployed stack. For each place the pipeline keeps a person's data:
 *
 * - events table (good and bad rows), Iceberg: one Athena `DELETE` (merge-on-read position deletes;
 *   Glue compaction rewrites the affected files, snapshot expiry then deletes the old ones);
 * - events table, Parquet (and the Parquet aggregates table): every data file holding one of the
 *   person's rows is rewritten without them. Athena `UNLOAD`s the file's other rows to a staging prefix
 *   (the predicate wrapped in coalesce(..., false), so a row whose columns are NULL is always kept), the
 *   staged files are copied into the partition, and the old file is deleted with all its versions;
 * - raw backup and Firehose error output: every object within retention is read, the person's records
 *   (found by the raw id, in memory) are removed, and the object is rewritten or deleted, old versions too;
 * - Athena query results: result objects that contain one of the pseudonyms are deleted with all versions;
 * - the `sessions` model table (Iceberg, when the stack runs the models): one Athena `DELETE` of the
 *   sessions whose anonymous_id / user_id is the pseudonym; the other model tables hold counts, no ids;
 * - alerts (DynamoDB anomalies table): alarm transitions of roll-up metrics, no per-person data: nothing to do;
 * - an `erasures` audit record (JSON) under erasures/ in the lake bucket.
 *
 * With `dryRun` only reads happen (Athena SELECTs, S3 lists and gets) and the plan is returned.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import {
    CopyObjectCommand, DeleteObjectsCommand, GetObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, PutObjectCommand, S3Client,
} from "@aws-sdk/client-s3";
import { AGGREGATE_COLUMNS } from "../dataplane/analytics/output";
import { ERASURES_PREFIX } from "../components/lake/erasuresTable";
import { ATHENA_RESULTS_PREFIX } from "../components/lake/glueTable";
import { EVENT_COLUMNS } from "../dataplane/schema";
import { AthenaRunner } from "./athena";
import { auditRecord, newErasureId, type ErasureAuditRecord, type ErasureStep } from "./audit";
import { aggregateRowPredicateSql, eventRowPredicateSql, sessionRowPredicateSql } from "./match";
import { rewriteRawObject, type RawObjectKind } from "./rawRecords";
import type { ErasureSubject } from "./subject";

/** The stack's names (from `pulumi stack output --json`). */
export interface StackLake {
    stack: string;
    tableFormat: "parquet" | "iceberg";
    lakeBucket: string;
    rawBucket: string;
    database: string;
    eventsTable: string;
    workgroup: string;
    /** The aggregates table, when the stack runs windows. */
    aggregatesTable?: string;
    /** The `sessions` model table (Iceberg), when the stack runs the models (output sessionsTable). */
    sessionsTable?: string;
}

export interface StackEraseOptions {
    lake: StackLake;
    subjects: readonly ErasureSubject[];
    dryRun: boolean;
    athena: AthenaClient;
    s3: S3Client;
    /** Athena poll interval (tests: 0). */
    pollMs?: number;
    now?: () => Date;
    erasureId?: string;
    /** Progress lines (never holding a raw id). */
    log?: (line: string) => void;
}

/** Where raw data lives: raw backup and Iceberg delivery failures in the raw bucket, Parquet failures in the lake bucket. */
const RAW_PLACES: { place: string; bucket: "rawBucket" | "lakeBucket"; prefix: string; kind: RawObjectKind }[] = [
    { place: "raw_backup", bucket: "rawBucket", prefix: "raw/", kind: "raw-backup" },
    { place: "error_output", bucket: "rawBucket", prefix: "raw-errors/", kind: "error-output" },
    { place: "error_output", bucket: "lakeBucket", prefix: "errors/", kind: "error-output" },
];

export const ERASURE_STAGING_PREFIX = "erasure-staging/";

const quoted = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function eraseOnStack(o: StackEraseOptions): Promise<ErasureAuditRecord> {
    const now = o.now ?? (() => new Date());
    const requestedAt = now();
    const erasureId = o.erasureId ?? newErasureId();
    const log = o.log ?? (() => undefined);
    const { lake } = o;
    const athena = new AthenaRunner({ client: o.athena, workgroup: lake.workgroup, database: lake.database, pollMs: o.pollMs });
    const table = `${quoted(lake.database)}.${quoted(lake.eventsTable)}`;
    const predicate = eventRowPredicateSql(o.subjects);
    const steps: ErasureStep[] = [];

    // --- Events table: count good and bad rows first (the audit's numbers, and the dry run's).
    const [[good, bad]] = await athena.run(`SELECT count_if(event_type <> 'bad_row'), count_if(event_type = 'bad_row') FROM ${table} WHERE ${predicate}`);
    const goodRows = Number(good), badRows = Number(bad);
    if (lake.tableFormat === "iceberg") {
        if (!o.dryRun && goodRows + badRows > 0) await athena.run(`DELETE FROM ${table} WHERE ${predicate}`);
        const note = "merge-on-read: the rows stay in data files until compaction and snapshot expiry (docs/privacy.md)";
        steps.push({ place: "events", method: "athena-delete", removed: goodRows, note }, { place: "bad_rows", method: "athena-delete", removed: badRows, note });
    } else {
        const files = await rewriteParquetFiles(o, athena, erasureId, table, EVENT_COLUMNS.map((c) => c.name), predicate, log);
        steps.push({ place: "events", method: "partition-rewrite", removed: goodRows, objects: files }, { place: "bad_rows", method: "partition-rewrite", removed: badRows, note: "same files as events" });
    }

    // --- Aggregates grouped by a person column are per-person rows; other groups keep their counts.
    if (lake.aggregatesTable) {
        const aggTable = `${quoted(lake.database)}.${quoted(lake.aggregatesTable)}`;
        const aggPredicate = aggregateRowPredicateSql(o.subjects);
        const [[n]] = await athena.run(`SELECT count(*) FROM ${aggTable} WHERE ${aggPredicate}`);
        const files = Number(n) > 0 ? await rewriteParquetFiles(o, athena, erasureId, aggTable, AGGREGATE_COLUMNS.map((c) => c.name), aggPredicate, log) : 0;
        steps.push({ place: "aggregates", method: "partition-rewrite", removed: Number(n), objects: files, note: "groups of other values keep their counts, which still include the person's past events" });
    }

    // --- The sessions model keeps the person's pseudonyms (one row per session); the other models hold counts only.
    if (lake.sessionsTable) {
        const sessionsTable = `${quoted(lake.database)}.${quoted(lake.sessionsTable)}`;
        const sessionsPredicate = sessionRowPredicateSql(o.subjects);
        const [[n]] = await athena.run(`SELECT count(*) FROM ${sessionsTable} WHERE ${sessionsPredicate}`);
        if (!o.dryRun && Number(n) > 0) await athena.run(`DELETE FROM ${sessionsTable} WHERE ${sessionsPredicate}`);
        steps.push({
            place: "sessions", method: "athena-delete", removed: Number(n),
            note: "merge-on-read like events; daily_users, page_stats_daily and funnel_daily hold counts only and keep the person in them until their days are re-run",
        });
    }

    // --- Raw copies, found by the raw id.
    for (const place of RAW_PLACES) {
        const bucket = lake[place.bucket];
        const r = await eraseRawObjects(o, bucket, place.prefix, place.kind);
        const existing = steps.find((s) => s.place === place.place);
        if (existing) {
            existing.removed += r.removed;
            existing.objects = (existing.objects ?? 0) + r.objects;
        } else {
            steps.push({ place: place.place, method: "object-rewrite", removed: r.removed, objects: r.objects, note: "removed now, old versions included" });
        }
    }
    const results = await eraseQueryResults(o);
    steps.push({ place: "query_results", method: "object-delete", removed: results, objects: results, note: "result files naming a pseudonym; others expire with the workgroup's retention" });
    steps.push({ place: "alerts", method: "none", removed: 0, note: "alarm transitions of roll-up metrics: no per-person data" });

    const record = auditRecord({ erasureId, requestedAt, completedAt: now(), target: `stack ${lake.stack}`, dryRun: o.dryRun, subjects: o.subjects, steps });
    if (!o.dryRun) {
        const day = record.completed_at.slice(0, 10);
        await o.s3.send(new PutObjectCommand({
            Bucket: lake.lakeBucket,
            Key: `${ERASURES_PREFIX}dt=${day}/${erasureId}.json`,
            Body: `${JSON.stringify(record)}\n`,
            ContentType: "application/json",
        }));
    }
    return record;
}

/**
 * Rewrites every data file of `table` that holds a row matching `predicate`; returns the number of
 * files. Dry run: only lists them.
 */
async function rewriteParquetFiles(
    o: StackEraseOptions, athena: AthenaRunner, erasureId: string, table: string, columns: string[], predicate: string, log: (l: string) => void,
): Promise<number> {
    const files = (await athena.run(`SELECT DISTINCT "$path" FROM ${table} WHERE ${predicate}`)).map((r) => r[0]).filter((p) => p.startsWith("s3://"));
    if (o.dryRun) return files.length;
    const bucket = o.lake.lakeBucket;
    for (const [n, file] of files.entries()) {
        const key = file.replace(`s3://${bucket}/`, "");
        if (key === file) throw new Error(`erase: ${file} is not in the lake bucket ${bucket}; refusing to rewrite it`);
        const folder = key.slice(0, key.lastIndexOf("/") + 1);
        const staging = `${ERASURE_STAGING_PREFIX}${erasureId}/${n}/`;
        // Everything but the person's rows; NULL predicate results (absent ids) count as "keep".
        await athena.run(
            `UNLOAD (SELECT ${columns.map(quoted).join(", ")} FROM ${table} WHERE "$path" = '${file.replace(/'/g, "''")}' AND NOT coalesce((${predicate}), false)) ` +
            `TO 's3://${bucket}/${staging}' WITH (format = 'PARQUET', compression = 'SNAPPY')`,
        );
        const staged = await listKeys(o.s3, bucket, staging);
        for (const [k, stagedKey] of staged.entries()) {
            await o.s3.send(new CopyObjectCommand({ Bucket: bucket, Key: `${folder}erased-${erasureId}-${n}-${k}.parquet`, CopySource: `${bucket}/${encodeURIComponent(stagedKey).replace(/%2F/g, "/")}` }));
        }
        // New file in place first, then the old one goes: a query in between may count the kept rows twice, never lose them.
        await deleteAllVersions(o.s3, bucket, [key, ...staged]);
        log(`rewrote ${key} (${staged.length} replacement file(s))`);
    }
    return files.length;
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
        keys.push(...(page.Contents ?? []).map((c) => c.Key!).filter((k) => !!k));
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
}

/** Deletes every version (and delete marker) of exactly these keys: the buckets are versioned. */
async function deleteAllVersions(s3: S3Client, bucket: string, keys: string[], keepVersionId?: string): Promise<void> {
    const objects: { Key: string; VersionId?: string }[] = [];
    for (const key of keys) {
        let keyMarker: string | undefined, versionMarker: string | undefined;
        do {
            const page = await s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker: keyMarker, VersionIdMarker: versionMarker }));
            for (const v of [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])]) {
                if (v.Key === key && v.VersionId !== keepVersionId) objects.push({ Key: key, VersionId: v.VersionId });
            }
            keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
            versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
        } while (keyMarker);
    }
    for (let i = 0; i < objects.length; i += 1000) {
        await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects.slice(i, i + 1000), Quiet: true } }));
    }
}

/** Deletes Athena result objects that contain one of the pseudonyms; returns how many. */
async function eraseQueryResults(o: StackEraseOptions): Promise<number> {
    const bucket = o.lake.lakeBucket;
    let deleted = 0;
    for (const key of await listKeys(o.s3, bucket, ATHENA_RESULTS_PREFIX)) {
        const got = await o.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const text = Buffer.from(await got.Body!.transformToByteArray()).toString("utf8");
        if (!o.subjects.some((s) => text.includes(s.pseudonym))) continue;
        deleted++;
        if (!o.dryRun) await deleteAllVersions(o.s3, bucket, [key]);
    }
    return deleted;
}

/** Scans every object under `prefix` and removes the person's records from those that hold any. */
async function eraseRawObjects(o: StackEraseOptions, bucket: string, prefix: string, kind: RawObjectKind): Promise<{ removed: number; objects: number }> {
    let removed = 0, objects = 0;
    for (const key of await listKeys(o.s3, bucket, prefix)) {
        const got = await o.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await got.Body!.transformToByteArray();
        const rewrite = rewriteRawObject(bytes, kind, o.subjects);
        if (rewrite.removed === 0) continue;
        removed += rewrite.removed;
        objects++;
        if (o.dryRun) continue;
        if (rewrite.body === undefined) {
            await deleteAllVersions(o.s3, bucket, [key]);
        } else {
            const put = await o.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: rewrite.body, ContentType: got.ContentType, ContentEncoding: got.ContentEncoding }));
            // The versions before this one still hold the person's records (an unversioned bucket keeps none).
            if (put.VersionId !== undefined) await deleteAllVersions(o.s3, bucket, [key], put.VersionId);
        }
    }
    return { removed, objects };
}
