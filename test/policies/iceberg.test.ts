import { strict as assert } from "assert";
import { CapturedResource } from "../../offline/runUnderMocks";
import { baselineResources, mutate, violationsOf, without } from "./baseline";

const OPTIMIZER = "aws:glue/catalogTableOptimizer:CatalogTableOptimizer";
const TABLE = "aws:glue/catalogTable:CatalogTable";
const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const LF_TAGS = "aws:lakeformation/resourceLfTags:ResourceLfTags";

/** The baseline's extended-S3 stream turned into an Iceberg destination with the same processor and key. */
function icebergStream(resources: CapturedResource[]): CapturedResource[] {
    return mutate(resources, FIREHOSE, "events", (i) => {
        const s3 = i.extendedS3Configuration;
        const out: Record<string, any> = {
            ...i,
            destination: "iceberg",
            icebergConfiguration: {
                catalogArn: "arn:aws:glue:us-east-1:123456789012:catalog",
                roleArn: s3.roleArn,
                destinationTableConfigurations: [{ databaseName: "clickstream", tableName: "events_iceberg" }],
                processingConfiguration: s3.processingConfiguration,
                s3BackupMode: "AllData",
                s3Configuration: { bucketArn: s3.s3BackupConfiguration.bucketArn, roleArn: s3.roleArn, kmsKeyArn: s3.kmsKeyArn },
            },
        };
        delete out.extendedS3Configuration;
        return out;
    });
}

describe("policies: Iceberg", () => {
    describe("clickstream-glue-iceberg-table-maintenance", () => {
        const P = "clickstream-glue-iceberg-table-maintenance";
        it("accepts the baseline's Iceberg table with its three optimizers", async () => {
            assert.deepEqual(await violationsOf(P, await baselineResources()), []);
        });
        it("flags a table without compaction, naming the table", async () => {
            const v = await violationsOf(P, without(await baselineResources(), OPTIMIZER, "events-iceberg-compaction"));
            assert.equal(v.length, 1);
            assert.match(v[0].message, /clickstream\.events_iceberg has no enabled compaction optimizer/);
        });
        it("flags a missing or disabled snapshot-retention optimizer", async () => {
            const missing = await violationsOf(P, without(await baselineResources(), OPTIMIZER, "events-iceberg-retention"));
            assert.deepEqual(missing.map((v) => v.message), ["Iceberg table clickstream.events_iceberg has no enabled snapshot-retention optimizer: every snapshot, with rows deleted for erasure, stays readable forever."]);
            const disabled = mutate(await baselineResources(), OPTIMIZER, "events-iceberg-retention", (i) => ({ ...i, configuration: { ...i.configuration, enabled: false } }));
            assert.equal((await violationsOf(P, disabled)).length, 1);
        });
        it("flags retention that keeps expired files or keeps snapshots too long (Glue's 5-day default when unset counts)", async () => {
            const keepsFiles = mutate(await baselineResources(), OPTIMIZER, "events-iceberg-retention", (i) => {
                i.configuration.retentionConfiguration.icebergConfiguration.cleanExpiredFiles = false;
                return i;
            });
            assert.match((await violationsOf(P, keepsFiles))[0].message, /does not set cleanExpiredFiles = true/);
            const long = mutate(await baselineResources(), OPTIMIZER, "events-iceberg-retention", (i) => {
                i.configuration.retentionConfiguration.icebergConfiguration.snapshotRetentionPeriodInDays = 30;
                return i;
            });
            assert.match((await violationsOf(P, long))[0].message, /snapshot retention is 30 days, more than the 7 allowed/);
            const unset = mutate(await baselineResources(), OPTIMIZER, "events-iceberg-retention", (i) => {
                delete i.configuration.retentionConfiguration.icebergConfiguration.snapshotRetentionPeriodInDays;
                return i;
            });
            assert.deepEqual(await violationsOf(P, unset), []);
            assert.match((await violationsOf(P, unset, { config: { [P]: { maxSnapshotRetentionDays: 3 } } }))[0].message, /retention is 5 days, more than the 3 allowed/);
        });
        it("flags a missing orphan-file deletion unless the config waives it", async () => {
            const r = without(await baselineResources(), OPTIMIZER, "events-iceberg-orphan_file_deletion");
            assert.match((await violationsOf(P, r))[0].message, /no enabled orphan-file deletion optimizer/);
            assert.deepEqual(await violationsOf(P, r, { config: { [P]: { requireOrphanFileDeletion: false } } }), []);
        });
        it("an optimizer of another table does not count", async () => {
            const r = mutate(await baselineResources(), OPTIMIZER, "events-iceberg-compaction", (i) => ({ ...i, tableName: "events" }));
            assert.match((await violationsOf(P, r))[0].message, /events_iceberg has no enabled compaction optimizer/);
        });
        it("recognizes an Iceberg table made by Athena DDL (table_type = ICEBERG) and leaves Parquet tables alone", async () => {
            const athena = mutate(await baselineResources(), TABLE, "events", (i) => ({ ...i, parameters: { table_type: "ICEBERG" } }));
            const v = await violationsOf(P, athena);
            assert.equal(v.length, 3);
            assert.ok(v.every((x) => /clickstream\.events has no enabled/.test(x.message)));
            const noIceberg = without(await baselineResources(), TABLE, "events-iceberg");
            assert.deepEqual(await violationsOf(P, noIceberg), []);
        });
    });

    describe("existing rules on Iceberg resources", () => {
        it("clickstream-glue-pii-columns-tagged reads the Iceberg schema's columns", async () => {
            const untagged = without(without(await baselineResources(), LF_TAGS, "lake-grants-table-1-pii-columns"), LF_TAGS, "lake-grants-table-1-tags");
            const v = await violationsOf("clickstream-glue-pii-columns-tagged", untagged);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /clickstream\.events_iceberg: column\(s\) anonymous_id, user_id, ip_truncated/);
        });
        it("clickstream-firehose-pii-transform covers Iceberg destinations whatever the bucket pattern", async () => {
            const P = "clickstream-firehose-pii-transform";
            assert.deepEqual(await violationsOf(P, icebergStream(await baselineResources())), []);
            const bare = mutate(icebergStream(await baselineResources()), FIREHOSE, "events", (i) => { delete i.icebergConfiguration.processingConfiguration; return i; });
            const v = await violationsOf(P, bare, { config: { [P]: { lakeBucketPattern: "^nothing-matches$" } } });
            assert.equal(v.length, 1);
            assert.match(v[0].message, /delivers into "clickstream\.events_iceberg" without a Lambda processor/);
        });
        it("clickstream-firehose-s3-destination-kms requires the key on the Iceberg backup/error bucket", async () => {
            const P = "clickstream-firehose-s3-destination-kms";
            assert.deepEqual(await violationsOf(P, icebergStream(await baselineResources())), []);
            const noKey = mutate(icebergStream(await baselineResources()), FIREHOSE, "events", (i) => { delete i.icebergConfiguration.s3Configuration.kmsKeyArn; return i; });
            assert.match((await violationsOf(P, noKey))[0].message, /icebergConfiguration\.s3Configuration\.kmsKeyArn is not set/);
        });
    });
});
