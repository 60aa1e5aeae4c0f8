/** The HTTP API (apigatewayv2) policies: the compliant baseline passes, each mutation is caught. */
import { strict as assert } from "assert";
import { baselineResources, mutate, violationsOf } from "./baseline";

const STAGE = "aws:apigatewayv2/stage:Stage";

describe("policies: HTTP API (apigatewayv2)", function () {
    this.timeout(60_000);

    it("the baseline's HTTP API passes all four", async () => {
        const resources = await baselineResources();
        for (const p of ["clickstream-apigatewayv2-access-logs", "clickstream-apigatewayv2-stage-throttling", "clickstream-apigatewayv2-domain-tls12", "clickstream-apigatewayv2-authenticated-routes"]) {
            assert.deepEqual(await violationsOf(p, resources), [], p);
        }
    });

    it("access logs: missing, or a format that logs the body", async () => {
        const none = mutate(await baselineResources(), STAGE, "ingest-http-stage", ({ accessLogSettings, ...rest }) => rest);
        const [missing] = await violationsOf("clickstream-apigatewayv2-access-logs", none);
        assert.match(missing.message, /accessLogSettings is missing/);
        const body = mutate(await baselineResources(), STAGE, "ingest-http-stage", (i) => ({ ...i, accessLogSettings: { ...i.accessLogSettings, format: '{"b":"$request.body"}' } }));
        const [logged] = await violationsOf("clickstream-apigatewayv2-access-logs", body);
        assert.match(logged.message, /\$request\.body.*request bodies would be logged/);
    });

    it("throttling: a stage without rate or burst", async () => {
        const r = mutate(await baselineResources(), STAGE, "ingest-http-stage", (i) => ({ ...i, defaultRouteSettings: { throttlingBurstLimit: 200 } }));
        const [v] = await violationsOf("clickstream-apigatewayv2-stage-throttling", r);
        assert.match(v.message, /throttlingRateLimit not set/);
    });

    it("TLS: a domain name without TLS_1_2", async () => {
        const r = mutate(await baselineResources(), "aws:apigatewayv2/domainName:DomainName", "ingest-http-domain", (i) => ({ ...i, domainNameConfiguration: { ...i.domainNameConfiguration, securityPolicy: "TLS_1_0" } }));
        const [v] = await violationsOf("clickstream-apigatewayv2-domain-tls12", r);
        assert.match(v.message, /TLS_1_0; TLS 1\.0\/1\.1 clients would be accepted/);
    });

    it("authenticated routes: an open POST route in prod", async () => {
        const r = mutate(await baselineResources(), "aws:apigatewayv2/route:Route", "ingest-http-batch", (i) => ({ ...i, authorizationType: "NONE" }));
        const [v] = await violationsOf("clickstream-apigatewayv2-authenticated-routes", r);
        assert.match(v.message, /Route "POST \/v1\/batch" has authorizationType NONE/);
    });
});
