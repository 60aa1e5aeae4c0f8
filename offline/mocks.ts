/**
 * Mock provider behaviour: the ids, ARNs and computed attributes AWS would return. Resource inputs
 * are echoed back as state, so policies and outputs see what the program asked for; only attributes
 * AWS computes are invented here, in a shape close enough to the real ones for ARN-building code.
 */
import type * as pulumi from "@pulumi/pulumi";

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_REGION = "us-east-1";

/** `aws:s3/bucket:Bucket` -> "s3"; `aws:iam/role:Role` -> "iam". */
function serviceOf(type: string): string {
    const [, mod] = type.split(":");
    return (mod ?? "resource").split("/")[0];
}

/** A physical name the way Pulumi auto-names: logical name plus a random-looking suffix. */
function physicalName(name: string): string {
    return `${name}-${stableSuffix(name)}`;
}

function stableSuffix(text: string): string {
    let h = 2166136261;
    for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    return h.toString(16).padStart(8, "0").slice(0, 7);
}

/** Computed attributes per resource type, beyond `id`, `arn` and `name`. */
function computedState(type: string, name: string, inputs: Record<string, any>, id: string): Record<string, any> {
    const region = MOCK_REGION;
    const account = MOCK_ACCOUNT_ID;
    switch (type) {
        case "aws:s3/bucket:Bucket": {
            const bucket = inputs.bucket ?? physicalName(name);
            return { bucket, arn: `arn:aws:s3:::${bucket}`, bucketDomainName: `${bucket}.s3.amazonaws.com`, bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com` };
        }
        case "aws:kms/key:Key":
            return { keyId: id, arn: `arn:aws:kms:${region}:${account}:key/${id}` };
        case "aws:kms/alias:Alias":
            return { arn: `arn:aws:kms:${region}:${account}:${inputs.name ?? `alias/${name}`}` };
        case "aws:iam/role:Role":
        case "aws:iam/policy:Policy":
            return { arn: `arn:aws:iam::${account}:${type.endsWith("Role") ? "role" : "policy"}/${inputs.name ?? physicalName(name)}`, uniqueId: `AROA${stableSuffix(name).toUpperCase()}` };
        case "aws:lambda/function:Function": {
            const fn = inputs.name ?? physicalName(name);
            return { arn: `arn:aws:lambda:${region}:${account}:function:${fn}`, invokeArn: `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:${account}:function:${fn}/invocations`, qualifiedArn: `arn:aws:lambda:${region}:${account}:function:${fn}:$LATEST`, version: "$LATEST" };
        }
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-password-${stableSuffix(name)}-${"x".repeat(24)}` };
        case "aws:lambda/functionUrl:FunctionUrl":
            return { functionUrl: `https://${stableSuffix(name)}.lambda-url.${region}.on.aws/`, urlId: stableSuffix(name) };
        case "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream":
            return { arn: `arn:aws:firehose:${region}:${account}:deliverystream/${inputs.name ?? physicalName(name)}` };
        case "aws:kinesis/stream:Stream":
            return { arn: `arn:aws:kinesis:${region}:${account}:stream/${inputs.name ?? physicalName(name)}` };
        case "aws:glue/catalogDatabase:CatalogDatabase":
            return { arn: `arn:aws:glue:${region}:${account}:database/${inputs.name ?? physicalName(name)}` };
        case "aws:glue/catalogTable:CatalogTable":
            return { arn: `arn:aws:glue:${region}:${account}:table/${inputs.databaseName}/${inputs.name ?? physicalName(name)}` };
        case "aws:athena/workgroup:Workgroup":
            return { arn: `arn:aws:athena:${region}:${account}:workgroup/${inputs.name ?? physicalName(name)}` };
        case "aws:cloudwatch/logGroup:LogGroup":
            return { arn: `arn:aws:logs:${region}:${account}:log-group:${inputs.name ?? physicalName(name)}` };
        case "aws:sns/topic:Topic":
            return { arn: `arn:aws:sns:${region}:${account}:${inputs.name ?? physicalName(name)}` };
        case "aws:sqs/queue:Queue": {
            const q = inputs.name ?? physicalName(name);
            return { arn: `arn:aws:sqs:${region}:${account}:${q}`, url: `https://sqs.${region}.amazonaws.com/${account}/${q}` };
        }
        case "aws:dynamodb/table:Table":
            return { arn: `arn:aws:dynamodb:${region}:${account}:table/${inputs.name ?? physicalName(name)}`, streamArn: undefined };
        case "aws:apigateway/restApi:RestApi":
            return { rootResourceId: `${id}-root`, executionArn: `arn:aws:execute-api:${region}:${account}:${id}`, arn: `arn:aws:apigateway:${region}::/restapis/${id}` };
        case "aws:apigateway/stage:Stage":
            return { invokeUrl: `https://${inputs.restApi ?? "api"}.execute-api.${region}.amazonaws.com/${inputs.stageName}`, executionArn: `arn:aws:execute-api:${region}:${account}:${inputs.restApi}/${inputs.stageName}`, arn: `arn:aws:apigateway:${region}::/restapis/${inputs.restApi}/stages/${inputs.stageName}` };
        case "aws:apigateway/apiKey:ApiKey":
            return { value: `mock-api-key-${stableSuffix(name)}`, arn: `arn:aws:apigateway:${region}::/apikeys/${id}` };
        case "aws:ssm/parameter:Parameter":
            return { arn: `arn:aws:ssm:${region}:${account}:parameter/${String(inputs.name ?? physicalName(name)).replace(/^\//, "")}` };
        case "aws:secretsmanager/secret:Secret":
            return { arn: `arn:aws:secretsmanager:${region}:${account}:secret:${inputs.name ?? physicalName(name)}-AbCdEf` };
        case "aws:cloudwatch/metricAlarm:MetricAlarm":
            return { arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${inputs.name ?? physicalName(name)}` };
        case "aws:sfn/stateMachine:StateMachine":
            return { arn: `arn:aws:states:${region}:${account}:stateMachine:${inputs.name ?? physicalName(name)}` };
        case "aws:cloudtrail/trail:Trail":
            return { arn: `arn:aws:cloudtrail:${region}:${account}:trail/${inputs.name ?? physicalName(name)}` };
        case "aws:wafv2/webAcl:WebAcl":
            return { arn: `arn:aws:wafv2:${region}:${account}:regional/webacl/${inputs.name ?? physicalName(name)}/${id}` };
        default:
            return { arn: `arn:aws:${serviceOf(type)}:${region}:${account}:${name}/${id}` };
    }
}

/** Return values for provider functions (invokes) that programs commonly call. */
export function mockCall(args: pulumi.runtime.MockCallArgs): Record<string, any> {
    switch (args.token) {
        case "aws:index/getCallerIdentity:getCallerIdentity":
            return { accountId: MOCK_ACCOUNT_ID, arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`, userId: "AIDAMOCK", id: MOCK_ACCOUNT_ID };
        case "aws:index/getRegion:getRegion":
            return { name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION, endpoint: `ec2.${MOCK_REGION}.amazonaws.com` };
        case "aws:index/getPartition:getPartition":
            return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
        case "aws:iam/getPolicyDocument:getPolicyDocument":
            return { json: JSON.stringify({ Version: "2012-10-17", Statement: args.inputs.statements ?? [] }) };
        default:
            return args.inputs;
    }
}

/** The mock provider's answer for a new resource: an id and its state (inputs plus computed attributes). */
export function mockResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, any> } {
    // AWS uses a bucket's name as its id; most other named resources are addressed by name too.
    const explicit = args.type === "aws:s3/bucket:Bucket" ? args.inputs?.bucket : args.inputs?.name;
    const id = typeof explicit === "string" && explicit !== "" ? explicit : physicalName(args.name);
    const computed = args.custom === false ? {} : computedState(args.type, args.name, args.inputs ?? {}, id);
    return { id: `${id}`, state: { name: physicalName(args.name), ...args.inputs, ...computed } };
}
