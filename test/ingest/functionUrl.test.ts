/**
 * IngestEndpoint with api: "function-url" under mocks: every resource's inputs (collector function,
 * its role and policy, log group, function URL with CORS, the two invoke permissions, alarms, the KMS
 * stream), the reserved-concurrency mapping, the combinations it refuses, and the policy pack.
 */
import { strict as assert } from "assert";
import { IngestEndpoint, IngestEndpointArgs } from "../../components/ingest";
import { COLLECTOR_SECONDS_PER_REQUEST, MAX_RESERVED_CONCURRENCY, reservedConcurrencyFor } from "../../components/ingest/functionUrl";
import { LAMBDA_RUNTIME } from "../../components/lambda/bundle";
import { ENV_WRITE_KEY_HASHES, writeKeyHash } from "../../dataplane/auth/writeKey";
import { CORS_ALLOWED_HEADERS } from "../../dataplane/ingest/http";
import { evaluatePolicies } from "../../offline/policyHarness";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";
import { MAX_FUNCTION_URL_PEAK_RPS } from "../../stacks/configRules";

const args: IngestEndpointArgs = { api: "function-url", mode: "stream", stream: { shardCount: 2 }, apiKeyNames: ["web", "ios"], throttleRateLimit: 400, throttleBurstLimit: 800, corsAllowedOrigins: ["https://www.example.com"], logRetentionDays: 90, maxBatchEvents: 200, alarmTopicArn: "arn:aws:sns:us-east-1:123456789012:ops" };

async function run(a: IngestEndpointArgs, stack = "prod") {
    const result = await runUnderMocks({
        stack,
        program: () => {
            const ingest = new IngestEndpoint("ingest", a);
            return { url: ingest.url, endpoints: ingest.endpoints, apiKeyIds: ingest.apiKeyIds, apiKeyValues: ingest.apiKeyValues, collector: ingest.collectorFunctionName, apiType: ingest.apiType };
        },
    });
    const all = (type: string) => result.resources.filter((r) => r.type === type);
    const named = (type: string, name: string): CapturedResource => {
        const found = all(type).find((r) => r.name === name);
        assert.ok(found, `no ${type} named ${name} (have ${all(type).map((r) => r.name).join(", ")})`);
        return found!;
    };
    return { ...result, all, named };
}

describe("IngestEndpoint api: \"function-url\" (under mocks)", function () {
    this.timeout(60_000);

    it("a collector function behind a function URL: every resource's inputs, no API Gateway", async () => {
        const r = await run(args);
        const stream = r.named("aws:kinesis/stream:Stream", "ingest-stream");
        assert.deepEqual([stream.inputs.encryptionType, stream.inputs.shardCount], ["KMS", 2]);
        const streamKey = r.named("aws:kms/key:Key", "ingest-stream-key");
        const logsKey = r.named("aws:kms/key:Key", "ingest-logs-key");

        const fn = r.named("aws:lambda/function:Function", "ingest-collector");
        const logs = r.named("aws:cloudwatch/logGroup:LogGroup", "ingest-collector-logs");
        const role = r.named("aws:iam/role:Role", "ingest-collector-role");
        assert.equal(fn.inputs.runtime, LAMBDA_RUNTIME);
        assert.deepEqual(fn.inputs.architectures, ["arm64"]);
        assert.equal(fn.inputs.memorySize, 128);
        assert.equal(fn.inputs.timeout, 6);
        assert.equal(fn.inputs.role, role.state.arn);
        assert.equal(fn.inputs.reservedConcurrentExecutions, 80);
        assert.deepEqual(fn.inputs.loggingConfig, { logFormat: "JSON", logGroup: logs.state.name, applicationLogLevel: "WARN", systemLogLevel: "WARN" });
        const env = fn.inputs.environment.variables;
        assert.equal(env.CLICKSTREAM_STREAM_NAME, stream.state.name);
        assert.equal(env.CLICKSTREAM_AUTH, "write-keys");
        assert.equal(env.CLICKSTREAM_CORS_ORIGINS, JSON.stringify(["https://www.example.com"]));
        assert.equal(env.CLICKSTREAM_MAX_BATCH_EVENTS, "200");
        // Only the keys' hashes reach the function, each naming its key.
        const keys = ["ingest-key-web", "ingest-key-ios"].map((n) => r.named("random:index/randomPassword:RandomPassword", n).state.result as string);
        assert.deepEqual(JSON.parse(env[ENV_WRITE_KEY_HASHES]), { [writeKeyHash(keys[0])]: "web", [writeKeyHash(keys[1])]: "ios" });
        assert.ok(!JSON.stringify(fn.inputs).includes(keys[0]), "a key value reached the function's configuration");
        assert.deepEqual([logs.inputs.retentionInDays, logs.inputs.kmsKeyId], [90, logsKey.state.arn]);

        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0].Principal, { Service: "lambda.amazonaws.com" });
        const policy = JSON.parse(r.named("aws:iam/rolePolicy:RolePolicy", "ingest-collector-policy").inputs.policy);
        assert.deepEqual(policy.Statement.map((s: any) => [s.Action, s.Resource]), [
            ["kinesis:PutRecords", stream.state.arn],
            ["kms:GenerateDataKey", streamKey.state.arn],
            [["logs:CreateLogStream", "logs:PutLogEvents"], `${logs.state.arn}:*`],
        ]);

        const url = r.named("aws:lambda/functionUrl:FunctionUrl", "ingest-url");
        assert.equal(url.inputs.functionName, fn.state.name);
        assert.equal(url.inputs.authorizationType, "NONE");
        assert.equal(url.inputs.invokeMode, "BUFFERED");
        assert.deepEqual(url.inputs.cors, { allowOrigins: ["https://www.example.com"], allowMethods: ["POST"], allowHeaders: [...CORS_ALLOWED_HEADERS], allowCredentials: false, maxAge: 600 });
        const perms = r.all("aws:lambda/permission:Permission").map((p) => p.inputs);
        assert.deepEqual(perms.map((p) => [p.action, p.principal, p.function, p.functionUrlAuthType, p.invokedViaFunctionUrl]), [
            ["lambda:InvokeFunctionUrl", "*", fn.state.name, "NONE", undefined],
            ["lambda:InvokeFunction", "*", fn.state.name, undefined, true],
        ]);
        const alarms = r.all("aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual(alarms.map((a) => [a.name, a.inputs.namespace, a.inputs.metricName, a.inputs.dimensions.FunctionName, a.inputs.threshold, a.inputs.alarmActions]), [
            ["ingest-collector-throttles", "AWS/Lambda", "Throttles", fn.state.name, 0, ["arn:aws:sns:us-east-1:123456789012:ops"]],
            ["ingest-collector-errors", "AWS/Lambda", "Errors", fn.state.name, 0, ["arn:aws:sns:us-east-1:123456789012:ops"]],
        ]);

        for (const t of ["aws:apigateway/restApi:RestApi", "aws:apigatewayv2/api:Api", "aws:apigatewayv2/stage:Stage", "aws:iam/rolePolicy:RolePolicy"]) {
            const expected = t === "aws:iam/rolePolicy:RolePolicy" ? 1 : 0;
            assert.equal(r.all(t).length, expected, t);
        }
        assert.equal(r.all("aws:cloudwatch/logGroup:LogGroup").length, 1, "no access log group: a function URL has no access logs");
        assert.equal(r.outputs.apiType, "function-url");
        assert.equal(r.outputs.collector, fn.state.name);
        assert.match(String(r.outputs.url), /^https:\/\/[0-9a-f]+\.lambda-url\.us-east-1\.on\.aws$/);
        assert.equal((r.outputs.endpoints as Record<string, string>)["/v1/batch"], `${r.outputs.url}/v1/batch`);
    });

    it("without keys (dev): auth none, no hashes, no CORS block without origins", async () => {
        const r = await run({ api: "function-url", mode: "stream", throttleRateLimit: 50, throttleBurstLimit: 100 }, "dev");
        const fn = r.named("aws:lambda/function:Function", "ingest-collector");
        assert.equal(fn.inputs.environment.variables.CLICKSTREAM_AUTH, "none");
        assert.equal(fn.inputs.environment.variables[ENV_WRITE_KEY_HASHES], undefined);
        assert.equal(fn.inputs.reservedConcurrentExecutions, 10);
        assert.equal(r.named("aws:lambda/functionUrl:FunctionUrl", "ingest-url").inputs.cors, undefined);
        assert.deepEqual(r.all("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.alarmActions), [[], []]);
    });

    it("reserved concurrency is the peak rate (the larger of rate and burst) x 0.1 s, at least 2", () => {
        assert.equal(reservedConcurrencyFor(400, 800), 80);
        assert.equal(reservedConcurrencyFor(1000, 500), 100);
        assert.equal(reservedConcurrencyFor(5, 5), 2);
        assert.equal(reservedConcurrencyFor(123, 45), 13);
        assert.equal(MAX_FUNCTION_URL_PEAK_RPS, MAX_RESERVED_CONCURRENCY / COLLECTOR_SECONDS_PER_REQUEST);
    });

    it("refuses what a function URL cannot do, naming the field and the fix", () => {
        assert.throws(() => new IngestEndpoint("x", { api: "function-url", mode: "firehose", deliveryStreamName: "d", deliveryStreamArn: "arn" }), /IngestEndpoint: api "function-url" needs mode "stream".*Fix: set mode: "stream", or api: "rest"/);
        assert.throws(() => new IngestEndpoint("x", { api: "function-url", mode: "stream", webAclArn: "arn:waf" }), /webAclArn cannot be used with api "function-url".*CloudFront with WAF/);
        assert.throws(() => new IngestEndpoint("x", { api: "function-url", mode: "stream", apiKeyNames: ["a"], apiKeyQuota: { limit: 1, period: "DAY" } }), /apiKeyQuota needs a usage plan, which a function URL does not have/);
        assert.throws(() => new IngestEndpoint("x", { api: "function-url", mode: "stream", customDomain: { domainName: "in.example.com", certificateArn: "arn" } }), /customDomain cannot be used with api "function-url".*CloudFront/);
        assert.throws(() => new IngestEndpoint("x", { api: "function-url", mode: "stream", stageName: "live" }), /stageName has no meaning with api "function-url"/);
        assert.throws(() => new IngestEndpoint("x", { api: "function-url", mode: "stream", throttleRateLimit: 10_000, throttleBurstLimit: 5000 }), /throttleBurstLimit with api "function-url" becomes 1000 reserved concurrent executions.*over the 900.*Fix: lower throttleRateLimit\/throttleBurstLimit to at most 9000/);
    });

    it("passes the policy pack in prod (keys on); an open collector in prod is caught", async () => {
        const keyed = await run(args);
        assert.deepEqual((await evaluatePolicies(keyed.resources)).filter((v) => v.enforcement === "mandatory"), []);
        const open = await run({ ...args, apiKeyNames: [] });
        const violations = (await evaluatePolicies(open.resources)).filter((v) => v.enforcement === "mandatory").map((v) => v.policy);
        assert.deepEqual(violations, ["clickstream-lambda-function-url-authenticated"]);
    });
});
