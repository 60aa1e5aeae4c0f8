import { strict as assert } from "assert";
import { FirehoseLake, type FirehoseLakeArgs, resolveFirehoseLakeSettings } from "../../components/lake/firehoseLake";
import {
    ICEBERG_PARTITION_FIELD, OPTIMIZER_LOG_GROUPS, icebergPartitionSpec, icebergSchemaFields, optimizerPolicyDocument,
} from "../../components/lake/icebergTable";
import type { PolicyDocument } from "../../components/lake/policies";
import { ERASURES_COLUMNS } from "../../components/lake/erasuresTable";
import { EVENT_COLUMNS } from "../../dataplane/schema";
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { type CapturedResource, type RunResult, runUnderMocks } from "../../offline/runUnderMocks";
import { assertLeastPrivilege } from "./iamAssertions";

async function deploy(args: FirehoseLakeArgs, name = "lake"): Promise<RunResult> {
    return runUnderMocks({
        stack: "dev",
        program: () => {
            const lake = new FirehoseLake(name, args);
            return {
                lakeBucketName: lake.lakeBucketName, lakeBucketArn: lake.lakeBucketArn, rawBucketArn: lake.rawBucketArn, kmsKeyArn: lake.kmsKeyArn,
                firehoseRoleArn: lake.firehoseRoleArn, transformFunctionArn: lake.transformFunctionArn, tableFormat: lake.tableFormat,
                // A Parquet lake has no optimizer role: exporting undefined would print Pulumi's undefined-output warning.
                ...(lake.optimizerRoleArn ? { optimizerRoleArn: lake.optimizerRoleArn } : {}),
            };
        },
    });
}

const all = (run: RunResult, type: string) => run.resources.filter((r) => r.type === type);
const one = (run: RunResult, type: string, name?: string): CapturedResource => {
    const found = all(run, type).filter((r) => name === undefined || r.name === name);
    assert.equal(found.length, 1, `expected one ${type} ${name ?? ""}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
};
const GLUE = `arn:aws:glue:${MOCK_REGION}:${MOCK_ACCOUNT_ID}`;

describe("lake/FirehoseLake tableFormat iceberg (under mocks)", function () {
    this.timeout(120000);
    let run: RunResult;
    before(async () => {
        run = await deploy({ tableFormat: "iceberg", manageCatalogEncryption: true });
    });

    it("events table: Iceberg v2 created through Glue, schema.ts columns with ids and Iceberg types, day(received_at) hidden partition", () => {
        const table = one(run, "aws:glue/catalogTable:CatalogTable", "lake-table").inputs;
        assert.equal(table.name, "events");
        assert.equal(table.databaseName, "lake_dev");
        assert.equal(table.storageDescriptor, undefined, "Glue derives the storage descriptor from the Iceberg metadata");
        assert.equal(table.partitionKeys, undefined, "no Hive partition columns: partitioning is hidden");
        const input = table.openTableFormatInput.icebergInput;
        assert.equal(input.metadataOperation, "CREATE");
        assert.equal(input.version, "2");
        const t = input.icebergTableInput;
        assert.equal(t.location, `s3://${run.outputs.lakeBucketName}/events/`);
        assert.deepEqual(t.schema.fields.map((f: { name: string }) => f.name), EVENT_COLUMNS.map((c) => c.name));
        const byName = Object.fromEntries(t.schema.fields.map((f: { name: string; type: string }) => [f.name, JSON.parse(f.type)]));
        assert.equal(byName.received_at, "timestamp");
        assert.equal(byName.event_time, "timestamp");
        assert.equal(byName.anonymous_id, "string");
        assert.deepEqual(byName.properties, { type: "map", "key-id": EVENT_COLUMNS.length + 1, key: "string", "value-id": EVENT_COLUMNS.length + 2, value: "string", "value-required": false });
        assert.equal(byName.context["key-id"], EVENT_COLUMNS.length + 3);
        const ids = t.schema.fields.map((f: { id: number }) => f.id);
        assert.deepEqual(ids, EVENT_COLUMNS.map((_, i) => i + 1));
        const receivedAtId = t.schema.fields.find((f: { name: string }) => f.name === "received_at").id;
        assert.deepEqual(t.partitionSpec, { specId: 0, fields: [{ fieldId: 1000, name: ICEBERG_PARTITION_FIELD, sourceId: receivedAtId, transform: "day" }] });
        assert.equal(t.properties["write.delete.mode"], "merge-on-read");
        assert.equal(t.properties["history.expire.max-snapshot-age-ms"], String(3 * 86_400_000));
        assert.equal(t.properties["history.expire.min-snapshots-to-keep"], "1");
    });

    it("Firehose: Iceberg destination into that table, same transform, every source record to the raw bucket, failures under raw-errors/", () => {
        const s = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs;
        assert.equal(s.destination, "iceberg");
        assert.equal(s.extendedS3Configuration, undefined);
        const ice = s.icebergConfiguration;
        assert.equal(ice.catalogArn, `${GLUE}:catalog`);
        assert.equal(ice.roleArn, run.outputs.firehoseRoleArn);
        assert.equal(ice.appendOnly, true);
        assert.deepEqual(ice.destinationTableConfigurations, [{ databaseName: "lake_dev", tableName: "events" }]);
        assert.equal(ice.bufferingInterval, 60);
        assert.equal(ice.bufferingSize, 64);
        assert.equal(ice.processingConfiguration.enabled, true);
        assert.deepEqual(ice.processingConfiguration.processors, [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: `${run.outputs.transformFunctionArn}:$LATEST` }] }]);
        assert.equal(ice.s3BackupMode, "AllData");
        assert.equal(ice.s3Configuration.bucketArn, run.outputs.rawBucketArn);
        assert.equal(ice.s3Configuration.prefix, "raw/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/");
        assert.equal(ice.s3Configuration.errorOutputPrefix, "raw-errors/!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/");
        assert.equal(ice.s3Configuration.kmsKeyArn, run.outputs.kmsKeyArn);
        assert.equal(ice.s3Configuration.compressionFormat, "GZIP");
        assert.equal(ice.cloudwatchLoggingOptions.logStreamName, "DestinationDelivery");
        assert.equal(ice.s3Configuration.cloudwatchLoggingOptions.logStreamName, "BackupDelivery");
        assert.deepEqual(s.serverSideEncryption, { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: run.outputs.kmsKeyArn });
    });

    it("Firehose role: commits snapshots to this one table and deletes only under events/, least-privilege", () => {
        const fh = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-firehose-policy").inputs.policy) as PolicyDocument;
        assertLeastPrivilege(fh, "firehose");
        const st = (sid: string) => fh.Statement.find((s) => s.Sid === sid);
        assert.deepEqual(st("CommitIcebergSnapshots")?.Action, ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"]);
        assert.deepEqual(st("CommitIcebergSnapshots")?.Resource, [`${GLUE}:catalog`, `${GLUE}:database/lake_dev`, `${GLUE}:table/lake_dev/events`]);
        assert.deepEqual(st("CleanUpUncommittedFiles")?.Resource, `${run.outputs.lakeBucketArn}/events/*`);
    });

    it("optimizers: compaction, retention (expired files deleted) and orphan-file deletion on the table, with their own role", () => {
        const optimizers = all(run, "aws:glue/catalogTableOptimizer:CatalogTableOptimizer");
        assert.deepEqual(optimizers.map((o) => o.inputs.type).sort(), ["compaction", "orphan_file_deletion", "retention"]);
        for (const o of optimizers) {
            assert.equal(o.inputs.catalogId, MOCK_ACCOUNT_ID);
            assert.equal(o.inputs.databaseName, "lake_dev");
            assert.equal(o.inputs.tableName, "events");
            assert.equal(o.inputs.configuration.enabled, true);
            assert.equal(o.inputs.configuration.roleArn, run.outputs.optimizerRoleArn);
        }
        const by = (t: string) => optimizers.find((o) => o.inputs.type === t)!.inputs.configuration;
        assert.deepEqual(by("compaction").compactionConfiguration.icebergConfiguration, { strategy: "binpack", minInputFiles: 50, deleteFileThreshold: 1 });
        assert.deepEqual(by("retention").retentionConfiguration.icebergConfiguration, { snapshotRetentionPeriodInDays: 3, numberOfSnapshotsToRetain: 1, cleanExpiredFiles: true, runRateInHours: 24 });
        assert.deepEqual(by("orphan_file_deletion").orphanFileDeletionConfiguration.icebergConfiguration, {
            location: `s3://${run.outputs.lakeBucketName}/events/`, orphanFileRetentionPeriodInDays: 3, runRateInHours: 24,
        });
        const trust = JSON.parse(one(run, "aws:iam/role:Role", "lake-optimizer-role").inputs.assumeRolePolicy) as PolicyDocument;
        assert.deepEqual(trust.Statement[0].Principal, { Service: "glue.amazonaws.com" });
        assert.deepEqual(trust.Statement[0].Condition, { StringEquals: { "aws:SourceAccount": MOCK_ACCOUNT_ID } });
    });

    it("optimizer role policy: this table's prefix and metadata only, the lake key through S3, the catalog key through Glue, its run logs", () => {
        const doc = JSON.parse(one(run, "aws:iam/rolePolicy:RolePolicy", "lake-optimizer-policy").inputs.policy) as PolicyDocument;
        assertLeastPrivilege(doc, "optimizer");
        const lake = run.outputs.lakeBucketArn;
        const st = (sid: string) => doc.Statement.find((s) => s.Sid === sid)!;
        assert.deepEqual(st("RewriteTableFiles").Resource, `${lake}/events/*`);
        assert.deepEqual(st("ListTablePrefix").Condition, { StringLike: { "s3:prefix": ["events/*"] } });
        assert.deepEqual(st("CommitTableMetadata").Resource, [`${GLUE}:catalog`, `${GLUE}:database/lake_dev`, `${GLUE}:table/lake_dev/events`]);
        assert.equal(st("EncryptTableFilesThroughS3").Resource, run.outputs.kmsKeyArn);
        assert.equal(st("CatalogMetadataThroughGlue").Resource, run.outputs.kmsKeyArn);
        assert.deepEqual(st("WriteOptimizerLogs").Resource, OPTIMIZER_LOG_GROUPS.map((g) => `arn:aws:logs:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:log-group:${g}:*`));
        // Nothing on the raw bucket or another table.
        assert.ok(!JSON.stringify(doc).includes(run.outputs.rawBucketArn as string));
    });

    it("named queries filter on received_at (pruned by the day partition), never on dt/hour", () => {
        const queries = all(run, "aws:athena/namedQuery:NamedQuery");
        assert.equal(queries.length, 3);
        for (const q of queries) {
            assert.match(q.inputs.query, /received_at >= CAST\(current_date - INTERVAL '\d+' DAY AS timestamp\)/);
            assert.doesNotMatch(q.inputs.query, /\bdt\b|"hour"/);
        }
    });

    it("reports tableFormat and the optimizer role; the Parquet lake has neither optimizers nor their role", async () => {
        assert.equal(run.outputs.tableFormat, "iceberg");
        assert.match(String(run.outputs.optimizerRoleArn), /^arn:aws:iam::/);
        const parquet = await deploy({});
        assert.equal(parquet.outputs.tableFormat, "parquet");
        assert.equal(parquet.outputs.optimizerRoleArn, undefined);
        assert.equal(all(parquet, "aws:glue/catalogTableOptimizer:CatalogTableOptimizer").length, 0);
        assert.equal(one(parquet, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").inputs.destination, "extended_s3");
        assert.equal(one(parquet, "aws:glue/catalogTable:CatalogTable", "lake-table").inputs.openTableFormatInput, undefined);
    });

    it("optimizer log groups: none by default (the role cannot create them); with manageOptimizerLogGroups, Glue's fixed names with retention and the lake key", async () => {
        const names = (r: RunResult) => all(r, "aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs.name).filter((n) => typeof n === "string" && n.startsWith("/aws-glue/"));
        assert.deepEqual(names(run), []);
        const owned = await deploy({ tableFormat: "iceberg", logRetentionDays: 14, iceberg: { manageOptimizerLogGroups: true } }, "owner");
        const groups = all(owned, "aws:cloudwatch/logGroup:LogGroup").filter((g) => String(g.inputs.name).startsWith("/aws-glue/"));
        assert.deepEqual(groups.map((g) => g.inputs.name), [...OPTIMIZER_LOG_GROUPS]);
        for (const g of groups) {
            assert.equal(g.inputs.retentionInDays, 14);
            assert.equal(g.inputs.kmsKeyId, owned.outputs.kmsKeyArn);
        }
        const doc = JSON.parse(one(owned, "aws:iam/rolePolicy:RolePolicy", "owner-optimizer-policy").inputs.policy) as PolicyDocument;
        assert.ok(!JSON.stringify(doc).includes("logs:CreateLogGroup"));
    });

    it("both formats: an `erasures` audit table (JSON under erasures/, dt projection, subjects as structs)", async () => {
        for (const r of [run, await deploy({}, "pq")]) {
            const t = all(r, "aws:glue/catalogTable:CatalogTable").find((x) => x.inputs.name === "erasures")!.inputs;
            assert.equal(t.storageDescriptor.location, `s3://${r.outputs.lakeBucketName}/erasures/`);
            assert.equal(t.storageDescriptor.serDeInfo.serializationLibrary, "org.openx.data.jsonserde.JsonSerDe");
            assert.deepEqual(t.storageDescriptor.columns.map((c: { name: string }) => c.name), ERASURES_COLUMNS.map((c) => c.name));
            assert.equal(t.parameters["storage.location.template"], `s3://${r.outputs.lakeBucketName}/erasures/dt=\${dt}/`);
            assert.equal(t.parameters["projection.hour.type"], undefined);
            assert.deepEqual(t.partitionKeys.map((k: { name: string }) => k.name), ["dt"]);
        }
    });

    it("custom maintenance settings reach the optimizers and the table properties", async () => {
        const custom = await deploy({ tableFormat: "iceberg", iceberg: { snapshotRetentionDays: 1, snapshotsToRetain: 2, orphanFileRetentionDays: 5, compactionMinInputFiles: 10, maintenanceRunRateHours: 6 } }, "custom");
        const by = (t: string) => all(custom, "aws:glue/catalogTableOptimizer:CatalogTableOptimizer").find((o) => o.inputs.type === t)!.inputs.configuration;
        assert.equal(by("retention").retentionConfiguration.icebergConfiguration.snapshotRetentionPeriodInDays, 1);
        assert.equal(by("retention").retentionConfiguration.icebergConfiguration.numberOfSnapshotsToRetain, 2);
        assert.equal(by("orphan_file_deletion").orphanFileDeletionConfiguration.icebergConfiguration.orphanFileRetentionPeriodInDays, 5);
        assert.equal(by("compaction").compactionConfiguration.icebergConfiguration.minInputFiles, 10);
        const props = one(custom, "aws:glue/catalogTable:CatalogTable", "custom-table").inputs.openTableFormatInput.icebergInput.icebergTableInput.properties;
        assert.equal(props["history.expire.max-snapshot-age-ms"], String(86_400_000));
        assert.equal(props["history.expire.min-snapshots-to-keep"], "2");
    });
});

describe("lake/FirehoseLake tableFormat: invalid combinations", () => {
    const bad: [string, FirehoseLakeArgs, RegExp][] = [
        ["unknown format", { tableFormat: "delta" as never }, /tableFormat is "delta"; use one of parquet, iceberg/],
        ["iceberg settings on a Parquet lake", { iceberg: { snapshotRetentionDays: 2 } }, /iceberg is set but tableFormat is "parquet"; set tableFormat: "iceberg"/],
        ["Parquet compression on Iceberg", { tableFormat: "iceberg", parquetCompression: "GZIP" }, /parquetCompression applies to Firehose's Parquet conversion.*drop it/],
        ["projection start on Iceberg", { tableFormat: "iceberg", partitionProjectionStartDate: "2026-01-01" }, /partitionProjectionStartDate configures Athena partition projection.*drop it/],
        ["snapshot retention 0 days", { tableFormat: "iceberg", iceberg: { snapshotRetentionDays: 0 } }, /iceberg\.snapshotRetentionDays is 0, out of range.*from 1 to 30/],
        ["snapshot retention beyond 30 days", { tableFormat: "iceberg", iceberg: { snapshotRetentionDays: 90 } }, /iceberg\.snapshotRetentionDays is 90.*erased rows stay readable/],
        ["fractional snapshots", { tableFormat: "iceberg", iceberg: { snapshotsToRetain: 1.5 } }, /iceberg\.snapshotsToRetain must be a whole number/],
        ["compaction of one file", { tableFormat: "iceberg", iceberg: { compactionMinInputFiles: 1 } }, /iceberg\.compactionMinInputFiles is 1/],
        ["hourly maintenance", { tableFormat: "iceberg", iceberg: { maintenanceRunRateHours: 1 } }, /iceberg\.maintenanceRunRateHours is 1.*from 3 to 168/],
    ];
    for (const [what, args, message] of bad) {
        it(`rejects ${what}, naming the field and the fix`, () => {
            assert.throws(() => resolveFirehoseLakeSettings("lake", args), (e: Error) => e.message.startsWith("FirehoseLake: ") && message.test(e.message));
        });
    }

    it("resolves defaults for both formats", () => {
        assert.equal(resolveFirehoseLakeSettings("lake", {}).tableFormat, "parquet");
        assert.equal(resolveFirehoseLakeSettings("lake", {}).iceberg, undefined);
        assert.deepEqual(resolveFirehoseLakeSettings("lake", { tableFormat: "iceberg" }).iceberg, {
            snapshotRetentionDays: 3, snapshotsToRetain: 1, orphanFileRetentionDays: 3, compactionMinInputFiles: 50, maintenanceRunRateHours: 24, manageOptimizerLogGroups: false,
        });
    });
});

describe("lake/icebergTable builders", () => {
    it("field ids are unique across columns and map keys/values; only event_id, event_type and received_at are required", () => {
        const fields = icebergSchemaFields();
        const ids = fields.flatMap((f) => {
            const t = JSON.parse(f.type);
            return typeof t === "object" ? [f.id, t["key-id"], t["value-id"]] : [f.id];
        });
        assert.equal(new Set(ids).size, ids.length);
        assert.deepEqual(fields.filter((f) => f.required).map((f) => f.name), ["event_id", "event_type", "received_at"]);
        assert.ok(fields.every((f) => f.doc.length <= 255));
    });

    it("the partition spec refuses a schema without received_at", () => {
        assert.throws(() => icebergPartitionSpec(icebergSchemaFields(EVENT_COLUMNS.filter((c) => c.name !== "received_at"))), /no received_at column/);
    });

    it("optimizer policy without a catalog key grants no Glue-side KMS", () => {
        const doc = optimizerPolicyDocument({
            partition: "aws", region: "eu-west-1", accountId: "111122223333", lakeBucketArn: "arn:aws:s3:::l", tablePrefix: "events/", kmsKeyArn: "arn:aws:kms:eu-west-1:111122223333:key/k", databaseName: "d", tableName: "t",
        });
        assert.deepEqual(doc.Statement.map((s) => s.Sid), ["RewriteTableFiles", "ListTablePrefix", "EncryptTableFilesThroughS3", "CommitTableMetadata", "WriteOptimizerLogs"]);
        assertLeastPrivilege(doc, "optimizer");
    });
});
