/**
 * IAM documents of the AnalyticsWindow, as plain functions of ARNs so tests can check their scope:
 * every Allow names concrete actions on concrete resources (no "*" action, no "*" resource).
 */
import { glueSchemaReadStatements, writeOwnLogsStatement, type AwsEnvironment, type PiiSecretRef, type PolicyDocument, type PolicyStatement } from "../lake/policies";
import { AGGREGATES_PREFIX } from "./aggregatesTable";

export interface WindowFunctionPolicyInput extends AwsEnvironment {
    /** The Kinesis data stream the event source mapping reads. */
    streamArn: string;
    /** Its customer-managed KMS key, if any. */
    streamKmsKeyArn?: string;
    /** The aggregates Firehose stream. */
    aggregatesStreamArn: string;
    /** On-failure destination of the event source mapping. */
    dlqArn: string;
    /** Key of the DLQ and of the function's environment variables (the lake key). */
    kmsKeyArn: string;
    /** The function's log group ARN (no trailing ":*"). */
    logGroupArn: string;
    /** The pseudonymization key the lake uses. */
    piiSecret: PiiSecretRef;
}

/**
 * Kinesis actions a Lambda event source mapping needs on the stream (shared-throughput consumer).
 * No kinesis:SubscribeToShard: it acts on enhanced fan-out consumers, not on streams, so on a stream
 * ARN it grants nothing (AWS's service authorization reference; policy clickstream-iam-known-actions).
 */
export const KINESIS_CONSUMER_ACTIONS = [
    "kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator", "kinesis:ListShards",
];

/** Permissions of the window Lambda: read its stream, write aggregates, park failed batches, its logs, the PII key. */
export function windowFunctionPolicyDocument(p: WindowFunctionPolicyInput): PolicyDocument {
    const statements: PolicyStatement[] = [
        { Sid: "ReadSourceStream", Effect: "Allow", Action: KINESIS_CONSUMER_ACTIONS, Resource: p.streamArn },
        { Sid: "WriteAggregates", Effect: "Allow", Action: "firehose:PutRecordBatch", Resource: p.aggregatesStreamArn },
        { Sid: "SendDiscardedBatchesToDlq", Effect: "Allow", Action: "sqs:SendMessage", Resource: p.dlqArn },
        {
            Sid: "EncryptDlqMessages",
            Effect: "Allow",
            Action: ["kms:GenerateDataKey", "kms:Decrypt"],
            Resource: p.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `sqs.${p.region}.amazonaws.com` } },
        },
        writeOwnLogsStatement(p.logGroupArn),
    ];
    if (p.streamKmsKeyArn !== undefined) {
        statements.push({
            Sid: "DecryptSourceStream",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: p.streamKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `kinesis.${p.region}.amazonaws.com` } },
        });
    }
    const secret = p.piiSecret;
    statements.push(secret.kind === "secretsmanager"
        ? { Sid: "ReadPseudonymizationKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.secretArn }
        : { Sid: "ReadPseudonymizationKey", Effect: "Allow", Action: "ssm:GetParameter", Resource: secret.parameterArn });
    const keys = [...new Set([secret.kmsKeyArn, p.kmsKeyArn].filter((k): k is string => k !== undefined))];
    statements.push({ Sid: "DecryptSecretAndEnvironment", Effect: "Allow", Action: "kms:Decrypt", Resource: keys.length === 1 ? keys[0] : keys });
    return { Version: "2012-10-17", Statement: statements };
}

export interface AggregatesFirehosePolicyInput extends AwsEnvironment {
    lakeBucketArn: string;
    kmsKeyArn: string;
    databaseName: string;
    tableName: string;
    logGroupArn: string;
    logStreamName: string;
    /** KMS key of the Glue Data Catalog, when it is CMK-encrypted (reading the table schema decrypts with it). */
    catalogKmsKeyArn?: string;
}

/** Permissions of the aggregates Firehose role: its prefixes of the lake bucket, the table schema, its log stream. */
export function aggregatesFirehosePolicyDocument(p: AggregatesFirehosePolicyInput): PolicyDocument {
    const objects = [`${p.lakeBucketArn}/${AGGREGATES_PREFIX}*`, `${p.lakeBucketArn}/aggregates-errors/*`];
    const statements: PolicyStatement[] = [
        { Sid: "ListLakeBucket", Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: p.lakeBucketArn },
        { Sid: "WriteAggregatesPrefixes", Effect: "Allow", Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"], Resource: objects },
        {
            Sid: "EncryptObjectsThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: p.kmsKeyArn,
            // With an S3 Bucket Key the encryption context is the bucket ARN, without it the object ARN.
            Condition: { StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` }, StringLike: { "kms:EncryptionContext:aws:s3:arn": [p.lakeBucketArn, ...objects] } },
        },
        ...glueSchemaReadStatements(p, p.databaseName, p.tableName, p.catalogKmsKeyArn),
        { Sid: "WriteDeliveryLogs", Effect: "Allow", Action: "logs:PutLogEvents", Resource: `${p.logGroupArn}:log-stream:${p.logStreamName}` },
    ];
    return { Version: "2012-10-17", Statement: statements };
}
