/**
 * REQUEST authorizer of the HTTP API ingest (IngestEndpoint api: "http"; payload format 2.0, simple
 * responses). HTTP APIs have no API keys or usage plans, so this function judges the key itself: it
 * accepts a write key (Segment's `Basic base64("<key>:")`, or `Bearer <key>`) whose SHA-256 is in
 * CLICKSTREAM_WRITE_KEY_HASHES (a JSON object hash -> key name). Only hashes live in the function's
 * configuration, never the keys. API Gateway caches the answer per Authorization header for the TTL.
 *
 * Data-plane code: no Pulumi, no AWS SDK.
 */
import { createHash } from "crypto";
import { parseWriteKey } from "../auth/writeKey";

export const ENV_WRITE_KEY_HASHES = "CLICKSTREAM_WRITE_KEY_HASHES";

export interface HttpAuthorizerEvent {
    headers?: Record<string, string | undefined>;
}

export interface HttpAuthorizerResult {
    isAuthorized: boolean;
    context?: { keyName: string };
}

export function writeKeyHash(key: string): string {
    return createHash("sha256").update(key).digest("hex");
}

let hashes: Map<string, string> | undefined;

/** The hash -> key name table from the environment, read once per container. */
function knownHashes(): Map<string, string> {
    if (!hashes) {
        const raw = process.env[ENV_WRITE_KEY_HASHES];
        if (!raw) throw new Error(`${ENV_WRITE_KEY_HASHES} is not set: the authorizer has no keys to accept`);
        hashes = new Map(Object.entries(JSON.parse(raw) as Record<string, string>));
    }
    return hashes;
}

/** For tests: forget the cached table. */
export function resetKeyCache(): void {
    hashes = undefined;
}

export async function handler(event: HttpAuthorizerEvent): Promise<HttpAuthorizerResult> {
    let header: string | undefined;
    for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === "authorization" && v) header = v;
    const parsed = parseWriteKey(header);
    if (!parsed.ok) {
        // The reason goes to the function's log, never the key itself.
        console.log(JSON.stringify({ level: "info", msg: "write key refused", reason: parsed.reason }));
        return { isAuthorized: false };
    }
    const keyName = knownHashes().get(writeKeyHash(parsed.writeKey));
    if (keyName === undefined) {
        console.log(JSON.stringify({ level: "info", msg: "write key refused", reason: "unknown key" }));
        return { isAuthorized: false };
    }
    return { isAuthorized: true, context: { keyName } };
}
