/**
 * Data-plane module (no Pulumi): the ingest endpoint's OpenAPI document and the local pipeline's HTTP
 * server both validate requests against these models, so the two can never disagree.
 *
 * JSON-schema request models (draft-04, the dialect API Gateway validates with) of the ingest
 * routes. The gateway checks the container only: the body is a JSON object, a batch is an array
 * of 1..maxBatchEvents objects, request-level fields have the right type. The events themselves
 * (type, ids, timestamps, per-event size) are the transform's job, which turns a bad event into a
 * bad row instead of failing the whole request: a 400 here makes trackers drop the request, good
 * events included, so it is kept for requests that can never be read.
 *
 * API Gateway cannot limit the body size (its hard limit is 10 MB); `maxItems` on the batch arrays
 * and `maxLength` on strings bound it in practice, and Firehose/Kinesis reject a record over
 * 1,000 KiB / 1 MiB, which the endpoint turns into a 400 (see templates.ts).
 */
import { INGEST_ROUTES, IngestPath } from "../envelope";

export const JSON_SCHEMA_DRAFT_04 = "http://json-schema.org/draft-04/schema#";

export interface ModelLimits {
    /** Most events in one batch request (Segment's /v1/batch and the native batch). */
    maxBatchEvents: number;
}

export type JsonSchema = Record<string, unknown>;

/**
 * One event inside a batch, or a single Segment call: a JSON object. Its fields are deliberately
 * not checked here: the transform validates each event and keeps a bad one as a bad row, while a
 * gateway 400 would make the tracker drop every good event of the same request.
 */
export const EVENT_OBJECT_SCHEMA: JsonSchema = { type: "object" };

/** Request-level fields a batch may carry besides its events. */
function batchFields(): Record<string, JsonSchema> {
    return {
        // Client clock at send time: ISO-8601 text (Segment) or epoch milliseconds (native). anyOf, not
        // a type list: OpenAPI 3.0 schema objects allow one type only.
        sentAt: { anyOf: [{ type: "string" }, { type: "number" }] },
        context: { type: "object" },
    };
}

/** A Segment single call on /v1/track, /v1/page, ...: one message object. */
export function segmentMessageSchema(): JsonSchema {
    return { ...EVENT_OBJECT_SCHEMA };
}

/** Segment's /v1/batch body: `{ batch: [message, ...], context?, sentAt?, writeKey? }`. */
export function segmentBatchSchema(limits: ModelLimits): JsonSchema {
    return {
        type: "object",
        required: ["batch"],
        properties: {
            batch: { type: "array", minItems: 1, maxItems: limits.maxBatchEvents, items: EVENT_OBJECT_SCHEMA },
            ...batchFields(),
            writeKey: { type: "string" },
        },
    };
}

/** The native batch body on /v1/events: `{ events: [event, ...], sentAt? }` (see docs/transform.md). */
export function nativeBatchSchema(limits: ModelLimits): JsonSchema {
    return {
        type: "object",
        required: ["events"],
        properties: {
            events: { type: "array", minItems: 1, maxItems: limits.maxBatchEvents, items: EVENT_OBJECT_SCHEMA },
            ...batchFields(),
        },
    };
}

/** Model name (API Gateway: alphanumeric) per route. */
export function modelNameFor(path: IngestPath): string {
    const format = INGEST_ROUTES[path];
    if (format === "native-batch") return "NativeBatch";
    if (format === "segment-batch") return "SegmentBatch";
    return "SegmentMessage";
}

/** Every request model by name, without `$schema` (OpenAPI 3.0 schema objects may not carry it). */
export function requestModels(limits: ModelLimits): Record<string, JsonSchema> {
    return {
        NativeBatch: nativeBatchSchema(limits),
        SegmentBatch: segmentBatchSchema(limits),
        SegmentMessage: segmentMessageSchema(),
    };
}

/** The model of one route as a standalone draft-04 document (what API Gateway validates against). */
export function requestModelFor(path: IngestPath, limits: ModelLimits): JsonSchema {
    return { $schema: JSON_SCHEMA_DRAFT_04, title: modelNameFor(path), ...requestModels(limits)[modelNameFor(path)] };
}

/** The acknowledgement body of a stored request. */
export const ACK_SCHEMA: JsonSchema = {
    type: "object",
    required: ["success"],
    properties: { success: { type: "boolean" } },
};

/** The error body the endpoint's integration and gateway responses return. */
export const ERROR_SCHEMA: JsonSchema = {
    type: "object",
    required: ["success"],
    properties: { success: { type: "boolean" }, error: { type: "string" }, message: { type: "string" }, requestId: { type: "string" } },
};
