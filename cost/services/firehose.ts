/**
 * Firehose: ingestion per GB with every record rounded up to 5 KB (Direct PUT and Kinesis Data
 * Streams as source alike), Parquet/ORC conversion per GB on the same rounded volume, dynamic
 * partitioning per GB delivered and per S3 object.
 */
import type { ModelContext } from "../context";
import { GIB, roundUp } from "../traffic";

const SOURCE_LABEL = { kinesis: "Kinesis source", "direct-put": "Direct PUT from the API", function: "Direct PUT from the window function" } as const;

export function priceFirehose(ctx: ModelContext): void {
    const rounding = ctx.p.figure("firehose.ingestion", "roundingBytes");
    for (const d of ctx.g.deliveries) {
        const billedGb = (d.records * roundUp(d.recordBytes, rounding)) / GIB;
        const label = `${SOURCE_LABEL[d.source]}, ${d.recordBytes} B records billed as ${roundUp(d.recordBytes, rounding)} B`;
        ctx.priced(d.resource, "Firehose", `ingestion (${label})`, billedGb, "GB", "firehose.ingestion");
        const s3 = d.resource.inputs.extendedS3Configuration ?? {};
        if (s3.dataFormatConversionConfiguration?.enabled) {
            ctx.priced(d.resource, "Firehose", "format conversion to Parquet (same 5 KB-rounded GB)", billedGb, "GB", "firehose.formatConversion");
        }
        if (s3.dynamicPartitioningConfiguration?.enabled) {
            ctx.priced(d.resource, "Firehose", "dynamic partitioning", (d.records * d.recordBytes) / GIB, "GB", "firehose.dynamicPartitioning");
            const objects = d.records === 0 ? 0 : ctx.t.secondsPerMonth / Number(s3.bufferingInterval ?? 300);
            ctx.priced(d.resource, "Firehose", "dynamic partitioning objects (one per partition per buffer, one partition assumed)", objects, "objects", "firehose.dynamicPartitioningObjects");
        }
    }
}
