/**
 * REQUEST authorizer of the HTTP API ingest (IngestEndpoint api: "http"; payload format 2.0, simple
 * responses). HTTP APIs have no API keys or usage plans, so this function judges the key itself: it
 * accepts a write key (Segment's `Basic base64("<key>:")`, or `Bearer <key>`) whose SHA-256 is in
 * CLICKSTREAM_WRITE_KEY_HASHES (a JSON object hash -> key name). Only hashes live in the function's
 * configuration, never the keys. API Gateway caches the answer per Authorization header for the TTL.
 *
 * Data-plane code: no Pulumi, no AWS SDK.
 */
import { checkWriteKey } from "../auth/writeKey";

export { ENV_WRITE_KEY_HASHES, resetKeyCache, writeKeyHash } from "../auth/writeKey";

export interface HttpAuthorizerEvent {
    headers?: Record<string, string | undefined>;
}

export interface HttpAuthorizerResult {
    isAuthorized: boolean;
    context?: { keyName: string };
}

export async function handler(event: HttpAuthorizerEvent): Promise<HttpAuthorizerResult> {
    let header: string | undefined;
    for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === "authorization" && v) header = v;
    const check = checkWriteKey(header);
    if (!check.ok) {
        // The reason goes to the function's log, never the key itself.
        console.log(JSON.stringify({ level: "info", msg: "write key refused", reason: check.reason }));
        return { isAuthorized: false };
    }
    return { isAuthorized: true, context: { keyName: check.keyName } };
}
