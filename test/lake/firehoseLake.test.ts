import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { FirehoseLake, type FirehoseLakeArgs, resolveFirehoseLakeSettings } from "../../components/lake/firehoseLake";
import { glueColumns } from "../../components/lake/glueTable";
import type { PolicyDocument } from "../../components/lake/policies";
import { TIMESTAMP_FORMAT } from "../../dataplane/schema";
import { TRANSFORM_GLIBC_TUNABLES } from "../../dataplane/transform/mallocTunables";
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { type CapturedResource, type RunResult, runUnderMocks } from "../../offline/runUnderMocks";
import { assertLeastPrivilege } from "./iamAssertions";

const OUTPUTS = [
    "lakeBucketName", "lakeBucketArn", "rawBucketName", "rawBucketArn", "deliveryStreamName", "deliveryStreamArn", "databaseName", "tableName",
    "workgroupName", "kmsKeyArn", "transformFunctionName", "transformFunctionArn", "firehoseRoleArn",
] as const;

async function deploy(args: FirehoseLakeArgs = {}, name = "lake"): Promise<RunResult> {
    return runUnderMocks({
        stack: "dev",
        program: () => {
            const lake = new FirehoseLake(name, args);
            return Object.fromEntries(OUTPUTS.map((k) => [k, lake[k]]));
        },
    });
}

const one = (run: RunResult, type: string, name?: string): CapturedResource => {
    const found = run.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
    assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
};
const all = (run: RunResult, type: string) => run.resources.filter((r) => r.type === type);
const forBucket = (run: RunResult, type: string, bucket: CapturedResource) => {
    const found = all(run, type).filter((r) => r.inputs.bucket === bucket.id);
    assert.equal(found.length, 1, `${type} for ${bucket.name}`);
    return found[0];
};
const param = (params: { parameterName: string; parameterValue: string }[], n: string) => params.find((p) => p.parameterName === n)?.parameterValue;

describe("lake/FirehoseLake (under mocks)", function () {
    this.timeout(120000);
    let run: RunResult;
    before(async () => {
        // The access audit (its own key and log bucket) is tested in test/audit/accessAudit.test.ts.
        run = await deploy({ adminRoleArns: ["arn:aws:iam::123456789012:role/DataAdmin"], accessAudit: false });
    });

    it("creates a rotating CMK whose policy lets CloudWatch Logs use it, and every store uses it", () => {
        const key = one(run, "aws:kms/key:Key");
        assert.equal(key.inputs.enableKeyRotation, true);
        const policy = JSON.parse(key.inputs.policy) as PolicyDocument;
        assert.ok(policy.Statement.some((s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: `logs.${MOCK_REGION}.amazonaws.com` })));
        const keyArn = key.state.arn;
        assert.equal(run.outputs.kmsKeyArn, keyArn);
        for (const sse of all(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")) {
            assert.deepEqual(sse.inputs.rules, [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: keyArn }, bucketKeyEnabled: true }]);
        }
        for (const lg of all(run, "aws:cloudwatch/logGroup:LogGroup")) {
            assert.equal(lg.inputs.kmsKeyId, keyArn, lg.name);
            assert.equal(lg.inputs.retentionInDays, 30, lg.name);
        }
        assert.equal(one(run, "aws:secretsmanager/secret:Secret").inputs.kmsKeyId, keyArn);
        assert.equal(one(run, "aws:lambda/function:Function").inputs.kmsKeyArn, keyArn);
        const stream = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs;
        assert.deepEqual(stream.serverSideEncryption, { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn });
        assert.equal(stream.extendedS3Configuration.kmsKeyArn, keyArn);
        assert.equal(stream.extendedS3Configuration.s3BackupConfiguration.kmsKeyArn, keyArn);
        const wg = one(run, "aws:athena/workgroup:Workgroup").inputs;
        assert.deepEqual(wg.configuration.resultConfiguration.encryptionConfiguration, { encryptionOption: "SSE_KMS", kmsKeyArn: keyArn });
    });

    it("hardens both buckets: versioning, public access block, BucketOwnerEnforced, TLS-only policy, no force destroy", () => {
        const buckets = all(run, "aws:s3/bucket:Bucket");
        assert.deepEqual(buckets.map((b) => b.name).sort(), ["lake-lake", "lake-raw"]);
        for (const b of buckets) {
            assert.equal(b.inputs.forceDestroy, false);
            assert.deepEqual(forBucket(run, "aws:s3/bucketVersioning:BucketVersioning", b).inputs.versioningConfiguration, { status: "Enabled" });
            const pab = forBucket(run, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", b).inputs;
            for (const k of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) assert.equal(pab[k], true, `${b.name} ${k}`);
            assert.deepEqual(forBucket(run, "aws:s3/bucketOwnershipControls:BucketOwnershipControls", b).inputs.rule, { objectOwnership: "BucketOwnerEnforced" });
            const policy = JSON.parse(forBucket(run, "aws:s3/bucketPolicy:BucketPolicy", b).inputs.policy) as PolicyDocument;
            const tls = policy.Statement.find((s) => s.Sid === "DenyInsecureTransport");
            assert.ok(tls);
            assert.equal(tls.Effect, "Deny");
            assert.deepEqual(tls.Resource, [b.state.arn, `${b.state.arn}/*`]);
            assert.deepEqual(tls.Condition, { Bool: { "aws:SecureTransport": "false" } });
            assert.ok(!policy.Statement.some((s) => s.Effect === "Allow"));
        }
    });

    it("raw bucket: reads only by the Firehose role and the admins, expires after 7 days (and its old versions a day later)", () => {
        const raw = one(run, "aws:s3/bucket:Bucket", "lake-raw");
        const policy = JSON.parse(forBucket(run, "aws:s3/bucketPolicy:BucketPolicy", raw).inputs.policy) as PolicyDocument;
        const deny = policy.Statement.find((s) => s.Sid === "DenyReadsExceptListedPrincipals");
        assert.ok(deny);
        assert.deepEqual(deny.Condition, { ArnNotEquals: { "aws:PrincipalArn": [run.outputs.firehoseRoleArn, "arn:aws:iam::123456789012:role/DataAdmin"] } });
        assert.equal(deny.Resource, `${raw.state.arn}/*`);
        const rules = forBucket(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", raw).inputs.rules;
        assert.equal(rules.length, 1);
        assert.deepEqual(rules[0].expiration, { days: 7 });
        assert.deepEqual(rules[0].noncurrentVersionExpiration, { noncurrentDays: 1 });
        assert.equal(rules[0].status, "Enabled");
        // The lake bucket has no read restriction (Lake Formation / IAM govern it).
        const lake = one(run, "aws:s3/bucket:Bucket", "lake-lake");
        const lakePolicy = JSON.parse(forBucket(run, "aws:s3/bucketPolicy:BucketPolicy", lake).inputs.policy) as PolicyDocument;
        assert.deepEqual(lakePolicy.Statement.map((s) => s.Sid), ["DenyInsecureTransport"]);
    });

    it("lake bucket lifecycle: curated events to IA after 30 days, errors and Athena results expire, noncurrent versions expire", () => {
        const lake = one(run, "aws:s3/bucket:Bucket", "lake-lake");
        const rules: any[] = forBucket(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", lake).inputs.rules;
        const byId = Object.fromEntries(rules.map((r) => [r.id, r]));
        assert.deepEqual(byId["curated-to-infrequent-access"].filter, { prefix: "events/" });
        assert.deepEqual(byId["curated-to-infrequent-access"].transitions, [{ days: 30, storageClass: "STANDARD_IA" }]);
        assert.deepEqual(byId["expire-error-output"].filter, { prefix: "errors/" });
        assert.deepEqual(byId["expire-error-output"].expiration, { days: 30 });
        assert.deepEqual(byId["expire-athena-results"].filter, { prefix: "athena-results/" });
        assert.deepEqual(byId["expire-noncurrent-versions"].noncurrentVersionExpiration, { noncurrentDays: 30 });
        assert.ok(!rules.some((r) => r.filter?.prefix === "events/" && r.expiration), "curated data never expires by default");
        for (const r of rules) assert.equal(r.status, "Enabled");
    });

    it("Glue table: schema.ts columns in order, dt/hour partitions with projection, Parquet, external", () => {
        const db = one(run, "aws:glue/catalogDatabase:CatalogDatabase").inputs;
        assert.equal(db.name, "lake_dev");
        const t = one(run, "aws:glue/catalogTable:CatalogTable", "lake-table").inputs;
        const lakeBucket = run.outputs.lakeBucketName as string;
        assert.equal(t.name, "events");
        assert.equal(t.databaseName, "lake_dev");
        assert.equal(t.tableType, "EXTERNAL_TABLE");
        assert.deepEqual(t.storageDescriptor.columns, glueColumns());
        assert.deepEqual(t.partitionKeys.map((k: any) => [k.name, k.type]), [["dt", "string"], ["hour", "string"]]);
        assert.equal(t.storageDescriptor.location, `s3://${lakeBucket}/events/`);
        assert.equal(t.storageDescriptor.serDeInfo.serializationLibrary, "org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe");
        assert.equal(t.parameters["projection.enabled"], "true");
        assert.equal(t.parameters["projection.dt.type"], "date");
        assert.equal(t.parameters["projection.dt.format"], "yyyy-MM-dd");
        assert.equal(t.parameters["projection.dt.range"], "2026-01-01,NOW");
        assert.equal(t.parameters["projection.hour.type"], "integer");
        assert.equal(t.parameters["projection.hour.range"], "0,23");
        assert.equal(t.parameters["projection.hour.digits"], "2");
        assert.equal(t.parameters["storage.location.template"], `s3://${lakeBucket}/events/dt=\${dt}/hour=\${hour}/`);
    });

    it("Firehose: direct PUT, transform processor, Parquet via the Glue table, 60 s / 64 MiB, prefixes, raw backup, logging", () => {
        const s = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs;
        assert.equal(s.destination, "extended_s3");
        assert.equal(s.kinesisSourceConfiguration, undefined);
        const x = s.extendedS3Configuration;
        assert.equal(x.bucketArn, run.outputs.lakeBucketArn);
        assert.equal(x.roleArn, run.outputs.firehoseRoleArn);
        assert.equal(x.bufferingInterval, 60);
        assert.equal(x.bufferingSize, 64);
        assert.equal(x.prefix, "events/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/");
        assert.equal(x.errorOutputPrefix, "errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/");
        assert.equal(x.compressionFormat, "UNCOMPRESSED");
        const proc = x.processingConfiguration;
        assert.equal(proc.enabled, true);
        assert.equal(proc.processors.length, 1);
        assert.equal(proc.processors[0].type, "Lambda");
        assert.equal(param(proc.processors[0].parameters, "LambdaArn"), `${run.outputs.transformFunctionArn}:$LATEST`);
        // AWS defaults (1 MB, 60 s, 3 retries) are not sent: the provider does not store them and would diff forever.
        assert.deepEqual(proc.processors[0].parameters.map((p: any) => p.parameterName), ["LambdaArn"]);
        const conv = x.dataFormatConversionConfiguration;
        assert.equal(conv.enabled, true);
        assert.deepEqual(conv.inputFormatConfiguration, { deserializer: { hiveJsonSerDe: { timestampFormats: [TIMESTAMP_FORMAT] } } });
        assert.deepEqual(conv.outputFormatConfiguration, { serializer: { parquetSerDe: { compression: "SNAPPY" } } });
        assert.deepEqual(conv.schemaConfiguration, { databaseName: "lake_dev", tableName: "events", roleArn: run.outputs.firehoseRoleArn, versionId: "LATEST" });
        assert.equal(x.s3BackupMode, "Enabled");
        assert.equal(x.s3BackupConfiguration.bucketArn, run.outputs.rawBucketArn);
        assert.equal(x.s3BackupConfiguration.roleArn, run.outputs.firehoseRoleArn);
        assert.equal(x.s3BackupConfiguration.compressionFormat, "GZIP");
        assert.ok(x.s3BackupConfiguration.errorOutputPrefix, "a prefix with expressions needs an error prefix");
        const logGroup = all(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === "lake-firehose-logs");
        assert.ok(logGroup);
        assert.deepEqual(x.cloudwatchLoggingOptions, { enabled: true, logGroupName: logGroup.state.name ?? logGroup.id, logStreamName: "DestinationDelivery" });
        assert.equal(x.s3BackupConfiguration.cloudwatchLoggingOptions.logStreamName, "BackupDelivery");
        const streams = all(run, "aws:cloudwatch/logStream:LogStream").map((l) => l.inputs.name).sort();
        assert.deepEqual(streams, ["BackupDelivery", "DestinationDelivery"]);
    });

    it("transform Lambda: arm64, runtime, env contract, own KMS log group, secret from a 64-char random password", async () => {
        const fn = one(run, "aws:lambda/function:Function").inputs;
        assert.equal(fn.runtime, "nodejs22.x");
        assert.deepEqual(fn.architectures, ["arm64"]);
        assert.equal(fn.handler, "index.handler");
        assert.equal(fn.memorySize, 512);
        assert.equal(fn.timeout, 120);
        assert.equal(fn.reservedConcurrentExecutions, undefined);
        const secret = one(run, "aws:secretsmanager/secret:Secret");
        assert.deepEqual(fn.environment.variables, { CLICKSTREAM_TRANSFORM_CONFIG: "{}", CLICKSTREAM_PII_SECRET_ARN: secret.state.arn, GLIBC_TUNABLES: TRANSFORM_GLIBC_TUNABLES });
        // The response's base64 string must come from malloc's heap, not a fresh mmap per batch (mallocTunables.ts).
        assert.equal(fn.environment.variables.GLIBC_TUNABLES, "glibc.malloc.mmap_threshold=33554432:glibc.malloc.trim_threshold=1073741824");
        const transformLogs = all(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === "lake-transform-logs");
        assert.ok(transformLogs);
        assert.equal(fn.loggingConfig.logGroup, transformLogs.state.name ?? transformLogs.id);
        const pw = one(run, "random:index/randomPassword:RandomPassword").inputs;
        assert.equal(pw.length, 64);
        assert.equal(pw.special, false);
        assert.equal(one(run, "aws:secretsmanager/secretVersion:SecretVersion").inputs.secretId, secret.id);
    });

    it("IAM: every role policy is least-privilege and names exactly this lake's ARNs", () => {
        const policies = all(run, "aws:iam/rolePolicy:RolePolicy");
        assert.equal(policies.length, 2);
        for (const p of policies) assertLeastPrivilege(JSON.parse(p.inputs.policy), p.name);
        const fh = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-firehose-policy").inputs.policy) as PolicyDocument;
        const lake = run.outputs.lakeBucketArn, raw = run.outputs.rawBucketArn, fnArn = run.outputs.transformFunctionArn;
        const resources = (sid: string) => [fh.Statement.find((s) => s.Sid === sid)?.Resource].flat();
        assert.deepEqual(resources("WriteLakeAndRawBuckets"), [lake, `${lake}/*`, raw, `${raw}/*`]);
        assert.deepEqual(resources("EncryptObjectsThroughS3"), [run.outputs.kmsKeyArn]);
        const glue = `arn:aws:glue:${MOCK_REGION}:${MOCK_ACCOUNT_ID}`;
        assert.deepEqual(resources("ReadSchemaFromGlueTable"), [`${glue}:catalog`, `${glue}:database/lake_dev`, `${glue}:table/lake_dev/events`]);
        assert.deepEqual(resources("InvokeTransform"), [fnArn, `${fnArn}:*`]);
        const fhLogs = all(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.name === "lake-firehose-logs")!.state.arn;
        assert.deepEqual(resources("WriteDeliveryLogs"), [`${fhLogs}:log-stream:DestinationDelivery`, `${fhLogs}:log-stream:BackupDelivery`]);
        const tr = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-transform-policy").inputs.policy) as PolicyDocument;
        const secretArn = one(run, "aws:secretsmanager/secret:Secret").state.arn;
        assert.deepEqual(tr.Statement.map((s) => [s.Action, s.Resource]).slice(1), [["secretsmanager:GetSecretValue", secretArn], ["kms:Decrypt", run.outputs.kmsKeyArn]]);
        const trust = JSON.parse(one(run, "aws:iam/role:Role", "lake-firehose-role").inputs.assumeRolePolicy) as PolicyDocument;
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "sts:ExternalId": MOCK_ACCOUNT_ID } });
    });

    it("Athena: enforced workgroup, metrics, encrypted results under athena-results/, 10 GiB cutoff, three named queries", () => {
        const wg = one(run, "aws:athena/workgroup:Workgroup").inputs.configuration;
        assert.equal(wg.enforceWorkgroupConfiguration, true);
        assert.equal(wg.publishCloudwatchMetricsEnabled, true);
        assert.equal(wg.bytesScannedCutoffPerQuery, 10 * 1024 ** 3);
        assert.equal(wg.resultConfiguration.outputLocation, `s3://${run.outputs.lakeBucketName}/athena-results/`);
        assert.equal(wg.resultConfiguration.expectedBucketOwner, MOCK_ACCOUNT_ID);
        const queries = all(run, "aws:athena/namedQuery:NamedQuery");
        assert.equal(queries.length, 3);
        for (const q of queries) {
            assert.equal(q.inputs.database, "lake_dev");
            assert.equal(q.inputs.workgroup, run.outputs.workgroupName);
            assert.match(q.inputs.query, /FROM "lake_dev"\."events"/);
        }
    });

    it("exposes every output, and children are parented to the component", () => {
        for (const k of OUTPUTS) assert.ok(typeof run.outputs[k] === "string" && (run.outputs[k] as string).length > 0, `output ${k}`);
        const component = one(run, "clickstream:lake:FirehoseLake");
        for (const r of run.resources.filter((r) => r !== component && r.parent === undefined)) assert.fail(`${r.type} ${r.name} has no parent`);
        assert.ok(all(run, "clickstream:storage:SecureBucket").every((b) => b.parent === "clickstream:lake:FirehoseLake::lake"));
    });
});

describe("lake/FirehoseLake variants (under mocks)", function () {
    this.timeout(120000);

    it("Kinesis source: reads the stream with the Firehose role, no Firehose SSE, policy scoped to the stream and its key", async () => {
        const streamArn = `arn:aws:kinesis:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:stream/clicks`;
        const streamKey = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:key/stream-key`;
        const run = await deploy({ source: { kind: "kinesis", streamArn, streamKmsKeyArn: streamKey } });
        const s = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs;
        assert.deepEqual(s.kinesisSourceConfiguration, { kinesisStreamArn: streamArn, roleArn: run.outputs.firehoseRoleArn });
        assert.equal(s.serverSideEncryption, undefined);
        const fh = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-firehose-policy").inputs.policy) as PolicyDocument;
        assertLeastPrivilege(fh, "firehose");
        assert.equal(fh.Statement.find((x) => x.Sid === "ReadSourceStream")?.Resource, streamArn);
        assert.equal(fh.Statement.find((x) => x.Sid === "DecryptSourceStream")?.Resource, streamKey);
    });

    it("passed-in key: no key or alias created, every store uses the given key", async () => {
        const keyArn = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:key/shared`;
        const run = await deploy({ kmsKeyArn: keyArn, accessAudit: false }); // the audit's own key: test/audit
        assert.equal(all(run, "aws:kms/key:Key").length, 0);
        assert.equal(all(run, "aws:kms/alias:Alias").length, 0);
        assert.equal(run.outputs.kmsKeyArn, keyArn);
        for (const sse of all(run, "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")) {
            assert.equal(sse.inputs.rules[0].applyServerSideEncryptionByDefault.kmsMasterKeyId, keyArn);
        }
        for (const lg of all(run, "aws:cloudwatch/logGroup:LogGroup")) assert.equal(lg.inputs.kmsKeyId, keyArn);
        assert.equal(one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.serverSideEncryption.keyArn, keyArn);
    });

    it("SSM parameter as PII key: no secret or password created, GetParameter on that parameter only", async () => {
        const run = await deploy({ piiSecret: { parameterName: "/clickstream/pii-key" } });
        assert.equal(all(run, "aws:secretsmanager/secret:Secret").length, 0);
        assert.equal(all(run, "random:index/randomPassword:RandomPassword").length, 0);
        const fn = one(run, "aws:lambda/function:Function").inputs;
        assert.deepEqual(fn.environment.variables, { CLICKSTREAM_TRANSFORM_CONFIG: "{}", CLICKSTREAM_PII_SECRET_PARAMETER: "/clickstream/pii-key", GLIBC_TUNABLES: TRANSFORM_GLIBC_TUNABLES });
        const tr = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-transform-policy").inputs.policy) as PolicyDocument;
        assertLeastPrivilege(tr, "transform");
        assert.deepEqual(tr.Statement.slice(1).map((s) => [s.Action, s.Resource]), [
            ["ssm:GetParameter", `arn:aws:ssm:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:parameter/clickstream/pii-key`],
            ["kms:Decrypt", run.outputs.kmsKeyArn],
        ]);
    });

    /** Runs `fn` with pulumi.log.warn captured (not printed); returns the warnings. */
    async function capturingWarnings(fn: () => Promise<unknown>): Promise<string[]> {
        const warnings: string[] = [];
        const warn = pulumi.log.warn;
        (pulumi.log as { warn: (msg: string) => Promise<void> }).warn = async (msg: string) => void warnings.push(msg);
        try {
            await fn();
        } finally {
            (pulumi.log as { warn: typeof warn }).warn = warn;
        }
        return warnings;
    }

    it("warns (without failing) when the processor buffer leaves little room under Lambda's 6 MB response", async () => {
        assert.deepEqual(await capturingWarnings(() => deploy({ processorBuffering: { sizeMB: 2 } })), []);
        const warnings = await capturingWarnings(() => deploy({ processorBuffering: { sizeMB: 3 } }));
        assert.equal(warnings.length, 1);
        assert.match(warnings[0], /^lake: processorBuffering\.sizeMB 3 leaves little room under Lambda's 6 MB response/);
    });

    it("existing secret ARN, overrides of buffering, retention, cutoff, transform config, reserved concurrency", async () => {
        const secretArn = `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:secret:pii-XyZ`;
        let run!: RunResult;
        // sizeMB 3 is above the comfortable size: the component warns (asserted, not printed).
        const warnings = await capturingWarnings(async () => (run = await deploy({
            piiSecret: { secretArn },
            buffering: { intervalSeconds: 300, sizeMiB: 128 },
            processorBuffering: { sizeMB: 3, intervalSeconds: 120, retries: 5 },
            parquetCompression: "GZIP",
            rawRetentionDays: 3,
            curatedInfrequentAccessDays: 45,
            noncurrentVersionExpirationDays: 10,
            logRetentionDays: 90,
            athenaBytesScannedCutoff: 1024 ** 3,
            transform: { maxEventsPerRequest: 100, pii: { truncateIp: true, dropUrlParamPatterns: ["token", "code"] } },
            transformReservedConcurrency: 10,
            forceDestroy: true,
            databaseName: "web_events",
            tableName: "clicks",
            partitionProjectionStartDate: "2025-06-01",
        })));
        assert.deepEqual(warnings.map((w) => w.split(":")[0]), ["lake"]);
        const x = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.extendedS3Configuration;
        assert.equal(x.bufferingInterval, 300);
        assert.equal(x.bufferingSize, 128);
        const params = x.processingConfiguration.processors[0].parameters;
        assert.equal(param(params, "BufferSizeInMBs"), "3");
        assert.equal(param(params, "BufferIntervalInSeconds"), "120");
        assert.equal(param(params, "NumberOfRetries"), "5");
        assert.equal(x.dataFormatConversionConfiguration.outputFormatConfiguration.serializer.parquetSerDe.compression, "GZIP");
        assert.deepEqual(x.dataFormatConversionConfiguration.schemaConfiguration.tableName, "clicks");
        const fn = one(run, "aws:lambda/function:Function").inputs;
        assert.equal(fn.reservedConcurrentExecutions, 10);
        assert.deepEqual(JSON.parse(fn.environment.variables.CLICKSTREAM_TRANSFORM_CONFIG), { maxEventsPerRequest: 100, pii: { truncateIp: true, dropUrlParamPatterns: ["token", "code"] } });
        assert.equal(fn.environment.variables.CLICKSTREAM_PII_SECRET_ARN, secretArn);
        for (const lg of all(run, "aws:cloudwatch/logGroup:LogGroup")) assert.equal(lg.inputs.retentionInDays, 90);
        assert.equal(one(run, "aws:athena/workgroup:Workgroup").inputs.configuration.bytesScannedCutoffPerQuery, 1024 ** 3);
        for (const b of all(run, "aws:s3/bucket:Bucket")) assert.equal(b.inputs.forceDestroy, true);
        const rules = all(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").flatMap((l) => l.inputs.rules);
        assert.deepEqual(rules.find((r: any) => r.id === "expire-raw").expiration, { days: 3 });
        assert.deepEqual(rules.find((r: any) => r.id === "curated-to-infrequent-access").transitions, [{ days: 45, storageClass: "STANDARD_IA" }]);
        assert.deepEqual(rules.find((r: any) => r.id === "expire-noncurrent-versions").noncurrentVersionExpiration, { noncurrentDays: 10 });
        const t = one(run, "aws:glue/catalogTable:CatalogTable", "lake-table").inputs;
        assert.equal(t.databaseName, "web_events");
        assert.equal(t.parameters["projection.dt.range"], "2025-06-01,NOW");
        const tr = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-transform-policy").inputs.policy) as PolicyDocument;
        assert.deepEqual(tr.Statement.slice(1).map((s) => s.Resource), [secretArn, run.outputs.kmsKeyArn]);
    });
});

describe("lake/FirehoseLake argument validation", () => {
    const rejects: [string, FirehoseLakeArgs, RegExp][] = [
        ["rawRetentionDays 0", { rawRetentionDays: 0 }, /rawRetentionDays/],
        ["negative noncurrent days", { noncurrentVersionExpirationDays: -1 }, /noncurrentVersionExpirationDays/],
        ["IA transition before 30 days", { curatedInfrequentAccessDays: 10 }, /curatedInfrequentAccessDays.*30/],
        ["fractional error retention", { errorRetentionDays: 1.5 }, /errorRetentionDays.*whole number/],
        ["log retention CloudWatch rejects", { logRetentionDays: 10 }, /logRetentionDays.*14, 30/],
        ["buffer interval above 900", { buffering: { intervalSeconds: 901 } }, /buffering\.intervalSeconds/],
        ["buffer interval below conversion floor", { buffering: { intervalSeconds: 30 } }, /buffering\.intervalSeconds.*60/],
        ["buffer size below 64 MiB with conversion", { buffering: { sizeMiB: 5 } }, /buffering\.sizeMiB.*64/],
        ["buffer size above 128 MiB", { buffering: { sizeMiB: 256 } }, /buffering\.sizeMiB/],
        ["processor buffer below 0.2 MB", { processorBuffering: { sizeMB: 0.1 } }, /processorBuffering\.sizeMB/],
        ["processor buffer above 3 MB", { processorBuffering: { sizeMB: 4 } }, /processorBuffering\.sizeMB/],
        ["processor interval above 900", { processorBuffering: { intervalSeconds: 1000 } }, /processorBuffering\.intervalSeconds/],
        ["negative retries", { processorBuffering: { retries: -1 } }, /processorBuffering\.retries/],
        ["Athena cutoff below 10 MiB", { athenaBytesScannedCutoff: 1000 }, /athenaBytesScannedCutoff/],
        ["timeout beyond Firehose's 5 minutes", { transformTimeoutSeconds: 600 }, /transformTimeoutSeconds/],
        ["memory below Lambda's minimum", { transformMemoryMb: 64 }, /transformMemoryMb/],
        ["reserved concurrency 0", { transformReservedConcurrency: 0 }, /transformReservedConcurrency/],
        ["database name with hyphen", { databaseName: "my-db" }, /databaseName/],
        ["table name upper case", { tableName: "Events" }, /tableName/],
        ["projection start not a date", { partitionProjectionStartDate: "2026-02-30" }, /partitionProjectionStartDate/],
        ["unknown compression", { parquetCompression: "LZO" as never }, /parquetCompression/],
        ["admin ARN not a role", { adminRoleArns: ["arn:aws:iam::123456789012:user/bob"] }, /adminRoleArns/],
        ["Kinesis source without a stream", { source: { kind: "kinesis", streamArn: "" } }, /source\.streamArn/],
        ["Kinesis source with a non-stream ARN", { source: { kind: "kinesis", streamArn: "arn:aws:sqs:us-east-1:123456789012:q" } }, /source\.streamArn/],
        ["key alias instead of key ARN", { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:alias/lake" }, /kmsKeyArn.*alias/],
        ["stream key not a key ARN", { source: { kind: "kinesis", streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s", streamKmsKeyArn: "alias/aws/kinesis" } }, /source\.streamKmsKeyArn/],
        ["service principals with a passed-in key", { kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/k", keyServicePrincipals: ["sns.amazonaws.com"] }, /keyServicePrincipals/],
        ["service principal that is not one", { keyServicePrincipals: ["arn:aws:iam::123456789012:root"] }, /keyServicePrincipals/],
        ["empty SSM parameter name", { piiSecret: { parameterName: "" } }, /piiSecret\.parameterName/],
        ["both secret kinds", { piiSecret: { parameterName: "/a", secretArn: "arn:x" } as never }, /piiSecret/],
        ["transform size not a positive integer", { transform: { maxEventsPerRequest: 0 } }, /transform is invalid: transform config maxEventsPerRequest/],
        ["transform bad regex", { transform: { pii: { redactPatterns: ["(unclosed"] } } }, /transform is invalid: .*pii\.redactPatterns\[0\]/],
        ["transform URL parameter list not a list", { transform: { pii: { dropUrlParamPatterns: "token" as never } } }, /transform is invalid: transform config pii\.dropUrlParamPatterns: expected an array of strings.*Fix:/],
        ["transform unknown setting", { transform: { maxBodyByte: 5 } as never }, /transform is invalid: .*maxBodyByte/],
        ["transform event larger than body", { transform: { maxBodyBytes: 100, maxEventBytes: 200 } }, /transform is invalid: .*maxEventBytes/],
        ["transform too large for Lambda env", { transform: { pii: { redactPatterns: Array.from({ length: 400 }, (_, i) => `pattern${i}`) } } }, /transform.*4 KB/],
    ];
    for (const [label, args, expected] of rejects) {
        it(`rejects ${label}, naming the field`, () => {
            assert.throws(() => resolveFirehoseLakeSettings("lake", args), (e: Error) => {
                assert.match(e.message, expected);
                assert.match(e.message, /^FirehoseLake: /);
                return true;
            });
        });
    }

    it("the constructor itself throws before registering children", async () => {
        let error: Error | undefined;
        const run = await runUnderMocks({
            program: () => {
                try {
                    new FirehoseLake("bad", { rawRetentionDays: 0 });
                } catch (e) {
                    error = e as Error;
                }
                return {};
            },
        });
        assert.match(String(error?.message), /rawRetentionDays/);
        assert.ok(!run.resources.some((r) => r.type.startsWith("aws:")), "no AWS resource registered for a rejected lake");
    });

    it("accepts the limits themselves", () => {
        const s = resolveFirehoseLakeSettings("lake", {
            rawRetentionDays: 1, curatedInfrequentAccessDays: 30, buffering: { intervalSeconds: 900, sizeMiB: 128 },
            processorBuffering: { sizeMB: 0.2, intervalSeconds: 0, retries: 0 }, athenaBytesScannedCutoff: 10 * 1024 * 1024, transformTimeoutSeconds: 300,
        });
        assert.equal(s.bufferingIntervalSeconds, 900);
        assert.equal(s.processorSizeMB, 0.2);
    });

    it("defaults are the documented ones", () => {
        const s = resolveFirehoseLakeSettings("Web-Lake", {});
        assert.equal(s.databaseName, `web_lake_${pulumi.getStack()}`.replace(/[^a-z0-9_]+/g, "_").replace(/_+$/, ""));
        assert.deepEqual([s.rawRetentionDays, s.curatedInfrequentAccessDays, s.noncurrentVersionExpirationDays, s.logRetentionDays], [7, 30, 30, 30]);
        assert.deepEqual([s.bufferingIntervalSeconds, s.bufferingSizeMiB], [60, 64]);
        assert.equal(s.athenaBytesScannedCutoff, 10 * 1024 ** 3);
        assert.equal(s.tableName, "events");
    });
});

describe("lake/FirehoseLake against the CrossGuard pack (offline harness)", function () {
    this.timeout(120000);

    it("passes every policy except PII column tags, which LakeFormationGrants adds", async () => {
        const { checkProgram } = await import("../../offline/policyHarness");
        for (const source of [{ kind: "direct" as const }, { kind: "kinesis" as const, streamArn: `arn:aws:kinesis:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:stream/clicks` }]) {
            const run = await deploy({ source, manageCatalogEncryption: true });
            const violations = await checkProgram(run);
            assert.deepEqual(violations.map((v) => v.policy), ["clickstream-glue-pii-columns-tagged"], JSON.stringify(violations, null, 1));
        }
    });

    it("manageCatalogEncryption: catalog SSE-KMS with the lake key, and Firehose may decrypt it through Glue", async () => {
        const run = await deploy({ manageCatalogEncryption: true });
        const settings = one(run, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings").inputs.dataCatalogEncryptionSettings;
        assert.deepEqual(settings.encryptionAtRest, { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: run.outputs.kmsKeyArn });
        assert.deepEqual(settings.connectionPasswordEncryption, { returnConnectionPasswordEncrypted: true, awsKmsKeyId: run.outputs.kmsKeyArn });
        const fh = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-firehose-policy").inputs.policy) as PolicyDocument;
        assert.equal(fh.Statement.find((s) => s.Sid === "DecryptCatalogMetadata")?.Resource, run.outputs.kmsKeyArn);
        const without = await deploy();
        assert.equal(all(without, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings").length, 0);
    });
});
