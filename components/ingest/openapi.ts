/**
 * The OpenAPI 3 document the ingest REST API is imported from (aws.apigateway.RestApi `body`).
 * Plain data in, plain object out: the component resolves ARNs and names first, and tests
 * validate the result with swagger-parser and inspect every x-amazon-apigateway-* block.
 */
import { INGEST_ROUTES, IngestPath } from "../../dataplane/envelope";
import { ACK_SCHEMA, ERROR_SCHEMA, ModelLimits, modelNameFor, requestModels } from "./models";
import {
    acknowledgementTemplate,
    CORS_ALLOWED_HEADERS,
    CORS_ALLOWED_METHODS,
    firehosePutRecordTemplate,
    kinesisPutRecordTemplate,
    PREFLIGHT_REQUEST_TEMPLATE,
    preflightResponseTemplate,
    serviceClientErrorTemplate,
    serviceServerErrorTemplate,
} from "./templates";

export type IngestMode = "firehose" | "stream";

/** Name of the request validator every method uses. */
export const REQUEST_VALIDATOR = "body-and-params";
/** Security scheme names in the document. */
export const API_KEY_SCHEME = "api_key";
export const WRITE_KEY_SCHEME = "segment_write_key";
/** Seconds API Gateway caches a write-key authorizer decision per Authorization header. */
export const AUTHORIZER_RESULT_TTL_SECONDS = 300;
export { PREFLIGHT_MAX_AGE_SECONDS } from "../../dataplane/ingest/http";
import { INGEST_ERRORS, PREFLIGHT_MAX_AGE_SECONDS } from "../../dataplane/ingest/http";

export interface OpenApiOptions {
    /** API title. */
    title: string;
    /** AWS region of the API (part of the integration URI). */
    region: string;
    mode: IngestMode;
    /** Firehose delivery stream name (mode "firehose") or Kinesis stream name (mode "stream"). */
    targetStreamName: string;
    /** Role API Gateway assumes to call PutRecord. */
    integrationRoleArn: string;
    /** Allowed CORS origins; empty means no OPTIONS methods and no CORS headers. */
    corsAllowedOrigins: readonly string[];
    /** Require an API key on every POST. */
    requireApiKey: boolean;
    /** When set, a REQUEST authorizer supplies the API key from Segment's Basic-auth write key. */
    writeKeyAuthorizer?: { invokeArn: string };
    /** Turn off https://{id}.execute-api.{region}.amazonaws.com (when a custom domain serves the API). */
    disableExecuteApiEndpoint: boolean;
    limits: ModelLimits;
}

/** The Firehose/Kinesis API action behind the POST methods. */
export function integrationUri(region: string, mode: IngestMode): string {
    return `arn:aws:apigateway:${region}:${mode === "firehose" ? "firehose" : "kinesis"}:action/PutRecord`;
}

function corsResponseHeaderNames(origins: readonly string[]): string[] {
    return origins.length === 0 ? [] : ["Access-Control-Allow-Origin", "Vary"];
}

/** The x-amazon-apigateway-integration block of a POST route. */
export function postIntegration(opts: OpenApiOptions): Record<string, unknown> {
    const origins = opts.corsAllowedOrigins;
    const corsParams: Record<string, string> = origins.length === 0 ? {} : { "method.response.header.Vary": "'Origin'" };
    const requestTemplate = opts.mode === "firehose" ? firehosePutRecordTemplate(opts.targetStreamName) : kinesisPutRecordTemplate(opts.targetStreamName);
    return {
        type: "aws",
        httpMethod: "POST",
        uri: integrationUri(opts.region, opts.mode),
        credentials: opts.integrationRoleArn,
        requestParameters: { "integration.request.header.Content-Type": "'application/x-amz-json-1.1'" },
        // Only application/json is mapped and anything else is refused (415): the envelope embeds
        // the body as JSON, so a form or text body must not reach the stream unparsed.
        requestTemplates: { "application/json": requestTemplate },
        passthroughBehavior: "never",
        timeoutInMillis: 29000,
        responses: {
            // selectionPattern is matched against the service's HTTP status for AWS integrations.
            "4\\d{2}": { statusCode: "429", responseParameters: corsParams, responseTemplates: { "application/json": serviceClientErrorTemplate(origins) } },
            "5\\d{2}": { statusCode: "503", responseParameters: corsParams, responseTemplates: { "application/json": serviceServerErrorTemplate(origins) } },
            default: { statusCode: "200", responseParameters: corsParams, responseTemplates: { "application/json": acknowledgementTemplate(origins) } },
        },
    };
}

function jsonResponse(description: string, schemaRef: string, headers: string[]): Record<string, unknown> {
    const response: Record<string, unknown> = {
        description,
        content: { "application/json": { schema: { $ref: `#/components/schemas/${schemaRef}` } } },
    };
    if (headers.length > 0) response.headers = Object.fromEntries(headers.map((h) => [h, { schema: { type: "string" } }]));
    return response;
}

function postOperation(path: IngestPath, opts: OpenApiOptions): Record<string, unknown> {
    const headers = corsResponseHeaderNames(opts.corsAllowedOrigins);
    const operation: Record<string, unknown> = {
        operationId: `post${path.split("/").map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("")}`,
        summary: `Ingest a ${INGEST_ROUTES[path]} request`,
        requestBody: { required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${modelNameFor(path)}` } } } },
        responses: {
            "200": jsonResponse("Stored: the request is in the stream", "Ack", headers),
            "400": jsonResponse("Invalid body, or a record the stream can never accept; do not retry", "Error", headers),
            "415": jsonResponse("Content-Type is not application/json", "Error", headers),
            "429": jsonResponse("Throttled; retry with back-off", "Error", headers),
            "500": jsonResponse("Backend misconfigured; retry later", "Error", headers),
            "503": jsonResponse("Backend unavailable; retry later", "Error", headers),
        },
        "x-amazon-apigateway-integration": postIntegration(opts),
    };
    if (opts.writeKeyAuthorizer) operation.security = [{ [API_KEY_SCHEME]: [], [WRITE_KEY_SCHEME]: [] }];
    else if (opts.requireApiKey) operation.security = [{ [API_KEY_SCHEME]: [] }];
    else operation.security = [];
    return operation;
}

/** The CORS preflight: a mock integration, no key, no body. */
export function preflightOperation(origins: readonly string[]): Record<string, unknown> {
    const staticHeaders: Record<string, string> = {
        "method.response.header.Access-Control-Allow-Methods": `'${CORS_ALLOWED_METHODS.join(",")}'`,
        "method.response.header.Access-Control-Allow-Headers": `'${CORS_ALLOWED_HEADERS.join(",")}'`,
        "method.response.header.Access-Control-Max-Age": `'${PREFLIGHT_MAX_AGE_SECONDS}'`,
        "method.response.header.Vary": "'Origin'",
    };
    const headerNames = ["Access-Control-Allow-Origin", "Access-Control-Allow-Methods", "Access-Control-Allow-Headers", "Access-Control-Max-Age", "Vary"];
    return {
        summary: "CORS preflight",
        security: [],
        responses: {
            "200": { description: "Preflight answer", headers: Object.fromEntries(headerNames.map((h) => [h, { schema: { type: "string" } }])) },
        },
        "x-amazon-apigateway-integration": {
            type: "mock",
            // A preflight carries no Content-Type, so it must pass without a mapped one.
            passthroughBehavior: "when_no_match",
            requestTemplates: { "application/json": PREFLIGHT_REQUEST_TEMPLATE },
            responses: {
                default: { statusCode: "200", responseParameters: staticHeaders, responseTemplates: { "application/json": preflightResponseTemplate(origins) } },
            },
        },
    };
}

/**
 * CORS headers on gateway responses (errors API Gateway answers itself). Gateway responses take
 * static values or request parameters, no templates logic: one origin or "*" is static; a list
 * echoes the caller's Origin. No credentials are ever allowed, and the bodies carry no data, so
 * the echo only lets a browser tracker read why it was refused (429 vs 400) and retry correctly.
 */
export function gatewayResponseCorsHeaders(origins: readonly string[]): Record<string, string> {
    if (origins.length === 0) return {};
    const allowOrigin = origins.length === 1 ? `'${origins[0]}'` : "method.request.header.Origin";
    return { "gatewayresponse.header.Access-Control-Allow-Origin": allowOrigin, "gatewayresponse.header.Vary": "'Origin'" };
}

/** Gateway responses: the errors API Gateway produces before the integration runs. */
export function gatewayResponses(origins: readonly string[]): Record<string, unknown> {
    const headers = gatewayResponseCorsHeaders(origins);
    const body = (error: string, message: string) => ({ "application/json": `{"success":false,"error":"${error}","message":${message},"requestId":"$context.requestId"}` });
    return {
        THROTTLED: { statusCode: 429, responseParameters: headers, responseTemplates: body(INGEST_ERRORS.throttled, "$context.error.messageString") },
        QUOTA_EXCEEDED: { statusCode: 429, responseParameters: headers, responseTemplates: body("quota_exceeded", "$context.error.messageString") },
        // AWS's documented form: the validation error string inside a JSON string.
        BAD_REQUEST_BODY: { statusCode: 400, responseParameters: headers, responseTemplates: body(INGEST_ERRORS.invalidBody, `"$context.error.validationErrorString"`) },
        UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, responseParameters: headers, responseTemplates: body(INGEST_ERRORS.unsupportedMediaType, `"Content-Type must be application/json"`) },
        DEFAULT_4XX: { responseParameters: headers, responseTemplates: body(INGEST_ERRORS.clientError, "$context.error.messageString") },
        DEFAULT_5XX: { responseParameters: headers, responseTemplates: body("server_error", "$context.error.messageString") },
    };
}

/** The complete OpenAPI 3 document of the ingest API. */
export function buildOpenApiDocument(opts: OpenApiOptions): Record<string, unknown> {
    const origins = opts.corsAllowedOrigins;
    const paths: Record<string, unknown> = {};
    for (const path of Object.keys(INGEST_ROUTES) as IngestPath[]) {
        const item: Record<string, unknown> = { post: postOperation(path, opts) };
        if (origins.length > 0) item.options = preflightOperation(origins);
        paths[path] = item;
    }
    const securitySchemes: Record<string, unknown> = {};
    if (opts.requireApiKey || opts.writeKeyAuthorizer) {
        securitySchemes[API_KEY_SCHEME] = { type: "apiKey", name: "x-api-key", in: "header" };
    }
    if (opts.writeKeyAuthorizer) {
        securitySchemes[WRITE_KEY_SCHEME] = {
            type: "apiKey",
            name: "Authorization",
            in: "header",
            "x-amazon-apigateway-authtype": "custom",
            "x-amazon-apigateway-authorizer": {
                type: "request",
                identitySource: "method.request.header.Authorization",
                authorizerUri: opts.writeKeyAuthorizer.invokeArn,
                authorizerResultTtlInSeconds: AUTHORIZER_RESULT_TTL_SECONDS,
            },
        };
    }
    const schemas: Record<string, unknown> = { ...requestModels(opts.limits), Ack: ACK_SCHEMA, Error: ERROR_SCHEMA };
    const doc: Record<string, unknown> = {
        openapi: "3.0.1",
        info: { title: opts.title, version: "1", description: "Click-stream ingest: native batches and Segment-compatible routes, stored as one record per request." },
        paths,
        components: { schemas, ...(Object.keys(securitySchemes).length > 0 ? { securitySchemes } : {}) },
        "x-amazon-apigateway-request-validators": { [REQUEST_VALIDATOR]: { validateRequestBody: true, validateRequestParameters: true } },
        "x-amazon-apigateway-request-validator": REQUEST_VALIDATOR,
        "x-amazon-apigateway-gateway-responses": gatewayResponses(origins),
        "x-amazon-apigateway-endpoint-configuration": { disableExecuteApiEndpoint: opts.disableExecuteApiEndpoint },
    };
    if (opts.writeKeyAuthorizer) doc["x-amazon-apigateway-api-key-source"] = "AUTHORIZER";
    else doc["x-amazon-apigateway-api-key-source"] = "HEADER";
    return doc;
}
