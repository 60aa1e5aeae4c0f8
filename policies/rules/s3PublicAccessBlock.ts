import { StackValidationPolicy } from "@pulumi/policy";
import { bucketName, bucketsOf, companionsOf } from "../lib/stack";

const FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"] as const;

/** Each bucket blocks every form of public access. */
export const s3PublicAccessBlock: StackValidationPolicy = {
    name: "clickstream-s3-public-access-block",
    description: "Every S3 bucket has a BucketPublicAccessBlock with all four settings true.",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["exposure", "s3"],
    remediationSteps:
        "Add an aws.s3.BucketPublicAccessBlock for the bucket with blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets all true.",
    validateStack: (args, reportViolation) => {
        for (const bucket of bucketsOf(args.resources)) {
            const blocks = companionsOf(bucket, args.resources, ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]);
            if (blocks.length === 0) {
                reportViolation(`Bucket "${bucketName(bucket)}" has no BucketPublicAccessBlock.`, bucket.urn);
                continue;
            }
            const missing = FLAGS.filter((f) => !blocks.some((b) => b.props[f] === true));
            if (missing.length > 0) {
                reportViolation(`Bucket "${bucketName(bucket)}" public access block does not set ${missing.join(", ")} to true.`, bucket.urn);
            }
        }
    },
};
