/**
 * The function URL collector (IngestEndpoint api: "function-url"): one Lambda invocation per HTTP
 * request does what API Gateway's routes, models, authorizer and mapping template do on the other
 * paths, from the same definitions: routes (dataplane/envelope.ts), request models and body limit
 * (dataplane/ingest/request.ts), CORS and error codes (dataplane/ingest/http.ts), write keys
 * (dataplane/auth/writeKey.ts). It puts the request envelope (source IP and user agent included, from
 * requestContext.http) as one record into the Kinesis stream, and answers 200 only when Kinesis
 * returned a sequence number for it: a failed record is retried, then reported as 429/5xx so the
 * tracker keeps the events and retries. Nothing is acknowledged that was not stored.
 *
 * Data-plane module: no Pulumi. The Kinesis call is passed in (the handler wires the SDK client).
 */
import { checkWriteKey } from "../auth/writeKey";
import { INGEST_ROUTES } from "../envelope";
import { INGEST_ERRORS } from "./http";
import { answerHeaders, buildEnvelope, buildRequestValidators, isIngestPath, MAX_BODY_BYTES, parseRequestBody, partitionKeyFor, PREFLIGHT_HEADERS, RequestValidators } from "./request";

/** The parts of a Lambda function URL event (payload format 2.0) the collector reads. */
export interface FunctionUrlEvent {
    rawPath?: string;
    headers?: Record<string, string | undefined>;
    body?: string;
    isBase64Encoded?: boolean;
    requestContext: {
        requestId: string;
        timeEpoch?: number;
        http: { method: string; path?: string; sourceIp?: string; userAgent?: string };
    };
}

export interface FunctionUrlResult {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
}

/** One PutRecords entry and Kinesis' answer for it (the SDK's shapes, narrowed). */
export interface StreamRecord {
    Data: Uint8Array;
    PartitionKey: string;
}
export interface PutRecordsAnswer {
    FailedRecordCount?: number;
    Records?: Array<{ SequenceNumber?: string; ErrorCode?: string; ErrorMessage?: string }>;
}
export type PutRecords = (records: StreamRecord[]) => Promise<PutRecordsAnswer>;

export interface CollectorSettings {
    /** Origins CORS allows (the function URL's CORS config is built from the same list); [] = no CORS. */
    corsAllowedOrigins: readonly string[];
    /** Check write keys against CLICKSTREAM_WRITE_KEY_HASHES. */
    requireWriteKeys: boolean;
    /** Most events per batch (the request model's maxItems). */
    maxBatchEvents: number;
    /** Attempts per record when Kinesis fails it (1 = no retry). Defaults to 3. */
    maxAttempts?: number;
    /** Milliseconds before the first retry; doubles each time. Defaults to 25. */
    retryBaseMs?: number;
}

/** Kinesis record error codes and SDK error names that mean "slow down": the tracker gets 429. */
export const THROTTLED_ERRORS = ["ProvisionedThroughputExceededException", "ThrottlingException", "LimitExceededException", "KMSThrottlingException"];
/**
 * SDK error names of faults only the operator can fix (no permission, stream or key gone, key
 * disabled): 500, so trackers keep the events and retry, and the function's Errors alarm fires.
 */
export const CONFIGURATION_ERRORS = ["AccessDeniedException", "ResourceNotFoundException", "KMSAccessDeniedException", "KMSDisabledException", "KMSNotFoundException", "KMSInvalidStateException", "KMSOptInRequired"];

/** Why a request was not stored, and the answer it gets. */
class NotStored extends Error {
    constructor(readonly status: number, readonly code: string, message: string, readonly retryAfter?: string) {
        super(message);
    }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds the request handler; validators and settings are made once per container. */
export function createCollector(settings: CollectorSettings, putRecords: PutRecords): (event: FunctionUrlEvent) => Promise<FunctionUrlResult> {
    const validators: RequestValidators = buildRequestValidators(settings.maxBatchEvents);
    const origins = settings.corsAllowedOrigins;
    const maxAttempts = settings.maxAttempts ?? 3;
    const retryBaseMs = settings.retryBaseMs ?? 25;

    /** Puts one record, retrying a record Kinesis failed; throws NotStored when it stays failed. */
    async function store(record: StreamRecord): Promise<void> {
        let lastCode = "";
        let lastMessage = "";
        for (let attempt = 1; attempt <= maxAttempts; attempt++) {
            let answer: PutRecordsAnswer;
            try {
                answer = await putRecords([record]);
            } catch (err) {
                const name = (err as Error).name ?? "Error";
                if (THROTTLED_ERRORS.includes(name)) throw new NotStored(429, INGEST_ERRORS.throttled, `Kinesis throttled the write (${name}); retry`, "1");
                if (CONFIGURATION_ERRORS.includes(name)) throw new NotStored(500, "backend_error", `The stream cannot be written (${name}); the operator must fix it, retry later`);
                throw new NotStored(503, INGEST_ERRORS.backendUnavailable, `Kinesis did not answer (${name}); retry`, "5");
            }
            const result = answer.Records?.[0];
            // PutRecords answers 200 even when a record failed: only a sequence number means stored.
            if (result?.SequenceNumber && !result.ErrorCode && (answer.FailedRecordCount ?? 0) === 0) return;
            lastCode = result?.ErrorCode ?? "NoSequenceNumber";
            lastMessage = result?.ErrorMessage ?? "Kinesis returned no sequence number for the record";
            if (attempt < maxAttempts) await sleep(retryBaseMs * 2 ** (attempt - 1));
        }
        console.warn(JSON.stringify({ level: "WARN", msg: "record not stored after retries", attempts: maxAttempts, errorCode: lastCode, errorMessage: lastMessage }));
        if (THROTTLED_ERRORS.includes(lastCode)) throw new NotStored(429, INGEST_ERRORS.throttled, `Kinesis throttled the record ${maxAttempts} times (${lastCode}); retry`, "1");
        throw new NotStored(503, INGEST_ERRORS.backendUnavailable, `Kinesis failed the record ${maxAttempts} times (${lastCode}); retry`, "5");
    }

    return async function collect(event: FunctionUrlEvent): Promise<FunctionUrlResult> {
        const ctx = event.requestContext;
        const requestId = ctx.requestId;
        const headers = lowerCaseKeys(event.headers);
        const send = (status: number, body: object, extra?: Record<string, string>): FunctionUrlResult =>
            ({ statusCode: status, headers: answerHeaders(origins, headers.origin, extra), body: JSON.stringify(body) });
        const error = (status: number, code: string, message: string, extra?: Record<string, string>) => send(status, { success: false, error: code, message, requestId }, extra);

        const route = event.rawPath ?? ctx.http.path ?? "/";
        if (!isIngestPath(route)) return error(404, INGEST_ERRORS.clientError, `No route ${route}; POST to one of ${Object.keys(INGEST_ROUTES).join(", ")}`);
        const method = ctx.http.method.toUpperCase();
        if (method === "OPTIONS") {
            // The function URL's CORS configuration answers preflights before the function runs; this is
            // the same answer for a preflight that reaches the code (and for the tests).
            if (origins.length === 0) return error(403, INGEST_ERRORS.clientError, "CORS is off: corsAllowedOrigins is empty");
            return send(200, {}, PREFLIGHT_HEADERS);
        }
        if (method !== "POST") return error(405, INGEST_ERRORS.clientError, `Method ${method} not allowed; use POST`, { Allow: "POST, OPTIONS" });

        let keyName: string | undefined;
        if (settings.requireWriteKeys) {
            const check = checkWriteKey(headers.authorization ?? bearer(headers["x-api-key"]));
            if (!check.ok) {
                // INFO: dropped by the function's WARN log level, so refused floods cost no log ingestion.
                console.info(JSON.stringify({ level: "INFO", msg: "write key refused", reason: check.reason }));
                return error(403, INGEST_ERRORS.clientError, "Forbidden: send a valid write key as Basic auth (Segment) or Bearer, or as x-api-key");
            }
            keyName = check.keyName;
        }
        const mediaType = (headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
        if (mediaType !== "application/json") return error(415, INGEST_ERRORS.unsupportedMediaType, "Content-Type must be application/json");

        const bytes = Buffer.from(event.body ?? "", event.isBase64Encoded ? "base64" : "utf8");
        if (bytes.length > MAX_BODY_BYTES) return error(413, INGEST_ERRORS.rejected, `Request body is ${bytes.length} bytes; the limit is ${MAX_BODY_BYTES} (one stream record); send smaller batches`);
        const parsed = parseRequestBody(route, bytes, validators);
        if (!parsed.ok) return error(400, INGEST_ERRORS.invalidBody, parsed.message);
        const body = parsed.body;

        const receivedAt = ctx.timeEpoch ?? Date.now();
        const envelope = buildEnvelope(receivedAt, ctx.http.sourceIp ?? "", ctx.http.userAgent ?? headers["user-agent"] ?? "", route, requestId, keyName, bytes);
        try {
            await store({ Data: envelope, PartitionKey: partitionKeyFor(body, requestId) });
        } catch (e) {
            if (!(e instanceof NotStored)) throw e;
            if (e.status >= 500) console.warn(JSON.stringify({ level: "WARN", msg: "request not stored", status: e.status, reason: e.message, requestId }));
            return error(e.status, e.code, e.message, e.retryAfter ? { "Retry-After": e.retryAfter } : undefined);
        }
        return send(200, { success: true });
    };
}

function lowerCaseKeys(headers: Record<string, string | undefined> | undefined): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = v;
    return out;
}

/** x-api-key carries the bare key; judge it like `Bearer <key>`. */
function bearer(key: string | undefined): string | undefined {
    return key ? `Bearer ${key}` : undefined;
}
