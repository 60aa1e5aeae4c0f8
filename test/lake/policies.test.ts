import { strict as assert } from "assert";
import {
    firehosePolicyDocument, glueTableArns, lakeKeyPolicyDocument, serviceAssumeRolePolicy, ssmParameterArn, transformPolicyDocument,
    type PolicyDocument, type PolicyStatement,
} from "../../components/lake/policies";
import { secureBucketPolicyDocument } from "../../components/storage/secureBucket";
import { asList, assertLeastPrivilege } from "./iamAssertions";

const env = { partition: "aws", region: "eu-west-1", accountId: "111122223333" };
const list = asList;

const base = {
    ...env,
    lakeBucketArn: "arn:aws:s3:::lake",
    rawBucketArn: "arn:aws:s3:::raw",
    kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k1",
    databaseName: "db",
    tableName: "events",
    functionArn: "arn:aws:lambda:eu-west-1:111122223333:function:transform",
    logGroupArn: "arn:aws:logs:eu-west-1:111122223333:log-group:/clickstream/lake/firehose-1",
    logStreamNames: ["DestinationDelivery", "BackupDelivery"],
};
const sid = (doc: PolicyDocument, id: string): PolicyStatement => {
    const s = doc.Statement.find((x) => x.Sid === id);
    assert.ok(s, `statement ${id} missing`);
    return s;
};

describe("lake/policies", () => {
    it("Firehose (direct PUT): buckets, key via S3, Glue table, function, log streams; nothing else", () => {
        const doc = firehosePolicyDocument(base);
        assertLeastPrivilege(doc, "firehose");
        assert.deepEqual(doc.Statement.map((s) => s.Sid), ["WriteLakeAndRawBuckets", "EncryptObjectsThroughS3", "ReadSchemaFromGlueTable", "InvokeTransform", "WriteDeliveryLogs"]);
        assert.deepEqual(list(sid(doc, "WriteLakeAndRawBuckets").Resource), ["arn:aws:s3:::lake", "arn:aws:s3:::lake/*", "arn:aws:s3:::raw", "arn:aws:s3:::raw/*"]);
        const kms = sid(doc, "EncryptObjectsThroughS3");
        assert.equal(kms.Resource, base.kmsKeyArn);
        assert.deepEqual(kms.Condition?.StringEquals, { "kms:ViaService": "s3.eu-west-1.amazonaws.com" });
        assert.deepEqual(list(sid(doc, "ReadSchemaFromGlueTable").Resource), [
            "arn:aws:glue:eu-west-1:111122223333:catalog", "arn:aws:glue:eu-west-1:111122223333:database/db", "arn:aws:glue:eu-west-1:111122223333:table/db/events",
        ]);
        assert.deepEqual(list(sid(doc, "ReadSchemaFromGlueTable").Action), ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"]);
        assert.deepEqual(list(sid(doc, "InvokeTransform").Resource), [base.functionArn, `${base.functionArn}:*`]);
        assert.deepEqual(list(sid(doc, "WriteDeliveryLogs").Resource), [`${base.logGroupArn}:log-stream:DestinationDelivery`, `${base.logGroupArn}:log-stream:BackupDelivery`]);
        assert.ok(!doc.Statement.some((s) => list(s.Action).some((a) => a.startsWith("kinesis:"))));
    });

    it("Firehose (Kinesis source): reads that one stream and decrypts with its key via Kinesis only", () => {
        const stream = "arn:aws:kinesis:eu-west-1:111122223333:stream/clicks";
        const doc = firehosePolicyDocument({ ...base, sourceStreamArn: stream, sourceStreamKmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/s1" });
        assertLeastPrivilege(doc, "firehose-kinesis");
        const read = sid(doc, "ReadSourceStream");
        assert.equal(read.Resource, stream);
        assert.ok(list(read.Action).includes("kinesis:GetRecords") && list(read.Action).includes("kinesis:GetShardIterator"));
        const dec = sid(doc, "DecryptSourceStream");
        assert.equal(dec.Resource, "arn:aws:kms:eu-west-1:111122223333:key/s1");
        assert.deepEqual(dec.Condition, { StringEquals: { "kms:ViaService": "kinesis.eu-west-1.amazonaws.com" } });
        // Without a stream key there is no decrypt statement.
        assert.ok(!firehosePolicyDocument({ ...base, sourceStreamArn: stream }).Statement.some((s) => s.Sid === "DecryptSourceStream"));
    });

    it("Firehose with an encrypted Glue catalog: decrypt on the catalog key through Glue only", () => {
        const doc = firehosePolicyDocument({ ...base, catalogKmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/cat" });
        assertLeastPrivilege(doc, "firehose-catalog");
        const st = sid(doc, "DecryptCatalogMetadata");
        assert.equal(st.Resource, "arn:aws:kms:eu-west-1:111122223333:key/cat");
        assert.deepEqual(st.Condition, { StringEquals: { "kms:ViaService": "glue.eu-west-1.amazonaws.com" } });
        assert.ok(!firehosePolicyDocument(base).Statement.some((s) => s.Sid === "DecryptCatalogMetadata"));
    });

    it("transform: own log streams and exactly one secret (Secrets Manager or SSM) plus decrypt on its key", () => {
        const logGroupArn = "arn:aws:logs:eu-west-1:111122223333:log-group:/clickstream/lake/transform-1";
        const sm = transformPolicyDocument({ logGroupArn, environmentKmsKeyArn: base.kmsKeyArn, piiSecret: { kind: "secretsmanager", secretArn: "arn:aws:secretsmanager:eu-west-1:111122223333:secret:pii-AbC", kmsKeyArn: base.kmsKeyArn } });
        assertLeastPrivilege(sm, "transform-sm");
        assert.deepEqual(sm.Statement.map((s) => [s.Action, s.Resource]), [
            [["logs:CreateLogStream", "logs:PutLogEvents"], `${logGroupArn}:log-stream:*`],
            ["secretsmanager:GetSecretValue", "arn:aws:secretsmanager:eu-west-1:111122223333:secret:pii-AbC"],
            ["kms:Decrypt", base.kmsKeyArn],
        ]);
        const ssm = transformPolicyDocument({ logGroupArn, environmentKmsKeyArn: base.kmsKeyArn, piiSecret: { kind: "ssm", parameterArn: ssmParameterArn(env, "/clickstream/pii") } });
        assertLeastPrivilege(ssm, "transform-ssm");
        assert.deepEqual(ssm.Statement.map((s) => [s.Action, s.Resource]).slice(1), [
            ["ssm:GetParameter", "arn:aws:ssm:eu-west-1:111122223333:parameter/clickstream/pii"],
            ["kms:Decrypt", base.kmsKeyArn],
        ]);
        // A parameter under its own CMK: decrypt on both keys, nothing more.
        const own = transformPolicyDocument({ logGroupArn, environmentKmsKeyArn: base.kmsKeyArn, piiSecret: { kind: "ssm", parameterArn: "arn:aws:ssm:eu-west-1:111122223333:parameter/p", kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/p" } });
        assert.deepEqual(own.Statement[2].Resource, ["arn:aws:kms:eu-west-1:111122223333:key/p", base.kmsKeyArn]);
        assert.equal(ssmParameterArn(env, "arn:aws:ssm:eu-west-1:111122223333:parameter/x"), "arn:aws:ssm:eu-west-1:111122223333:parameter/x");
    });

    it("trust policies admit one service on behalf of this account", () => {
        const fh = serviceAssumeRolePolicy("firehose.amazonaws.com", "111122223333").Statement[0];
        assert.deepEqual(fh.Principal, { Service: "firehose.amazonaws.com" });
        assert.deepEqual(fh.Condition, { StringEquals: { "sts:ExternalId": "111122223333" } });
        const fn = serviceAssumeRolePolicy("lambda.amazonaws.com", "111122223333").Statement[0];
        assert.deepEqual(fn.Condition, { StringEquals: { "aws:SourceAccount": "111122223333" } });
    });

    it("key policy: the account administers and delegates to IAM; CloudWatch Logs only for this account's log groups", () => {
        const doc = lakeKeyPolicyDocument({ ...env, servicePrincipals: ["sns.amazonaws.com"] });
        for (const st of doc.Statement) {
            assert.ok(!list(st.Action).includes("kms:*") && !list(st.Action).includes("*"), `${st.Sid} grants every KMS action`);
            assert.equal(st.Resource, "*", "a key policy's resource is the key itself");
        }
        assert.deepEqual(doc.Statement[0].Principal, { AWS: "arn:aws:iam::111122223333:root" });
        assert.ok(list(doc.Statement[0].Action).includes("kms:ScheduleKeyDeletion"));
        assert.ok(list(doc.Statement[1].Action).includes("kms:Decrypt"));
        const logs = sid(doc, "CloudWatchLogsEncryptsLogGroups");
        assert.deepEqual(logs.Principal, { Service: "logs.eu-west-1.amazonaws.com" });
        assert.deepEqual(logs.Condition, { ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111122223333:log-group:*" } });
        const sns = doc.Statement[3];
        assert.deepEqual(sns.Principal, { Service: "sns.amazonaws.com" });
        assert.deepEqual(sns.Condition, { StringEquals: { "aws:SourceAccount": "111122223333" } });
    });

    it("bucket policy: TLS only, and reads restricted to listed principals when asked", () => {
        const open = secureBucketPolicyDocument("arn:aws:s3:::b");
        assert.equal(open.Statement.length, 1);
        assert.deepEqual(open.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
        assert.equal(open.Statement[0].Effect, "Deny");
        assert.deepEqual(open.Statement[0].Resource, ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]);
        const closed = secureBucketPolicyDocument("arn:aws:s3:::b", ["arn:aws:iam::1:role/fh", "arn:aws:iam::1:role/admin"]);
        const deny = closed.Statement[1];
        assert.equal(deny.Effect, "Deny");
        assert.equal(deny.Principal, "*");
        assert.ok(list(deny.Action).includes("s3:GetObject") && list(deny.Action).includes("s3:GetObjectVersion"));
        assert.equal(deny.Resource, "arn:aws:s3:::b/*");
        assert.deepEqual(deny.Condition, { ArnNotEquals: { "aws:PrincipalArn": ["arn:aws:iam::1:role/fh", "arn:aws:iam::1:role/admin"] } });
        assert.throws(() => secureBucketPolicyDocument("arn:aws:s3:::b", []), /restrictReadsTo/);
        assert.ok(!closed.Statement.some((s) => s.Effect === "Allow"), "the bucket policy grants nothing");
    });

    it("glueTableArns names catalog, database and table", () => {
        assert.deepEqual(glueTableArns({ ...env, partition: "aws-cn" }, "d", "t").map((a) => a.split(":").slice(1, 2)[0]), ["aws-cn", "aws-cn", "aws-cn"]);
    });
});
