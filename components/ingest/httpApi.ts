/**
 * The HTTP API variant of IngestEndpoint (api: "http"): an API Gateway HTTP API whose routes put each
 * request body into the Kinesis stream through the first-class Kinesis-PutRecord integration (no
 * Lambda on the hot path), a cached REQUEST authorizer that checks write keys, stage throttling and
 * JSON access logs without bodies. A third of a REST API's per-request price; what it gives up is in
 * docs/ingest.md ("HTTP API").
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { INGEST_ROUTES } from "../../dataplane/envelope";

/**
 * Fields of the HTTP API's JSON access log line: no request or response body, no headers. Short keys:
 * the line is written once per request, and its bytes are what the log group is billed for.
 */
export const HTTP_ACCESS_LOG_FIELDS: Record<string, string> = {
    id: "$context.requestId",
    ip: "$context.identity.sourceIp",
    t: "$context.requestTimeEpoch",
    route: "$context.routeKey",
    status: "$context.status",
    len: "$context.responseLength",
    kinesis: "$context.integrationStatus",
    err: "$context.integrationErrorMessage",
    authErr: "$context.authorizer.error",
    key: "$context.authorizer.keyName",
};

export function httpAccessLogFormat(): string {
    return JSON.stringify(HTTP_ACCESS_LOG_FIELDS);
}

/** Headers a browser may send to the HTTP API (CORS). */
export const HTTP_CORS_HEADERS = ["content-type", "authorization"];

export interface HttpIngestApiArgs {
    region: pulumi.Input<string>;
    streamName: pulumi.Input<string>;
    integrationRoleArn: pulumi.Input<string>;
    stageName: string;
    throttleRateLimit: number;
    throttleBurstLimit: number;
    corsAllowedOrigins: string[];
    accessLogGroupArn: pulumi.Input<string>;
    /** The write-key authorizer function; routes are open without it. */
    authorizer?: { invokeArn: pulumi.Input<string>; functionName: pulumi.Input<string> };
    customDomain?: { domainName: string; certificateArn: pulumi.Input<string>; basePath?: string };
    /** Resources the integration must wait for (its role's policy). */
    dependsOn: pulumi.Resource[];
    tags?: Record<string, string>;
}

export interface HttpIngestApi {
    api: aws.apigatewayv2.Api;
    stage: aws.apigatewayv2.Stage;
    url: pulumi.Output<string>;
    customDomainTarget?: pulumi.Output<string>;
}

/** Creates the HTTP API, its integration, authorizer, routes, stage and (optionally) custom domain as children of `parent`. */
export function createHttpIngestApi(parent: pulumi.Resource, name: string, args: HttpIngestApiArgs): HttpIngestApi {
    const opts = { parent };
    const tags = args.tags;
    const cors = args.corsAllowedOrigins.length > 0
        ? { allowOrigins: args.corsAllowedOrigins, allowMethods: ["POST", "OPTIONS"], allowHeaders: HTTP_CORS_HEADERS, maxAge: 600 }
        : undefined;
    const api = new aws.apigatewayv2.Api(`${name}-http-api`, {
        protocolType: "HTTP",
        description: "Click-stream ingest (native batch + Segment-compatible routes), HTTP API",
        corsConfiguration: cors,
        // Only when a custom domain (with its TLS 1.2 policy) serves the API.
        disableExecuteApiEndpoint: args.customDomain !== undefined,
        tags,
    }, opts);

    const integration = new aws.apigatewayv2.Integration(`${name}-put-record`, {
        apiId: api.id,
        description: "Kinesis PutRecord of the request body (partition key: the request id)",
        integrationType: "AWS_PROXY",
        integrationSubtype: "Kinesis-PutRecord",
        credentialsArn: args.integrationRoleArn,
        payloadFormatVersion: "1.0",
        requestParameters: {
            StreamName: args.streamName,
            Data: "$request.body",
            PartitionKey: "$context.requestId",
            Region: args.region,
        },
        // Kinesis answers throttling with 400; trackers retry 429, not 400.
        responseParameters: [{ statusCode: "400", mappings: { "overwrite:statuscode": "429" } }],
        timeoutMilliseconds: 10_000,
    }, { parent, dependsOn: args.dependsOn });

    let authorizerId: pulumi.Output<string> | undefined;
    if (args.authorizer) {
        const authorizer = new aws.apigatewayv2.Authorizer(`${name}-write-keys`, {
            apiId: api.id,
            name: "write-keys",
            authorizerType: "REQUEST",
            authorizerUri: args.authorizer.invokeArn,
            authorizerPayloadFormatVersion: "2.0",
            enableSimpleResponses: true,
            identitySources: ["$request.header.Authorization"],
            authorizerResultTtlInSeconds: 300,
        }, opts);
        authorizerId = authorizer.id;
        new aws.lambda.Permission(`${name}-authorizer-invoke`, {
            action: "lambda:InvokeFunction",
            function: args.authorizer.functionName,
            principal: "apigateway.amazonaws.com",
            sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/*`,
        }, opts);
    }

    const routes = Object.keys(INGEST_ROUTES).map((path) => new aws.apigatewayv2.Route(`${name}-route${path.replace(/\//g, "-")}`, {
        apiId: api.id,
        routeKey: `POST ${path}`,
        target: pulumi.interpolate`integrations/${integration.id}`,
        authorizationType: authorizerId ? "CUSTOM" : "NONE",
        authorizerId,
    }, opts));

    const stage = new aws.apigatewayv2.Stage(`${name}-stage`, {
        apiId: api.id,
        name: args.stageName,
        autoDeploy: true,
        accessLogSettings: { destinationArn: args.accessLogGroupArn, format: httpAccessLogFormat() },
        defaultRouteSettings: {
            throttlingRateLimit: args.throttleRateLimit,
            throttlingBurstLimit: args.throttleBurstLimit,
            // Per-route metrics are billed as custom metrics; the API-level ones are free.
            detailedMetricsEnabled: false,
        },
        tags,
    }, { parent, dependsOn: routes });

    let url = pulumi.interpolate`https://${api.id}.execute-api.${args.region}.amazonaws.com/${args.stageName}`;
    let customDomainTarget: pulumi.Output<string> | undefined;
    if (args.customDomain) {
        const domain = new aws.apigatewayv2.DomainName(`${name}-domain`, {
            domainName: args.customDomain.domainName,
            domainNameConfiguration: { certificateArn: args.customDomain.certificateArn, endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
            tags,
        }, opts);
        new aws.apigatewayv2.ApiMapping(`${name}-api-mapping`, {
            apiId: api.id,
            domainName: domain.domainName,
            stage: stage.name,
            apiMappingKey: args.customDomain.basePath,
        }, opts);
        url = pulumi.output(`https://${args.customDomain.domainName}${args.customDomain.basePath ? `/${args.customDomain.basePath}` : ""}`);
        customDomainTarget = domain.domainNameConfiguration.apply((c) => c.targetDomainName ?? "");
    }
    return { api, stage, url, customDomainTarget };
}
