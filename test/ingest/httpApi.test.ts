/**
 * IngestEndpoint with api: "http" under mocks: every resource's key inputs (HTTP API, Kinesis
 * PutRecord integration, write-key authorizer with hashed keys, routes, stage throttling and access
 * logs, KMS-encrypted Infrequent Access log group), the combinations it refuses, and the policy pack.
 */
import { strict as assert } from "assert";
import { IngestEndpoint, IngestEndpointArgs } from "../../components/ingest";
import { HTTP_ACCESS_LOG_FIELDS } from "../../components/ingest/httpApi";
import { INGEST_ROUTES } from "../../dataplane/envelope";
import { ENV_WRITE_KEY_HASHES } from "../../dataplane/handlers/httpWriteKeyAuthorizer";
import { evaluatePolicies } from "../../offline/policyHarness";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";

const httpArgs: IngestEndpointArgs = { api: "http", mode: "stream", stream: { shardCount: 2 }, apiKeyNames: ["web", "ios"], throttleRateLimit: 400, throttleBurstLimit: 800, corsAllowedOrigins: ["https://www.example.com"], logRetentionDays: 90 };

async function run(args: IngestEndpointArgs, stack = "prod") {
    const result = await runUnderMocks({
        stack,
        program: () => {
            const ingest = new IngestEndpoint("ingest", args);
            return { url: ingest.url, endpoints: ingest.endpoints, apiKeyIds: ingest.apiKeyIds, streamArn: ingest.streamArn };
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

describe("IngestEndpoint api: \"http\" (under mocks)", function () {
    this.timeout(60_000);

    it("an HTTP API whose routes put the request body into the stream through Kinesis-PutRecord, no REST resources", async () => {
        const r = await run(httpArgs);
        const api = r.one("aws:apigatewayv2/api:Api");
        assert.equal(api.inputs.protocolType, "HTTP");
        assert.deepEqual(api.inputs.corsConfiguration, { allowOrigins: ["https://www.example.com"], allowMethods: ["POST", "OPTIONS"], allowHeaders: ["content-type", "authorization"], maxAge: 600 });
        assert.equal(api.inputs.disableExecuteApiEndpoint, false);
        const stream = r.one("aws:kinesis/stream:Stream");
        assert.deepEqual(stream.inputs.streamModeDetails, { streamMode: "PROVISIONED" });
        assert.equal(stream.inputs.shardCount, 2);
        assert.equal(stream.inputs.encryptionType, "KMS");
        const integration = r.one("aws:apigatewayv2/integration:Integration");
        assert.equal(integration.inputs.integrationType, "AWS_PROXY");
        assert.equal(integration.inputs.integrationSubtype, "Kinesis-PutRecord");
        assert.deepEqual(integration.inputs.requestParameters, { StreamName: stream.state.name, Data: "$request.body", PartitionKey: "$context.requestId", Region: "us-east-1" });
        assert.deepEqual(integration.inputs.responseParameters, [{ statusCode: "400", mappings: { "overwrite:statuscode": "429" } }]);
        const role = r.all("aws:iam/role:Role").find((x) => x.name === "ingest-integration-role")!;
        assert.equal(integration.inputs.credentialsArn, role.state.arn);
        const policy = JSON.parse(r.all("aws:iam/rolePolicy:RolePolicy").find((x) => x.name === "ingest-integration-policy")!.inputs.policy);
        assert.deepEqual(policy.Statement[0].Resource, stream.state.arn);
        for (const t of ["aws:apigateway/restApi:RestApi", "aws:apigateway/stage:Stage", "aws:apigateway/usagePlan:UsagePlan", "aws:apigateway/apiKey:ApiKey", "aws:wafv2/webAclAssociation:WebAclAssociation"]) {
            assert.equal(r.all(t).length, 0, t);
        }
        assert.deepEqual(r.outputs.apiKeyIds, ["web", "ios"]);
        assert.match(String(r.outputs.url), /^https:\/\/.+\.execute-api\.us-east-1\.amazonaws\.com\/live$/);
    });

    it("every route is POST with the write-key authorizer (cached 300 s on Authorization); the authorizer holds key hashes only", async () => {
        const r = await run(httpArgs);
        const authorizer = r.one("aws:apigatewayv2/authorizer:Authorizer");
        assert.equal(authorizer.inputs.authorizerType, "REQUEST");
        assert.deepEqual(authorizer.inputs.identitySources, ["$request.header.Authorization"]);
        assert.equal(authorizer.inputs.authorizerResultTtlInSeconds, 300);
        assert.equal(authorizer.inputs.enableSimpleResponses, true);
        assert.equal(authorizer.inputs.authorizerPayloadFormatVersion, "2.0");
        const fn = r.all("aws:lambda/function:Function").find((f) => f.name === "ingest-authorizer")!;
        assert.equal(authorizer.inputs.authorizerUri, fn.state.invokeArn);
        const table = JSON.parse(fn.inputs.environment.variables[ENV_WRITE_KEY_HASHES]);
        for (const hash of Object.keys(table)) assert.match(hash, /^[0-9a-f]{64}$/);
        assert.equal(r.all("random:index/randomPassword:RandomPassword").length, 2);
        const routes = r.all("aws:apigatewayv2/route:Route");
        assert.deepEqual(routes.map((x) => x.inputs.routeKey).sort(), Object.keys(INGEST_ROUTES).map((p) => `POST ${p}`).sort());
        for (const route of routes) {
            assert.equal(route.inputs.authorizationType, "CUSTOM");
            assert.equal(route.inputs.authorizerId, authorizer.id);
        }
        const permission = r.one("aws:lambda/permission:Permission");
        assert.match(permission.inputs.sourceArn, /\/authorizers\/\*$/);
    });

    it("the stage throttles and logs request metadata (no bodies) to a KMS-encrypted Infrequent Access log group", async () => {
        const r = await run(httpArgs);
        const stage = r.one("aws:apigatewayv2/stage:Stage");
        assert.equal(stage.inputs.autoDeploy, true);
        assert.deepEqual(stage.inputs.defaultRouteSettings, { throttlingRateLimit: 400, throttlingBurstLimit: 800, detailedMetricsEnabled: false });
        assert.deepEqual(JSON.parse(stage.inputs.accessLogSettings.format), HTTP_ACCESS_LOG_FIELDS);
        assert.doesNotMatch(stage.inputs.accessLogSettings.format, /body/i);
        const logs = r.all("aws:cloudwatch/logGroup:LogGroup").find((l) => l.name === "ingest-access-logs")!;
        assert.equal(stage.inputs.accessLogSettings.destinationArn, logs.state.arn);
        assert.equal(logs.inputs.logGroupClass, "INFREQUENT_ACCESS");
        assert.equal(logs.inputs.retentionInDays, 90);
        assert.ok(logs.inputs.kmsKeyId);
        assert.equal(r.all("aws:cloudwatch/logGroup:LogGroup").filter((l) => /execution/.test(l.name)).length, 0, "HTTP APIs have no execution log group");
    });

    it("open routes without keys; a custom domain with TLS 1.2", async () => {
        const r = await run({ api: "http", mode: "stream", customDomain: { domainName: "collect.example.com", certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/x" } }, "dev");
        for (const route of r.all("aws:apigatewayv2/route:Route")) assert.equal(route.inputs.authorizationType, "NONE");
        assert.equal(r.all("aws:apigatewayv2/authorizer:Authorizer").length, 0);
        const domain = r.one("aws:apigatewayv2/domainName:DomainName");
        assert.equal(domain.inputs.domainNameConfiguration.securityPolicy, "TLS_1_2");
        assert.equal(r.one("aws:apigatewayv2/api:Api").inputs.disableExecuteApiEndpoint, true);
        assert.equal(r.outputs.url, "https://collect.example.com");
    });

    it("refuses what an HTTP API cannot do, naming the field and the fix", () => {
        assert.throws(() => new IngestEndpoint("x", { api: "http", mode: "firehose", deliveryStreamName: "d", deliveryStreamArn: "arn" }), /IngestEndpoint: api "http" needs mode "stream".*Fix: set mode: "stream", or api: "rest"/);
        assert.throws(() => new IngestEndpoint("x", { api: "http", mode: "stream", webAclArn: "arn:waf" }), /webAclArn cannot be used with api "http".*CloudFront with WAF/);
        assert.throws(() => new IngestEndpoint("x", { api: "http", mode: "stream", apiKeyNames: ["a"], apiKeyQuota: { limit: 1, period: "DAY" } }), /apiKeyQuota needs a usage plan/);
        assert.throws(() => new IngestEndpoint("x", { api: "http", mode: "stream", maxBatchEvents: 10 }), /maxBatchEvents is enforced by the REST API's request model/);
        assert.throws(() => new IngestEndpoint("x", { api: "graphql" as any, mode: "stream" }), /api must be "rest", "http" or "function-url"/);
    });

    it("passes the policy pack in prod (keys on)", async () => {
        const r = await run(httpArgs);
        const mandatory = (await evaluatePolicies(r.resources)).filter((v) => v.enforcement === "mandatory");
        assert.deepEqual(mandatory.map((v) => `${v.policy}: ${v.message}`), []);
    });
});
