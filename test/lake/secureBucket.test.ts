import { strict as assert } from "assert";
import { SecureBucket } from "../../components/storage/secureBucket";
import type { PolicyDocument } from "../../components/lake/policies";
import { runUnderMocks } from "../../offline/runUnderMocks";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/k";

describe("storage/SecureBucket (under mocks)", () => {
    it("registers the bucket and its hardening as children, without lifecycle or read restriction unless asked", async () => {
        const run = await runUnderMocks({ program: () => { const b = new SecureBucket("data", { kmsKeyArn: KEY }); return { name: b.bucketName, arn: b.bucketArn }; } });
        assert.deepEqual(run.resources.map((r) => `${r.type}|${r.name}|${r.parent ?? ""}`).sort(), [
            "clickstream:storage:SecureBucket|data|",
            "aws:s3/bucket:Bucket|data|clickstream:storage:SecureBucket::data",
            "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration|data-encryption|clickstream:storage:SecureBucket::data",
            "aws:s3/bucketVersioning:BucketVersioning|data-versioning|clickstream:storage:SecureBucket::data",
            "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock|data-public-access|clickstream:storage:SecureBucket::data",
            "aws:s3/bucketOwnershipControls:BucketOwnershipControls|data-ownership|clickstream:storage:SecureBucket::data",
            "aws:s3/bucketPolicy:BucketPolicy|data-policy|clickstream:storage:SecureBucket::data",
        ].sort());
        const bucket = run.resources.find((r) => r.type === "aws:s3/bucket:Bucket")!;
        assert.equal(bucket.inputs.forceDestroy, false);
        for (const r of run.resources.filter((r) => r.custom && r !== bucket)) assert.equal(r.inputs.bucket, bucket.id, `${r.name} targets the bucket`);
        const policy = JSON.parse(run.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!.inputs.policy) as PolicyDocument;
        assert.deepEqual(policy.Statement.map((s) => s.Sid), ["DenyInsecureTransport"]);
        assert.equal(run.outputs.arn, `arn:aws:s3:::${run.outputs.name}`);
    });

    it("adds the lifecycle, the read restriction and extra statements when given", async () => {
        const run = await runUnderMocks({
            program: () => {
                new SecureBucket("pii", {
                    kmsKeyArn: KEY,
                    forceDestroy: true,
                    lifecycleRules: [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 3 } }],
                    restrictReadsTo: ["arn:aws:iam::123456789012:role/reader"],
                    additionalPolicyStatements: [{ Sid: "Extra", Effect: "Deny", Principal: "*", Action: "s3:DeleteBucket", Resource: "arn:aws:s3:::x" }],
                });
                return {};
            },
        });
        const lifecycle = run.resources.find((r) => r.type === "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration");
        assert.deepEqual(lifecycle?.inputs.rules, [{ id: "expire", status: "Enabled", filter: {}, expiration: { days: 3 } }]);
        const policy = JSON.parse(run.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy")!.inputs.policy) as PolicyDocument;
        assert.deepEqual(policy.Statement.map((s) => s.Sid), ["DenyInsecureTransport", "DenyReadsExceptListedPrincipals", "Extra"]);
        assert.equal(run.resources.find((r) => r.type === "aws:s3/bucket:Bucket")?.inputs.forceDestroy, true);
    });
});
