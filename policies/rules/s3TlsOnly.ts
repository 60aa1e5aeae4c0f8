import { StackValidationPolicy } from "@pulumi/policy";
import { conditionValues, parsePolicyDocument } from "../lib/iamDocument";
import { bucketName, bucketsOf, companionsOf } from "../lib/stack";
import { asArray } from "../lib/values";

/** A statement that denies every principal any S3 action when the request is not over TLS. */
function deniesInsecureTransport(statement: any): boolean {
    if (statement.Effect !== "Deny") return false;
    const actions = asArray(statement.Action).map(String);
    if (!actions.some((a) => a === "*" || a === "s3:*")) return false;
    const principal = statement.Principal;
    const everyone = principal === "*" || (principal && asArray(principal.AWS).includes("*"));
    if (!everyone) return false;
    return conditionValues(statement, "Bool", "aws:SecureTransport").includes("false");
}

/** Each bucket has a bucket policy that refuses plain-HTTP requests. */
export const s3TlsOnly: StackValidationPolicy = {
    name: "clickstream-s3-tls-only",
    description: "Every S3 bucket has a bucket policy denying all requests where aws:SecureTransport is false.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["transport", "s3"],
    remediationSteps:
        "Add an aws.s3.BucketPolicy for the bucket with a statement { Effect: \"Deny\", Principal: \"*\", Action: \"s3:*\", " +
        "Resource: [bucket.arn, `${bucket.arn}/*`], Condition: { Bool: { \"aws:SecureTransport\": \"false\" } } }.",
    validateStack: (args, reportViolation) => {
        const policyTypes = ["aws:s3/bucketPolicy:BucketPolicy"];
        for (const bucket of bucketsOf(args.resources)) {
            const policies = companionsOf(bucket, args.resources, policyTypes);
            const ok = policies.some((p) => (parsePolicyDocument(p.props.policy)?.Statement ?? []).some(deniesInsecureTransport));
            if (!ok) {
                reportViolation(
                    policies.length === 0
                        ? `Bucket "${bucketName(bucket)}" has no bucket policy, so plain-HTTP requests are allowed.`
                        : `Bucket "${bucketName(bucket)}" bucket policy has no Deny of s3:* for Principal "*" when aws:SecureTransport is "false".`,
                    bucket.urn,
                );
            }
        }
    },
};
