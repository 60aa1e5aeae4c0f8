import { strict as assert } from "assert";
import { parse as parseYaml } from "yaml";
import { runUnderMocks } from "../../offline/runUnderMocks";
import { loadStackConfig, StackConfig } from "../../stacks/config";
import { readStackConfig } from "../../stacks/configRules";

const DEFAULTS: Omit<StackConfig, "alertWebhookUrl"> = {
    ingestMode: "firehose", ingestApi: "rest", tableFormat: "parquet", streamShardCount: 0, manageAccountSettings: true, rawRetentionDays: 7, logRetentionDays: 30, auditPiiReads: true, auditRetentionDays: 365, throttleRateLimit: 100, throttleBurstLimit: 200,
    corsAllowedOrigins: [], requireApiKeys: false, apiKeyNames: [], wafEnabled: false, wafRateLimitPer5Min: 2000,
    athenaBytesScannedCutoff: 10 * 1024 ** 3, forceDestroy: false, adminRoleArns: [], analystPrincipals: [],
    engineerPrincipals: [], alertEmails: [],
};

async function load(stack: string, config: Record<string, unknown>): Promise<StackConfig> {
    const run = await runUnderMocks({ stack, config, program: () => ({ cfg: loadStackConfig(stack, DEFAULTS) }) });
    return run.outputs.cfg as StackConfig;
}

async function loadError(stack: string, config: Record<string, unknown>): Promise<string> {
    try {
        await load(stack, config);
    } catch (err) {
        return String((err as Error).message ?? err);
    }
    assert.fail("expected the config to be rejected");
}

describe("stacks/config", () => {
    it("applies the stack's defaults when nothing is set", async () => {
        assert.deepEqual(await load("dev", {}), { ...DEFAULTS, alertWebhookUrl: undefined });
    });

    it("reads typed values: numbers, booleans, lists", async () => {
        const cfg = await load("prod", {
            ingestMode: "stream", logRetentionDays: 90, requireApiKeys: true, apiKeyNames: ["web", "ios"],
            corsAllowedOrigins: ["https://www.example.com"], adminRoleArns: ["arn:aws:iam::123456789012:role/admin"],
            alertWebhookUrl: "https://hooks.example.com/x",
        });
        assert.equal(cfg.ingestMode, "stream");
        assert.equal(cfg.logRetentionDays, 90);
        assert.equal(cfg.requireApiKeys, true);
        assert.deepEqual(cfg.apiKeyNames, ["web", "ios"]);
        assert.equal(cfg.alertWebhookUrl, "https://hooks.example.com/x");
    });

    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
        ["unknown ingest mode", { ingestMode: "lambda" }, /clickstream:ingestMode must be one of firehose, stream \(got "lambda"\)\. Fix: pulumi config set clickstream:ingestMode firehose --stack dev/],
        ["retention CloudWatch rejects", { logRetentionDays: 45 }, /clickstream:logRetentionDays must be one of 1, 3, 5, 7, 14, 30/],
        ["non-integer raw retention", { rawRetentionDays: "7.5" }, /clickstream:rawRetentionDays must be a whole number from 1 to 3650/],
        ["zero raw retention", { rawRetentionDays: 0 }, /clickstream:rawRetentionDays/],
        ["throttle above the account limit", { throttleRateLimit: 20000 }, /clickstream:throttleRateLimit must be a whole number from 1 to 10000/],
        ["negative shard count", { streamShardCount: -1 }, /clickstream:streamShardCount must be a whole number from 0 to 500/],
        ["boolean typo", { requireApiKeys: "yes" }, /clickstream:requireApiKeys must be true or false/],
        ["wildcard CORS origin", { corsAllowedOrigins: ["*"] }, /clickstream:corsAllowedOrigins\[0\] must list origins explicitly/],
        ["origin with a path", { corsAllowedOrigins: ["https://a.example.com/app"] }, /corsAllowedOrigins\[0\] must be an origin/],
        ["list given as a string", { adminRoleArns: "arn:aws:iam::123456789012:role/admin" }, /clickstream:adminRoleArns must be a list of strings/],
        ["malformed ARN", { analystPrincipals: ["analyst"] }, /clickstream:analystPrincipals\[0\] must be an IAM role, user or group ARN/],
        ["bad e-mail", { alertEmails: ["oncall"] }, /clickstream:alertEmails\[0\] must be an e-mail address/],
        ["http webhook", { alertWebhookUrl: "http://hooks.example.com" }, /clickstream:alertWebhookUrl must be an https:\/\/ URL/],
        ["keys required but none named", { requireApiKeys: true }, /clickstream:apiKeyNames is empty but clickstream:requireApiKeys is true/],
        ["unknown table format", { tableFormat: "delta" }, /clickstream:tableFormat must be one of parquet, iceberg \(got "delta"\)\. Fix: pulumi config set clickstream:tableFormat parquet --stack/],
        ["burst far below rate", { throttleRateLimit: 5000, throttleBurstLimit: 10 }, /clickstream:throttleBurstLimit \(10\) is under a tenth/],
    ];
    for (const [what, config, message] of bad) {
        it(`rejects ${what} with the key and the fix`, async () => {
            assert.match(await loadError("dev", config), message);
        });
    }

    // The fixes a list error suggests, applied the way Pulumi applies them: `pulumi config set --path
    // '<ns>:<key>[i]' v` sets element i of the list (top-level `pulumi config set` values are strings,
    // which is why a list on an indexed key could not work); the stack-file form is YAML.
    const listCases: Array<[string, Record<string, unknown>]> = [
        ["wildcard CORS origin", { corsAllowedOrigins: ["*"] }],
        ["second origin with a path", { corsAllowedOrigins: ["https://a.example.com", "https://b.example.com/app"] }],
        ["malformed ARN", { analystPrincipals: ["analyst"] }],
        ["bad e-mail", { alertEmails: ["oncall"] }],
        ["keys required but none named", { requireApiKeys: true }],
        ["list given as a string", { adminRoleArns: "arn:aws:iam::123456789012:role/admin" }],
    ];
    for (const [what, config] of listCases) {
        it(`suggests a list fix that works when pasted (${what})`, async () => {
            const message = await loadError("dev", config);
            const m = /Fix: pulumi config set --path '([\w-]+):(\w+)\[(\d+)\]' (\S+) --stack dev \(or in Pulumi\.dev\.yaml: "([^"]+)"\)/.exec(message);
            assert.ok(m, message);
            const [, ns, key, index, value, yamlLine] = m;
            assert.equal(ns, "clickstream");
            const yamlFix = parseYaml(yamlLine) as Record<string, unknown>;
            assert.deepEqual(Object.keys(yamlFix), [`clickstream:${key}`]);
            assert.ok(await load("dev", { ...config, [key]: yamlFix[`clickstream:${key}`] }), "the stack-file form loads");
            const current = config[key];
            if (current === undefined || Array.isArray(current)) {
                const list = [...((current as string[] | undefined) ?? [])];
                list[Number(index)] = value;
                assert.ok(await load("dev", { ...config, [key]: list }), "the --path form loads");
            }
        });
    }

    it("refuses forceDestroy on prod", async () => {
        assert.match(await loadError("prod", { forceDestroy: true }), /clickstream:forceDestroy is true.*pulumi config rm clickstream:forceDestroy --stack prod/);
    });
});

describe("stacks/configRules: ingestApi function-url", () => {
    // readStackConfig is the rule set itself (no Pulumi): fast, and the same code the stacks run.
    const read = (values: Record<string, string>, defaults = { ...DEFAULTS, ingestMode: "stream" as const, ingestApi: "function-url" as const }) =>
        readStackConfig("prod", defaults, (key) => values[key]);
    const error = (values: Record<string, string>) => {
        try {
            read(values);
        } catch (err) {
            return (err as Error).message;
        }
        return assert.fail("expected the config to be rejected");
    };

    it("accepts function-url in stream mode; firehose mode falls back to the REST API", () => {
        assert.equal(read({}).ingestApi, "function-url");
        assert.equal(read({ ingestMode: "firehose" }).ingestApi, "rest");
        assert.equal(read({ ingestApi: "http" }).ingestApi, "http");
    });

    it("bad values name the key and the fix", () => {
        assert.match(error({ ingestApi: "lambda" }), /clickstream:ingestApi must be one of function-url, http, rest \(got "lambda"\)\. Fix: pulumi config set clickstream:ingestApi function-url --stack prod/);
        assert.match(error({ ingestMode: "firehose", ingestApi: "function-url" }), /clickstream:ingestApi is function-url but clickstream:ingestMode is firehose.*Fix: pulumi config set clickstream:ingestApi rest --stack prod/);
        assert.match(error({ wafEnabled: "true" }), /WAF cannot front a Lambda function URL\. Fix: pulumi config set clickstream:ingestApi rest --stack prod/);
        assert.match(error({ throttleRateLimit: "9500", throttleBurstLimit: "1000" }), /clickstream:throttleRateLimit\/throttleBurstLimit \(9500\/1000\).*Fix: pulumi config set clickstream:throttleBurstLimit 9000/);
        assert.equal(read({ throttleRateLimit: "9000", throttleBurstLimit: "1000" }).throttleRateLimit, 9000);
    });
});
