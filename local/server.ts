/**
 * The local ingest endpoint: IngestEndpoint's API on 127.0.0.1, built from the same definitions
 * (routes: dataplane/envelope.ts; request models, draft-04: dataplane/ingest/models.ts; CORS, error
 * codes, record limit: dataplane/ingest/http.ts; Segment write keys: dataplane/auth/writeKey.ts).
 *
 * Like API Gateway, it checks the container only (a bad event inside a good batch becomes a bad row
 * later) and wraps the body in the same request envelope, with the body embedded as JSON text the
 * way the mapping template embeds `$input.json('$')`. A 200 is sent only after `store` resolves,
 * i.e. after the write-ahead log's fsync.
 */
import { randomUUID } from "crypto";
import * as http from "http";
import type { AddressInfo } from "net";
import { INGEST_ROUTES, IngestPath } from "../dataplane/envelope";
import { parseWriteKey } from "../dataplane/auth/writeKey";
import { INGEST_ERRORS } from "../dataplane/ingest/http";
import { answerHeaders, buildEnvelopePieces, buildRequestValidators, isIngestPath, MAX_BODY_BYTES, parseRequestBody, PREFLIGHT_HEADERS } from "../dataplane/ingest/request";

export { buildEnvelope, buildEnvelopePieces, MAX_BODY_BYTES } from "../dataplane/ingest/request";

/** Thrown by `store` when the request could not be made durable: the server answers 503 (retry later). */
export class StoreUnavailableError extends Error {}
/** Thrown by `store` when too much is buffered: the server answers 429 (back off and retry). */
export class StoreThrottledError extends Error {}

export interface IngestServerOptions {
    host: string;
    port: number;
    corsAllowedOrigins: readonly string[];
    /** Accepted API key values; empty: no key check. */
    apiKeys: readonly string[];
    maxBatchEvents: number;
    /** Makes the envelope (in pieces: see buildEnvelopePieces) durable; the answer waits for it. */
    store: (envelope: readonly Buffer[]) => Promise<void>;
    /** False until the pipeline accepts events (health check answers 503). */
    ready: () => boolean;
    /** Other GET/HEAD routes (the dashboard): answers and returns true when it owns `route`. Defaults to none. */
    handleGet?: (route: string, req: http.IncomingMessage, res: http.ServerResponse) => boolean;
}

export interface IngestServer {
    server: http.Server;
    port: number;
    /** Stops accepting connections and waits for in-flight requests. */
    close(): Promise<void>;
}

function clientIp(req: http.IncomingMessage): string {
    const ip = req.socket.remoteAddress ?? "";
    return ip.startsWith("::ffff:") ? ip.slice(7) : ip;
}

export function startIngestServer(opts: IngestServerOptions): Promise<IngestServer> {
    const validators = buildRequestValidators(opts.maxBatchEvents);
    const apiKeys = new Set(opts.apiKeys);
    const origins = opts.corsAllowedOrigins;

    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
        const requestId = randomUUID();
        const route = (req.url ?? "/").split("?")[0];
        const send = (status: number, body: object, extra?: Record<string, string>): void => {
            res.writeHead(status, answerHeaders(origins, req.headers.origin, extra));
            res.end(JSON.stringify(body));
        };
        const error = (status: number, code: string, message: string, extra?: Record<string, string>): void =>
            send(status, { success: false, error: code, message, requestId }, extra);

        if (route === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
            if (opts.ready()) send(200, { status: "ok" });
            else error(503, INGEST_ERRORS.backendUnavailable, "not accepting events yet");
            return;
        }
        if (opts.handleGet?.(route, req, res)) return;
        if (!isIngestPath(route)) {
            error(404, INGEST_ERRORS.clientError, `No route ${route}; POST to one of ${Object.keys(INGEST_ROUTES).join(", ")}`);
            req.resume();
            return;
        }
        const path = route as IngestPath;
        if (req.method === "OPTIONS") {
            if (origins.length === 0) {
                error(403, INGEST_ERRORS.clientError, "CORS is off: corsAllowedOrigins is empty (set clickstream:corsAllowedOrigins or CORS_ALLOWED_ORIGINS)");
                return;
            }
            send(200, {}, PREFLIGHT_HEADERS);
            return;
        }
        if (req.method !== "POST") {
            error(405, INGEST_ERRORS.clientError, `Method ${req.method} not allowed; use POST`, { Allow: "POST, OPTIONS" });
            req.resume();
            return;
        }
        let apiKeyId: string | undefined;
        if (apiKeys.size > 0) {
            const headerKey = req.headers["x-api-key"];
            const writeKey = parseWriteKey(req.headers.authorization);
            const key = typeof headerKey === "string" ? headerKey : writeKey.ok ? writeKey.writeKey : undefined;
            if (key === undefined || !apiKeys.has(key)) {
                // API Gateway's answer to a missing or unknown key.
                error(403, INGEST_ERRORS.clientError, "Forbidden: send a valid API key as x-api-key, or as the Segment write key (Basic auth)");
                req.resume();
                return;
            }
            apiKeyId = `local-${[...apiKeys].indexOf(key)}`;
        }
        const mediaType = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
        if (mediaType !== "application/json") {
            error(415, INGEST_ERRORS.unsupportedMediaType, "Content-Type must be application/json");
            req.resume();
            return;
        }
        const declared = Number(req.headers["content-length"]);
        if (Number.isFinite(declared) && declared > MAX_BODY_BYTES) {
            error(413, INGEST_ERRORS.rejected, `Request body is ${declared} bytes; the limit is ${MAX_BODY_BYTES} (one stream record); send smaller batches`, { Connection: "close" });
            req.resume();
            return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        let tooLarge = false;
        req.on("data", (chunk: Buffer) => {
            if (tooLarge) return;
            size += chunk.length;
            if (size > MAX_BODY_BYTES) {
                tooLarge = true;
                chunks.length = 0;
                error(413, INGEST_ERRORS.rejected, `Request body exceeds ${MAX_BODY_BYTES} bytes (one stream record); send smaller batches`, { Connection: "close" });
                return;
            }
            chunks.push(chunk);
        });
        req.on("error", () => undefined);
        req.on("end", () => {
            if (tooLarge) return;
            const receivedAt = Date.now();
            const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            const parsed = parseRequestBody(path, bytes, validators);
            if (!parsed.ok) {
                error(400, INGEST_ERRORS.invalidBody, parsed.message);
                return;
            }
            const envelope = buildEnvelopePieces(receivedAt, clientIp(req), String(req.headers["user-agent"] ?? ""), path, requestId, apiKeyId, bytes);
            opts.store(envelope).then(
                () => send(200, { success: true }),
                (e: Error) => {
                    if (e instanceof StoreThrottledError) error(429, INGEST_ERRORS.throttled, e.message, { "Retry-After": "1" });
                    else error(503, INGEST_ERRORS.backendUnavailable, e.message, { "Retry-After": "5" });
                },
            );
        });
    };

    const server = http.createServer({ keepAliveTimeout: 65_000 }, handler);
    return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(opts.port, opts.host, () => {
            server.off("error", reject);
            const port = (server.address() as AddressInfo).port;
            resolve({
                server,
                port,
                close: () => new Promise<void>((done) => {
                    server.close(() => done());
                    server.closeIdleConnections();
                }),
            });
        });
    });
}
