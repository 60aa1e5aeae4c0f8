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
    /**
     * URL query and fragment parameter names (case-insensitive regular expressions, anchored, against
     * each segment of the name: `user[password]` -> `user`, `password`) whose values are removed, in
     * addition to `dropKeyPatterns` (and `pseudonymizeKeyPatterns` pseudonymizes, as for map keys). The
     * names sites use for credentials in URLs; kept apart from `dropKeyPatterns` because some of them
     * (`key`, `sig`, `session`) are ordinary map keys. Defaults to `DEFAULT_PII.dropUrlParamPatterns`.
     */
    dropUrlParamPatterns?: string[];
    /** Redact e-mail addresses in free text and URL query strings. Defaults to true. */
    redactEmails?: boolean;
    /** Redact phone numbers in free text and URL query strings. Defaults to true. */
    redactPhones?: boolean;
    /** Extra regular expressions whose matches are redacted in free text. Defaults to none. */
    redactPatterns?: string[];
    /** Truncate IPs to /24 (IPv4) and /48 (IPv6). Defaults to true. */
    truncateIp?: boolean;
    /**
     * Map keys (case-insensitive regular expressions against the last path segment, like
     * `pseudonymizeKeyPatterns`) whose entries are removed wherever they appear in properties/context.
     * Defaults to `DEFAULT_PII.dropKeyPatterns` (passwords, secrets, tokens, API/write keys, card numbers).
     */
    dropKeyPatterns?: string[];
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
    /**
     * Budget for one whole Lambda response in bytes. Lambda caps a synchronous response at 6 MB; when the
     * rows of one invocation would exceed the budget, the largest output records are returned as
     * ProcessingFailed (Firehose writes their original data to the error prefix: nothing is lost).
     * Defaults to 6,000,000.
     */
    maxResponseBytes?: number;
}

/** Defaults of `PiiConfig`: with them no e-mail, phone number, full IP or raw user id reaches the lake. */
export const DEFAULT_PII: Readonly<Required<PiiConfig>> = Object.freeze({
    pseudonymize: ["anonymous_id", "user_id", "properties.traits.name", "context.traits.name"],
    drop: [],
    pseudonymizeKeyPatterns: [
        "e-?mails?(_?address(es)?)?",
        "phones?(_?numbers?)?",
        "mobiles?(_?numbers?)?",
        "tel(ephone)?s?",
        "(first|last|full|middle|given|family|sur)_?name",
        "user_?name",
        "user_?id",
        "anonymous_?id",
        "previous_?id",
        "(street_?)?address(_?line_?\\d)?",
        "street",
        "postal_?code",
        "zip(_?code)?",
        "birth_?(day|date)",
        "date_?of_?birth",
        "dob",
        "ssn",
        "national_?id",
        "passport(_?number)?",
        "iban",
    ],
    redactEmails: true,
    redactPhones: true,
    redactPatterns: [],
    truncateIp: true,
    dropKeyPatterns: [
        "pass(word|wd)?",
        "pwd",
        "(client_?)?secret",
        "(access_?|refresh_?|id_?|auth_?|session_?|csrf_?|xsrf_?|bearer_?)?token",
        "authorization",
        "api_?key",
        "write_?key",
        "private_?key",
        "code_?verifier",
        "card_?number",
        "cc_?number",
        "cvc",
        "cvv",
    ],
    dropUrlParamPatterns: [
        "[a-z0-9_-]*token",
        "code_?verifier",
        "session.*",
        "[a-z]*sess(ion)?_?id",
        "sid",
        "auth(?!or).*",
        "pass(word|wd|phrase)?",
        "pwd",
        "[a-z0-9_-]*secret",
        "([a-z0-9]+-)*(signature|sig|credential)",
        "(x-)?(api|access|private|secret|client|app|subscription)?[_-]?key",
    ],
});

/** Defaults of the size limits of `TransformConfig`. */
export const DEFAULT_LIMITS = Object.freeze({
    maxBodyBytes: 512 * 1024,
    maxEventBytes: 32 * 1024,
    maxEventsPerRequest: 500,
    badPayloadMaxChars: 2048,
    maxResponseBytes: 6_000_000,
});
