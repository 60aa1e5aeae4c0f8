import { strict as assert } from "assert";
import { createHmac } from "crypto";
import { EventRow } from "../../dataplane/schema";
import { BAD_ROW_TYPE, createTransformer } from "../../dataplane/transform";
import { CHROME_UA, COLUMN_NAMES, envelope, ISO_MS, KEY, RECEIVED, transformer } from "./helpers";

const hmac = (v: string): string => createHmac("sha256", KEY).update(v).digest("hex");
const t = transformer();
const one = (rows: EventRow[]): EventRow => {
    assert.equal(rows.length, 1, JSON.stringify(rows));
    return rows[0];
};

describe("page path from the URL", () => {
    const t = createTransformer(undefined, "a-long-enough-secret-key-123456");
    const page = (properties: Record<string, unknown>) =>
        t.normalize({ v: 1, receivedAt: 1_764_000_000_000, sourceIp: "203.0.113.9", userAgent: "", path: "/v1/page", body: { type: "page", anonymousId: "a", properties } })[0];
    for (const [url, path] of [
        ["https://shop.example.com/cart/checkout?step=2#top", "/cart/checkout"],
        ["https://shop.example.com", "/"],
        ["https://shop.example.com?q=1", "/"],
        ["https://shop.example.com/#frag", "/"],
    ] as const) {
        it(`derives ${path} from ${url} when the tracker sends no path`, () => {
            assert.equal(page({ url }).page_path, path);
        });
    }
    it("keeps the tracker's own path, and derives it from the redacted URL", () => {
        assert.equal(page({ url: "https://ex.com/a", path: "/b" }).page_path, "/b");
        const row = page({ url: "https://ex.com/users/jane@example.com/orders?x=1" });
        assert.equal(row.page_path, "/users/[email]/orders");
        assert.doesNotMatch(JSON.stringify(row), /jane@example\.com/);
    });
    it("leaves the path empty when the URL is not absolute", () => {
        assert.equal(page({ url: "/relative/only" }).page_path, null);
    });
});

describe("transform: normalize (good rows)", () => {
    it("reads a native batch into one row per event with every column present and ISO-8601 ms timestamps", () => {
        const rows = t.normalize(envelope("/v1/events", {
            sentAt: "2026-11-26T16:05:10.000Z",
            events: [
                { eventId: "e-1", type: "track", name: "Order Completed", timestamp: "2026-11-26T16:05:09.000Z", anonymousId: "a-1", userId: "u-1", sessionId: 77, appId: "web", properties: { total: 12.5, paid: true, items: [{ sku: "s1" }], empty: {}, none: null } },
                { type: "page", anonymousId: "a-1", page: { url: "https://ex.com/a?x=1", path: "/a", referrer: "https://google.com/", title: "A" } },
            ],
        }));
        assert.equal(rows.length, 2);
        for (const row of rows) {
            assert.deepEqual(Object.keys(row), COLUMN_NAMES, "every EventRow key, in table order");
            assert.match(row.received_at, ISO_MS);
            assert.match(row.event_time!, ISO_MS);
        }
        const [track, page] = rows;
        assert.equal(track.event_id, "e-1");
        assert.equal(track.event_type, "track");
        assert.equal(track.event_name, "Order Completed");
        // Clock skew: received 16:05:00.500 - (sent 16:05:10 - original 16:05:09) = 16:04:59.500.
        assert.equal(track.event_time, "2026-11-26T16:04:59.500Z");
        assert.equal(track.received_at, "2026-11-26T16:05:00.500Z");
        assert.equal(track.sent_at, "2026-11-26T16:05:10.000Z");
        assert.equal(track.source_format, "native");
        assert.equal(track.ingest_path, "/v1/events");
        assert.equal(track.anonymous_id, hmac("a-1"));
        assert.equal(track.user_id, hmac("u-1"));
        assert.equal(track.session_id, "77");
        assert.equal(track.app_id, "web");
        assert.equal(track.ip_truncated, "203.0.113.0");
        assert.equal(track.ua_browser, "Chrome");
        assert.equal(track.ua_os, "Windows");
        assert.equal(track.ua_device_type, "desktop");
        assert.deepEqual(track.properties, { total: "12.5", paid: "true", "items.0.sku": "s1", empty: "{}", none: "null" });
        assert.equal(track.bad_reason, null);
        assert.equal(page.event_time, page.received_at, "no timestamp: event time is the receive time");
        assert.equal(page.page_url, "https://ex.com/a?x=1");
        assert.equal(page.page_path, "/a");
        assert.equal(page.page_referrer, "https://google.com/");
        assert.equal(page.page_title, "A");
        assert.match(page.event_id, /^[0-9a-f]{32}$/, "no client id: deterministic keyed hash");
    });

    it("gives an id-less event the same event_id on a retry (dedup) and a different one for different content", () => {
        const ev = { type: "track", name: "X", anonymousId: "a", timestamp: 1764172800000 };
        const a = one(t.normalize(envelope("/v1/events", { events: [ev] })));
        const b = one(t.normalize(envelope("/v1/events", { events: [ev] }, { receivedAt: RECEIVED + 5000 })));
        const c = one(t.normalize(envelope("/v1/events", { events: [{ ...ev, name: "Y" }] })));
        assert.equal(a.event_id, b.event_id);
        assert.notEqual(a.event_id, c.event_id);
    });

    const segmentCases: { name: string; path: string; body: unknown; check: (row: EventRow) => void }[] = [
        {
            name: "track on /v1/track",
            path: "/v1/track",
            body: { messageId: "m-1", event: "Signed Up", userId: "u-9", timestamp: "2026-11-26T16:00:00.000Z", sentAt: "2026-11-26T16:00:01.000Z", properties: { plan: "pro" } },
            check: (r) => {
                assert.equal(r.event_type, "track");
                assert.equal(r.event_name, "Signed Up");
                assert.equal(r.event_id, "m-1");
                assert.equal(r.event_time, "2026-11-26T16:04:59.500Z");
                assert.equal(r.sent_at, "2026-11-26T16:00:01.000Z");
                assert.equal(r.source_format, "segment");
                assert.deepEqual(r.properties, { plan: "pro" });
            },
        },
        {
            name: "page with context.page, client user agent and client IP",
            path: "/v1/page",
            body: { anonymousId: "a", name: "Home", context: { page: { url: "https://ex.com/", path: "/", title: "Home" }, userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1", ip: "2001:db8:85a3:8d3:1319:8a2e:370:7348", app: { name: "shop" } } },
            check: (r) => {
                assert.equal(r.event_type, "page");
                assert.equal(r.event_name, "Home");
                assert.equal(r.page_url, "https://ex.com/");
                assert.equal(r.page_title, "Home");
                assert.equal(r.ua_os, "iOS");
                assert.equal(r.ua_device_type, "mobile");
                assert.equal(r.ip_truncated, "2001:db8:85a3::");
                assert.equal(r.context.ip, undefined, "the client ip is ip_truncated, not repeated");
                assert.equal(r.app_id, "shop");
            },
        },
        {
            name: "page with url in properties (Segment reserved page properties)",
            path: "/v1/page",
            body: { anonymousId: "a", properties: { url: "https://ex.com/p", path: "/p", referrer: "https://r.example/", title: "P" } },
            check: (r) => {
                assert.equal(r.page_url, "https://ex.com/p");
                assert.equal(r.page_referrer, "https://r.example/");
            },
        },
        {
            name: "identify: traits in properties under traits., PII traits pseudonymized",
            path: "/v1/identify",
            body: { userId: "u-1", traits: { email: "ada@example.com", name: "Ada Lovelace", plan: "pro" } },
            check: (r) => {
                assert.equal(r.event_type, "identify");
                assert.equal(r.properties["traits.plan"], "pro");
                assert.equal(r.properties["traits.email"], hmac("ada@example.com"));
                assert.equal(r.properties["traits.name"], hmac("Ada Lovelace"));
            },
        },
        {
            name: "group: groupId kept, traits stored",
            path: "/v1/group",
            body: { userId: "u-1", groupId: "g-1", traits: { industry: "retail" } },
            check: (r) => assert.deepEqual(r.properties, { "traits.industry": "retail", groupId: "g-1" }),
        },
        {
            name: "alias: previousId pseudonymized",
            path: "/v1/alias",
            body: { userId: "u-2", previousId: "anon-7" },
            check: (r) => {
                assert.equal(r.event_type, "alias");
                assert.equal(r.properties.previousId, hmac("anon-7"));
            },
        },
        {
            name: "screen",
            path: "/v1/screen",
            body: { anonymousId: "a", name: "Settings", properties: { tab: "privacy" } },
            check: (r) => assert.equal(r.event_name, "Settings"),
        },
        {
            name: "writeKey and integrations are not stored; unknown fields are kept under context extra.",
            path: "/v1/track",
            body: { anonymousId: "a", event: "E", writeKey: "wk_secret", integrations: { All: true }, category: "c1" },
            check: (r) => {
                assert.ok(!JSON.stringify(r).includes("wk_secret"));
                assert.equal(r.context["extra.category"], "c1");
            },
        },
        {
            name: "trailing slash on the path",
            path: "/v1/track/",
            body: { anonymousId: "a", event: "E" },
            check: (r) => assert.equal(r.ingest_path, "/v1/track"),
        },
    ];
    for (const c of segmentCases) {
        it(`Segment ${c.name}`, () => c.check(one(t.normalize(envelope(c.path, c.body)))));
    }

    it("Segment /v1/batch merges the shared context under each message's own (message wins)", () => {
        const rows = t.normalize(envelope("/v1/batch", {
            sentAt: "2026-11-26T16:05:00.000Z",
            context: { library: { name: "analytics-node", version: "2.1.0" }, locale: "en-US" },
            batch: [
                { type: "track", event: "A", anonymousId: "a", context: { locale: "de-DE" } },
                { type: "identify", userId: "u" },
            ],
        }));
        assert.equal(rows.length, 2);
        assert.deepEqual(rows[0].context, { "library.name": "analytics-node", "library.version": "2.1.0", locale: "de-DE" });
        assert.deepEqual(rows[1].context, { "library.name": "analytics-node", "library.version": "2.1.0", locale: "en-US" });
        assert.equal(rows[0].sent_at, "2026-11-26T16:05:00.000Z");
    });

    it("Segment context fields read into columns (page.*, userAgent, a valid ip) aren't repeated in the context map; the rest stays", () => {
        const context = {
            page: { url: "https://ex.com/p?q=1", path: "/p", referrer: "https://r.example/", title: "P", search: "?q=1" },
            userAgent: CHROME_UA,
            ip: "198.51.100.7",
            locale: "en-GB",
        };
        const [segment] = t.normalize(envelope("/v1/page", { anonymousId: "a", context }));
        assert.equal(segment.page_url, "https://ex.com/p?q=1");
        assert.equal(segment.page_title, "P");
        assert.equal(segment.ua_browser, "Chrome");
        assert.equal(segment.ip_truncated, "198.51.100.0");
        assert.deepEqual(segment.context, { "page.search": "?q=1", locale: "en-GB" });
        // An ip that isn't an address isn't what ip_truncated holds (that is the request's): it stays, as text.
        const [claimed] = t.normalize(envelope("/v1/page", { anonymousId: "a", context: { ...context, ip: "unknown" } }));
        assert.equal(claimed.ip_truncated, "203.0.113.0");
        assert.equal(claimed.context.ip, "unknown");
        // A null isn't a value read into a column: it stays in the map as before.
        const [nullUa] = t.normalize(envelope("/v1/track", { anonymousId: "a", event: "E", context: { userAgent: null } }));
        assert.deepEqual(nullUa.context, { userAgent: "null" });
        // Native events read page fields from the event, not the context: their context is kept whole.
        const [native] = t.normalize(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a", context }] }));
        assert.equal(native.page_url, null);
        assert.equal(native.context["page.url"], "https://ex.com/p?q=1");
        assert.equal(native.context.userAgent, CHROME_UA);
        // Dropping a column leaves no copy of it in the context map.
        const [dropped] = transformer({ pii: { drop: ["page_url"] } }).normalize(envelope("/v1/page", { anonymousId: "a", context }));
        assert.equal(dropped.page_url, null);
        assert.ok(!JSON.stringify(dropped).includes("ex.com/p"), "no trace of the dropped URL");
        const [noIp] = transformer({ pii: { drop: ["ip_truncated"] } }).normalize(envelope("/v1/page", { anonymousId: "a", context }));
        assert.ok(!JSON.stringify(noIp).includes("198.51.100"), "no trace of the dropped client IP");
    });

    it("a Segment page call's reserved page properties are the page_* columns: not repeated, never less protected", () => {
        const properties = { url: "https://ex.com/p?q=1", path: "/p", referrer: "https://r.example/", title: "P", category: "docs" };
        const [page] = t.normalize(envelope("/v1/page", { anonymousId: "a", properties }));
        assert.equal(page.page_url, "https://ex.com/p?q=1");
        assert.equal(page.page_referrer, "https://r.example/");
        assert.deepEqual(page.properties, { category: "docs" });
        // Dropping the column leaves no copy in the properties map (it used to).
        const [dropped] = transformer({ pii: { drop: ["page_url", "page_referrer"] } }).normalize(envelope("/v1/page", { anonymousId: "a", properties }));
        assert.equal(dropped.page_url, null);
        assert.ok(!JSON.stringify(dropped).includes("ex.com/p") && !JSON.stringify(dropped).includes("r.example"), "no trace of the dropped columns");
        // A property that differs from its column (which came from context.page) is kept, under the column's rule.
        const differing = { anonymousId: "a", properties: { url: "https://ex.com/other", title: "Other" }, context: { page: { url: "https://ex.com/p", title: "P" } } };
        const [kept] = t.normalize(envelope("/v1/page", differing));
        assert.equal(kept.page_url, "https://ex.com/p");
        assert.deepEqual(kept.properties, { url: "https://ex.com/other", title: "Other" });
        const strict = transformer({ pii: { drop: ["page_url"], pseudonymize: ["page_title"] } });
        const [ruled] = strict.normalize(envelope("/v1/page", differing));
        assert.deepEqual(ruled.properties, { title: hmac("Other") });
        // Track calls have no reserved page properties: a url property is just a property.
        const [track] = t.normalize(envelope("/v1/track", { anonymousId: "a", event: "E", properties: { url: "https://ex.com/x" } }));
        assert.deepEqual(track.properties, { url: "https://ex.com/x" });
    });

    it("accepts the envelope as an object, as JSON text, and as UTF-8 bytes, with a string body", () => {
        const env = envelope("/v1/events", JSON.stringify({ events: [{ eventId: "x", type: "track", name: "é", anonymousId: "a" }] }));
        const fromObject = t.normalize(env);
        assert.deepEqual(t.normalize(JSON.stringify(env)), fromObject);
        assert.deepEqual(t.normalize(Buffer.from(JSON.stringify(env))), fromObject);
        assert.equal(fromObject[0].event_name, "é");
    });

    it("returns no rows for a request with zero events", () => {
        assert.deepEqual(t.normalize(envelope("/v1/events", { events: [] })), []);
        assert.deepEqual(t.normalize(envelope("/v1/batch", { batch: [] })), []);
    });
});

describe("transform: normalize (bad rows)", () => {
    const cases: { name: string; input: unknown; reason: RegExp; rows?: number }[] = [
        { name: "envelope not JSON", input: "{not json", reason: /^envelope: not valid JSON/ },
        { name: "envelope not an object", input: "[1,2]", reason: /^envelope: expected a JSON object, got an array/ },
        { name: "envelope version", input: { ...envelope("/v1/events", { events: [] }), v: 2 }, reason: /^envelope\.v: expected 1, got 2/ },
        { name: "envelope receivedAt", input: { ...envelope("/v1/events", { events: [] }), receivedAt: "now" }, reason: /^envelope\.receivedAt: expected epoch milliseconds, got "now"/ },
        { name: "unknown path", input: envelope("/v2/x", {}), reason: /^envelope\.path: expected one of \/v1\/events\|.*got "\/v2\/x"/ },
        { name: "prototype key as path", input: envelope("constructor", {}), reason: /^envelope\.path:/ },
        { name: "body missing", input: { ...envelope("/v1/events", null) }, reason: /^envelope\.body: expected the request body, got null/ },
        { name: "body text not JSON", input: envelope("/v1/events", "{oops"), reason: /^body: not valid JSON/ },
        { name: "body not an object", input: envelope("/v1/events", 42), reason: /^body: expected a JSON object, got 42/ },
        { name: "events not an array", input: envelope("/v1/events", { events: { a: 1 } }), reason: /^events: expected an array of events, got an object/ },
        { name: "batch missing", input: envelope("/v1/batch", { messages: [] }), reason: /^batch: expected an array of events, got nothing/ },
        { name: "event type mistyped", input: envelope("/v1/events", { events: [{ type: 42, anonymousId: "a" }] }), reason: /^events\[0\]\.type: expected one of track\|page\|screen\|identify\|group\|alias, got 42$/ },
        { name: "event not an object", input: envelope("/v1/events", { events: ["hello"] }), reason: /^events\[0\]: expected an event object, got "hello"/ },
        { name: "track without name", input: envelope("/v1/events", { events: [{ type: "track", anonymousId: "a" }] }), reason: /^events\[0\]\.name: expected a non-empty string, got nothing/ },
        { name: "no identity", input: envelope("/v1/events", { events: [{ type: "page" }] }), reason: /^events\[0\]: expected anonymousId or userId, got neither/ },
        { name: "userId mistyped (value not echoed)", input: envelope("/v1/events", { events: [{ type: "page", userId: { id: "secret-user" } }] }), reason: /^events\[0\]\.userId: expected a string or number, got an object$/ },
        { name: "bad timestamp", input: envelope("/v1/events", { events: [{ type: "page", anonymousId: "a", timestamp: "yesterday" }] }), reason: /^events\[0\]\.timestamp: expected an ISO-8601 date-time or epoch milliseconds/ },
        { name: "page.url mistyped", input: envelope("/v1/events", { events: [{ type: "page", anonymousId: "a", page: { url: 5 } }] }), reason: /^events\[0\]\.page\.url: expected a string, got 5/ },
        { name: "segment batch message type", input: envelope("/v1/batch", { batch: [{ type: "click", anonymousId: "a" }] }), reason: /^batch\[0\]\.type: expected one of track\|/ },
        { name: "segment type contradicts the path", input: envelope("/v1/track", { type: "page", anonymousId: "a" }), reason: /^type: expected "track" on this path/ },
        { name: "segment track without event", input: envelope("/v1/track", { anonymousId: "a" }), reason: /^event: expected a non-empty string, got nothing/ },
        { name: "group without groupId", input: envelope("/v1/group", { userId: "u" }), reason: /^groupId: expected a string or number/ },
        { name: "alias without previousId", input: envelope("/v1/alias", { userId: "u" }), reason: /^previousId: expected a string or number/ },
        { name: "context mistyped", input: envelope("/v1/track", { anonymousId: "a", event: "E", context: "ctx" }), reason: /^context: expected an object, got "ctx"/ },
        { name: "skew correction leaves the calendar", input: envelope("/v1/events", { sentAt: 253402300799999, events: [{ type: "page", anonymousId: "a", timestamp: 0 }] }), reason: /^events\[0\]\.timestamp: expected a time that stays in 1970\.\.9999/ },
    ];
    for (const c of cases) {
        it(`${c.name} -> one bad row naming the field`, () => {
            const row = one(t.normalize(c.input));
            assert.equal(row.event_type, BAD_ROW_TYPE);
            assert.match(row.bad_reason ?? "", c.reason);
            assert.equal(typeof row.bad_payload, "string");
            assert.deepEqual(Object.keys(row), COLUMN_NAMES);
            assert.match(row.received_at, ISO_MS);
            assert.match(row.event_id, /^[0-9a-f]{32}$/);
        });
    }

    it("keeps good events of a request beside its bad ones, in order", () => {
        const rows = t.normalize(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a" }, { type: "nope" }, { type: "page", anonymousId: "b" }] }));
        assert.deepEqual(rows.map((r) => r.event_type), ["page", BAD_ROW_TYPE, "page"]);
    });

    it("turns events beyond maxEventsPerRequest into bad rows, one each", () => {
        const events = Array.from({ length: 5 }, (_, i) => ({ type: "track", name: `e${i}`, anonymousId: "a" }));
        const rows = transformer({ maxEventsPerRequest: 3 }).normalize(envelope("/v1/events", { events }));
        assert.deepEqual(rows.map((r) => r.event_type), ["track", "track", "track", BAD_ROW_TYPE, BAD_ROW_TYPE]);
        assert.equal(rows[3].bad_reason, "events[3]: request has 5 events, more than maxEventsPerRequest 3");
        assert.match(rows[4].bad_payload!, /e4/);
    });

    it("turns an oversized event into a bad row and an oversized body into one bad row per event", () => {
        const big = { type: "track", name: "big", anonymousId: "a", properties: { blob: "x".repeat(2000) } };
        const small = { type: "track", name: "small", anonymousId: "a" };
        const rows = transformer({ maxEventBytes: 1000, maxBodyBytes: 100_000 }).normalize(envelope("/v1/events", { events: [small, big] }));
        assert.deepEqual(rows.map((r) => r.event_type), ["track", BAD_ROW_TYPE]);
        assert.match(rows[1].bad_reason!, /^events\[1\]: \d+ bytes, more than maxEventBytes 1000$/);

        const tooBig = transformer({ maxEventBytes: 1000, maxBodyBytes: 1500 }).normalize(JSON.stringify(envelope("/v1/events", { events: [small, big] })));
        assert.deepEqual(tooBig.map((r) => r.event_type), [BAD_ROW_TYPE, BAD_ROW_TYPE]);
        assert.match(tooBig[0].bad_reason!, /^body: \d+ bytes, more than maxBodyBytes 1500$/);
    });

    it("turns every event of a request with an invalid sentAt into a bad row naming sentAt", () => {
        const rows = t.normalize(envelope("/v1/events", { sentAt: "soon", events: [{ type: "page", anonymousId: "a" }, { type: "page", anonymousId: "b" }] }));
        assert.deepEqual(rows.map((r) => r.bad_reason), ['sentAt: expected an ISO-8601 date-time or epoch milliseconds (1970..9999), got "soon"', 'sentAt: expected an ISO-8601 date-time or epoch milliseconds (1970..9999), got "soon"']);
    });

    it("truncates bad_payload to badPayloadMaxChars after redacting and pseudonymizing identity values", () => {
        const rows = transformer({ badPayloadMaxChars: 120 }).normalize(envelope("/v1/events", { events: [{ type: 7, userId: "raw-user-42", email: "ada@example.com", password: "hunter2", note: "x".repeat(500) }] }));
        const payload = one(rows).bad_payload!;
        assert.equal(payload.length, 120);
        assert.ok(!payload.includes("raw-user-42"));
        assert.ok(payload.includes(hmac("raw-user-42").slice(0, 20)));
        assert.ok(!payload.includes("ada@example.com"));
        assert.ok(!payload.includes("hunter2"));
    });

    it("never throws, whatever it is given", () => {
        for (const input of [undefined, null, 0, "", "null", [], {}, new Uint8Array([0xff, 0xfe]), { v: 1, receivedAt: 1, path: "/v1/events", body: { events: [null, 1, [], {}] } }]) {
            const rows = t.normalize(input);
            assert.ok(rows.length >= 1);
            for (const r of rows) assert.equal(r.event_type, BAD_ROW_TYPE);
        }
    });

    it("parses the user agent of the request when the event has none", () => {
        const r = one(t.normalize(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a" }] }, { userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)" })));
        assert.equal(r.ua_device_type, "bot");
        assert.equal(one(t.normalize(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a" }] }, { userAgent: CHROME_UA }))).ua_browser, "Chrome");
    });
});

describe("transform: normalize (hostile keys)", () => {
    it("keeps a __proto__ key as a map entry instead of changing the map's prototype", () => {
        const rows = transformer().normalize(JSON.stringify(envelope("/v1/events", { events: [{ type: "track", name: "x", anonymousId: "a", properties: { ["__proto__"]: "p", nested: { ["__proto__"]: { polluted: "yes" } } } }] })));
        const props = rows[0].properties;
        assert.equal(Object.getPrototypeOf(props), Object.prototype);
        assert.equal(JSON.parse(JSON.stringify(props)).__proto__, "p");
        assert.equal(props["nested.__proto__.polluted"], "yes");
        assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
});
