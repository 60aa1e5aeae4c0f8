/**
 * Athena scans for the stated query load, from the bytes the Parquet lake holds for the days a query
 * reads (partition projection prunes the rest) and the share of columns it selects; 10 MB minimum per
 * query; the workgroup's per-query cutoff caps what a query can scan. Glue Data Catalog objects and
 * requests (partition projection needs no partitions in the catalog).
 */
import type { ModelContext } from "../context";
import { T } from "../graph";

export function priceAthenaAndGlue(ctx: ModelContext): void {
    const { g, t, a } = ctx;
    const daysPerMonth = ctx.hours / 24;
    const queries = t.queriesPerDay * daysPerMonth;
    const lakeBytesPerDay = g.bucketWrites.filter((w) => w.kind === "lake").reduce((s, w) => s + w.bytesPerDay, 0);
    const workgroup = g.ofType(T.workgroup)[0];
    if (workgroup && queries > 0) {
        const minimum = ctx.p.figure("athena.scanned", "minimumBytesPerQuery");
        let perQuery = Math.max(minimum, lakeBytesPerDay * a.queryScanDays * a.queryColumnFraction);
        const cutoff = Number(workgroup.inputs.configuration?.bytesScannedCutoffPerQuery ?? 0);
        if (cutoff > 0 && perQuery > cutoff) {
            ctx.note(`Athena: a ${a.queryScanDays}-day query would scan ${(perQuery / 1024 ** 3).toFixed(1)} GB, over the workgroup's ${(cutoff / 1024 ** 3).toFixed(1)} GB cutoff: such queries are cancelled at the cutoff (and billed for it). Raise clickstream:athenaBytesScannedCutoff or query fewer days.`);
            perQuery = cutoff;
        }
        ctx.priced(workgroup, "Athena", `data scanned (${t.queriesPerDay} queries/day, ${a.queryScanDays} days x ${a.queryColumnFraction * 100}% of columns each, 10 MB minimum)`, (queries * perQuery) / 1024 ** 4, "TB", "athena.scanned");
        ctx.priced(workgroup, "S3", "query results written (one object per query)", queries, "requests", "s3.put");
    }
    const catalogObjects = g.ofType(T.glueDatabase).length + g.ofType(T.glueTable).length;
    const db = g.ofType(T.glueDatabase)[0];
    if (db) {
        ctx.priced(db, "Glue", "Data Catalog objects (databases, tables; partition projection stores no partitions)", catalogObjects, "objects", "glue.catalogStorage");
        // Athena reads the table per query; Firehose's Parquet conversion reads the schema per buffer flush.
        const conversionReads = g.bucketWrites.filter((w) => w.kind !== "raw").reduce((s, w) => s + w.objectsPerMonth, 0);
        ctx.priced(db, "Glue", "Data Catalog requests (first million per month free)", queries * 3 + conversionReads, "requests", "glue.catalogRequests");
    }
}
