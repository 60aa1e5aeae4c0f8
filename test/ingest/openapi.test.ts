/**
 * The OpenAPI document the REST API is imported from: a valid OpenAPI 3 document, with an AWS
 * integration on every route, and request models that accept real tracker bodies and refuse
 * unreadable ones.
 */
import { strict as assert } from "assert";
import SwaggerParser from "@apidevtools/swagger-parser";
import Ajv from "ajv-draft-04";
import { INGEST_ROUTES, IngestPath } from "../../dataplane/envelope";
import { buildOpenApiDocument, gatewayResponses, OpenApiOptions, REQUEST_VALIDATOR } from "../../components/ingest/openapi";
import { JSON_SCHEMA_DRAFT_04, requestModelFor } from "../../components/ingest/models";

const ROLE = "arn:aws:iam::123456789012:role/ingest-integration-role";
const PATHS = Object.keys(INGEST_ROUTES) as IngestPath[];

function options(overrides: Partial<OpenApiOptions> = {}): OpenApiOptions {
    return {
        title: "ingest",
        region: "eu-west-1",
        mode: "firehose",
        targetStreamName: "lake-stream",
        integrationRoleArn: ROLE,
        corsAllowedOrigins: [],
        requireApiKey: false,
        disableExecuteApiEndpoint: false,
        limits: { maxBatchEvents: 500 },
        ...overrides,
    };
}

const VARIANTS: Array<[string, Partial<OpenApiOptions>]> = [
    ["firehose, no CORS, no keys", {}],
    ["stream, CORS list, API keys", { mode: "stream", targetStreamName: "ingest-stream", corsAllowedOrigins: ["https://a.example.com", "https://b.example.com"], requireApiKey: true }],
    ["stream, '*', Segment write key, custom domain", {
        mode: "stream",
        corsAllowedOrigins: ["*"],
        requireApiKey: true,
        writeKeyAuthorizer: { invokeArn: "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations" },
        disableExecuteApiEndpoint: true,
    }],
];

describe("ingest OpenAPI document", () => {
    for (const [label, overrides] of VARIANTS) {
        it(`is a valid OpenAPI 3 document (${label})`, async () => {
            const doc = buildOpenApiDocument(options(overrides));
            await SwaggerParser.validate(structuredClone(doc) as any);
            assert.equal(doc.openapi, "3.0.1");
        });
    }

    it("swagger-parser does catch a broken document (the check is not vacuous)", async () => {
        const doc: any = buildOpenApiDocument(options());
        doc.paths["/v1/track"].post.requestBody.content["application/json"].schema.$ref = "#/components/schemas/Missing";
        await assert.rejects(SwaggerParser.validate(structuredClone(doc)));
    });

    for (const mode of ["firehose", "stream"] as const) {
        it(`every route has an AWS ${mode} PutRecord integration with role, JSON-only template and responses`, () => {
            const doc: any = buildOpenApiDocument(options({ mode, targetStreamName: "target-1" }));
            assert.deepEqual(Object.keys(doc.paths), PATHS);
            const service = mode === "firehose" ? "firehose" : "kinesis";
            for (const path of PATHS) {
                const integration = doc.paths[path].post["x-amazon-apigateway-integration"];
                assert.equal(integration.type, "aws", path);
                assert.equal(integration.httpMethod, "POST");
                assert.equal(integration.uri, `arn:aws:apigateway:eu-west-1:${service}:action/PutRecord`);
                assert.equal(integration.credentials, ROLE);
                assert.equal(integration.passthroughBehavior, "never");
                assert.deepEqual(Object.keys(integration.requestTemplates), ["application/json"]);
                assert.match(integration.requestTemplates["application/json"], mode === "firehose" ? /"DeliveryStreamName":"target-1"/ : /"StreamName":"target-1"/);
                assert.equal(integration.requestParameters["integration.request.header.Content-Type"], "'application/x-amz-json-1.1'");
                assert.equal(integration.responses.default.statusCode, "200");
                assert.equal(integration.responses["4\\d{2}"].statusCode, "429");
                assert.equal(integration.responses["5\\d{2}"].statusCode, "503");
                for (const r of Object.values<any>(integration.responses)) assert.ok(r.responseTemplates["application/json"], "every response has a JSON body");
                // Every status the integration can produce is a declared method response.
                const declared = Object.keys(doc.paths[path].post.responses);
                for (const status of ["200", "400", "429", "500", "503"]) assert.ok(declared.includes(status), `${path} declares ${status}`);
                assert.deepEqual(doc.paths[path].post.security, []);
                assert.equal(doc.paths[path].options, undefined, "no preflight without CORS origins");
            }
        });
    }

    it("validates body and parameters on every method, and maps the gateway's own errors with CORS headers", () => {
        const doc: any = buildOpenApiDocument(options({ corsAllowedOrigins: ["https://a.example.com"] }));
        assert.equal(doc["x-amazon-apigateway-request-validator"], REQUEST_VALIDATOR);
        assert.deepEqual(doc["x-amazon-apigateway-request-validators"][REQUEST_VALIDATOR], { validateRequestBody: true, validateRequestParameters: true });
        const gr = doc["x-amazon-apigateway-gateway-responses"];
        assert.equal(gr.THROTTLED.statusCode, 429);
        assert.equal(gr.BAD_REQUEST_BODY.statusCode, 400);
        assert.match(gr.BAD_REQUEST_BODY.responseTemplates["application/json"], /\$context\.error\.validationErrorString/);
        assert.equal(gr.UNSUPPORTED_MEDIA_TYPE.statusCode, 415);
        assert.ok(gr.DEFAULT_5XX);
        for (const [type, response] of Object.entries<any>(gr)) {
            assert.equal(response.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], "'https://a.example.com'", type);
        }
        // A list of origins cannot be static: the gateway echoes the caller's Origin.
        const multi: any = gatewayResponses(["https://a.example.com", "https://b.example.com"]);
        assert.equal(multi.THROTTLED.responseParameters["gatewayresponse.header.Access-Control-Allow-Origin"], "method.request.header.Origin");
        assert.deepEqual((gatewayResponses([]) as any).THROTTLED.responseParameters, {});
    });

    it("gateway response bodies are JSON after API Gateway's plain substitution (no VTL there)", () => {
        // Gateway responses are not VTL: API Gateway substitutes $context values as text.
        // messageString arrives already quoted; the validation string does not.
        const substitute = (template: string) => template
            .replace(/\$context\.error\.messageString/g, JSON.stringify("Too Many Requests"))
            .replace(/\$context\.error\.validationErrorString/g, "[object has missing required properties]")
            .replace(/\$context\.requestId/g, "req-1");
        for (const [type, response] of Object.entries<any>(gatewayResponses([]))) {
            const parsed = JSON.parse(substitute(response.responseTemplates["application/json"]));
            assert.equal(parsed.success, false, type);
            assert.equal(parsed.requestId, "req-1");
        }
    });

    it("CORS: an OPTIONS mock integration per route, without key, answering the allowed methods and headers", () => {
        const doc: any = buildOpenApiDocument(options({ corsAllowedOrigins: ["https://a.example.com"], requireApiKey: true }));
        for (const path of PATHS) {
            const preflight = doc.paths[path].options;
            assert.deepEqual(preflight.security, [], "preflights carry no credentials");
            const integration = preflight["x-amazon-apigateway-integration"];
            assert.equal(integration.type, "mock");
            assert.equal(integration.passthroughBehavior, "when_no_match");
            const headers = integration.responses.default.responseParameters;
            assert.equal(headers["method.response.header.Access-Control-Allow-Methods"], "'POST,OPTIONS'");
            assert.match(headers["method.response.header.Access-Control-Allow-Headers"], /Content-Type,Authorization,X-Api-Key/);
            assert.match(integration.responses.default.responseTemplates["application/json"], /https:\/\/a\.example\.com/);
            assert.deepEqual(doc.paths[path].post.security, [{ api_key: [] }]);
        }
    });

    it("Segment write key: API key from a cached REQUEST authorizer on the Authorization header", () => {
        const invokeArn = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:auth/invocations";
        const doc: any = buildOpenApiDocument(options({ requireApiKey: true, writeKeyAuthorizer: { invokeArn } }));
        assert.equal(doc["x-amazon-apigateway-api-key-source"], "AUTHORIZER");
        const scheme = doc.components.securitySchemes.segment_write_key;
        assert.equal(scheme["x-amazon-apigateway-authtype"], "custom");
        assert.deepEqual(scheme["x-amazon-apigateway-authorizer"], {
            type: "request",
            identitySource: "method.request.header.Authorization",
            authorizerUri: invokeArn,
            authorizerResultTtlInSeconds: 300,
        });
        for (const path of PATHS) assert.deepEqual(doc.paths[path].post.security, [{ api_key: [], segment_write_key: [] }]);
        assert.equal(buildOpenApiDocument(options())["x-amazon-apigateway-api-key-source"], "HEADER");
    });

    it("turns off the execute-api endpoint only when asked (custom domain)", () => {
        assert.deepEqual(buildOpenApiDocument(options())["x-amazon-apigateway-endpoint-configuration"], { disableExecuteApiEndpoint: false });
        assert.deepEqual(buildOpenApiDocument(options({ disableExecuteApiEndpoint: true }))["x-amazon-apigateway-endpoint-configuration"], { disableExecuteApiEndpoint: true });
    });
});

describe("ingest request models (draft-04, validated with ajv)", () => {
    const ajv = new Ajv({ allErrors: true });
    const limits = { maxBatchEvents: 3 };
    const validatorFor = (path: IngestPath) => ajv.compile(requestModelFor(path, limits));

    it("are draft-04 documents, one per route", () => {
        for (const path of PATHS) assert.equal(requestModelFor(path, limits).$schema, JSON_SCHEMA_DRAFT_04);
    });

    const valid: Array<[IngestPath, unknown]> = [
        ["/v1/events", { events: [{ type: "track", name: "Signed Up", anonymousId: "a" }], sentAt: 1764170000000 }],
        ["/v1/events", { events: [{ type: "page" }, { type: "identify", userId: 7 }], sentAt: "2026-11-26T15:00:00Z" }],
        ["/v1/batch", { batch: [{ type: "track", event: "E", userId: "u" }, { type: "identify", userId: "u", traits: {} }], context: { library: { name: "analytics-node" } }, writeKey: "k" }],
        ["/v1/track", { userId: "u", event: "Clicked", properties: { a: 1 } }],
        ["/v1/page", { anonymousId: "a", name: "Home" }],
        ["/v1/identify", { userId: "u", traits: { plan: "pro" } }],
        ["/v1/alias", { previousId: "a", userId: "u" }],
        // A bad event inside a readable batch passes: the transform keeps it as a bad row.
        ["/v1/batch", { batch: [{ type: "nonsense" }] }],
    ];
    for (const [path, body] of valid) {
        it(`accepts ${path} ${JSON.stringify(body).slice(0, 60)}`, () => {
            const validate = validatorFor(path);
            assert.ok(validate(body), JSON.stringify(validate.errors));
        });
    }

    const invalid: Array<[IngestPath, unknown, string]> = [
        ["/v1/events", [{ type: "track" }], "a bare array instead of { events }"],
        ["/v1/events", { batch: [{ type: "track" }] }, "a Segment batch on the native route"],
        ["/v1/events", { events: [] }, "an empty batch"],
        ["/v1/events", { events: [{}, {}, {}, {}] }, "more events than maxBatchEvents"],
        ["/v1/events", { events: ["track"] }, "an event that is not an object"],
        ["/v1/events", { events: [{ type: "track" }], sentAt: true }, "a boolean sentAt"],
        ["/v1/batch", { batch: { type: "track" } }, "batch not an array"],
        ["/v1/batch", { batch: [{}], context: "web" }, "context not an object"],
        ["/v1/track", "Clicked", "a string body"],
        ["/v1/identify", null, "a null body"],
    ];
    for (const [path, body, why] of invalid) {
        it(`rejects ${path}: ${why}`, () => {
            assert.equal(validatorFor(path)(body), false);
        });
    }
});
