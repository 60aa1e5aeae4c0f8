/**
 * HTTP-level definitions of the ingest API shared by the API Gateway document (components/ingest)
 * and the local pipeline's server (local/server.ts): CORS, the error codes of the JSON error body,
 * and the largest request the backend can store. Data-plane module: no Pulumi.
 */

/** Headers a browser tracker may send on a POST; the preflight answers with these. */
export const CORS_ALLOWED_HEADERS = ["Content-Type", "Authorization", "X-Api-Key", "X-Amz-Date", "X-Amz-Security-Token"] as const;

/** Methods the preflight allows. */
export const CORS_ALLOWED_METHODS = ["POST", "OPTIONS"] as const;

/** Seconds browsers may cache a preflight answer. */
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** Rejects origins that would break out of the VTL string they are compared with. */
export function assertCorsOrigins(origins: readonly string[]): void {
    for (const origin of origins) {
        if (origin === "*") continue;
        if (!/^https?:\/\/[a-zA-Z0-9.-]+(:\d{1,5})?$/.test(origin)) {
            throw new Error(`corsAllowedOrigins: "${origin}" is not an origin; use scheme://host[:port] without a path, e.g. "https://www.example.com", or "*".`);
        }
    }
    if (origins.includes("*") && origins.length > 1) {
        throw new Error(`corsAllowedOrigins: "*" allows every origin and cannot be combined with specific origins; pass either ["*"] or a list of origins.`);
    }
}

/** The Access-Control-Allow-Origin value for a caller's Origin, or undefined (no header): "*", or the origin when listed. */
export function allowedOriginFor(origins: readonly string[], origin: string | undefined): string | undefined {
    if (origins.includes("*")) return "*";
    return origin !== undefined && origins.includes(origin) ? origin : undefined;
}

/** `error` codes of the JSON error body (components/ingest ERROR_SCHEMA), per cause. */
export const INGEST_ERRORS = {
    /** 400: the body is not JSON or fails the route's request model. */
    invalidBody: "invalid_body",
    /** 415: Content-Type is not application/json. */
    unsupportedMediaType: "unsupported_media_type",
    /** 429: throttled. */
    throttled: "throttled",
    /** 400: a record the backend can never store (too large). */
    rejected: "rejected",
    /** 503: the backend cannot store the request now; retry. */
    backendUnavailable: "backend_unavailable",
    /** Other 4xx (missing API key: 403 Forbidden, unknown route: 404...). */
    clientError: "client_error",
} as const;

/**
 * Largest record the stream behind the endpoint accepts: Kinesis' 1 MiB (Firehose's is 1,000 KiB).
 * The request envelope adds a few hundred bytes to the body.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;
