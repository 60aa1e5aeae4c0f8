import { strict as assert } from "assert";
import { unauthenticatedOperations } from "../../policies/rules/apigatewayAuthenticatedIngest";
import { evaluatePolicies } from "../../offline/policyHarness";
import { baselineResources, mutate, OPENAPI_BODY, violationsOf, without } from "./baseline";

const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const API = "aws:apigateway/restApi:RestApi";

function withStack(resources: Awaited<ReturnType<typeof baselineResources>>, stack: string) {
    for (const r of resources) r.urn = r.urn.replace(/^urn:pulumi:[^:]+::/, `urn:pulumi:${stack}::`);
    return resources;
}

describe("policies: transport and exposure", () => {
    describe("clickstream-s3-tls-only", () => {
        const P = "clickstream-s3-tls-only";
        it("flags a bucket without a bucket policy", async () => {
            const v = await violationsOf(P, without(await baselineResources(), POLICY, "raw-policy"));
            assert.deepEqual(v.map((x) => x.resource), ["aws:s3/bucket:Bucket::raw"]);
        });
        it("flags a policy whose Deny lacks the SecureTransport condition or allows only some principals", async () => {
            const noCondition = mutate(await baselineResources(), POLICY, "lake-policy", (i) => {
                const doc = JSON.parse(i.policy);
                delete doc.Statement[0].Condition;
                return { ...i, policy: JSON.stringify(doc) };
            });
            assert.match((await violationsOf(P, noCondition))[0].message, /aws:SecureTransport/);
            const somePrincipal = mutate(await baselineResources(), POLICY, "lake-policy", (i) => {
                const doc = JSON.parse(i.policy);
                doc.Statement[0].Principal = { AWS: "arn:aws:iam::123456789012:root" };
                return { ...i, policy: doc };
            });
            assert.equal((await violationsOf(P, somePrincipal)).length, 1);
        });
    });

    it("clickstream-s3-public-access-block flags a missing block and a false flag", async () => {
        const P = "clickstream-s3-public-access-block";
        assert.match((await violationsOf(P, without(await baselineResources(), PAB, "lake-pab")))[0].message, /no BucketPublicAccessBlock/);
        const partial = mutate(await baselineResources(), PAB, "raw-pab", (i) => ({ ...i, restrictPublicBuckets: false }));
        assert.match((await violationsOf(P, partial))[0].message, /restrictPublicBuckets/);
    });

    it("clickstream-apigateway-tls12 flags TLS_1_0 and an unset policy, accepts enhanced TLS 1.3 policies", async () => {
        const P = "clickstream-apigateway-tls12";
        const D = "aws:apigateway/domainName:DomainName";
        assert.equal((await violationsOf(P, mutate(await baselineResources(), D, "ingest-domain", (i) => ({ ...i, securityPolicy: "TLS_1_0" })))).length, 1);
        assert.equal((await violationsOf(P, mutate(await baselineResources(), D, "ingest-domain", (i) => { delete i.securityPolicy; return i; }))).length, 1);
        assert.deepEqual(await violationsOf(P, mutate(await baselineResources(), D, "ingest-domain", (i) => ({ ...i, securityPolicy: "SecurityPolicy_TLS13_1_3_2025_09" }))), []);
    });

    describe("clickstream-apigateway-authenticated-ingest", () => {
        const P = "clickstream-apigateway-authenticated-ingest";
        const open = { ...OPENAPI_BODY, paths: { "/v1/batch": { post: {} } } };
        it("flags an unauthenticated POST in prod", async () => {
            const r = mutate(await baselineResources(), API, "ingest", (i) => ({ ...i, body: JSON.stringify(open) }));
            const v = await violationsOf(P, r);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /POST \/v1\/batch/);
            assert.equal(v[0].resource, "aws:apigateway/restApi:RestApi::ingest");
        });
        it("does not apply in dev, and follows the configured stack pattern", async () => {
            const r = withStack(mutate(await baselineResources(), API, "ingest", (i) => ({ ...i, body: JSON.stringify(open) })), "dev");
            assert.deepEqual(await violationsOf(P, r), []);
            assert.equal((await violationsOf(P, r, { config: { [P]: { stackPattern: "^(dev|prod)$" } } })).length, 1);
        });
        it("flags an empty security list and an undefined scheme; accepts authorizers and top-level security", () => {
            assert.deepEqual(unauthenticatedOperations({ paths: { "/a": { post: { security: [] } } } }, ["post"]), ["POST /a"]);
            assert.deepEqual(unauthenticatedOperations({ paths: { "/a": { post: { security: [{ nope: [] }] } } } }, ["post"]), ["POST /a"]);
            const auth = { components: { securitySchemes: { lambda: { type: "apiKey", name: "Authorization", in: "header", "x-amazon-apigateway-authorizer": { type: "request" } } } } };
            assert.deepEqual(unauthenticatedOperations({ ...auth, paths: { "/a": { post: { security: [{ lambda: [] }] } } } }, ["post"]), []);
            assert.deepEqual(unauthenticatedOperations({ ...auth, security: [{ lambda: [] }], paths: { "/a": { post: {} } } }, ["post"]), []);
            assert.deepEqual(unauthenticatedOperations("{not json", ["post"]).length, 1);
        });
        it("flags an aws.apigateway.Method POST with authorization NONE and no API key", async () => {
            const r = await baselineResources();
            r.push({ type: "aws:apigateway/method:Method", name: "post", urn: "urn:pulumi:prod::clickstream::aws:apigateway/method:Method::post", custom: true, inputs: { httpMethod: "POST", authorization: "NONE", restApi: "x", resourceId: "y" }, state: { httpMethod: "POST", authorization: "NONE" } });
            assert.equal((await violationsOf(P, r)).length, 1);
            r[r.length - 1].state.apiKeyRequired = true;
            assert.deepEqual(await violationsOf(P, r), []);
        });
    });

    it("every exposure policy is silent on the baseline", async () => {
        const names = ["clickstream-s3-tls-only", "clickstream-s3-public-access-block", "clickstream-apigateway-tls12", "clickstream-apigateway-authenticated-ingest"];
        const v = (await evaluatePolicies(await baselineResources())).filter((x) => names.includes(x.policy));
        assert.deepEqual(v, []);
    });
});
