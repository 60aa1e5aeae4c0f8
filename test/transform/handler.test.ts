import { strict as assert } from "assert";
import * as esbuild from "esbuild";
import * as path from "path";
import { mockClient } from "aws-sdk-client-mock";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { clearPiiKeyCache, ENV_PII_SECRET_ARN, ENV_PII_SECRET_PARAMETER, ENV_TRANSFORM_CONFIG } from "../../dataplane/transform";
import { b64, decodeRows, envelope, firehoseEvent } from "./helpers";

const HANDLER = path.resolve(__dirname, "../../dataplane/handlers/transform.ts");

/** Loads a fresh copy of the handler module (its config is read at load time, like a cold start). */
function coldStart(env: Record<string, string | undefined>): typeof import("../../dataplane/handlers/transform") {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
    try {
        delete require.cache[require.resolve(HANDLER)];
        return require(HANDLER);
    } finally {
        process.env = saved;
    }
}

describe("transform: Lambda handler", () => {
    const ssm = mockClient(SSMClient);
    let saved: NodeJS.ProcessEnv;
    beforeEach(() => {
        saved = { ...process.env };
        ssm.reset();
        clearPiiKeyCache();
    });
    afterEach(() => {
        process.env = saved;
    });
    after(() => ssm.restore());

    it("loads the key from SSM, applies the configured limits and answers the Firehose contract", async () => {
        ssm.on(GetParameterCommand).resolves({ Parameter: { Value: "handler-key-0123456789abcdef" } });
        const mod = coldStart({ [ENV_TRANSFORM_CONFIG]: JSON.stringify({ maxEventsPerRequest: 1 }) });
        process.env[ENV_PII_SECRET_PARAMETER] = "/clickstream/pii";
        delete process.env[ENV_PII_SECRET_ARN];
        const log = console.log;
        const lines: string[] = [];
        console.log = (line: string) => lines.push(line);
        try {
            const data = b64(JSON.stringify(envelope("/v1/events", { events: [{ type: "page", anonymousId: "a" }, { type: "page", anonymousId: "b" }] })));
            const out = await mod.handler(firehoseEvent([data]));
            assert.equal(out.records[0].result, "Ok");
            assert.deepEqual(decodeRows(out.records[0].data).map((r) => r.event_type), ["page", "bad_row"]);
        } finally {
            console.log = log;
        }
        assert.deepEqual(JSON.parse(lines[0]), { msg: "transform", records: 1, Ok: 1, Dropped: 0, ProcessingFailed: 0 });
    });

    it("fails the cold start on an invalid CLICKSTREAM_TRANSFORM_CONFIG, naming it and the fix", () => {
        assert.throws(() => coldStart({ [ENV_TRANSFORM_CONFIG]: "{nope" }), /CLICKSTREAM_TRANSFORM_CONFIG: not valid JSON.*Fix:/);
        assert.throws(() => coldStart({ [ENV_TRANSFORM_CONFIG]: JSON.stringify({ maxBodyBytes: -1 }) }), /transform config maxBodyBytes: expected an integer/);
    });

    it("fails the invocation (Firehose retries) when no key source is configured", async () => {
        const mod = coldStart({ [ENV_TRANSFORM_CONFIG]: undefined });
        delete process.env[ENV_PII_SECRET_PARAMETER];
        delete process.env[ENV_PII_SECRET_ARN];
        await assert.rejects(mod.handler(firehoseEvent([])), /neither of CLICKSTREAM_PII_SECRET_PARAMETER/);
    });

    it("bundles with esbuild into a small file with the AWS SDK left external", () => {
        const result = esbuild.buildSync({ entryPoints: [HANDLER], bundle: true, platform: "node", target: "node22", minify: true, external: ["@aws-sdk/*"], write: false, logLevel: "silent" });
        const code = result.outputFiles[0].text;
        // ~57 KB of our code and ua-parser-js, ~18 KB of ibantools (per-country IBAN formats), ~7 KB of
        // credit-card-type (card network ranges).
        assert.ok(code.length < 100_000, `bundle is ${code.length} bytes`);
        assert.ok(!code.includes("@pulumi/"), "no Pulumi in the data plane");
        assert.ok(code.includes('require("@aws-sdk/client-ssm")'));
    });
});
