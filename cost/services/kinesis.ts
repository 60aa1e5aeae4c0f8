/**
 * Kinesis Data Streams. On-demand: per stream-hour, per GB written (each record rounded up to 1 KB),
 * per GB read by each consumer, extended retention per GB-month. Provisioned: per shard-hour, per PUT
 * payload unit (25 KB chunks of each record), extended retention per shard-hour; reads are free.
 * Enhanced fan-out consumers add consumer-shard-hours and per-GB reads.
 */
import type { ModelContext } from "../context";
import { GIB, roundUp } from "../traffic";
import { T } from "../graph";

export function priceKinesis(ctx: ModelContext): void {
    const { g, t } = ctx;
    for (const stream of g.streams) {
        const records = g.streamRecords.get(stream.urn) ?? 0;
        const mode = stream.inputs.streamModeDetails?.streamMode ?? (stream.inputs.shardCount ? "PROVISIONED" : "ON_DEMAND");
        const retentionHours = Number(stream.inputs.retentionPeriod ?? 24);
        const efo = g.ofType(T.streamConsumer).filter((c) => g.byRef(c.inputs.streamArn, T.stream) === stream);
        const pollingConsumers = g.deliveries.filter((d) => d.source === "kinesis" && g.streamOf(d.resource) === stream).length
            + g.ofType(T.esm).filter((m) => g.byRef(m.inputs.eventSourceArn, T.stream) === stream).length;
        const bytes = records * t.recordBytes;
        const hoursWritten = ctx.hours;
        if (mode === "ON_DEMAND") {
            ctx.priced(stream, "Kinesis", "on-demand stream-hours", ctx.hours, "stream-hours", "kinesis.onDemand.streamHour");
            const writtenGb = (records * roundUp(t.recordBytes, ctx.p.figure("kinesis.onDemand.dataIn", "roundingBytes"))) / GIB;
            ctx.priced(stream, "Kinesis", "on-demand data in (records rounded up to 1 KB)", writtenGb, "GB", "kinesis.onDemand.dataIn");
            ctx.priced(stream, "Kinesis", `on-demand data out (${pollingConsumers} consumer${pollingConsumers === 1 ? "" : "s"})`, (bytes / GIB) * pollingConsumers, "GB", "kinesis.onDemand.dataOut");
            if (retentionHours > 24) {
                // Average data held beyond the first day over the month.
                const gbMonth = (bytes / GIB / hoursWritten) * (retentionHours - 24);
                ctx.priced(stream, "Kinesis", `extended retention (${retentionHours} h)`, gbMonth, "GB-months", "kinesis.onDemand.extendedRetention");
            }
            ctx.priced(stream, "Kinesis", "enhanced fan-out reads", (bytes / GIB) * efo.length, "GB", "kinesis.onDemand.efoDataRetrieval");
        } else {
            const shards = Number(stream.inputs.shardCount ?? 1);
            ctx.priced(stream, "Kinesis", `provisioned shard-hours (${shards} shard${shards === 1 ? "" : "s"})`, shards * ctx.hours, "shard-hours", "kinesis.provisioned.shardHour");
            const unitBytes = ctx.p.figure("kinesis.provisioned.putPayloadUnits", "payloadUnitBytes");
            ctx.priced(stream, "Kinesis", "PUT payload units (25 KB per unit, per record)", records * Math.ceil(t.recordBytes / unitBytes), "units", "kinesis.provisioned.putPayloadUnits");
            if (retentionHours > 24) ctx.priced(stream, "Kinesis", `extended retention (${retentionHours} h)`, shards * ctx.hours, "shard-hours", "kinesis.provisioned.extendedRetentionShardHour");
            ctx.priced(stream, "Kinesis", "enhanced fan-out consumer-shard-hours", efo.length * shards * ctx.hours, "consumer-shard-hours", "kinesis.provisioned.efoConsumerShardHour");
            ctx.priced(stream, "Kinesis", "enhanced fan-out reads", (bytes / GIB) * efo.length, "GB", "kinesis.provisioned.efoDataRetrieval");
            // A shard takes 1 MB/s or 1,000 records/s of writes: say so when the traffic needs more.
            const perSecond = records / t.secondsPerMonth;
            const needed = Math.ceil(Math.max(perSecond / 1000, (perSecond * t.recordBytes) / (1024 * 1024)));
            if (needed > shards) {
                ctx.note(`Kinesis ${stream.name}: ${shards} provisioned shard(s) take 1,000 records/s or 1 MB/s each; this traffic (${perSecond.toFixed(0)} records/s of ${t.recordBytes} bytes) needs ${needed}. Writes beyond that are throttled (trackers get 429 and retry): raise clickstream:streamShardCount or use on-demand (0).`);
            }
        }
    }
}
