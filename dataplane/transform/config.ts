/**
 * Configuration of the transform, shared by the Lambda (read from environment variables), the
 * FirehoseLake component (which writes those variables) and the local pipeline.
 *
 * Contract (do not rename without updating components/lake):
 * - `CLICKSTREAM_TRANSFORM_CONFIG`: JSON of `TransformConfig` (optional; defaults apply).
 * - `CLICKSTREAM_PII_SECRET_PARAMETER`: name of an SSM SecureString holding the pseudonymization key, or
 * - `CLICKSTREAM_PII_SECRET_ARN`: ARN of a Secrets Manager secret holding it.
 *   Exactly one of the two must be set in Lambda; the local pipeline may pass the key directly.
 */
export const ENV_TRANSFORM_CONFIG = "CLICKSTREAM_TRANSFORM_CONFIG";
export const ENV_PII_SECRET_PARAMETER = "CLICKSTREAM_PII_SECRET_PARAMETER";
export const ENV_PII_SECRET_ARN = "CLICKSTREAM_PII_SECRET_ARN";

export interface PiiConfig {
    /**
     * Field paths replaced by HMAC-SHA256(secret, value), hex. Paths are row columns ("user_id") or
     * map entries ("properties.email", "context.traits.phone"). Defaults to `DEFAULT_PII.pseudonymize`.
     */
    pseudonymize?: string[];
    /** Field paths removed before the row is written. Defaults to `DEFAULT_PII.drop`. */
    drop?: string[];
    /**
     * Map keys (matched case-insensitively as regular expressions against the last path segment) whose
     * values are pseudonymized wherever they appear in properties/context. Defaults to e-mail, phone,
     * name and address-like keys.
     */
    pseudonymizeKeyPatterns?: string[];
    /** Redact e-mail addresses in free text and URL query strings. Defaults to true. */
    redactEmails?: boolean;
    /** Redact phone numbers in free text and URL query strings. Defaults to true. */
    redactPhones?: boolean;
    /** Extra regular expressions whose matches are redacted in free text. Defaults to none. */
    redactPatterns?: string[];
    /** Truncate IPs to /24 (IPv4) and /48 (IPv6). Defaults to true. */
    truncateIp?: boolean;
}

export interface TransformConfig {
    pii?: PiiConfig;
    /** Largest accepted request body in bytes. Defaults to 512 KiB (Segment allows 500 KB per batch). */
    maxBodyBytes?: number;
    /** Largest accepted single event in bytes. Defaults to 32 KiB (Segment's per-event limit). */
    maxEventBytes?: number;
    /** Most events accepted in one request; extra events become bad rows. Defaults to 500. */
    maxEventsPerRequest?: number;
    /** Largest bad_payload excerpt kept, in characters. Defaults to 2048. */
    badPayloadMaxChars?: number;
}
