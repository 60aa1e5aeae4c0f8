/**
 * Reads one client event, native or Segment-spec, into a `ParsedEvent`: validated, still raw (PII rules
 * are applied later, when the row is built). Throws `FieldError` naming the bad field.
 *
 * Native event (POST /v1/events, body `{ sentAt?, events: NativeEvent[] }`), see docs/transform.md:
 *   { eventId?, type, name?, timestamp?, anonymousId?, userId?, sessionId?, appId?,
 *     page?: { url?, path?, referrer?, title? }, properties?, traits?, context?, groupId?, previousId? }
 */
import { at, describe, FieldError, isObject, Json, optId, optObject, optString, optTime, reqString } from "./fields";

export const EVENT_TYPES = ["track", "page", "screen", "identify", "group", "alias"] as const;
export type EventType = (typeof EVENT_TYPES)[number];
const TYPE_LIST = EVENT_TYPES.join("|");

export interface PageFields {
    url?: string;
    path?: string;
    referrer?: string;
    title?: string;
}

export interface ParsedEvent {
    sourceFormat: "native" | "segment";
    /** Client event id (eventId / messageId). */
    id?: string;
    type: EventType;
    name?: string;
    /** Client clock, epoch ms. */
    timestamp?: number;
    /** Per-message sentAt (Segment single calls); the request-level one applies otherwise. */
    sentAt?: number;
    anonymousId?: string;
    userId?: string;
    sessionId?: string;
    appId?: string;
    page: PageFields;
    properties?: Json;
    /** identify/group traits: stored in the properties map under "traits.". */
    traits?: Json;
    /** groupId / previousId (group and alias only): stored in the properties map under their own names. */
    ids?: Record<string, string>;
    context?: Json;
    /** Top-level fields we don't model: kept in the context map under "extra." rather than lost. */
    extra?: Json;
    /** Client-reported user agent / IP (Segment context.userAgent / context.ip), preferred over the request's. */
    userAgent?: string;
    ip?: string;
}

/** @param path the event's path: "type" is joined to it only for an error, not for every event. */
function eventType(value: unknown, path: string): EventType {
    if (typeof value === "string" && (EVENT_TYPES as readonly string[]).includes(value)) return value as EventType;
    throw new FieldError(at(path, "type"), `one of ${TYPE_LIST}`, describe(value));
}

/**
 * Every ParsedEvent (native or Segment) and its page are built with all their fields, in one order: one
 * hidden class each, so the row builder's property reads stay monomorphic.
 */
function blankPage(): PageFields {
    return { url: undefined, path: undefined, referrer: undefined, title: undefined };
}

function readPage(page: Json | undefined, path: string, into: PageFields): void {
    if (!page) return;
    into.url ??= optString(page, "url", path);
    into.path ??= optString(page, "path", path);
    into.referrer ??= optString(page, "referrer", path);
    into.title ??= optString(page, "title", path, 2048);
}

function requireIdentity(ev: ParsedEvent, path: string): void {
    if (ev.anonymousId === undefined && ev.userId === undefined) {
        throw new FieldError(path === "" ? "(message)" : path, "anonymousId or userId", "neither");
    }
}

function readTypeSpecific(ev: ParsedEvent, raw: Json, path: string): void {
    if (ev.type === "group") ev.ids = { groupId: requiredId(raw, "groupId", path) };
    if (ev.type === "alias") {
        ev.ids = { previousId: requiredId(raw, "previousId", path) };
        if (ev.userId === undefined) throw new FieldError(at(path, "userId"), "a string or number (alias needs the new userId)", "nothing");
    }
    if (ev.type === "identify" || ev.type === "group") ev.traits = optObject(raw, "traits", path);
    else ev.properties = optObject(raw, "properties", path);
}

function requiredId(raw: Json, key: string, path: string): string {
    const v = optId(raw, key, path);
    if (v === undefined) throw new FieldError(at(path, key), "a string or number", describe(raw[key], true));
    return v;
}

function collectExtra(raw: Json, known: ReadonlySet<string>): Json | undefined {
    let extra: Json | undefined;
    for (const key in raw) {
        if (!known.has(key)) (extra ??= {})[key] = raw[key];
    }
    return extra;
}

const NATIVE_KEYS = new Set([
    "eventId", "type", "name", "timestamp", "anonymousId", "userId", "sessionId", "appId",
    "page", "properties", "traits", "context", "groupId", "previousId",
]);

export function parseNativeEvent(raw: unknown, path: string): ParsedEvent {
    if (!isObject(raw)) throw new FieldError(path, "an event object", describe(raw));
    const type = eventType(raw.type, path);
    const ev: ParsedEvent = {
        sourceFormat: "native",
        type,
        id: optString(raw, "eventId", path, 256) || undefined,
        name: type === "track" ? reqString(raw, "name", path, 1024) : optString(raw, "name", path, 1024),
        timestamp: optTime(raw, "timestamp", path),
        sentAt: undefined,
        anonymousId: optId(raw, "anonymousId", path),
        userId: optId(raw, "userId", path),
        sessionId: optId(raw, "sessionId", path),
        appId: optString(raw, "appId", path, 256),
        page: blankPage(),
        context: optObject(raw, "context", path),
        extra: collectExtra(raw, NATIVE_KEYS),
        userAgent: undefined,
        ip: undefined,
        properties: undefined,
        traits: undefined,
        ids: undefined,
    };
    readPage(optObject(raw, "page", path), at(path, "page"), ev.page);
    requireIdentity(ev, path);
    readTypeSpecific(ev, raw, path);
    return ev;
}

/** Segment fields deliberately not stored: destination routing, credentials, client-claimed receive time. */
const SEGMENT_IGNORED = ["integrations", "writeKey", "receivedAt", "_metadata", "version", "channel", "projectId", "sentAt", "originalTimestamp"];
const SEGMENT_KEYS = new Set([
    "type", "messageId", "event", "name", "timestamp", "anonymousId", "userId", "context",
    "properties", "traits", "groupId", "previousId", ...SEGMENT_IGNORED,
]);

/**
 * A Segment-spec message. `routeType` is the type implied by a single-call path (/v1/track ...), or
 * undefined inside a /v1/batch, where each message carries its own `type`.
 */
export function parseSegmentMessage(raw: unknown, path: string, routeType: EventType | undefined): ParsedEvent {
    if (!isObject(raw)) throw new FieldError(path === "" ? "body" : path, "a message object", describe(raw));
    let type: EventType;
    if (routeType === undefined) type = eventType(raw.type, path);
    else {
        if (raw.type !== undefined && raw.type !== routeType) throw new FieldError(at(path, "type"), `"${routeType}" on this path (or no type)`, describe(raw.type));
        type = routeType;
    }
    const context = optObject(raw, "context", path);
    const ctxPath = at(path, "context");
    const ev: ParsedEvent = {
        sourceFormat: "segment",
        type,
        id: optString(raw, "messageId", path, 256) || undefined,
        name: type === "track" ? reqString(raw, "event", path, 1024) : optString(raw, "name", path, 1024),
        timestamp: optTime(raw, "timestamp", path) ?? optTime(raw, "originalTimestamp", path),
        sentAt: optTime(raw, "sentAt", path),
        anonymousId: optId(raw, "anonymousId", path),
        userId: optId(raw, "userId", path),
        sessionId: undefined,
        appId: undefined,
        page: blankPage(),
        context,
        extra: collectExtra(raw, SEGMENT_KEYS),
        userAgent: undefined,
        ip: undefined,
        properties: undefined,
        traits: undefined,
        ids: undefined,
    };
    if (context) {
        ev.userAgent = optString(context, "userAgent", ctxPath, 2048);
        ev.ip = optString(context, "ip", ctxPath, 64);
        ev.sessionId = optId(context, "sessionId", ctxPath);
        const app = optObject(context, "app", ctxPath);
        if (app) ev.appId = optString(app, "namespace", at(ctxPath, "app"), 256) ?? optString(app, "name", at(ctxPath, "app"), 256);
        readPage(optObject(context, "page", ctxPath), at(ctxPath, "page"), ev.page);
    }
    requireIdentity(ev, path);
    readTypeSpecific(ev, raw, path);
    // Segment page calls carry url/path/referrer/title in properties too (the spec's reserved page properties).
    if (type === "page" && ev.properties) readPage(ev.properties, at(path, "properties"), ev.page);
    return ev;
}
