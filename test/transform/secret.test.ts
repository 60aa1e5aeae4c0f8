import { strict as assert } from "assert";
import { mockClient } from "aws-sdk-client-mock";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { clearPiiKeyCache, ENV_PII_SECRET_ARN, ENV_PII_SECRET_PARAMETER, loadPiiKey } from "../../dataplane/transform";

describe("transform: loadPiiKey", () => {
    const ssm = mockClient(SSMClient);
    const sm = mockClient(SecretsManagerClient);
    const ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:clickstream-pii-AbCdEf";

    beforeEach(() => {
        ssm.reset();
        sm.reset();
        clearPiiKeyCache();
    });
    after(() => {
        ssm.restore();
        sm.restore();
    });

    it("reads an SSM SecureString with decryption", async () => {
        ssm.on(GetParameterCommand).resolves({ Parameter: { Name: "/clickstream/pii-key", Type: "SecureString", Value: "k".repeat(32) } });
        const key = await loadPiiKey({ env: { [ENV_PII_SECRET_PARAMETER]: "/clickstream/pii-key" } });
        assert.equal(key, "k".repeat(32));
        const calls = ssm.commandCalls(GetParameterCommand);
        assert.equal(calls.length, 1);
        assert.deepEqual(calls[0].args[0].input, { Name: "/clickstream/pii-key", WithDecryption: true });
    });

    it("reads a Secrets Manager secret (string or binary)", async () => {
        sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretString: "s".repeat(32) });
        assert.equal(await loadPiiKey({ env: { [ENV_PII_SECRET_ARN]: ARN } }), "s".repeat(32));
        clearPiiKeyCache();
        sm.on(GetSecretValueCommand, { SecretId: ARN }).resolves({ SecretBinary: Buffer.from("b".repeat(32)) });
        assert.equal(await loadPiiKey({ env: { [ENV_PII_SECRET_ARN]: ARN } }), "b".repeat(32));
    });

    it("serves the key from the container cache until the TTL passes, then reloads (rotation)", async () => {
        let now = 1_000;
        ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Value: "first-key-0123456789" } }).resolves({ Parameter: { Value: "rotated-key-0123456789" } });
        const opts = { env: { [ENV_PII_SECRET_PARAMETER]: "/p" }, ttlMs: 60_000, now: () => now };
        const [a, b] = await Promise.all([loadPiiKey(opts), loadPiiKey(opts)]);
        assert.equal(a, "first-key-0123456789");
        assert.equal(b, a);
        now += 59_000;
        assert.equal(await loadPiiKey(opts), "first-key-0123456789");
        assert.equal(ssm.commandCalls(GetParameterCommand).length, 1, "cache hit: one API call for three loads");
        now += 2_000;
        assert.equal(await loadPiiKey(opts), "rotated-key-0123456789");
        assert.equal(ssm.commandCalls(GetParameterCommand).length, 2);
    });

    it("does not cache a failure", async () => {
        ssm.on(GetParameterCommand).rejectsOnce(new Error("ThrottlingException")).resolves({ Parameter: { Value: "key-after-retry-0123" } });
        const opts = { env: { [ENV_PII_SECRET_PARAMETER]: "/p" } };
        await assert.rejects(loadPiiKey(opts), /ThrottlingException/);
        assert.equal(await loadPiiKey(opts), "key-after-retry-0123");
    });

    it("rejects a missing or ambiguous configuration, naming both variables and the fix", async () => {
        await assert.rejects(loadPiiKey({ env: {} }), /neither of CLICKSTREAM_PII_SECRET_PARAMETER and CLICKSTREAM_PII_SECRET_ARN set\. Fix: set exactly one/);
        await assert.rejects(loadPiiKey({ env: { [ENV_PII_SECRET_PARAMETER]: "/p", [ENV_PII_SECRET_ARN]: ARN } }), /both of CLICKSTREAM_PII_SECRET_PARAMETER and CLICKSTREAM_PII_SECRET_ARN set/);
        assert.equal(ssm.commandCalls(GetParameterCommand).length, 0);
    });

    it("rejects an empty parameter or secret", async () => {
        ssm.on(GetParameterCommand).resolves({ Parameter: { Name: "/p" } });
        await assert.rejects(loadPiiKey({ env: { [ENV_PII_SECRET_PARAMETER]: "/p" } }), /SSM parameter \/p has no value\. Fix:/);
        sm.on(GetSecretValueCommand).resolves({});
        await assert.rejects(loadPiiKey({ env: { [ENV_PII_SECRET_ARN]: ARN } }), /has no value\. Fix:/);
    });
});
