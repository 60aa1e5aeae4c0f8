/**
 * The Firehose transform: request envelopes in, validated and pseudonymized lake rows out.
 * Used by the transform Lambda (dataplane/handlers/transform.ts), the local pipeline and the tests.
 */
import type { FirehoseTransformationEvent, FirehoseTransformationResult } from "aws-lambda";
import { EventRow } from "../schema";
import { TransformConfig } from "./config";
import { transformFirehose } from "./firehose";
import { Normalizer } from "./normalize";
import { Pseudonymizer } from "./pii";
import { resolveTransformConfig } from "./resolve";
import { LakeRow, toEventRow } from "./rowText";

export { resolveTransformConfig } from "./resolve";
export type { ResolvedTransformConfig, ResolvedPii } from "./resolve";
export { loadPiiKey, clearPiiKeyCache, PII_KEY_TTL_MS } from "./secret";
export type { LoadPiiKeyOptions } from "./secret";
export * from "./config";
export { rowsToText } from "./rowText";
export { BAD_ROW_TYPE } from "./normalize";
export { EVENT_TYPES } from "./events";

export interface Transformer {
    /** One request envelope (object, or its JSON text / bytes) -> lake rows (good and bad). Never throws. */
    normalize(envelope: unknown): EventRow[];
    /** Firehose data-transformation contract: one output record per input recordId. Never throws. */
    firehose(event: FirehoseTransformationEvent): FirehoseTransformationResult;
}

/**
 * Builds a transformer. Throws (naming the field and the fix) on an invalid config or a key shorter
 * than 16 bytes; once built, `normalize` and `firehose` never throw.
 */
export function createTransformer(config: TransformConfig | undefined, piiKey: string | Uint8Array): Transformer {
    const resolved = resolveTransformConfig(config);
    const normalizer = new Normalizer(resolved, new Pseudonymizer(piiKey));
    const normalize = (envelope: unknown, fallbackReceivedMs: number): LakeRow[] => normalizer.normalize(envelope, fallbackReceivedMs);
    return {
        // In-process callers get the EventRow contract (null where absent); Firehose output leaves absent columns out.
        normalize: (envelope) => normalize(envelope, Date.now()).map(toEventRow),
        firehose: (event) => transformFirehose(event, normalize, resolved.maxResponseBytes),
    };
}
