/**
 * Documents of AccessAudit, as plain functions of ARNs so tests check them directly: the CloudTrail
 * event selector that records object reads, the audit bucket's CloudTrail statements and the audit
 * key's policy. Statements follow AWS's CloudTrail guide ("Amazon S3 bucket policy for CloudTrail",
 * "Configure AWS KMS key policies for CloudTrail"), bound to this one trail with aws:SourceArn.
 */
import { baseKeyStatements } from "../kms/keyPolicy";
import type { AwsEnvironment, PolicyDocument, PolicyStatement } from "../lake/policies";

/** ARN of a CloudTrail trail (known before the trail exists, so the bucket and key policies can name it). */
export function trailArn(env: AwsEnvironment, trailName: string): string {
    return `arn:${env.partition}:cloudtrail:${env.region}:${env.accountId}:trail/${trailName}`;
}

/**
 * The advanced event selector: S3 object-level data events on exactly these buckets; reads only
 * unless `includeWrites`. (Data events of other buckets and management events are not recorded by
 * this trail, so it costs only what these buckets' object reads cost.)
 */
export function objectReadSelector(bucketArns: readonly string[], includeWrites: boolean) {
    return {
        name: includeWrites ? "Object reads and writes of PII buckets" : "Object reads of PII buckets",
        fieldSelectors: [
            { field: "eventCategory", equals: ["Data"] },
            { field: "resources.type", equals: ["AWS::S3::Object"] },
            // "arn:aws:s3:::bucket/" covers every object of the bucket and nothing of "bucket-other".
            { field: "resources.ARN", startsWiths: bucketArns.map((arn) => `${arn}/`) },
            ...(includeWrites ? [] : [{ field: "readOnly", equals: ["true"] }]),
        ],
    };
}

/** Bucket policy statements letting exactly this trail check the bucket ACL and write its log files. */
export function trailBucketStatements(env: AwsEnvironment, bucketArn: string, trailName: string): PolicyStatement[] {
    const sourceArn = trailArn(env, trailName);
    return [
        {
            Sid: "CloudTrailChecksBucketAcl",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:GetBucketAcl",
            Resource: bucketArn,
            Condition: { StringEquals: { "aws:SourceArn": sourceArn } },
        },
        {
            Sid: "CloudTrailWritesLogFiles",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/AWSLogs/${env.accountId}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": sourceArn } },
        },
    ];
}

/**
 * Key policy of the audit key: the account administers it and delegates use to IAM (so only roles
 * granted kms:Decrypt on this key in IAM can read the log files), and this trail may encrypt with it.
 */
export function auditKeyPolicyDocument(env: AwsEnvironment, trailName: string): PolicyDocument {
    const sourceArn = trailArn(env, trailName);
    return {
        Version: "2012-10-17",
        Statement: [
            ...baseKeyStatements(env.partition, env.accountId, env.region),
            {
                Sid: "CloudTrailEncryptsLogFiles",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:GenerateDataKey*",
                Resource: "*",
                Condition: {
                    StringEquals: { "aws:SourceArn": sourceArn },
                    StringLike: { "kms:EncryptionContext:aws:cloudtrail:arn": `arn:${env.partition}:cloudtrail:*:${env.accountId}:trail/*` },
                },
            },
            {
                Sid: "CloudTrailDescribesKey",
                Effect: "Allow",
                Principal: { Service: "cloudtrail.amazonaws.com" },
                Action: "kms:DescribeKey",
                Resource: "*",
                Condition: { StringEquals: { "aws:SourceArn": sourceArn } },
            },
        ],
    };
}
