/**
 * Reads a tracker's write key from an Authorization header. Segment's server libraries
 * (analytics-node, analytics-python, ...) send `Authorization: Basic base64("<writeKey>:")`; the
 * ingest endpoint's authorizer hands that key to API Gateway as the API key, so a usage plan meters
 * and throttles each write key. `Bearer <key>` is accepted too, for clients that are not Segment's.
 *
 * Data-plane code: no Pulumi, no AWS SDK.
 */
import { createHash } from "crypto";

/** API Gateway API keys are 20-128 characters; anything outside cannot match a key. */
export const MIN_WRITE_KEY_CHARS = 20;
export const MAX_WRITE_KEY_CHARS = 128;

export type WriteKeyResult = { ok: true; writeKey: string } | { ok: false; reason: string };

/** Extracts the write key, or says why the header carries none. Never throws. */
export function parseWriteKey(header: string | undefined | null): WriteKeyResult {
    if (!header) return { ok: false, reason: "missing Authorization header" };
    const match = /^\s*(Basic|Bearer)\s+(\S+)\s*$/i.exec(header);
    if (!match) return { ok: false, reason: "Authorization is neither Basic nor Bearer" };
    let key: string;
    if (match[1].toLowerCase() === "basic") {
        const encoded = match[2];
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) return { ok: false, reason: "Basic credentials are not base64" };
        const decoded = Buffer.from(encoded, "base64").toString("utf8");
        // user:password with the write key as user and an empty password; a key without a colon
        // is accepted as the user alone (some clients omit it).
        const colon = decoded.indexOf(":");
        key = colon === -1 ? decoded : decoded.slice(0, colon);
    } else {
        key = match[2];
    }
    if (key.length < MIN_WRITE_KEY_CHARS || key.length > MAX_WRITE_KEY_CHARS) {
        return { ok: false, reason: `write key must be ${MIN_WRITE_KEY_CHARS}-${MAX_WRITE_KEY_CHARS} characters` };
    }
    if (!/^[\x21-\x7e]+$/.test(key)) return { ok: false, reason: "write key has non-printable or non-ASCII characters" };
    return { ok: true, writeKey: key };
}

/**
 * The resource a cached decision covers. API Gateway caches the policy per Authorization header for
 * the TTL and reuses it on every route, so it must allow all POST routes of the stage, not only the
 * method that happened to be called first.
 * "arn:aws:execute-api:us-east-1:123456789012:abc123/live/POST/v1/track" -> ".../abc123/live/POST/v1/*"
 */
export function stageWideResource(methodArn: string): string {
    const [api, stage] = methodArn.split("/");
    if (!/^arn:aws[a-z-]*:execute-api:[a-z0-9-]+:\d{12}:[a-z0-9]+$/.test(api ?? "") || !stage) {
        throw new Error(`unexpected methodArn ${JSON.stringify(methodArn)}`);
    }
    return `${api}/${stage}/POST/v1/*`;
}

/**
 * Where write keys are judged without API Gateway's usage plans (the HTTP API's authorizer, the
 * function URL collector): the keys' SHA-256 hex digests -> key name, as JSON in this variable.
 * Only hashes live in a function's configuration, never the keys.
 */
export const ENV_WRITE_KEY_HASHES = "CLICKSTREAM_WRITE_KEY_HASHES";

export function writeKeyHash(key: string): string {
    return createHash("sha256").update(key).digest("hex");
}

let hashes: Map<string, string> | undefined;

/** The hash -> key name table from the environment, read once per container. */
function knownHashes(): Map<string, string> {
    if (!hashes) {
        const raw = process.env[ENV_WRITE_KEY_HASHES];
        if (!raw) throw new Error(`${ENV_WRITE_KEY_HASHES} is not set: there are no write keys to accept`);
        hashes = new Map(Object.entries(JSON.parse(raw) as Record<string, string>));
    }
    return hashes;
}

/** For tests: forget the cached table. */
export function resetKeyCache(): void {
    hashes = undefined;
}

export type WriteKeyCheck = { ok: true; keyName: string } | { ok: false; reason: string };

/** Judges an Authorization header against the known keys' hashes (read once per container). Never logs the key. */
export function checkWriteKey(header: string | undefined | null): WriteKeyCheck {
    const parsed = parseWriteKey(header);
    if (!parsed.ok) return parsed;
    const keyName = knownHashes().get(writeKeyHash(parsed.writeKey));
    return keyName === undefined ? { ok: false, reason: "unknown key" } : { ok: true, keyName };
}
