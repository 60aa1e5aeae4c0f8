/**
 * The write-key authorizer: Segment's Basic-auth write key becomes the usage-plan API key, and the
 * cached allow covers every route of the stage.
 */
import { strict as assert } from "assert";
import fc from "fast-check";
import type { APIGatewayRequestAuthorizerEvent } from "aws-lambda";
import { parseWriteKey, stageWideResource } from "../../dataplane/auth/writeKey";
import { handler } from "../../dataplane/handlers/writeKeyAuthorizer";
import { bundleSource, handlerPath } from "../../components/lambda/bundle";

const METHOD_ARN = "arn:aws:execute-api:us-east-1:123456789012:abc123def4/live/POST/v1/track";
const KEY = "Zx8vQ2m4Tt9LpR0aW3yN5kHc"; // 24 characters, like an API Gateway key

/** What analytics-node sends: Basic base64("<writeKey>:"). */
function segmentHeader(writeKey: string): string {
    return `Basic ${Buffer.from(`${writeKey}:`).toString("base64")}`;
}

function event(headers: Record<string, string>): APIGatewayRequestAuthorizerEvent {
    return { type: "REQUEST", methodArn: METHOD_ARN, headers } as unknown as APIGatewayRequestAuthorizerEvent;
}

describe("write-key authorizer", () => {
    it("parses Segment's Basic auth (key as user, empty password), a user without colon, and Bearer", () => {
        assert.deepEqual(parseWriteKey(segmentHeader(KEY)), { ok: true, writeKey: KEY });
        assert.deepEqual(parseWriteKey(`Basic ${Buffer.from(KEY).toString("base64")}`), { ok: true, writeKey: KEY });
        assert.deepEqual(parseWriteKey(`basic   ${Buffer.from(`${KEY}:ignored`).toString("base64")}`), { ok: true, writeKey: KEY });
        assert.deepEqual(parseWriteKey(`Bearer ${KEY}`), { ok: true, writeKey: KEY });
    });

    it("refuses headers that carry no usable key, saying why", () => {
        const refused: Array<[string | undefined, RegExp]> = [
            [undefined, /missing/],
            ["", /missing/],
            [`Digest ${KEY}`, /neither Basic nor Bearer/],
            ["Basic not*base64!", /not base64/],
            [segmentHeader("short"), /20-128 characters/],
            [segmentHeader("k".repeat(129)), /20-128 characters/],
            [segmentHeader(`${"k".repeat(20)}é`), /non-ASCII/],
            [`Basic ${Buffer.from(":password-only-and-long-enough").toString("base64")}`, /20-128/],
        ];
        for (const [header, reason] of refused) {
            const result = parseWriteKey(header);
            assert.equal(result.ok, false, String(header));
            assert.match((result as { reason: string }).reason, reason);
        }
    });

    it("round-trips every printable-ASCII key of a valid length (property)", () => {
        const keyArb = fc.string({ unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!$%&*+=".split("")), minLength: 20, maxLength: 128 });
        fc.assert(fc.property(keyArb, (key) => {
            const parsed = parseWriteKey(segmentHeader(key));
            return parsed.ok && parsed.writeKey === key;
        }));
    });

    it("allows all POST routes of the stage (the decision is cached across routes)", () => {
        assert.equal(stageWideResource(METHOD_ARN), "arn:aws:execute-api:us-east-1:123456789012:abc123def4/live/POST/v1/*");
        assert.throws(() => stageWideResource("not-an-arn"), /unexpected methodArn/);
    });

    it("handler: returns usageIdentifierKey = write key, an Allow on the stage, and a principal that hides the key", async () => {
        const result = await handler(event({ Authorization: segmentHeader(KEY) }));
        assert.equal(result.usageIdentifierKey, KEY);
        assert.match(result.principalId, /^writekey-[0-9a-f]{16}$/);
        assert.ok(!result.principalId.includes(KEY));
        assert.deepEqual(result.policyDocument.Statement, [{ Action: "execute-api:Invoke", Effect: "Allow", Resource: "arn:aws:execute-api:us-east-1:123456789012:abc123def4/live/POST/v1/*" }]);
        // Header names arrive in any case (HTTP/2 lower-cases them).
        assert.equal((await handler(event({ authorization: segmentHeader(KEY) }))).usageIdentifierKey, KEY);
        // Two keys, two principals.
        const other = await handler(event({ Authorization: segmentHeader(KEY.split("").reverse().join("")) }));
        assert.notEqual(other.principalId, result.principalId);
    });

    it("handler: throws 'Unauthorized' (API Gateway's 401) without a key, and never logs the header", async () => {
        const logged: string[] = [];
        const original = console.log;
        console.log = (...args: unknown[]) => { logged.push(args.join(" ")); };
        try {
            await assert.rejects(handler(event({})), /^Error: Unauthorized$/);
            await assert.rejects(handler(event({ Authorization: segmentHeader("tooshort") })), /^Error: Unauthorized$/);
        } finally {
            console.log = original;
        }
        assert.equal(logged.length, 2);
        assert.ok(logged.every((l) => !l.includes("tooshort") && !l.includes(Buffer.from("tooshort:").toString("base64"))));
    });

    it("bundles into a self-contained Lambda file (no Pulumi inside)", () => {
        const code = bundleSource(handlerPath("writeKeyAuthorizer"));
        assert.ok(code.length < 20_000, `bundle is ${code.length} bytes`);
        assert.doesNotMatch(code, /@pulumi/);
    });
});
