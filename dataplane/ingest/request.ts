/**
 * Turning one HTTP request into one stream record, shared by every ingest path that runs our own code
 * (the local pipeline's server, local/server.ts, and the function URL collector,
 * dataplane/handlers/functionUrlCollector.ts): the request models compiled for validation, the body
 * limit, the request envelope around the body's own bytes, and the Kinesis partition key. The API
 * Gateway paths do the same in their mapping template (components/ingest/templates.ts).
 * Data-plane module: no Pulumi, no AWS SDK.
 */
import Ajv from "ajv-draft-04";
import type { ValidateFunction } from "ajv";
import { INGEST_ROUTES, IngestPath } from "../envelope";
import { allowedOriginFor, CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, MAX_RECORD_BYTES, PREFLIGHT_MAX_AGE_SECONDS } from "./http";
import { requestModelFor } from "./models";

/** Room the envelope's own fields take besides the body, so envelope <= MAX_RECORD_BYTES. */
const ENVELOPE_HEADROOM_BYTES = 4096;
/** Largest request body any path accepts: one stream record, less the envelope's room. */
export const MAX_BODY_BYTES = MAX_RECORD_BYTES - ENVELOPE_HEADROOM_BYTES;

export type RequestValidators = Record<IngestPath, ValidateFunction>;

/** One compiled draft-04 validator per route, from the same models the REST API's OpenAPI document carries. */
export function buildRequestValidators(maxBatchEvents: number): RequestValidators {
    const ajv = new Ajv({ allErrors: true });
    const out = {} as RequestValidators;
    for (const route of Object.keys(INGEST_ROUTES) as IngestPath[]) out[route] = ajv.compile(requestModelFor(route, { maxBatchEvents }));
    return out;
}

/** The validator's errors as one line for a 400 answer. */
export function validationMessage(path: IngestPath, validate: ValidateFunction): string {
    const details = (validate.errors ?? []).map((err) => `${err.instancePath || "body"} ${err.message}`).join("; ");
    return `Invalid request body for POST ${path} (${INGEST_ROUTES[path]}): ${details}`;
}

/**
 * Headers of every answer: JSON, and with CORS on, `Vary: Origin` plus the allowed origin when the
 * request's Origin is one of `origins` (the same rule as the REST API's gateway responses).
 */
export function answerHeaders(origins: readonly string[], requestOrigin: string | undefined, extra: Record<string, string> = {}): Record<string, string> {
    const headers: Record<string, string> = { "Content-Type": "application/json", ...extra };
    if (origins.length === 0) return headers;
    headers.Vary = "Origin";
    const allowOrigin = allowedOriginFor(origins, requestOrigin);
    if (allowOrigin) headers["Access-Control-Allow-Origin"] = allowOrigin;
    return headers;
}

/** Extra headers of a CORS preflight's answer (OPTIONS on an ingest route, CORS on). */
export const PREFLIGHT_HEADERS: Readonly<Record<string, string>> = {
    "Access-Control-Allow-Methods": CORS_ALLOWED_METHODS.join(","),
    "Access-Control-Allow-Headers": CORS_ALLOWED_HEADERS.join(","),
    "Access-Control-Max-Age": String(PREFLIGHT_MAX_AGE_SECONDS),
};

/** A request body parsed and checked against its route's model, or the message of its 400 answer. */
export function parseRequestBody(path: IngestPath, bytes: Buffer, validators: RequestValidators): { ok: true; body: unknown } | { ok: false; message: string } {
    let body: unknown;
    try {
        body = JSON.parse(bytes.toString("utf8"));
    } catch (e) {
        return { ok: false, message: `Invalid request body: not JSON (${(e as Error).message})` };
    }
    const validate = validators[path];
    return validate(body) ? { ok: true, body } : { ok: false, message: validationMessage(path, validate) };
}

/** True when `route` is one of the ingest routes. */
export function isIngestPath(route: string): route is IngestPath {
    return Object.prototype.hasOwnProperty.call(INGEST_ROUTES, route);
}

const ENVELOPE_END = Buffer.from("}");

/** JSON bytes safe to embed in one NDJSON line: raw CR/LF can only be whitespace between tokens in valid JSON, so they become spaces. */
function oneLine(json: Buffer): Buffer {
    if (json.indexOf(10) === -1 && json.indexOf(13) === -1) return json;
    const copy = Buffer.from(json);
    for (let i = 0; i < copy.length; i++) if (copy[i] === 10 || copy[i] === 13) copy[i] = 0x20;
    return copy;
}

/**
 * Builds the request envelope (dataplane/envelope.ts, v1) as JSON bytes around the body's own bytes
 * (valid JSON, already parsed), the way the mapping template embeds `$input.json('$')`. `receivedAt`
 * comes first so the lake can read it without parsing. Returned as three pieces (head, body, "}")
 * whose concatenation is the envelope, so a writer that takes pieces (the local write-ahead log's
 * writev) never copies the body.
 */
export function buildEnvelopePieces(receivedAt: number, sourceIp: string, userAgent: string, route: string, requestId: string, apiKeyId: string | undefined, bodyJson: Buffer): Buffer[] {
    const apiKey = apiKeyId === undefined ? "" : `,"apiKeyId":${JSON.stringify(apiKeyId)}`;
    const head = `{"v":1,"receivedAt":${receivedAt},"sourceIp":${JSON.stringify(sourceIp)},"userAgent":${JSON.stringify(userAgent)},"path":${JSON.stringify(route)},"requestId":${JSON.stringify(requestId)}${apiKey},"body":`;
    return [Buffer.from(head), oneLine(bodyJson), ENVELOPE_END];
}

/** The request envelope as one buffer (buildEnvelopePieces joined): what a stream record carries. */
export function buildEnvelope(receivedAt: number, sourceIp: string, userAgent: string, route: string, requestId: string, apiKeyId: string | undefined, bodyJson: Buffer): Buffer {
    return Buffer.concat(buildEnvelopePieces(receivedAt, sourceIp, userAgent, route, requestId, apiKeyId, bodyJson));
}

/**
 * JSON paths tried, in order, for a stable per-client partition key: Segment single messages,
 * Segment batches, native batches. The first non-empty value wins; else the request id.
 */
export const PARTITION_KEY_PATHS = [
    "$.anonymousId",
    "$.userId",
    "$.batch[0].anonymousId",
    "$.batch[0].userId",
    "$.events[0].anonymousId",
    "$.events[0].userId",
] as const;

/** Most characters Kinesis accepts in a partition key. */
export const MAX_PARTITION_KEY_CHARS = 256;

/** Steps of a PARTITION_KEY_PATHS entry: "$.batch[0].userId" -> ["batch", 0, "userId"]. */
function pathSteps(path: string): Array<string | number> {
    return path.slice(2).split(".").flatMap((part) => {
        const m = /^(\w+)\[(\d+)\]$/.exec(part);
        return m ? [m[1], Number(m[2])] : [part];
    });
}

const PARTITION_KEY_STEPS = PARTITION_KEY_PATHS.map(pathSteps);

/**
 * The Kinesis partition key of a parsed body, as the mapping template picks it: the first non-empty
 * string or number at PARTITION_KEY_PATHS, else the request id; a key over 256 characters falls back
 * to the request id too. A stable key per client keeps its events in order on one shard.
 */
export function partitionKeyFor(body: unknown, requestId: string): string {
    let key = "";
    for (const steps of PARTITION_KEY_STEPS) {
        let node: unknown = body;
        for (const step of steps) node = node !== null && typeof node === "object" ? (node as Record<string | number, unknown>)[step] : undefined;
        if (typeof node === "string" || typeof node === "number") key = String(node);
        if (key !== "") break;
    }
    return key === "" || key.length > MAX_PARTITION_KEY_CHARS ? requestId : key;
}
