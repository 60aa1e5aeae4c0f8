/**
 * Window Lambda: a Kinesis event source mapping with `tumblingWindowInSeconds` invokes it with the
 * window state; it normalizes records with the lake's transform (same rows, same pseudonymization
 * key), aggregates them per the window specs, and on the window's final invoke prints EMF metrics
 * to stdout (CloudWatch Logs extracts them) and sends aggregate rows to the aggregates Firehose.
 */
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { createTransformer, loadPiiKey, ENV_TRANSFORM_CONFIG, TransformConfig, Transformer } from "../transform";
import { loadWindowSettings } from "../analytics/env";
import { firehoseSink } from "../analytics/sink";
import { TumblingWindowEvent, TumblingWindowResponse, processWindowEvent } from "../analytics/window";

let settings: ReturnType<typeof loadWindowSettings> | undefined;
let transformerFor: { key: string; transformer: Transformer } | undefined;
let firehose: FirehoseClient | undefined;

function transformConfig(): TransformConfig | undefined {
    const text = process.env[ENV_TRANSFORM_CONFIG];
    if (!text) return undefined;
    try { return JSON.parse(text) as TransformConfig; } catch (err) { throw new Error(`${ENV_TRANSFORM_CONFIG} is not valid JSON: ${(err as Error).message}`); }
}

/** The transformer for the current PII key (loadPiiKey caches the key with a TTL; a rotated key rebuilds it). */
async function currentTransformer(): Promise<Transformer> {
    const key = await loadPiiKey();
    if (!transformerFor || transformerFor.key !== key) transformerFor = { key, transformer: createTransformer(transformConfig(), key) };
    return transformerFor.transformer;
}

export async function handler(event: TumblingWindowEvent): Promise<TumblingWindowResponse> {
    // Validated at cold start as well as at deploy time: a bad spec fails loudly here, not silently.
    settings ??= loadWindowSettings();
    firehose ??= new FirehoseClient({});
    const transformer = await currentTransformer();
    return processWindowEvent(event, settings, {
        normalize: (envelope) => transformer.normalize(envelope),
        emitMetrics: (doc) => process.stdout.write(JSON.stringify(doc) + "\n"),
        emitRows: firehoseSink(firehose, settings.aggregatesStream),
        log: (entry) => console.log(JSON.stringify(entry)),
    });
}
