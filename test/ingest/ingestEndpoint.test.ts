/**
 * IngestEndpoint under mocks: what it registers in each mode, with the inputs that make it secure
 * (role scope, log format and encryption, logging level, throttles, keys, WAF, stream encryption),
 * and the argument checks that run before anything is registered.
 */
import { strict as assert } from "assert";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";
import { evaluatePolicies } from "../../offline/policyHarness";
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { IngestEndpoint, IngestEndpointArgs, resolveIngestArgs } from "../../components/ingest";
import { INGEST_ROUTES } from "../../dataplane/envelope";
import { createTransformer } from "../../dataplane/transform";
import { renderRequestTemplate } from "./velocity";

const LAKE_STREAM_ARN = `arn:aws:firehose:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:deliverystream/lake-stream`;
const LAKE_KEY_ARN = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:key/lake-key`;
const WEB_ACL_ARN = `arn:aws:wafv2:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:regional/webacl/ingest/abc`;

const firehoseArgs: IngestEndpointArgs = { mode: "firehose", deliveryStreamName: "lake-stream", deliveryStreamArn: LAKE_STREAM_ARN };

async function run(args: IngestEndpointArgs) {
    const result = await runUnderMocks({
        program: () => {
            const ingest = new IngestEndpoint("ingest", args);
            const outputs: Record<string, unknown> = {
                restApiId: ingest.restApiId,
                stageName: ingest.stageName,
                url: ingest.url,
                endpoints: ingest.endpoints,
                streamName: ingest.streamName,
                streamArn: ingest.streamArn,
                streamKmsKeyArn: ingest.streamKmsKeyArn,
                apiKeyIds: ingest.apiKeyIds,
                accessLogGroupName: ingest.accessLogGroupName,
            };
            // Stream outputs are undefined in firehose mode; Pulumi warns about undefined outputs.
            return Object.fromEntries(Object.entries(outputs).filter(([, v]) => v !== undefined));
        },
    });
    const all = (type: string) => result.resources.filter((r) => r.type === type);
    const one = (type: string): CapturedResource => {
        const found = all(type);
        assert.equal(found.length, 1, `exactly one ${type}, got ${found.length}`);
        return found[0];
    };
    return { ...result, all, one };
}

function policyOf(r: CapturedResource): any {
    return JSON.parse(r.inputs.policy);
}

describe("IngestEndpoint (under mocks)", () => {
    it("firehose mode: PutRecord into exactly the lake stream, JSON access logs without bodies, ERROR logging, throttles", async () => {
        const r = await run({ ...firehoseArgs, throttleRateLimit: 800, throttleBurstLimit: 400, logRetentionDays: 14 });

        const component = r.one("clickstream:ingest:IngestEndpoint");
        for (const res of r.resources.filter((x) => x !== component)) assert.equal(res.parent, "clickstream:ingest:IngestEndpoint::ingest", `${res.name} is a child`);
        assert.equal(r.all("aws:kinesis/stream:Stream").length, 0, "firehose mode creates no stream");
        assert.equal(r.all("aws:lambda/function:Function").length, 0, "no Lambda without the write-key option");

        // Integration role: assumed by API Gateway only; puts into exactly one stream.
        const role = r.all("aws:iam/role:Role").find((x) => x.name === "ingest-integration-role")!;
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement, [{ Effect: "Allow", Principal: { Service: "apigateway.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        const policy = policyOf(r.one("aws:iam/rolePolicy:RolePolicy"));
        assert.deepEqual(policy.Statement, [{ Sid: "PutIntoDeliveryStream", Effect: "Allow", Action: ["firehose:PutRecord", "firehose:PutRecordBatch"], Resource: LAKE_STREAM_ARN }]);

        // The API is imported from the OpenAPI body and targets that stream.
        const api = r.one("aws:apigateway/restApi:RestApi");
        const body = JSON.parse(api.inputs.body);
        const integration = body.paths["/v1/track"].post["x-amazon-apigateway-integration"];
        assert.equal(integration.uri, `arn:aws:apigateway:${MOCK_REGION}:firehose:action/PutRecord`);
        assert.equal(integration.credentials, role.state.arn);
        assert.match(integration.requestTemplates["application/json"], /"DeliveryStreamName":"lake-stream"/);
        assert.equal(api.inputs.apiKeySource, "HEADER");
        assert.equal(api.inputs.disableExecuteApiEndpoint, false);
        assert.deepEqual(api.inputs.endpointConfiguration, { types: "REGIONAL" });

        // Redeploys when the body changes.
        const deployment = r.one("aws:apigateway/deployment:Deployment");
        assert.match(deployment.inputs.triggers.redeployment, /^[0-9a-f]{64}$/);

        // Access logs: JSON, the agreed fields, never a body or header.
        const stage = r.one("aws:apigateway/stage:Stage");
        const accessLogs = r.all("aws:cloudwatch/logGroup:LogGroup").find((x) => x.name === "ingest-access-logs")!;
        assert.equal(stage.inputs.accessLogSettings.destinationArn, accessLogs.state.arn);
        const format = stage.inputs.accessLogSettings.format as string;
        assert.doesNotMatch(format, /\$input|body|\$context\.requestOverride|header/i);
        assert.deepEqual(Object.keys(JSON.parse(format)), [
            "requestId", "ip", "requestTime", "httpMethod", "resourcePath", "status", "protocol",
            "responseLength", "integrationStatus", "integrationLatency", "errorMessage", "apiKeyId",
        ]);
        assert.equal(stage.inputs.stageName, "live");
        assert.equal(stage.inputs.deployment, deployment.id);

        // Every log group encrypted with the component's CMK and kept 14 days.
        const key = r.all("aws:kms/key:Key").find((x) => x.name === "ingest-logs-key")!;
        assert.equal(key.inputs.enableKeyRotation, true);
        const keyPolicy = JSON.parse(key.inputs.policy);
        const logsStatement = keyPolicy.Statement.find((st: any) => st.Principal.Service)!;
        assert.equal(logsStatement.Principal.Service, `logs.${MOCK_REGION}.amazonaws.com`);
        assert.equal(logsStatement.Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"], `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:log-group:*`);
        assert.ok(keyPolicy.Statement.every((st: any) => st.Action !== "kms:*"), "no kms:* in the key policy");
        const groups = r.all("aws:cloudwatch/logGroup:LogGroup");
        assert.equal(groups.length, 2);
        for (const g of groups) {
            assert.equal(g.inputs.kmsKeyId, key.state.arn, g.name);
            assert.equal(g.inputs.retentionInDays, 14, g.name);
        }
        const execution = groups.find((g) => g.name === "ingest-execution-logs")!;
        assert.equal(execution.inputs.name, `API-Gateway-Execution-Logs_${api.id}/live`);

        // Method settings: metrics on, ERROR logging, no data trace, the stage throttles.
        const settings = r.one("aws:apigateway/methodSettings:MethodSettings");
        assert.equal(settings.inputs.methodPath, "*/*");
        assert.deepEqual(
            { ...settings.inputs.settings },
            { metricsEnabled: true, loggingLevel: "ERROR", dataTraceEnabled: false, throttlingRateLimit: 800, throttlingBurstLimit: 400, cachingEnabled: false },
        );
        assert.equal(r.all("aws:apigateway/usagePlan:UsagePlan").length, 0, "no usage plan without keys");
        assert.equal(r.all("aws:wafv2/webAclAssociation:WebAclAssociation").length, 0);
        assert.equal(r.all("aws:apigateway/account:Account").length, 0, "the account-wide logging role is opt-in");

        // Outputs.
        assert.equal(r.outputs.restApiId, api.id);
        assert.equal(r.outputs.stageName, "live");
        assert.equal(r.outputs.url, `https://${api.id}.execute-api.${MOCK_REGION}.amazonaws.com/live`);
        const endpoints = r.outputs.endpoints as Record<string, string>;
        assert.deepEqual(Object.keys(endpoints), Object.keys(INGEST_ROUTES));
        assert.equal(endpoints["/v1/batch"], `${r.outputs.url}/v1/batch`);
        assert.equal(r.outputs.streamArn, undefined);
        assert.deepEqual(r.outputs.apiKeyIds, []);
        assert.equal(r.outputs.accessLogGroupName, accessLogs.state.name);
    });

    it("firehose mode grants GenerateDataKey only on the lake key, and only when given", async () => {
        const r = await run({ ...firehoseArgs, deliveryStreamKmsKeyArn: LAKE_KEY_ARN });
        const statements = policyOf(r.one("aws:iam/rolePolicy:RolePolicy")).Statement;
        assert.deepEqual(statements[1], { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: LAKE_KEY_ARN });
    });

    it("stream mode: an encrypted on-demand Kinesis stream, PutRecord + GenerateDataKey on exactly it, keys, quota, WAF, CORS", async () => {
        const r = await run({
            mode: "stream",
            stream: { retentionHours: 48 },
            apiKeyNames: ["web", "ios"],
            apiKeyQuota: { limit: 1_000_000, period: "DAY" },
            webAclArn: WEB_ACL_ARN,
            corsAllowedOrigins: ["https://www.example.com"],
            throttleRateLimit: 2000,
            throttleBurstLimit: 1000,
        });
        const stream = r.one("aws:kinesis/stream:Stream");
        const streamKey = r.all("aws:kms/key:Key").find((k) => k.name === "ingest-stream-key")!;
        assert.equal(stream.inputs.encryptionType, "KMS");
        assert.equal(stream.inputs.kmsKeyId, streamKey.state.arn);
        assert.equal(streamKey.inputs.enableKeyRotation, true);
        assert.deepEqual(stream.inputs.streamModeDetails, { streamMode: "ON_DEMAND" });
        assert.equal(stream.inputs.shardCount, undefined);
        assert.equal(stream.inputs.retentionPeriod, 48);

        const statements = policyOf(r.one("aws:iam/rolePolicy:RolePolicy")).Statement;
        assert.deepEqual(statements, [
            { Sid: "PutIntoStream", Effect: "Allow", Action: ["kinesis:PutRecord", "kinesis:PutRecords"], Resource: stream.state.arn },
            { Sid: "EncryptWithStreamKey", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: streamKey.state.arn },
        ]);
        for (const s of statements) {
            assert.ok(!String(s.Action).includes("*") && s.Resource !== "*", "no wildcards");
        }

        const body = JSON.parse(r.one("aws:apigateway/restApi:RestApi").inputs.body);
        const integration = body.paths["/v1/events"].post["x-amazon-apigateway-integration"];
        assert.equal(integration.uri, `arn:aws:apigateway:${MOCK_REGION}:kinesis:action/PutRecord`);
        assert.match(integration.requestTemplates["application/json"], new RegExp(`"StreamName":"${stream.state.name}"`));
        assert.deepEqual(body.paths["/v1/events"].post.security, [{ api_key: [] }]);
        assert.ok(body.paths["/v1/events"].options, "CORS preflight");

        // Usage plan on the stage, same throttles, quota; one plan key per API key.
        const stage = r.one("aws:apigateway/stage:Stage");
        const plan = r.one("aws:apigateway/usagePlan:UsagePlan");
        assert.deepEqual(plan.inputs.apiStages, [{ apiId: r.one("aws:apigateway/restApi:RestApi").id, stage: "live" }]);
        assert.deepEqual(plan.inputs.throttleSettings, { rateLimit: 2000, burstLimit: 1000 });
        assert.deepEqual(plan.inputs.quotaSettings, { limit: 1_000_000, period: "DAY" });
        const keys = r.all("aws:apigateway/apiKey:ApiKey");
        assert.deepEqual(keys.map((k) => k.name), ["ingest-key-web", "ingest-key-ios"]);
        const planKeys = r.all("aws:apigateway/usagePlanKey:UsagePlanKey");
        assert.deepEqual(planKeys.map((k) => k.inputs.keyId).sort(), keys.map((k) => k.id).sort());
        assert.ok(planKeys.every((k) => k.inputs.usagePlanId === plan.id && k.inputs.keyType === "API_KEY"));

        const waf = r.one("aws:wafv2/webAclAssociation:WebAclAssociation");
        assert.equal(waf.inputs.webAclArn, WEB_ACL_ARN);
        assert.equal(waf.inputs.resourceArn, stage.state.arn);

        assert.equal(r.outputs.streamArn, stream.state.arn);
        assert.equal(r.outputs.streamName, stream.state.name);
        assert.equal(r.outputs.streamKmsKeyArn, streamKey.state.arn);
        assert.deepEqual(r.outputs.apiKeyIds, keys.map((k) => k.id));
    });

    it("stream mode with shards and a given key: PROVISIONED capacity, no new stream key", async () => {
        const r = await run({ mode: "stream", stream: { shardCount: 4, kmsKeyArn: LAKE_KEY_ARN } });
        const stream = r.one("aws:kinesis/stream:Stream");
        assert.deepEqual(stream.inputs.streamModeDetails, { streamMode: "PROVISIONED" });
        assert.equal(stream.inputs.shardCount, 4);
        assert.equal(stream.inputs.kmsKeyId, LAKE_KEY_ARN);
        assert.equal(stream.inputs.retentionPeriod, 24);
        assert.deepEqual(r.all("aws:kms/key:Key").map((k) => k.name), ["ingest-logs-key"]);
    });

    it("Segment write key: AUTHORIZER key source, authorizer Lambda with its own encrypted logs and a scoped invoke permission", async () => {
        const r = await run({ ...firehoseArgs, apiKeyNames: ["segment"], acceptSegmentWriteKey: true });
        const api = r.one("aws:apigateway/restApi:RestApi");
        assert.equal(api.inputs.apiKeySource, "AUTHORIZER");
        const fn = r.one("aws:lambda/function:Function");
        assert.equal(fn.inputs.handler, "index.handler");
        const body = JSON.parse(api.inputs.body);
        const authorizer = body.components.securitySchemes.segment_write_key["x-amazon-apigateway-authorizer"];
        assert.equal(authorizer.authorizerUri, fn.state.invokeArn);
        assert.equal(authorizer.authorizerResultTtlInSeconds, 300);
        const permission = r.one("aws:lambda/permission:Permission");
        assert.equal(permission.inputs.principal, "apigateway.amazonaws.com");
        assert.equal(permission.inputs.sourceArn, `${api.state.executionArn}/authorizers/*`);
        const authLogs = r.all("aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === "ingest-authorizer-logs")!;
        assert.equal(fn.inputs.loggingConfig.logGroup, authLogs.state.name);
        assert.ok(authLogs.inputs.kmsKeyId);
        const authPolicy = r.all("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "ingest-authorizer-policy")!;
        assert.deepEqual(policyOf(authPolicy).Statement[0].Resource, `${authLogs.state.arn}:*`);
    });

    it("custom domain: TLS 1.2 security policy, base path mapping, execute-api endpoint off, URL on the domain", async () => {
        const r = await run({
            ...firehoseArgs,
            customDomain: { domainName: "ingest.example.com", certificateArn: `arn:aws:acm:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:certificate/abc`, basePath: "collect" },
        });
        const domain = r.one("aws:apigateway/domainName:DomainName");
        assert.equal(domain.inputs.securityPolicy, "TLS_1_2");
        assert.deepEqual(domain.inputs.endpointConfiguration, { types: "REGIONAL" });
        const mapping = r.one("aws:apigateway/basePathMapping:BasePathMapping");
        assert.equal(mapping.inputs.basePath, "collect");
        assert.equal(mapping.inputs.stageName, "live");
        const api = r.one("aws:apigateway/restApi:RestApi");
        assert.equal(api.inputs.disableExecuteApiEndpoint, true);
        assert.equal(JSON.parse(api.inputs.body)["x-amazon-apigateway-endpoint-configuration"].disableExecuteApiEndpoint, true);
        assert.equal(r.outputs.url, "https://ingest.example.com/collect");
        assert.equal((r.outputs.endpoints as Record<string, string>)["/v1/track"], "https://ingest.example.com/collect/v1/track");
    });

    it("manageAccountLogging: the account CloudWatch role, scoped to this account's log groups in the region", async () => {
        const r = await run({ ...firehoseArgs, manageAccountLogging: true });
        const account = r.one("aws:apigateway/account:Account");
        const role = r.all("aws:iam/role:Role").find((x) => x.name === "ingest-apigw-logging-role")!;
        assert.equal(account.inputs.cloudwatchRoleArn, role.state.arn);
        const statements = policyOf(r.all("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "ingest-apigw-logging-policy")!).Statement;
        for (const s of statements) {
            // logs:DescribeLogGroups has no resource-level permissions: IAM grants it only on "*".
            if (s.Sid === "DescribeForDelivery") {
                assert.deepEqual([s.Action, s.Resource], [["logs:DescribeLogGroups"], "*"]);
                continue;
            }
            for (const res of [s.Resource].flat()) assert.match(res, new RegExp(`^arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:log-group:`));
        }
    });

    it("the deployed template (read back from the RestApi body) stores a request the transform reads", async () => {
        for (const args of [firehoseArgs, { mode: "stream" as const }]) {
            const r = await run(args);
            const body = JSON.parse(r.one("aws:apigateway/restApi:RestApi").inputs.body);
            const template = body.paths["/v1/batch"].post["x-amazon-apigateway-integration"].requestTemplates["application/json"];
            const { output } = renderRequestTemplate(template, {
                resourcePath: "/v1/batch",
                body: JSON.stringify({ batch: [{ type: "track", event: "Deployed", userId: "u-1" }] }),
                headers: { "User-Agent": "analytics-node/2.1" },
                sourceIp: "192.0.2.200",
            });
            const put = JSON.parse(output);
            const data = args.mode === "stream" ? put.Data : put.Record.Data;
            const rows = createTransformer(undefined, "a-pii-key-of-at-least-16-bytes").normalize(Buffer.from(data, "base64"));
            assert.equal(rows.length, 1, args.mode);
            assert.equal(rows[0].event_name, "Deployed");
            assert.equal(rows[0].ingest_path, "/v1/batch");
            assert.equal(rows[0].ip_truncated, "192.0.2.0");
        }
    });

    it("passes every policy of the pack: prod (stream, keys, write key, WAF, domain) and dev (firehose)", async () => {
        const prod = await runUnderMocks({
            stack: "prod",
            program: () => {
                new IngestEndpoint("ingest", {
                    mode: "stream", apiKeyNames: ["web"], acceptSegmentWriteKey: true, manageAccountLogging: true, webAclArn: WEB_ACL_ARN,
                    customDomain: { domainName: "ingest.example.com", certificateArn: `arn:aws:acm:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:certificate/abc` },
                });
            },
        });
        assert.deepEqual(await evaluatePolicies(prod.resources), []);
        const dev = await runUnderMocks({ stack: "dev", program: () => { new IngestEndpoint("ingest", firehoseArgs); } });
        assert.deepEqual(await evaluatePolicies(dev.resources), []);
        // The same open endpoint in a prod stack is flagged: the check above is not vacuous.
        const openProd = await runUnderMocks({ stack: "prod", program: () => { new IngestEndpoint("ingest", firehoseArgs); } });
        const violations = await evaluatePolicies(openProd.resources);
        assert.deepEqual(violations.map((v) => v.policy), ["clickstream-apigateway-authenticated-ingest"]);
    });

    it("changing the body changes the deployment trigger (redeploys)", async () => {
        const a = await run(firehoseArgs);
        const b = await run({ ...firehoseArgs, corsAllowedOrigins: ["https://www.example.com"] });
        const trigger = (x: typeof a) => x.one("aws:apigateway/deployment:Deployment").inputs.triggers.redeployment;
        assert.notEqual(trigger(a), trigger(b));
        assert.equal(trigger(a), trigger(await run(firehoseArgs)));
    });
});

describe("IngestEndpoint argument checks", () => {
    const cases: Array<[string, IngestEndpointArgs, RegExp]> = [
        ["firehose mode without the stream ARN", { deliveryStreamName: "s" }, /deliveryStreamArn is required in "firehose" mode/],
        ["firehose mode without the stream name", { deliveryStreamArn: LAKE_STREAM_ARN }, /deliveryStreamName is required/],
        ["stream settings in firehose mode", { ...firehoseArgs, stream: { retentionHours: 48 } }, /stream applies to "stream" mode only/],
        ["a delivery stream in stream mode", { mode: "stream", deliveryStreamArn: LAKE_STREAM_ARN }, /deliveryStreamArn is not used in "stream" mode/],
        ["an unknown mode", { mode: "direct" as any }, /mode must be "firehose" or "stream"/],
        ["retention hours below Kinesis' minimum", { mode: "stream", stream: { retentionHours: 12 } }, /stream\.retentionHours must be a whole number of hours from 24 to 8760/],
        ["zero shards", { mode: "stream", stream: { shardCount: 0 } }, /stream\.shardCount must be a whole number > 0/],
        ["a zero rate", { ...firehoseArgs, throttleRateLimit: 0 }, /throttleRateLimit must be a whole number > 0/],
        ["a negative burst", { ...firehoseArgs, throttleBurstLimit: -5 }, /throttleBurstLimit must be a whole number > 0/],
        ["a rate over the account limit", { ...firehoseArgs, throttleRateLimit: 20_000 }, /throttleRateLimit must be at most 10000.*quota increase/],
        ["a burst over the account limit", { ...firehoseArgs, throttleBurstLimit: 6_000 }, /throttleBurstLimit must be at most 5000/],
        ["a retention CloudWatch does not offer", { ...firehoseArgs, logRetentionDays: 10 }, /logRetentionDays must be one of CloudWatch Logs' retention values/],
        ["'*' mixed with origins", { ...firehoseArgs, corsAllowedOrigins: ["*", "https://a.example.com"] }, /corsAllowedOrigins.*cannot be combined/],
        ["an origin with a path", { ...firehoseArgs, corsAllowedOrigins: ["https://a.example.com/app"] }, /corsAllowedOrigins.*is not an origin/],
        ["keys required but none named", { ...firehoseArgs, requireApiKeys: true }, /requireApiKeys is true but apiKeyNames is empty/],
        ["keys named but not required", { ...firehoseArgs, apiKeyNames: ["web"], requireApiKeys: false }, /apiKeyNames creates keys but requireApiKeys is false/],
        ["duplicate key names", { ...firehoseArgs, apiKeyNames: ["web", "web"] }, /apiKeyNames\[1\] repeats "web"/],
        ["a quota without keys", { ...firehoseArgs, apiKeyQuota: { limit: 10, period: "DAY" } }, /apiKeyQuota needs API keys/],
        ["the write key without keys", { ...firehoseArgs, acceptSegmentWriteKey: true }, /acceptSegmentWriteKey needs API keys/],
        ["a bad stage name", { ...firehoseArgs, stageName: "my-stage" }, /stageName must be letters, digits and "_"/],
        ["a bad domain", { ...firehoseArgs, customDomain: { domainName: "Not A Domain", certificateArn: "arn" } }, /customDomain\.domainName is not a lower-case DNS name/],
        ["a batch limit of zero", { ...firehoseArgs, maxBatchEvents: 0 }, /maxBatchEvents must be a whole number > 0/],
    ];
    for (const [label, args, message] of cases) {
        it(`rejects ${label}, naming the field and the fix`, () => {
            assert.throws(() => resolveIngestArgs(args), (err: Error) => {
                assert.match(err.message, /^IngestEndpoint: /);
                assert.match(err.message, message);
                assert.match(err.message, /Fix: /);
                return true;
            });
        });
    }

    it("the constructor throws before registering anything", async () => {
        let registeredBeforeThrow: number | undefined;
        const result = await runUnderMocks({
            program: () => {
                try {
                    new IngestEndpoint("bad", { mode: "firehose" });
                } catch (err) {
                    return { error: (err as Error).message };
                }
                registeredBeforeThrow = -1;
                return {};
            },
        });
        assert.equal(registeredBeforeThrow, undefined);
        assert.match(String(result.outputs.error), /deliveryStreamArn is required/);
        assert.equal(result.resources.filter((r) => r.type.startsWith("clickstream:ingest") || r.type.startsWith("aws:")).length, 0);
    });

    it("accepts the limits themselves", () => {
        assert.doesNotThrow(() => resolveIngestArgs({ ...firehoseArgs, throttleRateLimit: 10_000, throttleBurstLimit: 5_000, logRetentionDays: 3653 }));
        assert.doesNotThrow(() => resolveIngestArgs({ mode: "stream", stream: { retentionHours: 8760, shardCount: 1 } }));
    });

    it("defaults are the documented ones", () => {
        assert.deepEqual(resolveIngestArgs(firehoseArgs), {
            api: "rest", mode: "firehose", stageName: "live", throttleRateLimit: 1000, throttleBurstLimit: 500, corsAllowedOrigins: [],
            requireApiKeys: false, apiKeyNames: [], acceptSegmentWriteKey: false, logRetentionDays: 30, maxBatchEvents: 500,
        });
    });
});
