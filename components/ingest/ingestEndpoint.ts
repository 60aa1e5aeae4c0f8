/**
 * IngestEndpoint: the HTTP front door of the click-stream pipeline. An API Gateway REST API that
 * accepts native batches and Segment-compatible calls and stores each request, wrapped in the
 * request envelope, as one record in Firehose ("firehose" mode) or in a Kinesis data stream it
 * creates ("stream" mode), through an AWS service integration: no Lambda on the hot path.
 *
 * Built from @pulumi/aws resources, not @pulumi/aws-apigateway's RestAPI: that is a remote
 * component (its children are invisible under mocks and to offline policy checks) and it has
 * neither AWS service integrations nor stage access logs. See docs/ingest.md.
 */
import { createHash } from "crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ENV_WRITE_KEY_HASHES, writeKeyHash } from "../../dataplane/handlers/httpWriteKeyAuthorizer";
import { INGEST_ROUTES, IngestPath } from "../../dataplane/envelope";
import { handlerArchive, LAMBDA_RUNTIME } from "../lambda/bundle";
import { buildOpenApiDocument } from "./openapi";
import { IngestApiType, IngestEndpointArgs, resolveIngestArgs } from "./args";
import { apiGatewayLoggingPolicy, authorizerRolePolicy, integrationRolePolicy, logsKeyPolicy, serviceAssumeRolePolicy } from "./policies";
import { MIN_STREAM_RETENTION_HOURS } from "./validate";
import { awsEnvironment } from "../aws/environment";
import { createHttpIngestApi } from "./httpApi";
import { createFunctionUrlCollector } from "./functionUrl";

export * from "./args";

/** Fields of the JSON access log line: no request or response body, no headers. */
export const ACCESS_LOG_FIELDS: Record<string, string> = {
    requestId: "$context.requestId",
    ip: "$context.identity.sourceIp",
    requestTime: "$context.requestTime",
    httpMethod: "$context.httpMethod",
    resourcePath: "$context.resourcePath",
    status: "$context.status",
    protocol: "$context.protocol",
    responseLength: "$context.responseLength",
    integrationStatus: "$context.integration.status",
    integrationLatency: "$context.integration.latency",
    errorMessage: "$context.error.message",
    apiKeyId: "$context.identity.apiKeyId",
};

/** The stage's access log format: one JSON object per request. */
export function accessLogFormat(): string {
    return JSON.stringify(ACCESS_LOG_FIELDS);
}

/** Routes of the API, in INGEST_ROUTES order. */
export const INGEST_PATHS = Object.keys(INGEST_ROUTES) as IngestPath[];

/** Route -> full URL, from the stage or custom-domain base URL. */
export function endpointUrls(baseUrl: string): Record<string, string> {
    const base = baseUrl.replace(/\/+$/, "");
    return Object.fromEntries(INGEST_PATHS.map((p) => [p, `${base}${p}`]));
}

export class IngestEndpoint extends pulumi.ComponentResource {
    /** API id: the REST API's, the HTTP API's with api "http", or the function URL's id with api "function-url". */
    readonly restApiId: pulumi.Output<string>;
    /** API name (the collector function's name with api "function-url"). A REST API's AWS/ApiGateway metrics carry it as `ApiName`; an HTTP API's carry `ApiId`. */
    readonly restApiName: pulumi.Output<string>;
    /** What serves the routes (`rest`, `http` or `function-url`): their metrics differ in names and dimensions. */
    readonly apiType: IngestApiType;
    /** Stage name ("" with api "function-url": a function URL has no stages). */
    readonly stageName: pulumi.Output<string>;
    /** Base URL trackers use: the custom domain (plus base path) if set, else the stage's invoke URL. */
    readonly url: pulumi.Output<string>;
    /** Route ("/v1/track") -> full URL. */
    readonly endpoints: pulumi.Output<Record<string, string>>;
    /** Kinesis stream name (stream mode). */
    readonly streamName: pulumi.Output<string> | undefined;
    /** Kinesis stream ARN (stream mode): give it to FirehoseLake and the analytics windows. */
    readonly streamArn: pulumi.Output<string> | undefined;
    /** KMS key ARN encrypting the stream (stream mode): readers need kms:Decrypt on it. */
    readonly streamKmsKeyArn: pulumi.Output<string> | undefined;
    /** Ids of the API keys created (empty without keys). */
    readonly apiKeyIds: pulumi.Output<string[]>;
    /** Values of the API keys (secret): trackers send one as x-api-key or as the Segment write key. */
    readonly apiKeyValues: pulumi.Output<string[]>;
    /** Usage plan id (when API keys are required). */
    readonly usagePlanId: pulumi.Output<string> | undefined;
    /** Access log group name (the collector's log group with api "function-url": failures only, no per-request lines). */
    readonly accessLogGroupName: pulumi.Output<string>;
    /** ARN of the role that puts records: API Gateway's integration role, or the collector function's role with api "function-url". */
    readonly integrationRoleArn: pulumi.Output<string>;
    /** Stage ARN (what a web ACL associates with); the collector function's ARN with api "function-url". */
    readonly stageArn: pulumi.Output<string>;
    /** The collector function's name (api "function-url" only): its AWS/Lambda metrics carry it as `FunctionName`. */
    readonly collectorFunctionName: pulumi.Output<string> | undefined;
    /** Regional domain name to point the custom domain's DNS alias at (custom domain only). */
    readonly customDomainTarget: pulumi.Output<string> | undefined;

    constructor(name: string, args: IngestEndpointArgs, opts?: pulumi.ComponentResourceOptions) {
        // Checked before super(): a bad argument registers nothing, not even the component.
        const cfg = resolveIngestArgs(args);
        super("clickstream:ingest:IngestEndpoint", name, {}, opts);
        const parent = { parent: this };
        const tags = args.tags;

        const env = awsEnvironment(this);

        // Log encryption key: CloudWatch Logs needs an explicit grant in the key policy.
        let logsKeyArn: pulumi.Input<string>;
        if (args.logsKmsKeyArn !== undefined) {
            logsKeyArn = args.logsKmsKeyArn;
        } else {
            const logsKey = new aws.kms.Key(`${name}-logs-key`, {
                description: `Encrypts the ${name} ingest API's log groups`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: env.apply((e) => JSON.stringify(logsKeyPolicy(e.accountId, e.region, e.partition))),
                tags,
            }, parent);
            logsKeyArn = logsKey.arn;
        }



        // The record target: FirehoseLake's stream, or a Kinesis stream of our own.
        let targetArn: pulumi.Input<string>;
        let targetName: pulumi.Input<string>;
        let targetKeyArn: pulumi.Input<string> | undefined;
        if (cfg.mode === "stream") {
            let streamKeyArn: pulumi.Input<string>;
            if (args.stream?.kmsKeyArn !== undefined) {
                streamKeyArn = args.stream.kmsKeyArn;
            } else {
                const streamKey = new aws.kms.Key(`${name}-stream-key`, {
                    description: `Encrypts the ${name} ingest Kinesis stream`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    tags,
                }, parent);
                streamKeyArn = streamKey.arn;
            }
            const shardCount = args.stream?.shardCount;
            const stream = new aws.kinesis.Stream(`${name}-stream`, {
                encryptionType: "KMS",
                kmsKeyId: streamKeyArn,
                retentionPeriod: args.stream?.retentionHours ?? MIN_STREAM_RETENTION_HOURS,
                streamModeDetails: { streamMode: shardCount === undefined ? "ON_DEMAND" : "PROVISIONED" },
                shardCount,
                tags,
            }, parent);
            this.streamName = stream.name;
            this.streamArn = stream.arn;
            this.streamKmsKeyArn = pulumi.output(streamKeyArn);
            targetArn = stream.arn;
            targetName = stream.name;
            targetKeyArn = streamKeyArn;
        } else {
            targetArn = args.deliveryStreamArn!;
            targetName = args.deliveryStreamName!;
            targetKeyArn = args.deliveryStreamKmsKeyArn;
        }

        if (cfg.api === "function-url") {
            // A Lambda collector behind a function URL: no API Gateway, no integration role, no access logs.
            const keys = this.writeKeys(name, cfg.apiKeyNames);
            const collector = createFunctionUrlCollector(this, name, {
                streamName: targetName,
                streamArn: targetArn,
                streamKmsKeyArn: targetKeyArn!,
                throttleRateLimit: cfg.throttleRateLimit,
                throttleBurstLimit: cfg.throttleBurstLimit,
                corsAllowedOrigins: cfg.corsAllowedOrigins,
                maxBatchEvents: cfg.maxBatchEvents,
                writeKeyHashes: cfg.requireApiKeys ? keys.hashes : undefined,
                logRetentionDays: cfg.logRetentionDays,
                logsKmsKeyArn: logsKeyArn,
                alarmActions: args.alarmTopicArn !== undefined ? [args.alarmTopicArn] : [],
                tags,
            });
            // The function URL ends in "/"; the routes start with one.
            this.url = collector.url.functionUrl.apply((u) => u.replace(/\/$/, ""));
            this.restApiId = collector.url.urlId;
            this.restApiName = collector.fn.name;
            this.apiType = "function-url";
            this.stageName = pulumi.output("");
            this.stageArn = collector.fn.arn;
            this.endpoints = this.url.apply(endpointUrls);
            this.apiKeyIds = pulumi.output(cfg.apiKeyNames);
            this.apiKeyValues = keys.values;
            this.accessLogGroupName = collector.logGroup.name;
            this.integrationRoleArn = collector.role.arn;
            this.collectorFunctionName = collector.fn.name;
            this.registerEndpointOutputs();
            return;
        }

        const accessLogs = new aws.cloudwatch.LogGroup(`${name}-access-logs`, {
            retentionInDays: cfg.logRetentionDays,
            kmsKeyId: logsKeyArn,
            // One line per request: the Infrequent Access class halves the ingestion price and still
            // answers Logs Insights queries (no metric filters or subscriptions are needed on it).
            logGroupClass: cfg.api === "http" ? "INFREQUENT_ACCESS" : undefined,
            tags,
        }, parent);

        const integrationRole = new aws.iam.Role(`${name}-integration-role`, {
            description: `API Gateway ${name}: put records into the ingest ${cfg.mode === "firehose" ? "delivery stream" : "Kinesis stream"}`,
            assumeRolePolicy: JSON.stringify(serviceAssumeRolePolicy("apigateway.amazonaws.com")),
            tags,
        }, parent);
        const integrationPolicy = new aws.iam.RolePolicy(`${name}-integration-policy`, {
            role: integrationRole.id,
            policy: pulumi.all([targetArn, targetKeyArn]).apply(([arn, key]) => JSON.stringify(integrationRolePolicy(cfg.mode, arn, key))),
        }, parent);

        if (cfg.api === "http") {
            // HTTP API: no usage plans, so the authorizer checks the keys; only their SHA-256 reaches it.
            const keys = this.writeKeys(name, cfg.apiKeyNames);
            const httpAuthorizer = cfg.requireApiKeys
                ? this.writeKeyAuthorizer(name, cfg.logRetentionDays, logsKeyArn, tags, "httpWriteKeyAuthorizer", { [ENV_WRITE_KEY_HASHES]: keys.hashes })
                : undefined;
            const http = createHttpIngestApi(this, name, {
                region: env.region,
                streamName: targetName,
                integrationRoleArn: integrationRole.arn,
                stageName: cfg.stageName,
                throttleRateLimit: cfg.throttleRateLimit,
                throttleBurstLimit: cfg.throttleBurstLimit,
                corsAllowedOrigins: cfg.corsAllowedOrigins,
                accessLogGroupArn: accessLogs.arn,
                authorizer: httpAuthorizer ? { invokeArn: httpAuthorizer.fn.invokeArn, functionName: httpAuthorizer.fn.name } : undefined,
                customDomain: args.customDomain,
                dependsOn: [integrationPolicy],
                tags,
            });
            this.restApiId = http.api.id;
            this.restApiName = http.api.name;
            this.apiType = "http";
            this.stageName = http.stage.name;
            this.stageArn = http.stage.arn;
            this.url = http.url;
            this.endpoints = http.url.apply(endpointUrls);
            this.apiKeyIds = pulumi.output(cfg.apiKeyNames);
            this.apiKeyValues = keys.values;
            this.accessLogGroupName = accessLogs.name;
            this.integrationRoleArn = integrationRole.arn;
            this.customDomainTarget = http.customDomainTarget;
            this.registerEndpointOutputs();
            return;
        }

        const authorizer = cfg.acceptSegmentWriteKey ? this.writeKeyAuthorizer(name, cfg.logRetentionDays, logsKeyArn, tags) : undefined;

        const body = pulumi
            .all([env, targetName, integrationRole.arn, authorizer?.fn.invokeArn])
            .apply(([e, streamName, roleArn, invokeArn]) => JSON.stringify(buildOpenApiDocument({
                title: `${name}-ingest`,
                region: e.region,
                mode: cfg.mode,
                targetStreamName: streamName,
                integrationRoleArn: roleArn,
                corsAllowedOrigins: cfg.corsAllowedOrigins,
                requireApiKey: cfg.requireApiKeys,
                writeKeyAuthorizer: invokeArn ? { invokeArn } : undefined,
                disableExecuteApiEndpoint: args.customDomain !== undefined,
                limits: { maxBatchEvents: cfg.maxBatchEvents },
            })));

        const api = new aws.apigateway.RestApi(`${name}-api`, {
            description: "Click-stream ingest (native batch + Segment-compatible routes)",
            body,
            apiKeySource: cfg.acceptSegmentWriteKey ? "AUTHORIZER" : "HEADER",
            endpointConfiguration: { types: "REGIONAL" },
            // Only when a custom domain (with its TLS 1.2 policy) serves the API; otherwise
            // execute-api is the endpoint, and it negotiates TLS 1.2+ itself.
            disableExecuteApiEndpoint: args.customDomain !== undefined,
            tags,
        }, { parent: this, dependsOn: [integrationPolicy] });

        if (authorizer) {
            new aws.lambda.Permission(`${name}-authorizer-invoke`, {
                action: "lambda:InvokeFunction",
                function: authorizer.fn.name,
                principal: "apigateway.amazonaws.com",
                sourceArn: pulumi.interpolate`${api.executionArn}/authorizers/*`,
            }, parent);
        }

        // API Gateway would create the execution log group itself, unencrypted and kept forever;
        // creating it first gives it our key and retention.
        const executionLogs = new aws.cloudwatch.LogGroup(`${name}-execution-logs`, {
            name: pulumi.interpolate`API-Gateway-Execution-Logs_${api.id}/${cfg.stageName}`,
            retentionInDays: cfg.logRetentionDays,
            kmsKeyId: logsKeyArn,
            tags,
        }, parent);

        const stageDeps: pulumi.Resource[] = [executionLogs];
        if (args.manageAccountLogging) {
            const loggingRole = new aws.iam.Role(`${name}-apigw-logging-role`, {
                description: "API Gateway account role: writes execution and access logs",
                assumeRolePolicy: JSON.stringify(serviceAssumeRolePolicy("apigateway.amazonaws.com")),
                tags,
            }, parent);
            const loggingPolicy = new aws.iam.RolePolicy(`${name}-apigw-logging-policy`, {
                role: loggingRole.id,
                policy: pulumi.all([env, accessLogs.arn]).apply(([e, lg]) => JSON.stringify(apiGatewayLoggingPolicy(e.accountId, e.region, lg, e.partition))),
            }, parent);
            stageDeps.push(new aws.apigateway.Account(`${name}-apigw-account`, { cloudwatchRoleArn: loggingRole.arn }, { parent: this, dependsOn: [loggingPolicy] }));
        }

        // Redeploy whenever the document changes: a Deployment is a snapshot of the API.
        const deployment = new aws.apigateway.Deployment(`${name}-deployment`, {
            restApi: api.id,
            description: "Snapshot of the ingest API; replaced when the OpenAPI body changes",
            triggers: { redeployment: body.apply((b) => createHash("sha256").update(b).digest("hex")) },
        }, parent);

        const stage = new aws.apigateway.Stage(`${name}-stage`, {
            restApi: api.id,
            deployment: deployment.id,
            stageName: cfg.stageName,
            accessLogSettings: { destinationArn: accessLogs.arn, format: accessLogFormat() },
            xrayTracingEnabled: false,
            tags,
        }, { parent: this, dependsOn: stageDeps });

        new aws.apigateway.MethodSettings(`${name}-method-settings`, {
            restApi: api.id,
            stageName: stage.stageName,
            methodPath: "*/*",
            settings: {
                metricsEnabled: true,
                // ERROR, not INFO: INFO and data tracing write request bodies (PII) to the execution log.
                loggingLevel: "ERROR",
                dataTraceEnabled: false,
                throttlingRateLimit: cfg.throttleRateLimit,
                throttlingBurstLimit: cfg.throttleBurstLimit,
                cachingEnabled: false,
            },
        }, parent);

        let apiKeys: aws.apigateway.ApiKey[] = [];
        if (cfg.requireApiKeys) {
            const plan = new aws.apigateway.UsagePlan(`${name}-usage-plan`, {
                description: "Ingest API keys: per-key throttling and quota",
                apiStages: [{ apiId: api.id, stage: stage.stageName }],
                throttleSettings: { rateLimit: cfg.throttleRateLimit, burstLimit: cfg.throttleBurstLimit },
                quotaSettings: args.apiKeyQuota ? { limit: args.apiKeyQuota.limit, period: args.apiKeyQuota.period } : undefined,
                tags,
            }, parent);
            apiKeys = cfg.apiKeyNames.map((keyName) => new aws.apigateway.ApiKey(`${name}-key-${keyName}`, {
                description: `Ingest key "${keyName}"${cfg.acceptSegmentWriteKey ? " (also its Segment write key)" : ""}`,
                enabled: true,
                tags,
            }, parent));
            apiKeys.forEach((key, i) => new aws.apigateway.UsagePlanKey(`${name}-key-${cfg.apiKeyNames[i]}-plan`, {
                keyId: key.id,
                keyType: "API_KEY",
                usagePlanId: plan.id,
            }, parent));
            this.usagePlanId = plan.id;
        }

        if (args.webAclArn !== undefined) {
            new aws.wafv2.WebAclAssociation(`${name}-waf`, { resourceArn: stage.arn, webAclArn: args.webAclArn }, parent);
        }

        let baseUrl: pulumi.Output<string> = stage.invokeUrl;
        if (args.customDomain !== undefined) {
            const domain = new aws.apigateway.DomainName(`${name}-domain`, {
                domainName: args.customDomain.domainName,
                regionalCertificateArn: args.customDomain.certificateArn,
                endpointConfiguration: { types: "REGIONAL" },
                securityPolicy: "TLS_1_2",
                tags,
            }, parent);
            new aws.apigateway.BasePathMapping(`${name}-base-path`, {
                restApi: api.id,
                stageName: stage.stageName,
                domainName: domain.domainName,
                basePath: args.customDomain.basePath,
            }, parent);
            const basePath = args.customDomain.basePath ? `/${args.customDomain.basePath}` : "";
            baseUrl = pulumi.output(`https://${args.customDomain.domainName}${basePath}`);
            this.customDomainTarget = domain.regionalDomainName;
        }

        this.restApiId = api.id;
        this.restApiName = api.name;
        this.apiType = "rest";
        this.stageName = stage.stageName;
        this.stageArn = stage.arn;
        this.url = baseUrl;
        this.endpoints = baseUrl.apply(endpointUrls);
        this.apiKeyIds = pulumi.all(apiKeys.map((k) => k.id));
        this.apiKeyValues = pulumi.secret(pulumi.all(apiKeys.map((k) => k.value)));
        this.accessLogGroupName = accessLogs.name;
        this.integrationRoleArn = integrationRole.arn;

        this.registerEndpointOutputs();
    }

    private registerEndpointOutputs(): void {
        this.registerOutputs({
            restApiId: this.restApiId,
            restApiName: this.restApiName,
            stageName: this.stageName,
            url: this.url,
            endpoints: this.endpoints,
            streamName: this.streamName,
            streamArn: this.streamArn,
            streamKmsKeyArn: this.streamKmsKeyArn,
            apiKeyIds: this.apiKeyIds,
            apiKeyValues: this.apiKeyValues,
            usagePlanId: this.usagePlanId,
            accessLogGroupName: this.accessLogGroupName,
            integrationRoleArn: this.integrationRoleArn,
            stageArn: this.stageArn,
            customDomainTarget: this.customDomainTarget,
            collectorFunctionName: this.collectorFunctionName,
        });
    }

    /**
     * Write keys judged by our own code (HTTP API authorizer, function URL collector): random values,
     * and the SHA-256 -> key name table the code gets (never the keys themselves).
     */
    private writeKeys(name: string, keyNames: string[]): { hashes: pulumi.Output<string>; values: pulumi.Output<string[]> } {
        const keys = keyNames.map((keyName) => new random.RandomPassword(`${name}-key-${keyName}`, { length: 40, special: false }, { parent: this }));
        const hashes = pulumi.all(keys.map((k) => k.result)).apply((values) => JSON.stringify(Object.fromEntries(values.map((v, i) => [writeKeyHash(v ?? ""), keyNames[i]]))));
        return { hashes, values: pulumi.secret(pulumi.all(keys.map((k) => k.result))) };
    }

    /** The write-key REQUEST authorizer: its function, role and encrypted log group. */
    private writeKeyAuthorizer(name: string, retentionDays: number, logsKeyArn: pulumi.Input<string>, tags: Record<string, string> | undefined,
        handler = "writeKeyAuthorizer", variables?: Record<string, pulumi.Input<string>>) {
        const parent = { parent: this };
        const logGroup = new aws.cloudwatch.LogGroup(`${name}-authorizer-logs`, { retentionInDays: retentionDays, kmsKeyId: logsKeyArn, tags }, parent);
        const role = new aws.iam.Role(`${name}-authorizer-role`, {
            description: `Write-key authorizer of ${name}: writes its own logs only`,
            assumeRolePolicy: JSON.stringify(serviceAssumeRolePolicy("lambda.amazonaws.com")),
            tags,
        }, parent);
        const policy = new aws.iam.RolePolicy(`${name}-authorizer-policy`, {
            role: role.id,
            policy: logGroup.arn.apply((arn) => JSON.stringify(authorizerRolePolicy(arn))),
        }, parent);
        const fn = new aws.lambda.Function(`${name}-authorizer`, {
            description: handler === "writeKeyAuthorizer" ? "Segment write key (Basic auth) -> API Gateway usage-plan key" : "Write key (Basic or Bearer) checked against the keys' SHA-256",
            runtime: LAMBDA_RUNTIME,
            architectures: ["arm64"],
            handler: "index.handler",
            code: handlerArchive(handler),
            environment: variables ? { variables } : undefined,
            role: role.arn,
            memorySize: 128,
            timeout: 5,
            loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
            tags,
        }, { parent: this, dependsOn: [policy] });
        return { fn, logGroup };
    }
}
