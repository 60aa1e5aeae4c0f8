import { strict as assert } from "assert";
import { DEFAULT_LIMITS, resolveTransformConfig } from "../../dataplane/transform";

describe("transform: resolveTransformConfig", () => {
    it("applies the defaults", () => {
        const c = resolveTransformConfig();
        assert.equal(c.maxBodyBytes, DEFAULT_LIMITS.maxBodyBytes);
        assert.equal(c.maxEventBytes, 32 * 1024);
        assert.equal(c.maxEventsPerRequest, 500);
        assert.equal(c.badPayloadMaxChars, 2048);
        assert.equal(c.maxResponseBytes, 6_000_000);
        assert.deepEqual(c.pii.pseudonymizeColumns, ["anonymous_id", "user_id"]);
        assert.ok(c.pii.pseudonymizeKey!.test("Email"));
        assert.ok(c.pii.pseudonymizeKey!.test("user_id"));
        assert.ok(!c.pii.pseudonymizeKey!.test("email_verified"));
        assert.ok(c.pii.dropKey!.test("password"));
        assert.equal(c.pii.truncateIp, true);
        for (const name of ["token", "access_token", "id_token", "refresh_token", "code_verifier", "session", "sessionid", "PHPSESSID", "sid", "auth", "authuser", "password", "pwd", "pass", "secret", "client_secret", "signature", "sig", "X-Amz-Signature", "X-Amz-Credential", "api_key", "apikey", "key", "x-api-key"]) {
            assert.ok(c.pii.dropUrlParam!.test(name) || c.pii.dropKey!.test(name), name);
        }
        for (const name of ["q", "page", "utm_source", "author", "keyword", "monkey", "ref", "lang", "state", "code"]) assert.ok(!c.pii.dropUrlParam!.test(name) && !c.pii.dropKey!.test(name), name);
        for (const name of ["key", "sig", "session", "sid", "signature"]) assert.ok(!c.pii.dropKey!.test(name), `${name} stays an ordinary map key`);
    });

    it("takes its own URL parameter list (an empty list turns the URL-only names off)", () => {
        const c = resolveTransformConfig({ pii: { dropUrlParamPatterns: ["code", "state"] } });
        assert.ok(c.pii.dropUrlParam!.test("Code") && !c.pii.dropUrlParam!.test("sig"));
        assert.equal(resolveTransformConfig({ pii: { dropUrlParamPatterns: [] } }).pii.dropUrlParam, undefined);
    });

    const bad: [string, unknown, RegExp][] = [
        ["not an object", "x", /transform config \(root\): expected an object/],
        ["unknown top-level key", { maxBody: 1 }, /transform config maxBody: unknown setting\. Fix: remove it or use one of pii, maxBodyBytes/],
        ["unknown pii key", { pii: { hash: [] } }, /transform config pii\.hash: unknown setting/],
        ["non-integer limit", { maxBodyBytes: "big" }, /maxBodyBytes: expected an integer from 1 to \d+, got "big"\. Fix:/],
        ["zero events", { maxEventsPerRequest: 0 }, /maxEventsPerRequest: expected an integer from 1/],
        ["response budget above Lambda's 6 MB", { maxResponseBytes: 7_000_000 }, /maxResponseBytes: expected an integer from 1 to 6291456/],
        ["event larger than body", { maxBodyBytes: 1000, maxEventBytes: 2000 }, /maxEventBytes: 2000 is larger than maxBodyBytes 1000\. Fix: make maxEventBytes <= maxBodyBytes/],
        ["bad regex", { pii: { pseudonymizeKeyPatterns: ["ok", "(unclosed"] } }, /pii\.pseudonymizeKeyPatterns\[1\]: invalid regular expression/],
        ["bad URL parameter pattern", { pii: { dropUrlParamPatterns: ["token", "[a-"] } }, /transform config pii\.dropUrlParamPatterns\[1\]: invalid regular expression .*Fix: fix the pattern/],
        ["empty URL parameter pattern", { pii: { dropUrlParamPatterns: [""] } }, /pii\.dropUrlParamPatterns\[0\]: expected a non-empty string.*Fix:/],
        ["empty-matching redact pattern", { pii: { redactPatterns: ["x*"] } }, /pii\.redactPatterns\[0\]: pattern matches the empty string/],
        ["unknown column", { pii: { pseudonymize: ["email"] } }, /pii\.pseudonymize\[0\]: unknown field path: "email"\. Fix: use one of event_name, anonymous_id/],
        ["required column dropped", { pii: { drop: ["event_id"] } }, /pii\.drop\[0\]: can't drop this field/],
        ["list not an array", { pii: { drop: "user_id" } }, /pii\.drop: expected an array of strings/],
        ["flag not a boolean", { pii: { truncateIp: "yes" } }, /pii\.truncateIp: expected true or false, got "yes"/],
    ];
    for (const [name, config, message] of bad) {
        it(`rejects ${name}, naming the field and the fix`, () => assert.throws(() => resolveTransformConfig(config as never), message));
    }
});
