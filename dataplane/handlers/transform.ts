/**
 * Firehose transformation Lambda. The configuration is validated at cold start (a bad one fails the
 * init loudly, so no row is written under rules nobody intended); the pseudonymization key is loaded
 * from SSM / Secrets Manager and cached; the transformer is rebuilt only when the key changes.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { createTransformer, ENV_TRANSFORM_CONFIG, loadPiiKey, resolveTransformConfig, Transformer, TransformConfig } from "../transform";

function readConfig(): TransformConfig | undefined {
    const text = process.env[ENV_TRANSFORM_CONFIG];
    if (text === undefined || text.trim() === "") return undefined;
    let parsed: TransformConfig;
    try {
        parsed = JSON.parse(text) as TransformConfig;
    } catch (err) {
        throw new Error(`${ENV_TRANSFORM_CONFIG}: not valid JSON (${(err as Error).message}). Fix: set it to the JSON of a TransformConfig`);
    }
    resolveTransformConfig(parsed);
    return parsed;
}

const config = readConfig();
let current: { key: string; transformer: Transformer } | undefined;

export async function handler(event: FirehoseTransformationEvent): Promise<FirehoseTransformationResult> {
    // Without the key nothing can be pseudonymized: let the invocation fail and Firehose retry it.
    const key = await loadPiiKey();
    if (current === undefined || current.key !== key) current = { key, transformer: createTransformer(config, key) };
    const result = current.transformer.firehose(event);
    const counts: Record<string, number> = { Ok: 0, Dropped: 0, ProcessingFailed: 0 };
    for (const r of result.records) counts[r.result]++;
    // One structured line per invocation; never rows (they're data, possibly personal).
    console.log(JSON.stringify({ msg: "transform", records: result.records.length, ...counts }));
    return result;
}
