/**
 * The access matrix: who may do what in a shipped stack, evaluated by an IAM policy simulator over
 * the stack's own identity policies, bucket policies, key policies, topic policies and Lambda
 * function policies. Each row names the AWS documentation that says the integration needs it (or
 * why it must be refused). accessMatrix.test.ts asserts every row on dev and prod and checks that
 * docs/access-matrix.md is exactly `renderAccessMatrix` of the same rows and results.
 */
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { simulate, type AccessRequest, type Decision } from "./simulate";
import { StackIam, type RoleIam } from "./stackIam";

const OTHER_ACCOUNT = "999999999999";
const ANALYST = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/clickstream-analyst`;
const ADMIN = `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/clickstream-admin`;
const INTRUDER = `arn:aws:iam::${OTHER_ACCOUNT}:role/intruder`;
const via = (service: string) => ({ "kms:ViaService": `${service}.${MOCK_REGION}.amazonaws.com` });

/** A principal whose IAM policy allows `action` on everything: what a resource policy alone must stop. */
function broadIdentity(arn: string, actions: string[]): RoleIam {
    return { arn, policies: [{ name: "assumed-broad-iam-policy", policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: actions, Resource: "*" }] } }] };
}

export interface MatrixRow {
    /** Who asks, as the table shows it. */
    who: string;
    /** What it does, in words. */
    what: string;
    actions: string[];
    /** Resource, as the table shows it. */
    on: string;
    expected: Decision;
    /** Why: the AWS documentation the expectation comes from. */
    source: string;
    /** The requests (each made with every action), or undefined when the row does not apply to the stack (e.g. no admins in dev). */
    requests: (iam: StackIam) => Omit<AccessRequest, "action">[] | undefined;
    /** Request i is made with action i only (a queue and its key), instead of every action on every resource. */
    pairwise?: boolean;
    /** The ingest mode the row belongs to. Defaults to both (the lake, its audit and its buckets exist in either mode). */
    mode?: "stream" | "firehose";
}

/** A role of the stack acting through an assumed-role session, as AWS services do. */
function asRole(iam: StackIam, role: RoleIam, resource: string, context: Record<string, string | string[]> = {}): Omit<AccessRequest, "action"> {
    const session = role.arn.replace(":iam::", ":sts::").replace(":role/", ":assumed-role/") + "/session";
    const account = role.arn.split(":")[4];
    return {
        principal: session,
        resource,
        resourceAccount: resourceAccount(resource),
        context: { "aws:SecureTransport": "true", "aws:PrincipalArn": role.arn, "aws:PrincipalAccount": account, ...context },
        identityPolicies: role.policies,
        resourcePolicy: iam.resourcePolicyFor(resource),
    };
}

/** An AWS service principal acting on its own (no role): only resource policies can let it in. */
function asService(iam: StackIam, service: string, resource: string, context: Record<string, string | string[]>): Omit<AccessRequest, "action"> {
    return { principal: service, resource, resourceAccount: resourceAccount(resource), context: { "aws:SecureTransport": "true", ...context }, identityPolicies: [], resourcePolicy: iam.resourcePolicyFor(resource) };
}

function resourceAccount(arn: string): string {
    return arn.startsWith("arn:aws:s3:::") ? MOCK_ACCOUNT_ID : arn.split(":")[4];
}

const S3 = "aws:s3/bucket:Bucket";
const KEY = "aws:kms/key:Key";
const stream = (iam: StackIam) => iam.arn("aws:kinesis/stream:Stream", "ingest-stream");
const streamKey = (iam: StackIam) => iam.arn(KEY, "ingest-stream-key");
const lakeObject = (iam: StackIam) => `${iam.arn(S3, "lake-lake")}/events/dt=2026-11-30/hour=08/part-0001.parquet`;
const rawObject = (iam: StackIam) => `${iam.arn(S3, "lake-raw")}/raw/dt=2026-11-30/hour=08/part-0001.gz`;
const alarmArn = (iam: StackIam) => iam.arn("aws:cloudwatch/metricAlarm:MetricAlarm", "alerts-events_per_minute_count");
const firehose = (iam: StackIam) => iam.role("lake-firehose-role");
const trailArn = (iam: StackIam) => iam.arn("aws:cloudtrail/trail:Trail", "lake-access-audit-trail");

const FIREHOSE_ACCESS = "https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html";
const KINESIS_KMS = "https://docs.aws.amazon.com/streams/latest/dev/permissions-user-key-KMS.html";
const LAMBDA_KINESIS = "https://docs.aws.amazon.com/lambda/latest/dg/with-kinesis.html";
const SQS_SSE = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html";
const SNS_SSE = "https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html";
const S3_DENY = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html";

export const MATRIX: MatrixRow[] = [
    {
        who: "Firehose role (lake)", mode: "stream", what: "reads the ingest stream", on: "Kinesis stream",
        actions: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
        expected: "Allowed", source: `${FIREHOSE_ACCESS}#using-iam-kinesis-streams`,
        requests: (iam) => [asRole(iam, firehose(iam), stream(iam))],
    },
    {
        who: "Firehose role (lake)", mode: "stream", what: "decrypts the stream's records through Kinesis", on: "stream key",
        actions: ["kms:Decrypt"], expected: "Allowed", source: `${FIREHOSE_ACCESS}#using-iam-kinesis-streams`,
        requests: (iam) => [asRole(iam, firehose(iam), streamKey(iam), via("kinesis"))],
    },
    {
        who: "Firehose role (lake)", what: "invokes the transform", on: "transform function ($LATEST)",
        actions: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"], expected: "Allowed", source: `${FIREHOSE_ACCESS}#using-iam-s3`,
        requests: (iam) => [asRole(iam, firehose(iam), `${iam.arn("aws:lambda/function:Function", "lake-transform")}:$LATEST`)],
    },
    {
        who: "Firehose role (lake)", what: "reads the Glue table schema (Parquet conversion)", on: "Glue table",
        actions: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"], expected: "Allowed", source: `${FIREHOSE_ACCESS}#using-iam-s3`,
        requests: (iam) => [asRole(iam, firehose(iam), iam.arn("aws:glue/catalogTable:CatalogTable", "lake-table"))],
    },
    {
        who: "Firehose role (lake)", what: "decrypts the encrypted Data Catalog through Glue", on: "lake key",
        actions: ["kms:Decrypt"], expected: "Allowed", source: "https://docs.aws.amazon.com/glue/latest/dg/encrypt-glue-data-catalog.html",
        requests: (iam) => [asRole(iam, firehose(iam), iam.arn(KEY, "lake-key"), via("glue"))],
    },
    {
        who: "Firehose role (lake)", what: "writes Parquet and raw backup objects over TLS", on: "lake and raw objects",
        actions: ["s3:PutObject", "s3:AbortMultipartUpload"], expected: "Allowed", source: `${FIREHOSE_ACCESS}#using-iam-s3`,
        requests: (iam) => [asRole(iam, firehose(iam), lakeObject(iam)), asRole(iam, firehose(iam), rawObject(iam))],
    },
    {
        who: "Firehose role (lake)", what: "encrypts them with SSE-KMS and an S3 Bucket Key (context = bucket ARN)", on: "lake key",
        actions: ["kms:GenerateDataKey", "kms:Decrypt"], expected: "Allowed", source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html",
        requests: (iam) => ["lake-lake", "lake-raw"].map((b) => asRole(iam, firehose(iam), iam.arn(KEY, "lake-key"), { ...via("s3"), "kms:EncryptionContext:aws:s3:arn": iam.arn(S3, b) })),
    },
    {
        who: "Ingest collector role (function URL)", mode: "stream", what: "puts records into the stream", on: "Kinesis stream",
        actions: ["kinesis:PutRecords"], expected: "Allowed", source: "https://docs.aws.amazon.com/streams/latest/dev/controlling-access.html",
        requests: (iam) => [asRole(iam, iam.role("ingest-collector-role"), stream(iam))],
    },
    {
        who: "Ingest collector role (function URL)", mode: "stream", what: "generates data keys under the stream's key", on: "stream key",
        actions: ["kms:GenerateDataKey"], expected: "Allowed", source: KINESIS_KMS,
        requests: (iam) => [asRole(iam, iam.role("ingest-collector-role"), streamKey(iam))],
    },
    {
        who: "Ingest collector role (function URL)", mode: "stream", what: "reads the stream back", on: "Kinesis stream",
        actions: ["kinesis:GetRecords", "kinesis:GetShardIterator"], expected: "ImplicitlyDenied", source: "least privilege: the collector only writes",
        requests: (iam) => [asRole(iam, iam.role("ingest-collector-role"), stream(iam))],
    },
    {
        who: "API Gateway integration role", mode: "firehose", what: "puts records into the delivery stream (firehose mode)", on: "Firehose delivery stream",
        actions: ["firehose:PutRecord", "firehose:PutRecordBatch"], expected: "Allowed", source: "https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-kinesis.html; https://docs.aws.amazon.com/firehose/latest/dev/controlling-access.html#access-to-firehose",
        requests: (iam) => [asRole(iam, iam.role("ingest-integration-role"), iam.arn("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "lake-delivery"))],
    },
    {
        who: "Window function role", mode: "stream", what: "event source mapping reads the stream", on: "Kinesis stream",
        actions: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
        expected: "Allowed", source: `${LAMBDA_KINESIS}#events-kinesis-permissions`,
        requests: (iam) => [asRole(iam, iam.role("analytics-window-role"), stream(iam))],
    },
    {
        who: "Window function role", mode: "stream", what: "decrypts the stream's records through Kinesis", on: "stream key",
        actions: ["kms:Decrypt"], expected: "Allowed", source: KINESIS_KMS,
        requests: (iam) => [asRole(iam, iam.role("analytics-window-role"), streamKey(iam), via("kinesis"))],
    },
    {
        who: "Window function role", mode: "stream", what: "on-failure destination: sends a failed batch to its encrypted DLQ", on: "analytics DLQ, lake key",
        actions: ["sqs:SendMessage", "kms:GenerateDataKey"], expected: "Allowed", source: `${LAMBDA_KINESIS}#services-kinesis-errors; ${SQS_SSE}`,
        requests: (iam) => {
            const role = iam.role("analytics-window-role");
            return [asRole(iam, role, iam.arn("aws:sqs/queue:Queue", "analytics-dlq")), asRole(iam, role, iam.arn(KEY, "lake-key"), via("sqs"))];
        },
        pairwise: true,
    },
    {
        who: "Alert function role", mode: "stream", what: "dead-letters a failed alarm event to its encrypted DLQ", on: "alert DLQ, alerts key",
        actions: ["sqs:SendMessage", "kms:GenerateDataKey"], expected: "Allowed", source: `https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html; ${SQS_SSE}`,
        requests: (iam) => {
            const role = iam.role("alerts-alert-role");
            return [asRole(iam, role, iam.arn("aws:sqs/queue:Queue", "alerts-alert-dlq")), asRole(iam, role, iam.arn(KEY, "alerts-key"), via("sqs"))];
        },
        pairwise: true,
    },
    {
        who: "Alert function role", mode: "stream", what: "records anomalies", on: "DynamoDB anomalies table",
        actions: ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:GetItem"], expected: "Allowed", source: "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/using-identity-based-policies.html",
        requests: (iam) => [asRole(iam, iam.role("alerts-alert-role"), iam.arn("aws:dynamodb/table:Table", "alerts-anomalies"))],
    },
    {
        who: "cloudwatch.amazonaws.com (an alarm of this account)", mode: "stream", what: "publishes to the encrypted alarm topic", on: "alarm topic",
        actions: ["sns:Publish"], expected: "Allowed", source: `${SNS_SSE}#compatibility-with-aws-services`,
        requests: (iam) => [asService(iam, "cloudwatch.amazonaws.com", iam.arn("aws:sns/topic:Topic", "alerts-alarms"), { "aws:SourceArn": alarmArn(iam), "aws:SourceAccount": MOCK_ACCOUNT_ID })],
    },
    {
        who: "cloudwatch.amazonaws.com (an alarm of this account)", mode: "stream", what: "encrypts the message under the topic's key", on: "alerts key",
        actions: ["kms:GenerateDataKey", "kms:Decrypt"], expected: "Allowed", source: `${SNS_SSE}#compatibility-with-aws-services`,
        requests: (iam) => [asService(iam, "cloudwatch.amazonaws.com", iam.arn(KEY, "alerts-key"), { "aws:SourceArn": alarmArn(iam), "aws:SourceAccount": MOCK_ACCOUNT_ID })],
    },
    {
        who: "sns.amazonaws.com (the alarm topic)", mode: "stream", what: "invokes the alert function", on: "alert function",
        actions: ["lambda:InvokeFunction"], expected: "Allowed", source: "https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html",
        requests: (iam) => [asService(iam, "sns.amazonaws.com", iam.arn("aws:lambda/function:Function", "alerts-alert"), { "aws:SourceArn": iam.arn("aws:sns/topic:Topic", "alerts-alarms"), "aws:SourceAccount": MOCK_ACCOUNT_ID })],
    },
    {
        who: "cloudtrail.amazonaws.com (the audit trail)", what: "writes log files of PII object reads", on: "audit log bucket",
        actions: ["s3:PutObject"], expected: "Allowed", source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html",
        requests: (iam) => [asService(iam, "cloudtrail.amazonaws.com", `${iam.arn(S3, "lake-access-audit-logs")}/AWSLogs/${MOCK_ACCOUNT_ID}/CloudTrail/${MOCK_REGION}/2026/11/30/log.json.gz`, { "aws:SourceArn": trailArn(iam), "aws:SourceAccount": MOCK_ACCOUNT_ID, "s3:x-amz-acl": "bucket-owner-full-control" })],
    },
    {
        who: "cloudtrail.amazonaws.com (the audit trail)", what: "encrypts the log files", on: "audit key",
        actions: ["kms:GenerateDataKey"], expected: "Allowed", source: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html",
        requests: (iam) => [asService(iam, "cloudtrail.amazonaws.com", iam.arn(KEY, "lake-access-audit-key"), { "aws:SourceArn": trailArn(iam), "aws:SourceAccount": MOCK_ACCOUNT_ID, "kms:EncryptionContext:aws:cloudtrail:arn": trailArn(iam) })],
    },
    {
        who: "data admin (prod `adminRoleArns`) with s3:GetObject on * in IAM", what: "reads a raw object", on: "raw object",
        actions: ["s3:GetObject"], expected: "Allowed", source: "docs/policies.md (raw bucket readers: Firehose and the data admins)",
        requests: (iam) => (iam.stack === "prod" ? [asRole(iam, broadIdentity(ADMIN, ["s3:GetObject"]), rawObject(iam))] : undefined),
    },
    {
        who: "analyst with s3:GetObject on * in IAM", what: "reads a raw object", on: "raw object",
        actions: ["s3:GetObject", "s3:GetObjectVersion"], expected: "ExplicitlyDenied", source: `${S3_DENY} (the raw bucket policy denies object reads to all but Firehose and the admins)`,
        requests: (iam) => [asRole(iam, broadIdentity(ANALYST, ["s3:GetObject", "s3:GetObjectVersion"]), rawObject(iam))],
    },
    {
        who: "Transform function role", what: "reads a raw object", on: "raw object",
        actions: ["s3:GetObject"], expected: "ExplicitlyDenied", source: S3_DENY,
        requests: (iam) => [asRole(iam, iam.role("lake-transform-role"), rawObject(iam))],
    },
    {
        who: "Firehose role (lake)", what: "writes over plain HTTP (aws:SecureTransport false)", on: "lake and raw objects",
        actions: ["s3:PutObject"], expected: "ExplicitlyDenied", source: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        requests: (iam) => [lakeObject(iam), rawObject(iam)].map((o) => asRole(iam, firehose(iam), o, { "aws:SecureTransport": "false" })),
    },
    {
        who: "another account's role with s3:* on * in IAM", what: "reads or writes lake objects", on: "lake object",
        actions: ["s3:GetObject", "s3:PutObject"], expected: "ImplicitlyDenied", source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies-cross-account-resource-access.html",
        requests: (iam) => [asRole(iam, broadIdentity(INTRUDER, ["s3:*"]), lakeObject(iam))],
    },
    {
        who: "another account's role with kms:* on * in IAM", what: "decrypts with the lake key", on: "lake key",
        actions: ["kms:Decrypt"], expected: "ImplicitlyDenied", source: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html",
        requests: (iam) => [asRole(iam, broadIdentity(INTRUDER, ["kms:*"]), iam.arn(KEY, "lake-key"))],
    },
    {
        who: "cloudwatch.amazonaws.com (an alarm of another account)", mode: "stream", what: "publishes to the alarm topic (confused deputy)", on: "alarm topic",
        actions: ["sns:Publish"], expected: "ImplicitlyDenied", source: "https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html",
        requests: (iam) => [asService(iam, "cloudwatch.amazonaws.com", iam.arn("aws:sns/topic:Topic", "alerts-alarms"), { "aws:SourceArn": `arn:aws:cloudwatch:${MOCK_REGION}:${OTHER_ACCOUNT}:alarm:x`, "aws:SourceAccount": OTHER_ACCOUNT })],
    },
    {
        who: "sns.amazonaws.com (another topic)", mode: "stream", what: "invokes the alert function", on: "alert function",
        actions: ["lambda:InvokeFunction"], expected: "ImplicitlyDenied", source: "https://docs.aws.amazon.com/lambda/latest/dg/with-sns.html",
        requests: (iam) => [asService(iam, "sns.amazonaws.com", iam.arn("aws:lambda/function:Function", "alerts-alert"), { "aws:SourceArn": `arn:aws:sns:${MOCK_REGION}:${OTHER_ACCOUNT}:other`, "aws:SourceAccount": OTHER_ACCOUNT })],
    },
];

export interface RowResult {
    row: MatrixRow;
    /** One decision per (request, action) pair; empty when the row does not apply to the stack. */
    decisions: { action: string; resource: string; decision: Decision }[];
}

function pairs(row: MatrixRow, requests: Omit<AccessRequest, "action">[]): AccessRequest[] {
    if (row.pairwise) {
        if (requests.length !== row.actions.length) throw new Error(`${row.who} ${row.what}: pairwise rows need one request per action`);
        return requests.map((r, i) => ({ ...r, action: row.actions[i] }));
    }
    return requests.flatMap((r) => row.actions.map((action) => ({ ...r, action })));
}

/** Every request of one row, through the simulator. */
export async function evaluateRow(row: MatrixRow, iam: StackIam): Promise<RowResult> {
    const requests = row.mode === undefined || row.mode === iam.ingestMode ? row.requests(iam) : undefined;
    const decisions = [];
    for (const req of requests ? pairs(row, requests) : []) decisions.push({ action: req.action, resource: req.resource, decision: await simulate(req) });
    return { row, decisions };
}

export async function evaluateMatrix(iam: StackIam): Promise<RowResult[]> {
    const out: RowResult[] = [];
    for (const row of MATRIX) out.push(await evaluateRow(row, iam));
    return out;
}

/** One cell: the decision when all requests agree, "mixed" otherwise, "n/a" when the row does not apply. */
export function cell(result: RowResult): string {
    const kinds = [...new Set(result.decisions.map((d) => d.decision))];
    if (kinds.length === 0) return "n/a";
    return kinds.length === 1 ? kinds[0] : "mixed";
}

/** The Markdown table of docs/access-matrix.md, from the evaluated rows of each stack. */
export function renderAccessMatrix(results: Record<string, RowResult[]>): string {
    const stacks = Object.keys(results);
    const lines = [
        `| principal | does | actions | on | expected | ${stacks.join(" | ")} | why (AWS documentation) |`,
        `| --- | --- | --- | --- | --- | ${stacks.map(() => "---").join(" | ")} | --- |`,
    ];
    MATRIX.forEach((row, i) => {
        const cells = stacks.map((s) => cell(results[s][i]));
        lines.push(`| ${row.who} | ${row.what} | ${row.actions.map((a) => `\`${a}\``).join(", ")} | ${row.on} | ${row.expected} | ${cells.join(" | ")} | ${row.source.split("; ").map((u) => (u.startsWith("http") ? `<${u.split(" ")[0]}>${u.includes(" ") ? u.slice(u.indexOf(" ")) : ""}` : u)).join("; ")} |`);
    });
    return lines.join("\n");
}
