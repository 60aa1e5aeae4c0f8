/**
 * KMS: one monthly fee per customer-managed key, and requests. S3 with Bucket Keys asks KMS for a
 * bucket-level key instead of one data key per object (the model applies AWS's "up to 99%"
 * reduction); Kinesis, Firehose and CloudWatch Logs reuse data keys for minutes, so an active
 * encrypted resource makes about one request per reuse period.
 */
import type { ModelContext } from "../context";
import { T } from "../graph";
import { logBytesPerMonth } from "./cloudwatch";
import { bucketRequests } from "./s3";
import { secretApiCalls } from "./secrets";

export function priceKms(ctx: ModelContext): void {
    const { g, a } = ctx;
    for (const key of g.ofType(T.key)) ctx.priced(key, "KMS", "customer-managed key", 1, "key-months", "kms.key");
    const reusesPerMonth = (ctx.hours * 3600) / a.kmsDataKeyReuseSeconds;
    const active = ctx.t.eventsPerSecond > 0;
    // S3: one request per PUT/GET without Bucket Keys.
    for (const r of bucketRequests(ctx)) {
        const enc = g.ofType(T.bucketEncryption).find((e) => g.byRef(e.inputs.bucket, T.bucket) === r.bucket);
        const rule = enc?.inputs.rules?.[0];
        if (rule?.applyServerSideEncryptionByDefault?.sseAlgorithm !== "aws:kms") continue;
        const bucketKey = rule.bucketKeyEnabled === true;
        const requests = (r.puts + r.gets) * (bucketKey ? 1 - a.s3BucketKeyReduction : 1);
        ctx.priced(r.bucket, "KMS", `requests from S3 (${bucketKey ? "Bucket Key on" : "no Bucket Key: one per object request"})`, requests, "requests", "kms.requests");
    }
    if (active) {
        for (const stream of g.streams.filter((s) => s.inputs.encryptionType === "KMS")) {
            const consumers = g.deliveries.filter((d) => g.streamOf(d.resource) === stream).length + g.ofType(T.esm).filter((m) => g.byRef(m.inputs.eventSourceArn, T.stream) === stream).length;
            ctx.priced(stream, "KMS", `requests from Kinesis SSE (producer + ${consumers} consumers per shard, one data key per ${a.kmsDataKeyReuseSeconds} s)`, (1 + consumers) * g.shardsOf(stream) * reusesPerMonth, "requests", "kms.requests");
        }
        for (const d of g.deliveries.filter((x) => x.resource.inputs.serverSideEncryption?.enabled && x.records > 0)) {
            ctx.priced(d.resource, "KMS", "requests from Firehose SSE", reusesPerMonth, "requests", "kms.requests");
        }
        const activeLogGroups = g.ofType(T.logGroup).filter((lg) => lg.inputs.kmsKeyId && logBytesPerMonth(ctx, lg).bytes > 0);
        for (const lg of activeLogGroups) ctx.priced(lg, "KMS", "requests from encrypted CloudWatch Logs", reusesPerMonth, "requests", "kms.requests");
        const secretCalls = secretApiCalls(ctx);
        for (const s of secretCalls) ctx.priced(s.secret, "KMS", "requests from Secrets Manager reads (one Decrypt each)", s.calls, "requests", "kms.requests");
    }
}
