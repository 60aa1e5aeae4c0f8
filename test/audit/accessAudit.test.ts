import { strict as assert } from "assert";
import { AccessAudit, AccessAuditArgs, resolveAccessAuditSettings } from "../../components/audit";
import { FirehoseLake } from "../../components/lake/firehoseLake";
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { evaluatePolicies } from "../../offline/policyHarness";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";

const LAKE = "arn:aws:s3:::clickstream-lake";
const RAW = "arn:aws:s3:::clickstream-raw";
const READER = "arn:aws:iam::123456789012:role/auditor";

async function run(args: Partial<AccessAuditArgs> = {}): Promise<CapturedResource[]> {
    const { resources } = await runUnderMocks({ program: () => void new AccessAudit("audit", { bucketArns: [LAKE, RAW], ...args }) });
    return resources;
}
const one = (rs: CapturedResource[], type: string, name?: string) => {
    const found = rs.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.equal(found.length, 1, `${type} ${name ?? ""}: ${found.length} found`);
    return found[0];
};
const TRAIL_ARN = `arn:aws:cloudtrail:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:trail/audit`;

describe("AccessAudit (under mocks)", () => {
    it("records object reads of exactly the given buckets, with a CMK, log file validation and no management events", async () => {
        const rs = await run();
        const trail = one(rs, "aws:cloudtrail/trail:Trail").inputs;
        assert.equal(trail.name, "audit");
        assert.equal(trail.enableLogFileValidation, true);
        assert.equal(trail.isMultiRegionTrail, false);
        assert.equal(trail.includeGlobalServiceEvents, false);
        assert.equal(trail.kmsKeyId, one(rs, "aws:kms/key:Key").state.arn);
        assert.equal(trail.s3BucketName, one(rs, "aws:s3/bucket:Bucket").state.bucket);
        assert.deepEqual(trail.advancedEventSelectors, [{
            name: "Object reads of PII buckets",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                { field: "resources.ARN", startsWiths: [`${LAKE}/`, `${RAW}/`] },
                { field: "readOnly", equals: ["true"] },
            ],
        }]);
        // includeWrites drops the read-only filter.
        const all = one(await run({ includeWrites: true }), "aws:cloudtrail/trail:Trail").inputs.advancedEventSelectors[0];
        assert.ok(!all.fieldSelectors.some((f: any) => f.field === "readOnly"));
    });

    it("keeps the log files in a hardened bucket: SSE-KMS with the audit key, TLS only, expiry, CloudTrail writes bound to this trail", async () => {
        const rs = await run({ retentionDays: 400, readerRoleArns: [READER] });
        const keyArn = one(rs, "aws:kms/key:Key").state.arn;
        assert.equal(one(rs, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, keyArn);
        const rule = one(rs, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").inputs.rules[0];
        assert.deepEqual([rule.expiration.days, rule.noncurrentVersionExpiration.noncurrentDays], [400, 400]);
        const bucket = one(rs, "aws:s3/bucket:Bucket").state;
        const statements = JSON.parse(one(rs, "aws:s3/bucketPolicy:BucketPolicy").inputs.policy).Statement;
        const bySid = (sid: string) => statements.find((s: any) => s.Sid === sid);
        assert.ok(bySid("DenyInsecureTransport"));
        assert.deepEqual(bySid("DenyReadsExceptListedPrincipals").Condition, { ArnNotEquals: { "aws:PrincipalArn": [READER] } });
        assert.deepEqual(bySid("CloudTrailWritesLogFiles"), {
            Sid: "CloudTrailWritesLogFiles", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:PutObject",
            Resource: `${bucket.arn}/AWSLogs/${MOCK_ACCOUNT_ID}/*`,
            Condition: { StringEquals: { "s3:x-amz-acl": "bucket-owner-full-control", "aws:SourceArn": TRAIL_ARN } },
        });
        assert.deepEqual(bySid("CloudTrailChecksBucketAcl").Condition, { StringEquals: { "aws:SourceArn": TRAIL_ARN } });
        const key = JSON.parse(one(rs, "aws:kms/key:Key").inputs.policy).Statement.find((s: any) => s.Sid === "CloudTrailEncryptsLogFiles");
        assert.equal(key.Condition.StringEquals["aws:SourceArn"], TRAIL_ARN);
        assert.equal(one(rs, "aws:kms/key:Key").inputs.enableKeyRotation, true);
    });

    it("passes the whole policy pack on its own", async () => {
        const violations = await evaluatePolicies(await run());
        assert.deepEqual(violations.map((v) => `${v.policy}: ${v.message}`), []);
    });

    it("rejects arguments that would record nothing or that AWS refuses, naming the field", () => {
        assert.throws(() => resolveAccessAuditSettings("audit", { bucketArns: [] }), /AccessAudit.*bucketArns.*is empty/);
        assert.throws(() => resolveAccessAuditSettings("audit", { bucketArns: [`${LAKE}/events/`] }), /bucketArns.*not a bucket ARN/);
        assert.throws(() => resolveAccessAuditSettings("audit", { bucketArns: [LAKE], retentionDays: 0 }), /retentionDays/);
        assert.throws(() => resolveAccessAuditSettings("audit", { bucketArns: [LAKE], trailName: "x" }), /trailName.*3-128/);
        assert.throws(() => resolveAccessAuditSettings("audit", { bucketArns: [LAKE], readerRoleArns: ["auditor"] }), /readerRoleArns/);
    });

    it("FirehoseLake audits its lake and raw buckets by default, readable by its admins; accessAudit: false turns it off", async () => {
        const admin = "arn:aws:iam::123456789012:role/data-admin";
        const { resources } = await runUnderMocks({ program: () => void new FirehoseLake("lake", { adminRoleArns: [admin] }) });
        const buckets = resources.filter((r) => r.type === "aws:s3/bucket:Bucket");
        const arnOf = (name: string) => buckets.find((b) => b.name === name)!.state.arn;
        const selector = one(resources, "aws:cloudtrail/trail:Trail").inputs.advancedEventSelectors[0];
        assert.deepEqual(selector.fieldSelectors[2].startsWiths, [`${arnOf("lake-lake")}/`, `${arnOf("lake-raw")}/`]);
        for (const name of ["lake-lake", "lake-raw"]) assert.equal(buckets.find((b) => b.name === name)!.inputs.tags["clickstream:data-classification"], "pii");
        const auditPolicy = JSON.parse(one(resources, "aws:s3/bucketPolicy:BucketPolicy", "lake-access-audit-logs-policy").inputs.policy);
        assert.deepEqual(auditPolicy.Statement.find((s: any) => s.Sid === "DenyReadsExceptListedPrincipals").Condition.ArnNotEquals["aws:PrincipalArn"], [admin]);

        const off = await runUnderMocks({ program: () => void new FirehoseLake("lake", { accessAudit: false }) });
        assert.equal(off.resources.filter((r) => r.type === "aws:cloudtrail/trail:Trail").length, 0);
        const v = await evaluatePolicies(off.resources);
        assert.deepEqual([...new Set(v.filter((x) => x.policy === "clickstream-s3-pii-access-audited").map((x) => x.resource))].sort(), ["aws:s3/bucket:Bucket::lake-lake", "aws:s3/bucket:Bucket::lake-raw"]);
    });
});
