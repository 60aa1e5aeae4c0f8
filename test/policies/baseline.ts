/**
 * A compliant baseline: a small click-stream stack built from plain @pulumi/aws resources (and
 * LakeFormationGrants) that passes every policy. Each policy test runs it once under mocks, mutates
 * a copy of the captured resources and checks the policy notices.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AccessAudit } from "../../components/audit";
import { LakeFormationGrants } from "../../components/governance";
import { icebergOpenTableFormatInput } from "../../components/lake/icebergTable";
import { EVENT_COLUMNS, PARTITION_KEYS } from "../../dataplane/schema";
import { CapturedResource, RunResult, runUnderMocks } from "../../offline/runUnderMocks";
import { evaluatePolicies, HarnessOptions, Violation } from "../../offline/policyHarness";

export const ANALYST_ROLE = "arn:aws:iam::123456789012:role/clickstream-analyst";
export const ENGINEER_ROLE = "arn:aws:iam::123456789012:role/clickstream-engineer";
export const ADMIN_ROLE = "arn:aws:iam::123456789012:role/clickstream-deployer";

function secureBucket(name: string, key: aws.kms.Key, tags: Record<string, string> = {}) {
    const bucket = new aws.s3.Bucket(name, { tags });
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-sse`, {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }],
    });
    new aws.s3.BucketPublicAccessBlock(`${name}-pab`, { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    new aws.s3.BucketPolicy(`${name}-policy`, {
        bucket: bucket.id,
        policy: bucket.arn.apply((arn) =>
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [arn, `${arn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
            }),
        ),
    });
    return bucket;
}

export const OPENAPI_BODY = {
    openapi: "3.0.1",
    info: { title: "ingest", version: "1" },
    "x-amazon-apigateway-api-key-source": "HEADER",
    components: { securitySchemes: { api_key: { type: "apiKey", name: "x-api-key", in: "header" } } },
    paths: {
        "/v1/batch": { post: { security: [{ api_key: [] }], "x-amazon-apigateway-integration": { type: "aws", httpMethod: "POST" } } },
        "/health": { get: {} },
    },
};

export function compliantProgram(): Record<string, unknown> {
    const key = new aws.kms.Key("key", { enableKeyRotation: true, description: "lake" });
    const lake = secureBucket("lake", key, { "clickstream:data-class": "lake" });
    const raw = secureBucket("raw", key, { "clickstream:data-class": "raw" });
    new aws.s3.BucketVersioning("raw-versioning", { bucket: raw.id, versioningConfiguration: { status: "Enabled" } });
    new aws.s3.BucketLifecycleConfiguration("raw-lifecycle", {
        bucket: raw.id,
        rules: [{ id: "expire-raw", status: "Enabled", filter: {}, expiration: { days: 7 }, noncurrentVersionExpiration: { noncurrentDays: 1 } }],
    });

    // Who reads the two PII buckets: CloudTrail data events into an encrypted, validated, expiring log bucket.
    new AccessAudit("pii-reads", { bucketArns: [lake.arn, raw.arn], retentionDays: 365 });

    const role = new aws.iam.Role("firehose-role", {
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "firehose.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    });
    new aws.iam.RolePolicy("firehose-role-policy", {
        role: role.id,
        policy: pulumi.all([lake.arn, key.arn]).apply(([lakeArn, keyArn]) =>
            JSON.stringify({
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["s3:PutObject", "s3:GetBucketLocation"], Resource: [lakeArn, `${lakeArn}/*`] },
                    { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: keyArn },
                    { Effect: "Allow", Action: ["lakeformation:GetDataAccess"], Resource: "*" },
                ],
            }),
        ),
    });
    const logs = new aws.cloudwatch.LogGroup("transform-logs", { retentionInDays: 30, kmsKeyId: key.arn });
    const transform = new aws.lambda.Function("transform", {
        role: role.arn,
        runtime: "nodejs20.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ records: [] });") }),
        environment: { variables: { CLICKSTREAM_PII_SECRET_PARAMETER: "/clickstream/pii-key" } },
        loggingConfig: { logFormat: "JSON", logGroup: logs.name },
    });

    const db = new aws.glue.CatalogDatabase("db", { name: "clickstream" });
    const table = new aws.glue.CatalogTable("events", {
        databaseName: db.name,
        name: "events",
        tableType: "EXTERNAL_TABLE",
        storageDescriptor: { location: pulumi.interpolate`s3://${lake.bucket}/events/`, columns: EVENT_COLUMNS.map((c) => ({ name: c.name, type: c.type })) },
        partitionKeys: PARTITION_KEYS.map((c) => ({ name: c.name, type: c.type })),
    });
    // An Iceberg table (as FirehoseLake's tableFormat "iceberg" creates it), maintained by Glue's optimizers.
    const icebergTable = new aws.glue.CatalogTable("events-iceberg", {
        databaseName: db.name,
        name: "events_iceberg",
        openTableFormatInput: lake.bucket.apply((b) => icebergOpenTableFormatInput(b, { snapshotRetentionDays: 3, snapshotsToRetain: 1 }, "events_iceberg/")),
    });
    const optimizerConfig = {
        compaction: {},
        retention: { retentionConfiguration: { icebergConfiguration: { snapshotRetentionPeriodInDays: 3, cleanExpiredFiles: true } } },
        orphan_file_deletion: {},
    };
    for (const [type, extra] of Object.entries(optimizerConfig)) {
        new aws.glue.CatalogTableOptimizer(`events-iceberg-${type}`, {
            catalogId: "123456789012", databaseName: db.name, tableName: icebergTable.name, type, configuration: { enabled: true, roleArn: role.arn, ...extra },
        });
    }
    new aws.glue.DataCatalogEncryptionSettings("catalog-encryption", {
        dataCatalogEncryptionSettings: {
            encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: key.arn },
            connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: key.arn },
        },
    });

    new aws.kinesis.FirehoseDeliveryStream("events", {
        destination: "extended_s3",
        serverSideEncryption: { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: key.arn },
        extendedS3Configuration: {
            roleArn: role.arn,
            bucketArn: lake.arn,
            kmsKeyArn: key.arn,
            bufferingSize: 64,
            processingConfiguration: {
                enabled: true,
                processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: pulumi.interpolate`${transform.arn}:$LATEST` }] }],
            },
            s3BackupMode: "Enabled",
            s3BackupConfiguration: { roleArn: role.arn, bucketArn: raw.arn, kmsKeyArn: key.arn },
        },
    });
    new aws.kinesis.Stream("stream", { streamModeDetails: { streamMode: "ON_DEMAND" }, encryptionType: "KMS", kmsKeyId: key.arn });
    new aws.sns.Topic("alerts", { kmsMasterKeyId: key.arn });
    new aws.sqs.Queue("dlq", { kmsMasterKeyId: key.arn });
    new aws.dynamodb.Table("anomalies", { hashKey: "pk", attributes: [{ name: "pk", type: "S" }], billingMode: "PAY_PER_REQUEST", serverSideEncryption: { enabled: true, kmsKeyArn: key.arn } });
    new aws.athena.Workgroup("analysts", {
        configuration: {
            enforceWorkgroupConfiguration: true,
            resultConfiguration: { outputLocation: pulumi.interpolate`s3://${lake.bucket}/athena/`, encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: key.arn } },
        },
    });

    const api = new aws.apigateway.RestApi("ingest", { body: JSON.stringify(OPENAPI_BODY), apiKeySource: "HEADER" });
    const deployment = new aws.apigateway.Deployment("ingest-deployment", { restApi: api.id });
    const accessLogs = new aws.cloudwatch.LogGroup("ingest-access-logs", { retentionInDays: 30, kmsKeyId: key.arn });
    const stage = new aws.apigateway.Stage("ingest-stage", {
        restApi: api.id,
        deployment: deployment.id,
        stageName: "v1",
        accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify({ requestId: "$context.requestId", status: "$context.status", path: "$context.resourcePath" }) },
    });
    new aws.apigateway.MethodSettings("ingest-settings", { restApi: api.id, stageName: stage.stageName, methodPath: "*/*", settings: { loggingLevel: "ERROR", dataTraceEnabled: false, metricsEnabled: true } });
    // The HTTP API variant of the ingest (IngestEndpoint api: "http").
    const httpApi = new aws.apigatewayv2.Api("ingest-http", { protocolType: "HTTP" });
    new aws.apigatewayv2.Route("ingest-http-batch", { apiId: httpApi.id, routeKey: "POST /v1/batch", authorizationType: "CUSTOM", authorizerId: "authz1" });
    new aws.apigatewayv2.Stage("ingest-http-stage", {
        apiId: httpApi.id,
        name: "live",
        accessLogSettings: { destinationArn: accessLogs.arn, format: JSON.stringify({ id: "$context.requestId", status: "$context.status", route: "$context.routeKey" }) },
        defaultRouteSettings: { throttlingRateLimit: 100, throttlingBurstLimit: 200 },
    });
    new aws.apigatewayv2.DomainName("ingest-http-domain", { domainName: "collect.example.com", domainNameConfiguration: { certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" } });
    // The function URL variant of the ingest (IngestEndpoint api: "function-url").
    const collectorLogs = new aws.cloudwatch.LogGroup("collector-logs", { retentionInDays: 30, kmsKeyId: key.arn });
    const collector = new aws.lambda.Function("collector", {
        role: role.arn,
        runtime: "nodejs22.x",
        handler: "index.handler",
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset("exports.handler = async () => ({ statusCode: 200 });") }),
        environment: { variables: { CLICKSTREAM_AUTH: "write-keys" } },
        reservedConcurrentExecutions: 20,
        loggingConfig: { logFormat: "JSON", logGroup: collectorLogs.name, systemLogLevel: "WARN", applicationLogLevel: "WARN" },
    });
    new aws.lambda.FunctionUrl("collector-url", {
        functionName: collector.name,
        authorizationType: "NONE",
        cors: { allowOrigins: ["https://www.example.com"], allowMethods: ["POST"], allowCredentials: false },
    });
    new aws.lambda.Permission("collector-url-invoke", { action: "lambda:InvokeFunctionUrl", function: collector.name, principal: "*", functionUrlAuthType: "NONE" });
    new aws.lambda.Permission("collector-url-invoke-function", { action: "lambda:InvokeFunction", function: collector.name, principal: "*", invokedViaFunctionUrl: true });
    new aws.apigateway.DomainName("ingest-domain", { domainName: "ingest.example.com", regionalCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/abc", securityPolicy: "TLS_1_2", endpointConfiguration: { types: "REGIONAL" } });

    new LakeFormationGrants("lake-grants", {
        databaseName: db.name,
        tableNames: [table.name, icebergTable.name],
        lakeBucketArn: lake.arn,
        admins: [ADMIN_ROLE],
        analystPrincipals: [ANALYST_ROLE],
        engineerPrincipals: [ENGINEER_ROLE],
        writerPrincipals: [role.arn],
        columnGrants: [{ principal: ANALYST_ROLE, tableName: "events" }],
    });
    return { lakeBucket: lake.bucket };
}

let cached: Promise<RunResult> | undefined;

/** The baseline captured under mocks as stack "prod" (so stack-name-scoped policies apply); run once. */
export function baseline(): Promise<RunResult> {
    cached ??= runUnderMocks({ program: compliantProgram, stack: "prod", project: "clickstream" });
    return cached;
}

/** Copies arrays and plain objects; keeps anything else (assets, archives) by reference. */
export function deepCopy<T>(value: T): T {
    if (Array.isArray(value)) return value.map(deepCopy) as T;
    if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, deepCopy(v)])) as T;
    }
    return value;
}

/** A deep copy of the baseline resources, so each test mutates its own. */
export async function baselineResources(): Promise<CapturedResource[]> {
    return deepCopy((await baseline()).resources);
}

/**
 * Changes a resource's inputs (and its state, which echoes the inputs under mocks). `change` gets
 * the inputs and returns the new inputs; fields it deletes disappear from the state too.
 */
export function mutate(resources: CapturedResource[], type: string, name: string, change: (inputs: Record<string, any>) => Record<string, any>): CapturedResource[] {
    const r = resources.find((c) => c.type === type && c.name === name);
    if (!r) throw new Error(`No ${type}::${name} in the baseline`);
    const before = r.inputs;
    r.inputs = change(deepCopy(before));
    for (const k of Object.keys(before)) if (!(k in r.inputs)) delete r.state[k];
    Object.assign(r.state, r.inputs);
    return resources;
}

/** Removes resources (e.g. a bucket's companion) from a captured set. */
export function without(resources: CapturedResource[], type: string, name: string): CapturedResource[] {
    const out = resources.filter((c) => !(c.type === type && c.name === name));
    if (out.length === resources.length) throw new Error(`No ${type}::${name} in the baseline`);
    return out;
}

/** Violations of one policy. */
export async function violationsOf(policy: string, resources: CapturedResource[], opts: HarnessOptions = {}): Promise<Violation[]> {
    return (await evaluatePolicies(resources, opts)).filter((v) => v.policy === policy);
}
