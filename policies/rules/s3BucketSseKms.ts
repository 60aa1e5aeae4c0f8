import { StackValidationPolicy } from "@pulumi/policy";
import { bucketName, bucketsOf, companionsOf } from "../lib/stack";
import { asArray, isCustomerManagedKey } from "../lib/values";

const SSE_TYPES = [
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];

/**
 * Every bucket is encrypted with SSE-KMS under a customer-managed key. In @pulumi/aws 7 the default
 * encryption is a separate resource, so this is a stack policy: it pairs buckets with their
 * BucketServerSideEncryptionConfiguration.
 */
export const s3BucketSseKms: StackValidationPolicy = {
    name: "clickstream-s3-bucket-sse-kms",
    description: "Every S3 bucket has default encryption SSE-KMS with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["encryption", "s3"],
    remediationSteps:
        "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket with rules: [{ applyServerSideEncryptionByDefault: " +
        "{ sseAlgorithm: \"aws:kms\", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] where `key` is an aws.kms.Key with rotation enabled.",
    validateStack: (args, reportViolation) => {
        for (const bucket of bucketsOf(args.resources)) {
            const configs = companionsOf(bucket, args.resources, SSE_TYPES);
            if (configs.length === 0) {
                reportViolation(`Bucket "${bucketName(bucket)}" has no BucketServerSideEncryptionConfiguration; S3 would use SSE-S3 with an AWS-owned key.`, bucket.urn);
                continue;
            }
            const defaults = configs.flatMap((c) => asArray(c.props.rules)).map((r: any) => r?.applyServerSideEncryptionByDefault ?? {});
            const ok = defaults.some((d: any) => String(d.sseAlgorithm).startsWith("aws:kms") && isCustomerManagedKey(d.kmsMasterKeyId));
            if (!ok) {
                const seen = defaults.map((d: any) => `${d.sseAlgorithm ?? "none"}${d.kmsMasterKeyId ? ` (${d.kmsMasterKeyId})` : ""}`).join(", ") || "no default rule";
                reportViolation(`Bucket "${bucketName(bucket)}" default encryption is ${seen}; use sseAlgorithm "aws:kms" with a customer-managed kmsMasterKeyId.`, bucket.urn);
            }
        }
    },
};
