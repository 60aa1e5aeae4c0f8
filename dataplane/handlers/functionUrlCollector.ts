/**
 * Lambda handler behind the ingest function URL (IngestEndpoint api: "function-url"): validates the
 * request, checks the write key, and PutRecords the request envelope into the KMS-encrypted Kinesis
 * stream (dataplane/ingest/collector.ts). Configured by environment variables the component sets.
 */
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { createCollector, FunctionUrlEvent, FunctionUrlResult } from "../ingest/collector";

export const ENV_STREAM_NAME = "CLICKSTREAM_STREAM_NAME";
export const ENV_CORS_ORIGINS = "CLICKSTREAM_CORS_ORIGINS";
/** "write-keys" (check CLICKSTREAM_WRITE_KEY_HASHES) or "none"; required, so a missing setting never opens the endpoint. */
export const ENV_AUTH = "CLICKSTREAM_AUTH";
export const ENV_MAX_BATCH_EVENTS = "CLICKSTREAM_MAX_BATCH_EVENTS";

let collect: ((event: FunctionUrlEvent) => Promise<FunctionUrlResult>) | undefined;

function required(name: string): string {
    const value = process.env[name];
    if (!value) throw new Error(`${name} is not set: the collector's component sets it; redeploy the stack`);
    return value;
}

/** Builds the collector from the environment once per container. */
function collector(): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
    if (collect) return collect;
    const streamName = required(ENV_STREAM_NAME);
    const auth = required(ENV_AUTH);
    if (auth !== "write-keys" && auth !== "none") throw new Error(`${ENV_AUTH} must be "write-keys" or "none" (got ${JSON.stringify(auth)})`);
    const maxBatchEvents = Number(process.env[ENV_MAX_BATCH_EVENTS] ?? 500);
    if (!Number.isInteger(maxBatchEvents) || maxBatchEvents < 1) throw new Error(`${ENV_MAX_BATCH_EVENTS} must be a whole number >= 1`);
    const corsAllowedOrigins = JSON.parse(process.env[ENV_CORS_ORIGINS] ?? "[]") as string[];
    // The SDK retries throttled calls itself (2 attempts here); the collector retries failed records.
    const kinesis = new KinesisClient({ maxAttempts: 2 });
    collect = createCollector({ corsAllowedOrigins, requireWriteKeys: auth === "write-keys", maxBatchEvents }, async (records) =>
        kinesis.send(new PutRecordsCommand({ StreamName: streamName, Records: records })));
    return collect;
}

/** For tests: rebuild from the environment on the next call. */
export function resetCollector(): void {
    collect = undefined;
}

export async function handler(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
    return collector()(event);
}
