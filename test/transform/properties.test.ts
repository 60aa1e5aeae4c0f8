/**
 * Property-based tests (fast-check): for any input the transform never throws, accounts for every event
 * and every record, and lets no PII pattern through.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import type { FirehoseTransformationEvent } from "aws-lambda";
import { INGEST_ROUTES } from "../../dataplane/envelope";
import { EventRow } from "../../dataplane/schema";
import { truncateIp } from "../../dataplane/transform/ip";
import { b64, COLUMN_NAMES, decodeRows, ISO_MS, rawRows, RECEIVED, transformer } from "./helpers";

const RUNS = Number(process.env.FC_RUNS ?? 300);
const t = transformer();
const PATHS = Object.keys(INGEST_ROUTES);
const TYPES = ["track", "page", "screen", "identify", "group", "alias"];

function assertRowShape(row: EventRow): void {
    assert.deepEqual(Object.keys(row), COLUMN_NAMES);
    assert.match(row.received_at, ISO_MS);
    if (row.event_time !== null) assert.match(row.event_time, ISO_MS);
    assert.equal(typeof row.event_id, "string");
    assert.ok(row.event_id.length > 0);
    for (const map of [row.properties, row.context]) for (const v of Object.values(map)) assert.equal(typeof v, "string");
    if (row.event_type === "bad_row") assert.equal(typeof row.bad_reason, "string");
    else assert.equal(row.bad_reason, null);
}

/** Events that are mostly valid, sometimes subtly wrong, sometimes anything at all. */
const loosEvent = fc.oneof(
    fc.record(
        {
            type: fc.oneof(fc.constantFrom(...TYPES), fc.anything()),
            event: fc.string(),
            name: fc.oneof(fc.string(), fc.integer()),
            eventId: fc.uuid(),
            messageId: fc.string(),
            anonymousId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
            userId: fc.oneof(fc.string(), fc.double(), fc.object()),
            groupId: fc.string(),
            previousId: fc.string(),
            timestamp: fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.integer(), fc.string()),
            properties: fc.oneof(fc.object(), fc.anything()),
            context: fc.oneof(fc.object(), fc.anything()),
            page: fc.oneof(fc.record({ url: fc.webUrl(), title: fc.string() }), fc.anything()),
        },
        { requiredKeys: [] },
    ),
    fc.anything(),
);

const wellFormedEnvelope = fc.record({
    path: fc.constantFrom(...PATHS),
    events: fc.array(loosEvent, { maxLength: 12 }),
    sentAt: fc.option(fc.oneof(fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string()), { nil: undefined }),
    receivedAt: fc.integer({ min: 0, max: 4102444800000 }),
    sourceIp: fc.oneof(fc.ipV4(), fc.ipV6(), fc.string()),
    userAgent: fc.string(),
    bodyAsText: fc.boolean(),
});

type WellFormed = typeof wellFormedEnvelope extends fc.Arbitrary<infer T> ? T : never;

/** The envelope, and how many events the request holds (single-message paths hold exactly one). */
function build(w: WellFormed): { envelope: unknown; events: number } {
    const route = INGEST_ROUTES[w.path as keyof typeof INGEST_ROUTES];
    let body: unknown;
    let events: number;
    if (route === "native-batch") [body, events] = [{ sentAt: w.sentAt, events: w.events }, w.events.length];
    else if (route === "segment-batch") [body, events] = [{ sentAt: w.sentAt, context: { library: { name: "x" } }, batch: w.events }, w.events.length];
    else {
        const first = w.events[0];
        body = typeof first === "object" && first !== null && !Array.isArray(first) ? first : { anonymousId: "a", event: "E" };
        events = 1;
    }
    const envelope = { v: 1, receivedAt: w.receivedAt, sourceIp: w.sourceIp, userAgent: w.userAgent, path: w.path, body: w.bodyAsText ? JSON.stringify(body) : body };
    return { envelope, events };
}

describe("transform: properties (fast-check)", () => {
    it("normalize never throws and turns each event of a well-formed request into exactly one row or bad row", () => {
        fc.assert(
            fc.property(wellFormedEnvelope, (w) => {
                const { envelope, events } = build(w);
                const rows = t.normalize(envelope);
                assert.equal(rows.length, events);
                rows.forEach(assertRowShape);
            }),
            { numRuns: RUNS },
        );
    });

    it("normalize never throws on arbitrary input and always yields at least one (bad) row", () => {
        fc.assert(
            fc.property(fc.oneof(fc.anything(), fc.string(), fc.uint8Array(), fc.json(), fc.record({ v: fc.constant(1), receivedAt: fc.anything(), path: fc.anything(), body: fc.anything() })), (input) => {
                const rows = t.normalize(input);
                assert.ok(rows.length >= 1);
                rows.forEach(assertRowShape);
            }),
            { numRuns: RUNS },
        );
    });

    it("firehose answers each recordId exactly once, in order, and every event of an Ok record is a row", () => {
        const record = fc.oneof(
            wellFormedEnvelope.map((w) => {
                const { envelope, events } = build(w);
                return { data: b64(JSON.stringify(envelope)), events };
            }),
            fc.string().map((s) => ({ data: s, events: -1 })),
            fc.uint8Array().map((bytes) => ({ data: Buffer.from(bytes).toString("base64"), events: -1 })),
        );
        fc.assert(
            fc.property(fc.array(record, { maxLength: 8 }), (records) => {
                const event: FirehoseTransformationEvent = {
                    invocationId: "i", deliveryStreamArn: "arn", region: "us-east-1",
                    records: records.map((r, i) => ({ recordId: `id-${i}`, approximateArrivalTimestamp: RECEIVED, data: r.data })),
                };
                const out = t.firehose(event);
                assert.deepEqual(out.records.map((r) => r.recordId), records.map((_, i) => `id-${i}`));
                out.records.forEach((r, i) => {
                    const expected = records[i].events;
                    if (r.result === "Ok") {
                        const rows = decodeRows(r.data);
                        rows.forEach(assertRowShape);
                        for (const raw of rawRows(r.data)) assert.ok(Object.values(raw).every((v) => v !== null), "absent columns are left out, not null");
                        if (expected >= 0) assert.equal(rows.length, expected);
                    } else if (r.result === "Dropped") assert.equal(expected, 0);
                    else assert.equal(expected, -1, "only undecodable data may fail");
                });
            }),
            { numRuns: RUNS },
        );
    });

    // ---- PII ----

    const digits = (n: number): fc.Arbitrary<string> => fc.array(fc.integer({ min: 0, max: 9 }), { minLength: n, maxLength: n }).map((d) => d.join(""));
    const phone = fc.oneof(
        fc.tuple(fc.integer({ min: 1, max: 999 }), digits(3), digits(3), digits(4)).map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
        fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
        fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `${a}-${b}-${c}`),
        fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `${a}.${b}.${c}`),
        fc.tuple(fc.integer({ min: 1, max: 99 }), digits(10)).map(([cc, n]) => `+${cc}${n}`),
        fc.tuple(fc.integer({ min: 10, max: 99 }), digits(2), digits(4), digits(4)).map(([cc, a, b, c]) => `+${cc} ${a} ${b} ${c}`),
    );
    // Addresses whose /24 or /48 equals themselves carry no host part: nothing to hide.
    const ip = fc.oneof(fc.ipV4(), fc.ipV6()).filter((a) => truncateIp(a) !== a && a.length >= 7);
    const userId = fc.stringMatching(/^[a-z0-9]{12}$/).map((s) => `uid-${s}`);
    const pii = fc.oneof(fc.emailAddress().map((v) => ({ kind: "email", v })), phone.map((v) => ({ kind: "phone", v })), ip.map((v) => ({ kind: "ip", v })));
    const sep = fc.constantFrom(" ", ", ", "(", ") ", ": ", "\n", "=", " / ", "\t");
    const words = fc.stringMatching(/^[A-Za-z ]{0,12}$/);
    /** A free-text value with the PII inside. */
    const text = fc.tuple(words, sep, pii, sep, words).map(([a, s1, p, s2, b]) => ({ text: `${a}${s1}${p.v}${s2}${b}`, pii: p.v }));
    const url = fc.tuple(pii, fc.constantFrom("component", "form", "raw")).map(([p, enc]) => {
        const q = enc === "component" ? `q=${encodeURIComponent(p.v)}` : enc === "form" ? new URLSearchParams({ q: p.v }).toString() : `q=${p.v}`;
        return { text: `https://shop.example.com/p?utm=x&${q}&z=1`, pii: p.v };
    });

    const piiEvent = fc.record({
        segment: fc.boolean(),
        bad: fc.boolean(),
        type: fc.constantFrom("track", "page", "identify"),
        uid: userId,
        anon: userId,
        title: text,
        url,
        referrer: url,
        propText: text,
        nestedText: text,
        arrayText: text,
        keyText: text,
        contextText: text,
        ctxIp: ip,
        propUid: userId,
        email: fc.emailAddress(),
        phoneNo: phone,
    });

    it("lets no e-mail, phone number, full IP or raw user id through, wherever the client puts it", () => {
        fc.assert(
            fc.property(fc.array(piiEvent, { minLength: 1, maxLength: 6 }), ip, fc.boolean(), (events, sourceIp, viaFirehose) => {
                const secrets: string[] = [];
                const native: unknown[] = [];
                const segment: unknown[] = [];
                for (const e of events) {
                    secrets.push(e.uid, e.anon, e.title.pii, e.url.pii, e.referrer.pii, e.propText.pii, e.nestedText.pii, e.arrayText.pii, e.keyText.pii, e.contextText.pii, e.ctxIp, e.propUid, e.email, e.phoneNo);
                    const properties = {
                        note: e.propText.text,
                        nested: { deeper: { text: e.nestedText.text } },
                        list: ["ok", e.arrayText.text],
                        [e.keyText.text]: "1",
                        userId: e.propUid,
                        customer: { email: e.email, phone: e.phoneNo },
                    };
                    const context = { note: e.contextText.text, ip: e.ctxIp, traits: { user_id: e.propUid, email: e.email }, page: { url: e.url.text, referrer: e.referrer.text, title: e.title.text } };
                    const type = e.bad ? 12345 : e.type;
                    if (e.segment) {
                        segment.push({ type, event: e.title.text, name: e.title.text, userId: e.uid, anonymousId: e.anon, properties, traits: properties, context });
                    } else {
                        native.push({ type, name: e.title.text, userId: e.uid, anonymousId: e.anon, page: { url: e.url.text, referrer: e.referrer.text, title: e.title.text }, properties, traits: properties, context });
                    }
                }
                secrets.push(sourceIp);
                const envelopes = [
                    { v: 1, receivedAt: RECEIVED, sourceIp, userAgent: "Mozilla/5.0", path: "/v1/events", body: { events: native } },
                    { v: 1, receivedAt: RECEIVED, sourceIp, userAgent: "Mozilla/5.0", path: "/v1/batch", body: { batch: segment } },
                    // An envelope that is itself broken: its bad_payload is an excerpt of everything above.
                    { v: 2, receivedAt: RECEIVED, sourceIp, path: "/v1/events", body: { events: native } },
                ];
                let rows: EventRow[];
                if (viaFirehose) {
                    const out = t.firehose({ invocationId: "i", deliveryStreamArn: "a", region: "r", records: envelopes.map((env, i) => ({ recordId: `${i}`, approximateArrivalTimestamp: RECEIVED, data: b64(JSON.stringify(env)) })) });
                    rows = out.records.flatMap((r) => decodeRows(r.data));
                } else rows = envelopes.flatMap((env) => t.normalize(env));
                assert.equal(rows.length, native.length + segment.length + 1);
                const output = JSON.stringify(rows);
                for (const secret of secrets) {
                    for (const form of new Set([secret, encodeURIComponent(secret), new URLSearchParams({ q: secret }).toString().slice(2)])) {
                        assert.ok(!output.includes(form), `PII ${JSON.stringify(form)} reached the output:\n${output.slice(Math.max(0, output.indexOf(form) - 200), output.indexOf(form) + 200)}`);
                    }
                }
            }),
            { numRuns: RUNS },
        );
    });
});

describe("transform: credentials in URLs, card numbers in text (fast-check)", () => {
    const NAMES = [
        "token", "access_token", "id_token", "refresh_token", "reset_token", "code_verifier", "session", "session_id", "sessionToken", "sid", "PHPSESSID",
        "auth", "auth_code", "authorization", "password", "pwd", "pass", "secret", "client_secret", "signature", "sig", "api_key", "apikey", "key", "X-Amz-Signature",
    ];
    /** A credential name in any letter case, sometimes nested the way form libraries write it. */
    const credentialName = fc.tuple(fc.constantFrom(...NAMES), fc.array(fc.boolean(), { minLength: 32, maxLength: 32 }), fc.constantFrom("", "user[", "form.")).map(([name, upper, nest]) => {
        const cased = [...name].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join("");
        return nest === "user[" ? `user[${cased}]` : `${nest}${cased}`;
    });
    /** Values as sites mint them, long enough not to occur anywhere else by chance. */
    const credentialValue = fc.stringMatching(/^[A-Za-z0-9._~+/=-]{12,48}$/);
    const plainParam = fc.tuple(fc.constantFrom("utm_source", "page", "q", "lang", "ref"), fc.stringMatching(/^[a-z0-9]{1,8}$/)).map(([k, v]) => `${k}=${v}`);
    const credentialUrl = fc.record({
        base: fc.webUrl({ withQueryParameters: false, withFragments: false }),
        before: fc.array(plainParam, { maxLength: 3 }),
        after: fc.array(plainParam, { maxLength: 3 }),
        name: credentialName,
        value: credentialValue,
        inFragment: fc.boolean(),
        encode: fc.boolean(),
    });

    it("never keeps the value of a credential-named query or fragment parameter, and keeps its name", () => {
        fc.assert(
            fc.property(credentialUrl, fc.boolean(), (u, asProperty) => {
                const value = u.encode ? encodeURIComponent(u.value) : u.value.replace(/[+/=]/g, "x");
                const params = [...u.before, `${u.name}=${value}`, ...u.after].join("&");
                const url = u.inFragment ? `${u.base}#${params}` : `${u.base}?${params}`;
                const event = asProperty ? { type: "track", name: "Link", anonymousId: "a", properties: { href: url } } : { type: "page", anonymousId: "a", page: { url } };
                const output = JSON.stringify(t.normalize({ v: 1, receivedAt: RECEIVED, sourceIp: "", userAgent: "", path: "/v1/events", body: { events: [event] } }));
                for (const form of new Set([u.value, value, encodeURIComponent(u.value)])) assert.ok(!output.includes(form), `${form} kept in ${output}`);
                assert.ok(output.includes(`${u.name}=`), `the name ${u.name} is kept`);
            }),
            { numRuns: RUNS },
        );
    });

    /** Card networks' prefixes and lengths (Visa, Mastercard 5x and 2x, Amex, Discover, JCB, UnionPay, Diners). */
    const NETWORKS: [string, number][] = [["4", 16], ["4", 19], ["4", 13], ["51", 16], ["55", 16], ["2221", 16], ["2720", 16], ["34", 15], ["37", 15], ["6011", 16], ["65", 16], ["3528", 16], ["3589", 19], ["62", 16], ["36", 14]];
    const luhnCheckDigit = (body: string): number => {
        let sum = 0;
        for (let i = 0; i < body.length; i++) {
            let d = body.charCodeAt(body.length - 1 - i) - 48;
            if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
        }
        return (10 - (sum % 10)) % 10;
    };
    /** A Luhn-valid card number of a network's prefix and length, and the same digits with a wrong check digit. */
    const cardNumber = fc.tuple(fc.constantFrom(...NETWORKS), fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 19, maxLength: 19 }), fc.integer({ min: 1, max: 9 })).map(([[prefix, length], fill, off]) => {
        const body = (prefix + fill.join("")).slice(0, length - 1);
        const check = luhnCheckDigit(body);
        return { valid: `${body}${check}`, invalid: `${body}${(check + off) % 10}` };
    });
    const grouped = (digits: string, sep: string): string => (sep === "" ? digits : digits.match(/.{1,4}/g)!.join(sep));
    const words = fc.stringMatching(/^[A-Za-z ,.!?]{0,24}$/);

    it("redacts every Luhn-valid card number embedded in text, bare or in groups of four", () => {
        fc.assert(
            fc.property(cardNumber, fc.constantFrom("", " ", "-", "\u00a0"), words, words, ({ valid }, sep, before, after) => {
                const text = `${before} ${grouped(valid, sep)} ${after}`;
                const [row] = t.normalize({ v: 1, receivedAt: RECEIVED, sourceIp: "", userAgent: "", path: "/v1/events", body: { events: [{ type: "track", name: "x", anonymousId: "a", properties: { note: text } }] } });
                const note = row.properties.note;
                assert.ok(note.includes("[card]") && !note.replace(/\D/g, "").includes(valid), `${JSON.stringify(text)} -> ${JSON.stringify(note)}`);
            }),
            { numRuns: RUNS * 3 },
        );
    });

    it("keeps digit runs of the same lengths that fail the Luhn check", () => {
        fc.assert(
            fc.property(cardNumber, words, words, ({ invalid }, before, after) => {
                const text = `${before} ${invalid} ${after}`;
                const [row] = t.normalize({ v: 1, receivedAt: RECEIVED, sourceIp: "", userAgent: "", path: "/v1/events", body: { events: [{ type: "track", name: "x", anonymousId: "a", properties: { note: text, id: invalid } }] } });
                assert.equal(row.properties.note, text);
                assert.equal(row.properties.id, invalid);
            }),
            { numRuns: RUNS * 3 },
        );
    });
});
