import { strict as assert } from "assert";
import { baselineResources, mutate, violationsOf, without } from "./baseline";

const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";

async function only(policy: string, resources: Parameters<typeof violationsOf>[1]) {
    return (await violationsOf(policy, resources)).map((v) => `${v.resource}: ${v.message}`);
}

describe("policies: encryption at rest", () => {
    describe("clickstream-s3-bucket-sse-kms", () => {
        const P = "clickstream-s3-bucket-sse-kms";
        it("flags a bucket without an encryption configuration", async () => {
            const v = await only(P, without(await baselineResources(), SSE, "lake-sse"));
            assert.equal(v.length, 1);
            assert.match(v[0], /^aws:s3\/bucket:Bucket::lake: .*no BucketServerSideEncryptionConfiguration/);
        });
        it("flags SSE-S3 (AES256)", async () => {
            const r = mutate(await baselineResources(), SSE, "raw-sse", (i) => ({ ...i, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] }));
            assert.match((await only(P, r))[0], /raw: .*AES256/);
        });
        it("flags the AWS-managed key alias/aws/s3", async () => {
            const r = mutate(await baselineResources(), SSE, "raw-sse", (i) => ({ ...i, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "alias/aws/s3" } }] }));
            assert.equal((await only(P, r)).length, 1);
        });
        it("flags a configuration that names another bucket", async () => {
            const r = mutate(await baselineResources(), SSE, "lake-sse", (i) => ({ ...i, bucket: "someone-elses-bucket" }));
            assert.match((await only(P, r))[0], /lake: /);
        });
    });

    describe("clickstream-firehose-sse-cmk / -s3-destination-kms", () => {
        it("flags a direct-PUT stream without SSE", async () => {
            const r = mutate(await baselineResources(), FIREHOSE, "events", (i) => { delete i.serverSideEncryption; return i; });
            assert.match((await only("clickstream-firehose-sse-cmk", r))[0], /not enabled/);
        });
        it("flags AWS_OWNED_CMK", async () => {
            const r = mutate(await baselineResources(), FIREHOSE, "events", (i) => ({ ...i, serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" } }));
            assert.match((await only("clickstream-firehose-sse-cmk", r))[0], /AWS_OWNED_CMK/);
        });
        it("does not apply SSE to a Kinesis-sourced stream", async () => {
            const r = mutate(await baselineResources(), FIREHOSE, "events", (i) => {
                delete i.serverSideEncryption;
                return { ...i, kinesisSourceConfiguration: { kinesisStreamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s", roleArn: "arn:aws:iam::123456789012:role/r" } };
            });
            assert.deepEqual(await only("clickstream-firehose-sse-cmk", r), []);
        });
        it("flags an S3 destination and a backup without kmsKeyArn", async () => {
            const r = mutate(await baselineResources(), FIREHOSE, "events", (i) => {
                delete i.extendedS3Configuration.kmsKeyArn;
                delete i.extendedS3Configuration.s3BackupConfiguration.kmsKeyArn;
                return i;
            });
            const v = await only("clickstream-firehose-s3-destination-kms", r);
            assert.equal(v.length, 2);
            assert.match(v[1], /s3BackupConfiguration/);
        });
    });

    it("clickstream-kinesis-stream-cmk flags no encryption and alias/aws/kinesis", async () => {
        const P = "clickstream-kinesis-stream-cmk";
        const none = mutate(await baselineResources(), "aws:kinesis/stream:Stream", "stream", (i) => { delete i.encryptionType; delete i.kmsKeyId; return i; });
        assert.match((await only(P, none))[0], /NONE/);
        const managed = mutate(await baselineResources(), "aws:kinesis/stream:Stream", "stream", (i) => ({ ...i, kmsKeyId: "alias/aws/kinesis" }));
        assert.match((await only(P, managed))[0], /alias\/aws\/kinesis/);
    });

    it("clickstream-sns-topic-cmk flags no key and alias/aws/sns", async () => {
        const P = "clickstream-sns-topic-cmk";
        assert.equal((await only(P, mutate(await baselineResources(), "aws:sns/topic:Topic", "alerts", (i) => { delete i.kmsMasterKeyId; return i; }))).length, 1);
        assert.equal((await only(P, mutate(await baselineResources(), "aws:sns/topic:Topic", "alerts", (i) => ({ ...i, kmsMasterKeyId: "alias/aws/sns" })))).length, 1);
    });

    it("clickstream-sqs-queue-kms flags SQS-managed SSE", async () => {
        const r = mutate(await baselineResources(), "aws:sqs/queue:Queue", "dlq", (i) => { delete i.kmsMasterKeyId; return { ...i, sqsManagedSseEnabled: true }; });
        assert.equal((await only("clickstream-sqs-queue-kms", r)).length, 1);
    });

    it("clickstream-dynamodb-table-cmk flags default encryption and missing kmsKeyArn", async () => {
        const P = "clickstream-dynamodb-table-cmk";
        assert.match((await only(P, mutate(await baselineResources(), "aws:dynamodb/table:Table", "anomalies", (i) => { delete i.serverSideEncryption; return i; })))[0], /not enabled/);
        assert.match((await only(P, mutate(await baselineResources(), "aws:dynamodb/table:Table", "anomalies", (i) => ({ ...i, serverSideEncryption: { enabled: true } }))))[0], /kmsKeyArn/);
    });

    it("clickstream-cloudwatch-log-group-kms flags a log group without kmsKeyId", async () => {
        const r = mutate(await baselineResources(), "aws:cloudwatch/logGroup:LogGroup", "transform-logs", (i) => { delete i.kmsKeyId; return i; });
        assert.deepEqual((await violationsOf("clickstream-cloudwatch-log-group-kms", r)).map((v) => v.resource), ["aws:cloudwatch/logGroup:LogGroup::transform-logs"]);
    });

    describe("clickstream-athena-workgroup-encrypted-results", () => {
        const P = "clickstream-athena-workgroup-encrypted-results";
        const WG = "aws:athena/workgroup:Workgroup";
        it("flags SSE_S3 results and a disabled enforcement", async () => {
            const r = mutate(await baselineResources(), WG, "analysts", (i) => {
                i.configuration.enforceWorkgroupConfiguration = false;
                i.configuration.resultConfiguration.encryptionConfiguration = { encryptionOption: "SSE_S3" };
                return i;
            });
            const v = await only(P, r);
            assert.equal(v.length, 2);
            assert.match(v.join("\n"), /enforceWorkgroupConfiguration is false/);
            assert.match(v.join("\n"), /SSE_S3/);
        });
        it("flags SSE_KMS without a key and accepts managed results with a CMK", async () => {
            const noKey = mutate(await baselineResources(), WG, "analysts", (i) => { delete i.configuration.resultConfiguration.encryptionConfiguration.kmsKeyArn; return i; });
            assert.match((await only(P, noKey))[0], /no customer-managed kmsKeyArn/);
            const managed = mutate(await baselineResources(), WG, "analysts", (i) => ({ ...i, configuration: { managedQueryResultsConfiguration: { enabled: true, encryptionConfiguration: { kmsKey: "arn:aws:kms:us-east-1:123456789012:key/k" } } } }));
            assert.deepEqual(await only(P, managed), []);
        });
    });

    describe("clickstream-glue-catalog-encryption", () => {
        const P = "clickstream-glue-catalog-encryption";
        const S = "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings";
        it("flags a stack with Glue tables and no catalog encryption settings", async () => {
            const v = await violationsOf(P, without(await baselineResources(), S, "catalog-encryption"));
            assert.equal(v.length, 1);
            assert.equal(v[0].resource, "(stack)");
        });
        it("flags DISABLED at-rest encryption and plaintext connection passwords", async () => {
            const r = mutate(await baselineResources(), S, "catalog-encryption", () => ({
                dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "DISABLED" }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: false } },
            }));
            assert.equal((await only(P, r)).length, 2);
        });
        it("is not applicable when config says an account baseline manages it", async () => {
            const r = without(await baselineResources(), S, "catalog-encryption");
            assert.deepEqual(await violationsOf(P, r, { config: { [P]: { managedOutsideStack: true } } }), []);
        });
    });

    describe("clickstream-kms-key-rotation", () => {
        const P = "clickstream-kms-key-rotation";
        it("flags a key without rotation and remediates it when enforcement is remediate", async () => {
            const r = mutate(await baselineResources(), "aws:kms/key:Key", "key", (i) => { delete i.enableKeyRotation; return i; });
            assert.equal((await violationsOf(P, r)).length, 1);
            assert.deepEqual(await violationsOf(P, r, { remediate: true, config: { [P]: "remediate" } }), []);
        });
        it("skips asymmetric keys", async () => {
            const r = mutate(await baselineResources(), "aws:kms/key:Key", "key", (i) => ({ ...i, enableKeyRotation: false, customerMasterKeySpec: "RSA_2048", keyUsage: "SIGN_VERIFY" }));
            assert.deepEqual(await violationsOf(P, r), []);
        });
    });
});
