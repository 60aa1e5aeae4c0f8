/**
 * Request envelope -> lake rows. Every event of a request ends as exactly one row: a good row, or a bad
 * row (event_type "bad_row") naming why; a request that can't even be read ends as one bad row. Nothing
 * here throws: unexpected errors become bad rows too.
 */
import { INGEST_ROUTES, IngestPath as IngestPathName } from "../envelope";
import { EventType, PageFields, ParsedEvent, parseNativeEvent, parseSegmentMessage } from "./events";
import { describe, FieldError, isObject, Json, MAX_TIME_MS, optObject, optTime } from "./fields";
import { truncateIp } from "./ip";
import { Decision, DROP, KEEP, MapPolicy, Promoted, PSEUDONYMIZE, safeStringify } from "./maps";
import { Pseudonymizer, Redactor } from "./pii";
import { PII_PATH_COLUMNS, PiiPathColumn, ResolvedTransformConfig } from "./resolve";
import { LakeRow } from "./rowText";
import { isoTime } from "./time";
import { UserAgentParser } from "./useragent";

export const BAD_ROW_TYPE = "bad_row";

/** What every row of one request shares. */
interface RequestInfo {
    receivedMs: number;
    receivedAt: string;
    ingestPath: string | undefined;
    sourceFormat: "native" | "segment" | undefined;
    ipTruncated: string | undefined;
    userAgent: string | undefined;
    sentAt: number | undefined;
    /** `sentAt` formatted once per request. */
    sentAtIso: string | undefined;
}

/**
 * Index of each PII-configurable column in the per-column rule table: an array read by constant index
 * is cheaper on the hot path than a lookup by column name.
 */
const COLUMN = Object.fromEntries(PII_PATH_COLUMNS.map((c, i) => [c, i])) as Record<PiiPathColumn, number>;

type Route = (typeof INGEST_ROUTES)[keyof typeof INGEST_ROUTES];

const iso = isoTime;

/**
 * A row with every EventRow key present, in table order: one hidden class for every row, which keeps
 * building and JSON.stringify fast. Absent columns are undefined, so the output record leaves them out
 * (rowText.ts).
 */
function blankRow(req: RequestInfo): LakeRow {
    return {
        event_id: "",
        event_type: BAD_ROW_TYPE,
        event_name: undefined,
        event_time: undefined,
        received_at: req.receivedAt,
        sent_at: req.sentAtIso,
        source_format: req.sourceFormat,
        ingest_path: req.ingestPath,
        anonymous_id: undefined,
        user_id: undefined,
        session_id: undefined,
        app_id: undefined,
        page_url: undefined,
        page_path: undefined,
        page_referrer: undefined,
        page_title: undefined,
        ua_browser: undefined,
        ua_browser_version: undefined,
        ua_os: undefined,
        ua_os_version: undefined,
        ua_device_type: undefined,
        ip_truncated: req.ipTruncated,
        properties: {},
        context: {},
        bad_reason: undefined,
        bad_payload: undefined,
    };
}

/**
 * Segment context fields read into columns (page_*, the parsed ua_* and ip_truncated) aren't repeated
 * in the context map: they were about a fifth of a Segment row, and the copies would escape
 * column-level PII rules (dropping page_url must not leave the URL under context.page.url). The raw user
 * agent is stored parsed only, as for the request's own. context.ip is left out only when it is a valid
 * address, i.e. when it is what ip_truncated holds; anything else there is the client's text, kept.
 */
const SEGMENT_PROMOTED_PAGE = new Map<string, Promoted | true>([["url", true], ["path", true], ["referrer", true], ["title", true]]);
const SEGMENT_PROMOTED: Promoted = new Map<string, Promoted | true>([["userAgent", true], ["page", SEGMENT_PROMOTED_PAGE]]);
const SEGMENT_PROMOTED_WITH_IP: Promoted = new Map<string, Promoted | true>([...SEGMENT_PROMOTED, ["ip", true]]);
/**
 * A Segment page call's reserved properties url/path/referrer/title are the page_* columns' values too:
 * the same rule as for context.page. One that differs from its column (the column came from
 * context.page) is kept, and never less protected than the column (`pagePropertyCopies`).
 */
const PAGE_PROPERTY_COLUMNS = [["url", "page_url"], ["path", "page_path"], ["referrer", "page_referrer"], ["title", "page_title"]] as const;

/** `"key": "value"` / `"key": 123` pairs in JSON-ish text, for sanitizing bad payloads. */
const JSON_PAIR = /"((?:[^"\\]|\\.){1,128})"(\s*:\s*)("(?:[^"\\]|\\.){0,4096}"|-?\d[\d.eE+-]{0,30})/g;
/** Identity keys always pseudonymized in bad payloads, whatever the key patterns say. */
const IDENTITY_KEYS = /^(?:user_?id|anonymous_?id|previous_?id)$/i;

export class Normalizer {
    private readonly redactor: Redactor;
    private readonly maps: MapPolicy;
    private readonly ua = new UserAgentParser();
    private readonly pseudonymizeColumns: ReadonlySet<PiiPathColumn>;
    private readonly dropColumns: ReadonlySet<PiiPathColumn>;
    /** Per column: KEEP (redact free text), PSEUDONYMIZE or DROP. */
    private readonly columnRules: Decision[];

    constructor(private readonly config: ResolvedTransformConfig, private readonly pseudonymizer: Pseudonymizer) {
        this.redactor = new Redactor(config.pii, pseudonymizer);
        this.maps = new MapPolicy(config.pii, this.redactor, pseudonymizer);
        this.pseudonymizeColumns = new Set(config.pii.pseudonymizeColumns);
        this.dropColumns = new Set(config.pii.dropColumns);
        this.columnRules = PII_PATH_COLUMNS.map((c) => (this.dropColumns.has(c) ? DROP : this.pseudonymizeColumns.has(c) ? PSEUDONYMIZE : KEEP));
    }

    /**
     * @param input envelope object, JSON text or UTF-8 bytes
     * @param fallbackReceivedMs receive time used when the envelope has no valid one (Firehose arrival time)
     */
    normalize(input: unknown, fallbackReceivedMs: number): LakeRow[] {
        const unknownReq: RequestInfo = {
            receivedMs: fallbackReceivedMs,
            receivedAt: iso(clampTime(fallbackReceivedMs)),
            ingestPath: undefined,
            sourceFormat: undefined,
            ipTruncated: undefined,
            userAgent: undefined,
            sentAt: undefined,
            sentAtIso: undefined,
        };
        let text: string | undefined;
        let envelope: unknown = input;
        try {
            if (input instanceof Uint8Array) text = Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString("utf8");
            else if (typeof input === "string") text = input;
            if (text !== undefined) {
                try {
                    envelope = JSON.parse(text);
                } catch (err) {
                    return [this.badRow(unknownReq, `envelope: not valid JSON (${(err as Error).message})`, text)];
                }
            }
            const bytes = input instanceof Uint8Array ? input.byteLength : text === undefined ? undefined : Buffer.byteLength(text);
            return this.fromEnvelope(envelope, unknownReq, bytes);
        } catch (err) {
            return [this.badRow(unknownReq, `internal error: ${(err as Error)?.message ?? String(err)}`, text ?? envelope)];
        }
    }

    private fromEnvelope(input: unknown, unknownReq: RequestInfo, envelopeBytes: number | undefined): LakeRow[] {
        if (!isObject(input)) return [this.badRow(unknownReq, `envelope: expected a JSON object, got ${describe(input)}`, input)];
        let envelope: Json = input;
        // The HTTP API ingest (IngestEndpoint api: "http") stores the request body itself: it cannot
        // build an envelope. Its receive time is the record's arrival; it carries no IP or user agent.
        const barePath = envelope.v === undefined ? bareBodyPath(envelope) : undefined;
        if (barePath !== undefined) envelope = { v: 1, receivedAt: unknownReq.receivedMs, path: barePath, body: envelope };
        const problem = envelopeProblem(envelope);
        if (problem !== undefined) return [this.badRow(unknownReq, problem, envelope)];

        const path = normalizePath(envelope.path as string);
        const route = INGEST_ROUTES[path as keyof typeof INGEST_ROUTES] as Route;
        const sourceIp = typeof envelope.sourceIp === "string" ? envelope.sourceIp : "";
        const req: RequestInfo = {
            receivedMs: envelope.receivedAt as number,
            receivedAt: iso(envelope.receivedAt as number),
            ingestPath: path,
            sourceFormat: route === "native-batch" ? "native" : "segment",
            ipTruncated: this.ipColumn(sourceIp),
            userAgent: typeof envelope.userAgent === "string" ? envelope.userAgent : undefined,
            sentAt: undefined,
            sentAtIso: undefined,
        };

        let body = envelope.body;
        let bodyBytes: number | undefined;
        if (typeof body === "string") {
            bodyBytes = Buffer.byteLength(body);
            try {
                body = JSON.parse(body);
            } catch (err) {
                return [this.badRow(req, `body: not valid JSON (${(err as Error).message})`, body)];
            }
        }
        if (!isObject(body)) return [this.badRow(req, `body: expected a JSON object, got ${describe(body)}`, body)];
        // The body can't be larger than the whole envelope: only measure it when that bound isn't enough.
        if (bodyBytes === undefined && (envelopeBytes === undefined || envelopeBytes > this.config.maxBodyBytes)) {
            bodyBytes = Buffer.byteLength(safeStringify(body));
        }
        const tooLarge = bodyBytes !== undefined && bodyBytes > this.config.maxBodyBytes
            ? `body: ${bodyBytes} bytes, more than maxBodyBytes ${this.config.maxBodyBytes}`
            : undefined;
        const mayHaveLargeEvent = bodyBytes === undefined ? (envelopeBytes ?? Infinity) > this.config.maxEventBytes : bodyBytes > this.config.maxEventBytes;

        let events: unknown[];
        let eventsPath: string;
        let sharedContext: Record<string, string> | undefined;
        let routeType: EventType | undefined;
        let requestProblem = tooLarge;
        try {
            if (route === "native-batch" || route === "segment-batch") {
                const key = route === "native-batch" ? "events" : "batch";
                const list = body[key];
                if (!Array.isArray(list)) return [this.badRow(req, `${key}: expected an array of events, got ${describe(list)}`, body)];
                events = list;
                eventsPath = key;
                try {
                    req.sentAt = optTime(body, "sentAt", "");
                    req.sentAtIso = req.sentAt === undefined ? undefined : iso(req.sentAt);
                } catch (err) {
                    requestProblem ??= (err as Error).message;
                }
                if (route === "segment-batch") {
                    try {
                        const shared = optObject(body, "context", "");
                        if (shared) this.maps.flatten((sharedContext = {}), "context", "", shared);
                    } catch (err) {
                        requestProblem ??= (err as Error).message;
                    }
                }
            } else {
                events = [body];
                eventsPath = "";
                routeType = route.slice("segment-".length) as EventType;
            }
        } catch (err) {
            return [this.badRow(req, `body: ${(err as Error).message}`, body)];
        }

        const rows: LakeRow[] = new Array(events.length);
        const max = this.config.maxEventsPerRequest;
        for (let i = 0; i < events.length; i++) {
            const raw = events[i];
            const path = eventsPath === "" ? "" : `${eventsPath}[${i}]`;
            const where = path === "" ? "body" : path;
            try {
                if (requestProblem !== undefined) rows[i] = this.badRow(req, requestProblem, raw);
                else if (i >= max) rows[i] = this.badRow(req, `${where}: request has ${events.length} events, more than maxEventsPerRequest ${max}`, raw);
                else {
                    let rawText: string | undefined;
                    if (mayHaveLargeEvent) {
                        rawText = safeStringify(raw);
                        const bytes = Buffer.byteLength(rawText);
                        if (bytes > this.config.maxEventBytes) {
                            rows[i] = this.badRow(req, `${where}: ${bytes} bytes, more than maxEventBytes ${this.config.maxEventBytes}`, rawText);
                            continue;
                        }
                    }
                    const ev = route === "native-batch" ? parseNativeEvent(raw, path) : parseSegmentMessage(raw, path, routeType);
                    rows[i] = this.goodRow(req, ev, path, raw, rawText, sharedContext);
                }
            } catch (err) {
                const reason = err instanceof FieldError ? err.message : `${where}: internal error: ${(err as Error)?.message ?? String(err)}`;
                rows[i] = this.badRow(req, reason, raw);
            }
        }
        return rows;
    }

    private goodRow(req: RequestInfo, ev: ParsedEvent, path: string, raw: unknown, rawText: string | undefined, sharedContext: Record<string, string> | undefined): LakeRow {
        const row = blankRow(req);
        const r = this.redactor;
        const sent = ev.sentAt ?? req.sentAt;
        if (ev.sentAt !== undefined) row.sent_at = iso(ev.sentAt);
        let eventMs = req.receivedMs;
        if (ev.timestamp !== undefined) eventMs = sent === undefined ? ev.timestamp : req.receivedMs - (sent - ev.timestamp);
        if (!(eventMs >= 0 && eventMs <= MAX_TIME_MS)) {
            throw new FieldError(path === "" ? "timestamp" : `${path}.timestamp`, "a time that stays in 1970..9999 after clock-skew correction (received - (sentAt - timestamp))", new Date(ev.timestamp!).toISOString());
        }
        row.event_id = ev.id !== undefined ? r.idText(ev.id) : this.pseudonymizer.digest(`${ev.sourceFormat}|${rawText ?? safeStringify(raw)}`);
        row.event_type = ev.type;
        row.event_time = eventMs === req.receivedMs ? req.receivedAt : iso(eventMs);
        row.source_format = ev.sourceFormat;
        // Direct property stores (not row[column]): keeps the row's shape monomorphic on the hot path.
        if (ev.name !== undefined) row.event_name = this.column(COLUMN.event_name, ev.name);
        if (ev.anonymousId !== undefined) row.anonymous_id = this.column(COLUMN.anonymous_id, ev.anonymousId);
        if (ev.userId !== undefined) row.user_id = this.column(COLUMN.user_id, ev.userId);
        if (ev.sessionId !== undefined) row.session_id = this.column(COLUMN.session_id, ev.sessionId);
        if (ev.appId !== undefined) row.app_id = this.column(COLUMN.app_id, ev.appId);
        const page = ev.page;
        if (page.url !== undefined) row.page_url = this.column(COLUMN.page_url, page.url, true);
        if (page.path !== undefined) row.page_path = this.column(COLUMN.page_path, page.path);
        // Trackers that send only a URL still get a path to group by; it comes from the redacted URL.
        else if (typeof row.page_url === "string") row.page_path = pathOfUrl(row.page_url);
        if (page.referrer !== undefined) row.page_referrer = this.column(COLUMN.page_referrer, page.referrer);
        if (page.title !== undefined) row.page_title = this.column(COLUMN.page_title, page.title);

        const ua = this.ua.parse(ev.userAgent ?? req.userAgent);
        row.ua_browser = ua.browser;
        row.ua_browser_version = ua.browserVersion;
        row.ua_os = ua.os;
        row.ua_os_version = ua.osVersion;
        row.ua_device_type = ua.deviceType;
        // A client-reported IP (server-side Segment libraries) is the user's; the request's is the server's.
        const clientIp = ev.ip === undefined ? null : truncateIp(ev.ip);
        const clientIpUsed = clientIp !== null;
        if (clientIpUsed) row.ip_truncated = this.ipColumnOf(ev.ip!, clientIp);

        const properties = row.properties;
        const segmentPage = ev.sourceFormat === "segment" && ev.type === "page";
        if (ev.properties) this.maps.flatten(properties, "properties", "", ev.properties, segmentPage ? SEGMENT_PROMOTED_PAGE : undefined);
        if (segmentPage && ev.properties) this.pagePropertyCopies(properties, ev.properties, ev.page);
        if (ev.traits) this.maps.flatten(properties, "properties", "traits", ev.traits);
        if (ev.ids) for (const key in ev.ids) this.maps.putPath(properties, "properties", key, ev.ids[key]);

        const context = sharedContext ? Object.assign(row.context, sharedContext) : row.context;
        if (ev.context) {
            const promoted = ev.sourceFormat !== "segment" ? undefined : clientIpUsed ? SEGMENT_PROMOTED_WITH_IP : SEGMENT_PROMOTED;
            this.maps.flatten(context, "context", "", ev.context, promoted);
        }
        if (ev.extra) this.maps.flatten(context, "context", "extra", ev.extra);
        return row;
    }

    /** Reserved page properties of a Segment page call that differ from the page_* column they'd fill. */
    private pagePropertyCopies(properties: Record<string, string>, source: Record<string, unknown>, page: PageFields): void {
        for (const [key, column] of PAGE_PROPERTY_COLUMNS) {
            const value = source[key];
            if (typeof value !== "string" || value === page[key]) continue;
            const rule = this.columnRules[COLUMN[column]];
            if (rule !== DROP) this.maps.putPath(properties, "properties", key, value, rule);
        }
    }

    /**
     * Column value under the column-level PII rule: dropped (undefined), pseudonymized raw value, or
     * redacted text (`repeats`: a long value that recurs across events, the page URL).
     */
    private column(column: number, value: string, repeats = false): string | undefined {
        const rule = this.columnRules[column];
        if (rule === KEEP) return repeats ? this.redactor.repeatedText(value) : this.redactor.text(value);
        return rule === PSEUDONYMIZE ? this.pseudonymizer.pseudonymize(value) : undefined;
    }

    private ipColumn(ip: string): string | undefined {
        return ip === "" ? undefined : this.ipColumnOf(ip, truncateIp(ip));
    }

    /** ip_truncated from an address and its truncation (null: not a valid address). */
    private ipColumnOf(ip: string, truncated: string | null): string | undefined {
        if (truncated === null || this.dropColumns.has("ip_truncated")) return undefined;
        const value = this.config.pii.truncateIp ? truncated : ip;
        return this.pseudonymizeColumns.has("ip_truncated") ? this.pseudonymizer.pseudonymize(value) : value;
    }

    /**
     * A bad row: why (bad_reason) and a truncated excerpt of what came (bad_payload) with identity and
     * PII-keyed values pseudonymized, dropped keys blanked and free-text PII redacted *before* truncation,
     * so a cut can't leave half an e-mail address behind.
     */
    badRow(req: RequestInfo, reason: string, payload: unknown): LakeRow {
        const row = blankRow(req);
        const text = typeof payload === "string" ? payload : safeStringify(payload);
        const max = this.config.badPayloadMaxChars;
        row.event_id = this.pseudonymizer.digest(`bad|${reason}|${text}`);
        row.bad_reason = this.redactor.text(reason);
        row.bad_payload = this.sanitizePayload(text.length > max + 4096 ? text.slice(0, max + 4096) : text).slice(0, max);
        return row;
    }

    private sanitizePayload(text: string): string {
        const { pseudonymizeKey, dropKey } = this.config.pii;
        const keyed = text.replace(JSON_PAIR, (m: string, key: string, colon: string, value: string) => {
            if (dropKey?.test(key)) return `"${key}"${colon}"[dropped]"`;
            if (!IDENTITY_KEYS.test(key) && !pseudonymizeKey?.test(key)) return m;
            let decoded: string = value;
            try {
                decoded = String(JSON.parse(value));
            } catch {
                /* keep the literal */
            }
            return `"${key}"${colon}"${this.pseudonymizer.pseudonymize(decoded)}"`;
        });
        return this.redactor.text(keyed);
    }
}

function clampTime(ms: number): number {
    return Number.isFinite(ms) && ms >= 0 && ms <= MAX_TIME_MS ? ms : Date.now();
}

/** The route of a request path: a query string and trailing slashes are ignored. */
export function normalizePath(path: string): string {
    const q = path.indexOf("?");
    let p = q >= 0 ? path.slice(0, q) : path;
    while (p.length > 1 && p.endsWith("/")) p = p.slice(0, -1);
    return p;
}

/**
 * The route a bare request body (no envelope) came to, from its shape: a native batch has `events`,
 * a Segment batch `batch`, a single Segment call its `type`. Undefined when the shape names none.
 */
export function bareBodyPath(body: Json): IngestPathName | undefined {
    if (Array.isArray(body.events)) return "/v1/events";
    if (Array.isArray(body.batch)) return "/v1/batch";
    if (typeof body.type === "string") {
        const path = `/v1/${body.type}`;
        if (Object.prototype.hasOwnProperty.call(INGEST_ROUTES, path) && path !== "/v1/events" && path !== "/v1/batch") return path as IngestPathName;
    }
    return undefined;
}

/** Why an envelope can't be read, naming the field, or undefined when it's fine. */
function envelopeProblem(e: Json): string | undefined {
    if (e.v !== 1) return `envelope.v: expected 1, got ${describe(e.v)}`;
    if (typeof e.receivedAt !== "number" || !(e.receivedAt >= 0 && e.receivedAt <= MAX_TIME_MS)) {
        return `envelope.receivedAt: expected epoch milliseconds, got ${describe(e.receivedAt)}`;
    }
    if (typeof e.path !== "string" || !Object.prototype.hasOwnProperty.call(INGEST_ROUTES, normalizePath(e.path))) {
        return `envelope.path: expected one of ${Object.keys(INGEST_ROUTES).join("|")}, got ${describe(e.path)}`;
    }
    if (e.sourceIp !== undefined && e.sourceIp !== null && typeof e.sourceIp !== "string") return `envelope.sourceIp: expected a string, got ${describe(e.sourceIp)}`;
    if (e.userAgent !== undefined && e.userAgent !== null && typeof e.userAgent !== "string") return `envelope.userAgent: expected a string, got ${describe(e.userAgent)}`;
    if (e.body === undefined || e.body === null) return `envelope.body: expected the request body, got ${describe(e.body)}`;
    return undefined;
}

/** The path of an absolute URL ("https://h/a/b?q" -> "/a/b"; "https://h" -> "/"), or undefined if it is not one. */
function pathOfUrl(url: string): string | undefined {
    const scheme = url.indexOf("://");
    if (scheme <= 0) return undefined;
    const slash = url.indexOf("/", scheme + 3);
    let end = url.length;
    for (const stop of ["?", "#"]) {
        const at = url.indexOf(stop, scheme + 3);
        if (at !== -1 && at < end) end = at;
    }
    return slash === -1 || slash > end ? "/" : url.slice(slash, end);
}
