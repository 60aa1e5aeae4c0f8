/**
 * S3: storage of the lake (Standard, then Standard-IA after its lifecycle transition) and of the raw
 * backup (expired after its retention) as the average of a stated month after launch; PUTs from
 * Firehose's buffer flushes; GETs from Athena queries; lifecycle transitions.
 */
import type { CapturedResource } from "../../offline/runUnderMocks";
import type { ModelContext } from "../context";
import { T } from "../graph";
import { GIB } from "../traffic";

export interface BucketRequests {
    bucket: CapturedResource;
    puts: number;
    gets: number;
}

function lifecycleOf(ctx: ModelContext, bucket: CapturedResource): { iaAfterDays?: number; expireAfterDays?: number } {
    const out: { iaAfterDays?: number; expireAfterDays?: number } = {};
    for (const lc of ctx.g.ofType(T.bucketLifecycle).filter((x) => ctx.g.byRef(x.inputs.bucket, T.bucket) === bucket)) {
        for (const rule of lc.inputs.rules ?? []) {
            if (rule.status !== "Enabled") continue;
            const prefix = rule.filter?.prefix;
            // Rules scoped to the error or Athena-results prefixes do not govern the data itself.
            if (prefix && /error|athena/i.test(prefix)) continue;
            for (const tr of rule.transitions ?? []) if (tr.storageClass === "STANDARD_IA") out.iaAfterDays = Number(tr.days);
            if (rule.expiration?.days !== undefined) out.expireAfterDays = Number(rule.expiration.days);
        }
    }
    return out;
}

/** Objects the lake's Athena queries read per month (each query opens every object of the days it scans). */
function athenaGets(ctx: ModelContext, lakeObjectsPerMonth: number): number {
    const daysPerMonth = ctx.hours / 24;
    const queries = ctx.t.queriesPerDay * daysPerMonth;
    return queries * (lakeObjectsPerMonth / daysPerMonth) * ctx.a.queryScanDays;
}

export function bucketRequests(ctx: ModelContext): BucketRequests[] {
    const out: BucketRequests[] = [];
    const hasWorkgroup = ctx.g.ofType(T.workgroup).length > 0;
    for (const w of ctx.g.bucketWrites) {
        let entry = out.find((x) => x.bucket === w.bucket);
        if (!entry) out.push((entry = { bucket: w.bucket, puts: 0, gets: 0 }));
        entry.puts += w.objectsPerMonth;
        if (w.kind === "lake" && hasWorkgroup) entry.gets += athenaGets(ctx, w.objectsPerMonth);
    }
    return out;
}

export function priceS3(ctx: ModelContext): void {
    const daysPerMonth = ctx.hours / 24;
    const month = ctx.a.storageMonth;
    const elapsedDays = (month - 0.5) * daysPerMonth;
    const byBucket = new Map<CapturedResource, { bytesPerDay: number; objectsPerMonth: number }>();
    for (const w of ctx.g.bucketWrites) {
        const cur = byBucket.get(w.bucket) ?? { bytesPerDay: 0, objectsPerMonth: 0 };
        byBucket.set(w.bucket, { bytesPerDay: cur.bytesPerDay + w.bytesPerDay, objectsPerMonth: cur.objectsPerMonth + w.objectsPerMonth });
    }
    for (const [bucket, w] of byBucket) {
        const lc = lifecycleOf(ctx, bucket);
        const keptDays = lc.expireAfterDays !== undefined ? Math.min(elapsedDays, lc.expireAfterDays) : elapsedDays;
        const standardDays = lc.iaAfterDays !== undefined ? Math.min(keptDays, lc.iaAfterDays) : keptDays;
        const iaDays = keptDays - standardDays;
        ctx.priced(bucket, "S3", `Standard storage (month ${month}: ${standardDays.toFixed(0)} days of data)`, (w.bytesPerDay * standardDays) / GIB, "GB-months", "s3.standard.storage");
        ctx.priced(bucket, "S3", `Standard-IA storage (month ${month}: ${iaDays.toFixed(0)} days of data)`, (w.bytesPerDay * iaDays) / GIB, "GB-months", "s3.standardIa.storage");
        if (lc.iaAfterDays !== undefined && elapsedDays > lc.iaAfterDays) {
            ctx.priced(bucket, "S3", `lifecycle transitions to Standard-IA after ${lc.iaAfterDays} days`, w.objectsPerMonth, "requests", "s3.lifecycleTransitionIa");
        }
    }
    for (const r of bucketRequests(ctx)) {
        ctx.priced(r.bucket, "S3", "PUT requests (one object per Firehose buffer flush)", r.puts, "requests", "s3.put");
        ctx.priced(r.bucket, "S3", `GET requests (Athena reads every object of ${ctx.a.queryScanDays} days per query)`, r.gets, "requests", "s3.get");
    }
    ctx.note(`S3 storage is the average of month ${month} after launch; the lake keeps every day (Standard-IA after its lifecycle transition), the raw backup its retention days. Parquet is ${ctx.a.parquetRatio} of the rows' JSON (${ctx.a.parquetRatioSource}).`);
}
