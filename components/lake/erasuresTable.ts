/**
 * The `erasures` audit table: one JSON object per erasure (erasure/audit.ts writes them under
 * s3://<lake>/erasures/dt=YYYY-MM-DD/), readable from Athena. It holds pseudonyms, never raw ids;
 * `subjects` is classified pii so analysts don't see whom an erasure was for.
 */
import type { Classification } from "../../dataplane/schema";
import { projectionParameters } from "./glueTable";

/** Prefix of the audit records in the lake bucket (no lifecycle expiry: audit evidence is kept). */
export const ERASURES_PREFIX = "erasures/";

export const ERASURES_COLUMNS: readonly { name: string; type: string; classification: Classification; comment: string }[] = [
    { name: "erasure_id", type: "string", classification: "internal", comment: "Id of the erasure (UUID)" },
    { name: "requested_at", type: "string", classification: "public", comment: "When the erasure started (ISO-8601 UTC)" },
    { name: "completed_at", type: "string", classification: "public", comment: "When it finished (ISO-8601 UTC)" },
    { name: "target", type: "string", classification: "public", comment: "Where it ran, e.g. stack prod" },
    { name: "dry_run", type: "boolean", classification: "public", comment: "Always false in the table (dry runs are not recorded)" },
    { name: "subjects", type: "array<struct<kind:string,pseudonym:string>>", classification: "pii", comment: "Id kinds and pseudonyms erased (never raw ids)" },
    { name: "steps", type: "array<struct<place:string,method:string,removed:bigint,objects:bigint,note:string>>", classification: "internal", comment: "Per place: method, rows or records removed, objects touched" },
    { name: "rows_removed", type: "bigint", classification: "public", comment: "Rows removed from the tables (raw records not counted)" },
];

/** Partition key of the audit table: the completion day. */
export const ERASURES_PARTITION_KEYS = [{ name: "dt", type: "string", classification: "public" as Classification, comment: "Completion date, yyyy-MM-dd (UTC)" }];

/** Columns with their classification (partition key included), for Lake Formation tagging. */
export const ERASURES_TABLE_COLUMNS = [...ERASURES_COLUMNS, ...ERASURES_PARTITION_KEYS];

/** Table parameters: JSON lines with dt partition projection (no hour level). */
export function erasuresTableParameters(bucketName: string, startDate: string): Record<string, string> {
    const p = projectionParameters(bucketName, startDate, ERASURES_PREFIX);
    delete p["projection.hour.type"];
    delete p["projection.hour.range"];
    delete p["projection.hour.digits"];
    return { ...p, EXTERNAL: "TRUE", classification: "json", "storage.location.template": `s3://${bucketName}/${ERASURES_PREFIX}dt=\${dt}/` };
}

export function erasuresStorageDescriptor(bucketName: string) {
    return {
        location: `s3://${bucketName}/${ERASURES_PREFIX}`,
        inputFormat: "org.apache.hadoop.mapred.TextInputFormat",
        outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        serDeInfo: { name: "json", serializationLibrary: "org.openx.data.jsonserde.JsonSerDe", parameters: { "ignore.malformed.json": "FALSE" } },
        columns: ERASURES_COLUMNS.map((c) => ({ name: c.name, type: c.type, comment: c.comment })),
    };
}
