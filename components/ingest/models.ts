/**
 * JSON-schema request models (draft-04, the dialect API Gateway validates with) of the ingest
 * routes. The gateway checks structure only: the body is a JSON object, batches are arrays of
 * objects within the size limit, the few fields every event needs have the right type. Everything
 * finer (timestamps, per-event size, unknown types) is the transform's job, which turns a bad
 * event into a bad row instead of failing the whole request: a 400 here makes trackers drop the
 * request, so it is kept for requests that can never be read.
 *
 * API Gateway cannot limit the body size (its hard limit is 10 MB); `maxItems` on the batch arrays
 * and `maxLength` on strings bound it in practice, and Firehose/Kinesis reject a record over
 * 1,000 KiB / 1 MiB, which the endpoint turns into a 400 (see templates.ts).
 */
import { INGEST_ROUTES, IngestPath } from "../../dataplane/envelope";

export const JSON_SCHEMA_DRAFT_04 = "http://json-schema.org/draft-04/schema#";

/** Segment's per-message types. */
export const SEGMENT_TYPES = ["track", "page", "screen", "identify", "group", "alias"] as const;

/** Longest event name / id string the gateway accepts (Segment has no explicit limit; 32 KB per event). */
export const MAX_NAME_CHARS = 1024;

export interface ModelLimits {
    /** Most events in one batch request (Segment's /v1/batch and the native batch). */
    maxBatchEvents: number;
}

export type JsonSchema = Record<string, unknown>;

/** Identity fields: strings or numbers (Segment accepts both for userId), bounded. */
function idField(): JsonSchema {
    return { anyOf: [{ type: "string", maxLength: MAX_NAME_CHARS }, { type: "number" }] };
}

/** One Segment message, as sent alone to /v1/<type> or inside a /v1/batch array. */
export function segmentMessageSchema(type?: (typeof SEGMENT_TYPES)[number]): JsonSchema {
    const schema: JsonSchema = {
        type: "object",
        properties: {
            type: { type: "string", enum: [...SEGMENT_TYPES] },
            event: { type: "string", minLength: 1, maxLength: MAX_NAME_CHARS },
            name: { type: "string", maxLength: MAX_NAME_CHARS },
            messageId: { type: "string", maxLength: MAX_NAME_CHARS },
            userId: idField(),
            anonymousId: idField(),
            previousId: idField(),
            groupId: idField(),
            timestamp: { type: "string", maxLength: 64 },
            sentAt: { type: "string", maxLength: 64 },
            originalTimestamp: { type: "string", maxLength: 64 },
            properties: { type: "object" },
            traits: { type: "object" },
            context: { type: "object" },
            integrations: { type: "object" },
        },
    };
    // A track without an event name is unreadable (Segment's API rejects it the same way).
    if (type === "track") schema.required = ["event"];
    return schema;
}

/** Segment's /v1/batch body: `{ batch: [message, ...], context?, sentAt?, writeKey? }`. */
export function segmentBatchSchema(limits: ModelLimits): JsonSchema {
    return {
        type: "object",
        required: ["batch"],
        properties: {
            batch: { type: "array", minItems: 1, maxItems: limits.maxBatchEvents, items: segmentMessageSchema() },
            context: { type: "object" },
            sentAt: { type: "string", maxLength: 64 },
            writeKey: { type: "string", maxLength: MAX_NAME_CHARS },
        },
    };
}

/**
 * The native batch body on /v1/events: `{ events: [event, ...], sentAt?, context? }`, where an
 * event is a Segment-shaped message whose `type` says what it is.
 */
export function nativeBatchSchema(limits: ModelLimits): JsonSchema {
    const event = segmentMessageSchema();
    return {
        type: "object",
        required: ["events"],
        properties: {
            events: { type: "array", minItems: 1, maxItems: limits.maxBatchEvents, items: { ...event, required: ["type"] } },
            sentAt: { type: "string", maxLength: 64 },
            context: { type: "object" },
        },
    };
}

/** Model name (API Gateway: alphanumeric) per route. */
export function modelNameFor(path: IngestPath): string {
    const format = INGEST_ROUTES[path];
    if (format === "native-batch") return "NativeBatch";
    if (format === "segment-batch") return "SegmentBatch";
    return format === "segment-track" ? "SegmentTrack" : "SegmentMessage";
}

/** Every request model by name, without `$schema` (OpenAPI 3.0 schema objects may not carry it). */
export function requestModels(limits: ModelLimits): Record<string, JsonSchema> {
    return {
        NativeBatch: nativeBatchSchema(limits),
        SegmentBatch: segmentBatchSchema(limits),
        SegmentTrack: segmentMessageSchema("track"),
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
