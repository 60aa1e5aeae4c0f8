/**
 * The request envelope: what the ingest endpoint's mapping template writes as one Firehose or
 * Kinesis record per HTTP request, and what the transform (and the analytics window) read back.
 * The local pipeline's HTTP server builds the same envelope, so every path shares one parser.
 */
export interface RequestEnvelope {
    /** Envelope version; bump when the shape changes. */
    v: 1;
    /** Server receive time, epoch milliseconds ($context.requestTimeEpoch). */
    receivedAt: number;
    /** Caller IP ($context.identity.sourceIp). Truncated by the transform, never stored whole. */
    sourceIp: string;
    /** User-Agent header. */
    userAgent: string;
    /** Resource path, e.g. "/v1/events" or "/v1/track". Decides how `body` is read. */
    path: string;
    /** API Gateway request id ($context.requestId), for tracing a bad row back to an access log. */
    requestId?: string;
    /** API key id when the usage plan requires keys ($context.identity.apiKeyId). */
    apiKeyId?: string;
    /**
     * The request body. The mapping template embeds it as JSON ($input.json('$')); a local server
     * may pass the raw text as a string, which the transform parses.
     */
    body: unknown;
}

/** Routes the ingest endpoint serves, and the body format each carries. */
export const INGEST_ROUTES = {
    "/v1/events": "native-batch",
    "/v1/batch": "segment-batch",
    "/v1/track": "segment-track",
    "/v1/page": "segment-page",
    "/v1/screen": "segment-screen",
    "/v1/identify": "segment-identify",
    "/v1/group": "segment-group",
    "/v1/alias": "segment-alias",
} as const;

export type IngestPath = keyof typeof INGEST_ROUTES;
