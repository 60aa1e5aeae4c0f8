import { strict as assert } from "assert";
import { createHmac } from "crypto";
import { truncateIp } from "../../dataplane/transform/ip";
import { isCanonicalUuid, maybePii, Pseudonymizer, Redactor } from "../../dataplane/transform/pii";
import { resolveTransformConfig } from "../../dataplane/transform";
import { envelope, KEY, transformer } from "./helpers";

const redactor = new Redactor(resolveTransformConfig().pii, new Pseudonymizer(KEY));
/** A never-matching custom pattern turns the gate and its shortcuts off: every pass runs on every text. */
const ungated = new Redactor(resolveTransformConfig({ pii: { redactPatterns: ["(?!)"] } }).pii, new Pseudonymizer(KEY));
const hmacOf = (v: string): string => createHmac("sha256", KEY).update(v).digest("hex");
const JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

describe("transform: PII redaction in free text", () => {
    const cases: [string, string][] = [
        ["write to ada.lovelace+news@example.co.uk today", "write to [email] today"],
        ["o'brien@mail.example.com", "[email]"],
        // Parameters whose names say nothing: their values are free text.
        ["https://ex.com/p?q=ada@example.com&x=1", "https://ex.com/p?q=[email]&x=1"],
        ["https://ex.com/p?q=ada%40example.com&x=1", "https://ex.com/p?q=%5Bemail%5D&x=1"],
        ["https://ex.com/p?contact=%2B1+555+123+4567&x=1", "https://ex.com/p?contact=%5Bphone%5D&x=1"],
        ["call +1 (555) 123-4567 now", "call [phone] now"],
        ["call (555) 123-4567", "call [phone]"],
        ["555-123-4567", "[phone]"],
        ["555.123.4567", "[phone]"],
        ["+44 20 7946 0958", "[phone]"],
        ["+4915112345678", "[phone]"],
        ["from 192.168.17.42, ok", "from 192.168.17.0, ok"],
        ["ip 2001:db8:85a3:8d3:1319:8a2e:370:7348 seen", "ip 2001:db8:85a3:: seen"],
        ["http://[2001:db8::1]:8080/", "http://[2001:db8::]:8080/"],
        ["mapped ::ffff:198.51.100.7", "mapped ::"],
        // Not PII: left alone.
        ["2026-11-26", "2026-11-26"],
        ["2026-11-26T16:05:00.123Z", "2026-11-26T16:05:00.123Z"],
        ["order 2024-1234", "order 2024-1234"],
        ["price 1234.56 EUR", "price 1234.56 EUR"],
        ["1764172800000", "1764172800000"],
        ["at 12:30:45", "at 12:30:45"],
        ["Chrome/131.0.6778.81", "Chrome/131.0.6778.81"],
        ["550e8400-e29b-41d4-a716-446655440000", "550e8400-e29b-41d4-a716-446655440000"],
        ["3f1c2a9e-1111-4000-8000-000000000000", "3f1c2a9e-1111-4000-8000-000000000000"],
        ["order-555-123-4567-x", "order-555-123-4567-x"],
        ["C++ rocks", "C++ rocks"],
        ["", ""],
        // URL parameters by name: credentials dropped (the name stays), PII-named ones pseudonymized.
        ["https://ex.com/reset?token=abc123&page=2", "https://ex.com/reset?token=&page=2"],
        ["https://ex.com/cb#access_token=ya29.x&id_token=abc&expires_in=3599", "https://ex.com/cb#access_token=&id_token=&expires_in=3599"],
        ["/p?Password=x1&PWD=x2&pass=x3&api_key=x4&apikey=x5&key=x6&sig=x7&signature=x8&sid=x9&session_token=y1&sessionid=y2&auth=y3&secret=y4&code_verifier=y5&q=shoes",
            "/p?Password=&PWD=&pass=&api_key=&apikey=&key=&sig=&signature=&sid=&session_token=&sessionid=&auth=&secret=&code_verifier=&q=shoes"],
        ["https://x/app;jsessionid=ABC123?x=1", "https://x/app;jsessionid=?x=1"],
        ["?user[password]=x1&user%5Bemail%5D=", "?user[password]=&user%5Bemail%5D="],
        ["?phone=4155550134&q=a", `?phone=${hmacOf("4155550134")}&q=a`],
        ["?tel=%2B1+555+123+4567", `?tel=${hmacOf("+1 555 123 4567")}`],
        ["?redirect=https%3A%2F%2Fx.com%2Fcb%3Ftoken%3Ds3cr3t&x=1", "?redirect=https%3A%2F%2Fx.com%2Fcb%3Ftoken%3D&x=1"],
        ["?author=jane&keyword=shoes&monkey=1&tokens_left=3", "?author=jane&keyword=shoes&monkey=1&tokens_left=3"],
        ["a == b", "a == b"],
        // Card numbers: Luhn-valid and in a card network's range, in any common format.
        ["card 4111 1111 1111 1111 exp 12/27", "card [card] exp 12/27"],
        ["5500-0000-0000-0004", "[card]"],
        ["amex 378282246310005.", "amex [card]."],
        ["3782 822463 10005", "[card]"],
        ["ref 1234 4111 1111 1111 1111 end", "ref 1234 [card] end"],
        ["customer read out card 4012888888881881", "customer read out card [card]"],
        ["4111111111111112", "4111111111111112"], // fails the Luhn check
        ["1764172800000 and 1764172800000000", "1764172800000 and 1764172800000000"], // epoch ms and us: no network starts with 1
        ["20261126160500123", "20261126160500123"], // a compact timestamp: 2026... is no network's range
        ["sku4111111111111111 order-4111111111111111-x", "sku4111111111111111 order-4111111111111111-x"], // glued to an id
        ["+49 151 1234 5678", "[phone]"],
        // IBANs: country format and mod-97.
        ["pay to DE89 3704 0044 0532 0130 00 please", "pay to [iban] please"],
        ["GB82WEST12345698765432", "[iban]"],
        ["GB82WEST12345698765431", "GB82WEST12345698765431"], // wrong check digits
        ["de89370400440532013000", "de89370400440532013000"], // not in capitals
        // Credentials with a recognisable format.
        [`Authorization: Bearer ${JWT}`, "Authorization: Bearer [secret]"],
        ["AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE;", "AWS_ACCESS_KEY_ID=[secret];"],
        ["ghp_R8bK2mZp4Qw9Lx7Tn3Vc6Hs1Jd5Fg0Ya2Ue8 sk_live_51HxYzAbCdEfGhIjKlMnOpQr xoxb-2048163825-4096327651-TqZ8vR3mK1pL9sW2nX5yB7cD AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY", "[secret] [secret] [secret] [secret]"],
        ["pk_live_51HxYzAbCdEfGhIjKlMnOpQr eyJub3QiOiJhIGp3dCJ9", "pk_live_51HxYzAbCdEfGhIjKlMnOpQr eyJub3QiOiJhIGp3dCJ9"], // publishable key; base64 JSON, no JWT
    ];
    for (const [input, expected] of cases) {
        it(`${JSON.stringify(input)} -> ${JSON.stringify(expected)}`, () => assert.equal(redactor.text(input), expected));
    }

    it("applies extra redactPatterns and can turn e-mail / phone / IP rules off", () => {
        const custom = new Redactor(resolveTransformConfig({ pii: { redactPatterns: ["ACC-\\d{6}"] } }).pii, new Pseudonymizer(KEY));
        assert.equal(custom.text("account ACC-123456 and ACC-654321"), "account [redacted] and [redacted]");
        const off = new Redactor(resolveTransformConfig({ pii: { redactEmails: false, redactPhones: false, truncateIp: false } }).pii, new Pseudonymizer(KEY));
        const text = "ada@example.com 555-123-4567 10.1.2.3";
        assert.equal(off.text(text), text);
    });
});

describe("transform: IP truncation", () => {
    const cases: [string, string | null][] = [
        ["203.0.113.57", "203.0.113.0"],
        ["2001:db8:85a3:8d3:1319:8a2e:370:7348", "2001:db8:85a3::"],
        ["2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::"],
        ["::1", "::"],
        ["fe80::1%eth0", "fe80::"],
        ["::ffff:192.0.2.1", "::"],
        ["not-an-ip", null],
        ["999.1.1.1", null],
    ];
    for (const [ip, expected] of cases) it(`${ip} -> ${expected}`, () => assert.equal(truncateIp(ip), expected));
});

describe("transform: pseudonymization", () => {
    it("is HMAC-SHA256 keyed with the secret (never a bare hash), hex, stable", () => {
        const p = new Pseudonymizer(KEY);
        const expected = createHmac("sha256", KEY).update("user-1").digest("hex");
        assert.equal(p.pseudonymize("user-1"), expected);
        assert.equal(p.pseudonymize("user-1"), expected, "memoized value is the same");
        assert.notEqual(new Pseudonymizer(`${KEY}-other`).pseudonymize("user-1"), expected, "another key, another pseudonym");
        assert.notEqual(expected, require("crypto").createHash("sha256").update("user-1").digest("hex"));
    });

    it("accepts the key as bytes and rejects a short key naming the fix", () => {
        assert.equal(new Pseudonymizer(Buffer.from(KEY)).pseudonymize("x"), new Pseudonymizer(KEY).pseudonymize("x"));
        assert.throws(() => transformer.length && new Pseudonymizer("short"), /piiKey: expected at least 16 bytes.*Fix:/);
    });
});

describe("transform: PII config applied to rows", () => {
    const hmac = (v: string): string => createHmac("sha256", KEY).update(v).digest("hex");
    const event = {
        type: "track", name: "Checkout", anonymousId: "anon-1", userId: "user-1", sessionId: "sess-1",
        properties: { email: "ada@example.com", Phone_Number: "5551234567", password: "hunter2", coupon: "XMAS", address: { city: "London" }, emails: ["a@b.example"], note: "mail ada@example.com" },
        context: { traits: { firstName: "Ada", name: "Ada L" }, ip: "198.51.100.23", apiKey: "k-1" },
    };

    it("defaults: ids pseudonymized, PII keys pseudonymized (also nested and in arrays), secrets dropped, text redacted", () => {
        const [row] = transformer().normalize(envelope("/v1/events", { events: [event] }));
        assert.equal(row.anonymous_id, hmac("anon-1"));
        assert.equal(row.user_id, hmac("user-1"));
        assert.equal(row.session_id, "sess-1");
        assert.deepEqual(row.properties, {
            email: hmac("ada@example.com"),
            Phone_Number: hmac("5551234567"),
            coupon: "XMAS",
            "address.city": hmac("London"),
            "emails.0": hmac("a@b.example"),
            note: "mail [email]",
        });
        assert.deepEqual(row.context, { "traits.firstName": hmac("Ada"), "traits.name": hmac("Ada L"), ip: "198.51.100.0" });
    });

    it("custom: drop columns and map paths, pseudonymize more columns, other key patterns", () => {
        const t = transformer({ pii: { drop: ["session_id", "properties.coupon", "context.traits"], pseudonymize: ["user_id", "ip_truncated"], pseudonymizeKeyPatterns: ["coupon|note"], dropKeyPatterns: [] } });
        const [row] = t.normalize(envelope("/v1/events", { events: [event] }));
        assert.equal(row.anonymous_id, "anon-1", "anonymous_id no longer in the pseudonymize list");
        assert.equal(row.session_id, null);
        assert.equal(row.ip_truncated, hmac("203.0.113.0"));
        assert.equal(row.properties.coupon, undefined, "drop wins over pseudonymize");
        assert.equal(row.properties.note, hmac("mail ada@example.com"));
        assert.equal(row.properties.password, "hunter2", "dropKeyPatterns emptied");
        assert.equal(row.properties.email, "[email]", "no longer a PII key: free-text redaction still applies");
        assert.equal(Object.keys(row.context).some((k) => k.startsWith("traits.")), false);
    });

    it("redacts e-mail addresses used as map keys", () => {
        const [row] = transformer().normalize(envelope("/v1/events", { events: [{ type: "track", name: "x", anonymousId: "a", properties: { "ada@example.com": "1" } }] }));
        assert.deepEqual(row.properties, { "[email]": "1" });
    });
});

describe("transform: redaction gate", () => {
    it("never hides PII: the gated result (only the passes the gate names) is the ungated one", () => {
        const fc = require("fast-check") as typeof import("fast-check");
        const piece = fc.oneof(
            fc.emailAddress(), fc.ipV4(), fc.ipV6(), fc.stringMatching(/^\+?\(?\d{1,4}\)?([ .-]\d{2,4}){1,4}$/), fc.stringMatching(/^\d{1,12}$/), fc.string({ maxLength: 8 }),
            fc.constantFrom(" ", ":", ".", "-", "(", ")", "%40", "+", "=", "&", "?", "#", "\u00a0", "\u2009", "\u000b"),
            // card numbers (and digit runs that aren't), IBANs, credentials, credential-named URL parameters
            fc.constantFrom("4111111111111111", "4111 1111 1111 1111", "5500-0000-0000-0004", "378282246310005", "4012888888881881", "6011000990139424", "4111111111111112"),
            fc.stringMatching(/^[2-6]\d{12,18}$/),
            fc.constantFrom("DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "GB82WEST12345698765432", "NL91ABNA0417164300"),
            fc.constantFrom(JWT, "AKIAIOSFODNN7EXAMPLE", "ASIAY34FZKBOKMUTVV7A", "ghp_R8bK2mZp4Qw9Lx7Tn3Vc6Hs1Jd5Fg0Ya2Ue8", "github_pat_11ABCDEFG0123456789_abcdefghij", "sk_live_51HxYzAbCdEfGhIjKlMnOpQr", "rk_test_51HxYzAbCdEfGh", "xoxb-2048163825-4096327651-TqZ8vR3mK1pL9sW2nX5yB7cD", "AIzaSyD-9tSrke72PouQMnMX-a7eZSW0jkFMBWY"),
            fc.constantFrom("token=", "?password=", "&sig=", "#access_token=", ";jsessionid=", "phone="),
        );
        fc.assert(
            fc.property(fc.array(piece, { maxLength: 6 }).map((xs) => xs.join("")), (text) => {
                assert.equal(redactor.plain(text), ungated.plain(text), JSON.stringify(text));
                if (ungated.plain(text) !== text) assert.ok(maybePii(text), JSON.stringify(text));
            }),
            { numRuns: Number(process.env.GATE_RUNS ?? 5000) },
        );
    });

    it("lets bare digit runs and hex ids pass as they are: the phone pattern needs separated digit groups", () => {
        for (const id of ["ajs-next-8735ed0fde3b4eb0a70d7cee6b45f78a", "order 12345678", "sku-20261126", "9780262033848"]) {
            assert.equal(maybePii(id), false, id);
            assert.equal(redactor.plain(id), id, `${id}: the patterns agree`);
        }
        for (const phone of ["555 1234567", "030-1234567", "(555)123-4567", "1234567.8"]) assert.equal(maybePii(phone), true, phone);
    });

    it("treats every character the patterns' \\s matches as a phone separator (no-break, thin, vertical-tab spaces)", () => {
        const spaces: string[] = [];
        for (let c = 0; c < 0x10000; c++) if (/\s/.test(String.fromCharCode(c))) spaces.push(String.fromCharCode(c));
        for (const sp of spaces) {
            const text = `call 555${sp}123${sp}4567`;
            assert.equal(redactor.text(text), "call [phone]", JSON.stringify(text));
        }
        const [row] = transformer().normalize(envelope("/v1/events", { events: [{ type: "track", name: "x", anonymousId: "a", properties: { note: "ring 030\u00a01234\u00a05678 today" } }] }));
        assert.equal(row.properties.note, "ring [phone] today");
    });

    it("settles bare IPv4 addresses directly, exactly as the patterns would", () => {
        const fc = require("fast-check") as typeof import("fast-check");
        // A never-matching custom pattern turns the gate and its shortcuts off: the reference result.
        const reference = new Redactor(resolveTransformConfig({ pii: { redactPatterns: ["(?!)"] } }).pii, new Pseudonymizer(KEY));
        fc.assert(
            fc.property(fc.oneof(fc.ipV4(), fc.ipV4Extended()), (text) => assert.equal(redactor.text(text), reference.text(text), JSON.stringify(text))),
            { numRuns: 3000 },
        );
        assert.equal(redactor.text("203.0.113.57"), "203.0.113.0");
        assert.equal(new Redactor(resolveTransformConfig({ pii: { truncateIp: false } }).pii, new Pseudonymizer(KEY)).text("203.0.113.57"), "203.0.113.57");
    });

    it("recognizes exactly the canonical UUIDs (8-4-4-4-12 hex), as the equivalent regex would", () => {
        const fc = require("fast-check") as typeof import("fast-check");
        const regex = /^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$/;
        const nearUuid = fc.uuid().chain((id) => fc.tuple(fc.nat(35), fc.constantFrom("g", "G", "-", "@", "/", ":", "`", "0", "F", "\u00e9")).map(([at, c]) => id.slice(0, at) + c + id.slice(at + 1)));
        fc.assert(fc.property(fc.oneof(fc.uuid(), nearUuid, fc.string({ minLength: 36, maxLength: 36 }), fc.string()), (s) => assert.equal(isCanonicalUuid(s), regex.test(s), s)), { numRuns: 20_000 });
        assert.equal(isCanonicalUuid("3F1C2A9E-1111-4000-8000-0123456789AB"), true);
    });

    it("keeps a canonical UUID whole (an event id is a dedup key), even where a hex letter splits its digits", () => {
        const fc = require("fast-check") as typeof import("fast-check");
        const digitsOnly = fc.stringMatching(/^\d{8}-\d{4}-\d{4}-\d{4}-\d{12}$/);
        fc.assert(fc.property(fc.oneof(fc.uuid(), digitsOnly), (id) => assert.equal(redactor.text(id), id)), { numRuns: 3000 });
        // The phone pattern alone would read "00-8000-00009" here as a number.
        assert.equal(redactor.text("00000000-0000-2a00-8000-00009a000000"), "00000000-0000-2a00-8000-00009a000000");
        // Not a UUID: the patterns apply.
        assert.equal(redactor.text("call 555-123-4567"), "call [phone]");
    });
});
