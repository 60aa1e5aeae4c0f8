import { strict as assert } from "assert";
import { CapturedResource } from "../../offline/runUnderMocks";
import { ANALYST_ROLE, baselineResources, mutate, violationsOf, without } from "./baseline";

const FIREHOSE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const LF_TAGS = "aws:lakeformation/resourceLfTags:ResourceLfTags";
const PERMS = "aws:lakeformation/permissions:Permissions";

function addGrant(resources: CapturedResource[], name: string, inputs: Record<string, any>): CapturedResource[] {
    resources.push({ type: PERMS, name, urn: `urn:pulumi:prod::clickstream::${PERMS}::${name}`, custom: true, inputs, state: { ...inputs } });
    return resources;
}

describe("policies: PII", () => {
    describe("clickstream-firehose-pii-transform", () => {
        const P = "clickstream-firehose-pii-transform";
        it("flags a stream into the lake with processing disabled or absent", async () => {
            const disabled = mutate(await baselineResources(), FIREHOSE, "events", (i) => { i.extendedS3Configuration.processingConfiguration.enabled = false; return i; });
            const v = await violationsOf(P, disabled);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /without a Lambda processor/);
            const absent = mutate(await baselineResources(), FIREHOSE, "events", (i) => { delete i.extendedS3Configuration.processingConfiguration; return i; });
            assert.equal((await violationsOf(P, absent)).length, 1);
        });
        it("flags a processor Lambda that is not configured as the PII transform", async () => {
            const r = mutate(await baselineResources(), "aws:lambda/function:Function", "transform", (i) => ({ ...i, environment: { variables: { OTHER: "x" } } }));
            assert.match((await violationsOf(P, r))[0].message, /not configured as the PII transform/);
        });
        it("honours the exemption tag and the lake bucket pattern", async () => {
            const exempt = mutate(await baselineResources(), FIREHOSE, "events", (i) => { delete i.extendedS3Configuration.processingConfiguration; return { ...i, tags: { "clickstream:pii-transform": "not-required" } }; });
            assert.deepEqual(await violationsOf(P, exempt), []);
            const absent = mutate(await baselineResources(), FIREHOSE, "events", (i) => { delete i.extendedS3Configuration.processingConfiguration; return i; });
            assert.deepEqual(await violationsOf(P, absent, { config: { [P]: { lakeBucketPattern: "^curated-" } } }), []);
        });
    });

    describe("clickstream-glue-pii-columns-tagged", () => {
        const P = "clickstream-glue-pii-columns-tagged";
        it("flags PII-looking columns once the column tags are gone (the table tag pii still covers them)", async () => {
            const noColumnTags = without(await baselineResources(), LF_TAGS, "lake-grants-table-0-pii-columns");
            assert.deepEqual(await violationsOf(P, noColumnTags), [], "table-level pii tag is inherited");
            const noTableTag = without(noColumnTags, LF_TAGS, "lake-grants-table-0-tags");
            const v = await violationsOf(P, noTableTag);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /anonymous_id, user_id, ip_truncated/);
            assert.equal(v[0].resource, "aws:glue/catalogTable:CatalogTable::events");
        });
        it("flags a PII-looking column tagged public, and configured extra columns", async () => {
            const r = mutate(await baselineResources(), "aws:glue/catalogTable:CatalogTable", "events", (i) => { i.storageDescriptor.columns.push({ name: "customer_email", type: "string" }); return i; });
            // the new column inherits pii from the table tag: compliant
            assert.deepEqual(await violationsOf(P, r), []);
            mutate(r, LF_TAGS, "lake-grants-table-0-public-columns", (i) => { i.tableWithColumns.columnNames.push("customer_email"); return i; });
            assert.match((await violationsOf(P, r))[0].message, /customer_email/);
            const extra = mutate(await baselineResources(), LF_TAGS, "lake-grants-table-0-public-columns", (i) => i);
            assert.match((await violationsOf(P, extra, { config: { [P]: { extraPiiColumns: ["page_path"] } } }))[0].message, /page_path/);
        });
    });

    describe("clickstream-lakeformation-no-pii-to-analysts", () => {
        const P = "clickstream-lakeformation-no-pii-to-analysts";
        it("flags a tag policy including pii, and one without a classification condition", async () => {
            const withPii = mutate(await baselineResources(), PERMS, "lake-grants-analyst-0-tables", (i) => { i.lfTagPolicy.expressions[1].values.push("pii"); return i; });
            assert.match((await violationsOf(P, withPii))[0].message, /classification=public\|internal\|pii/);
            const noClass = mutate(await baselineResources(), PERMS, "lake-grants-analyst-0-tables", (i) => { i.lfTagPolicy.expressions = [i.lfTagPolicy.expressions[0]]; return i; });
            assert.match((await violationsOf(P, noClass))[0].message, /no classification condition/);
        });
        it("flags a table grant and column grants covering PII columns", async () => {
            const table = addGrant(await baselineResources(), "analyst-table", { principal: ANALYST_ROLE, permissions: ["SELECT"], table: { databaseName: "clickstream", name: "events" } });
            assert.match((await violationsOf(P, table))[0].message, /anonymous_id/);
            const named = addGrant(await baselineResources(), "analyst-cols", { principal: ANALYST_ROLE, permissions: ["SELECT"], tableWithColumns: { databaseName: "clickstream", name: "events", columnNames: ["event_name", "user_id"] } });
            assert.match((await violationsOf(P, named))[0].message, /user_id of clickstream.events/);
            const wildcard = mutate(await baselineResources(), PERMS, "lake-grants-column-grant-0", (i) => { i.tableWithColumns.excludedColumnNames = ["user_id"]; return i; });
            assert.match((await violationsOf(P, wildcard))[0].message, /anonymous_id, ip_truncated, bad_payload/);
        });
        it("knows the columns of a table defined in another stack from this stack's column tags", async () => {
            const elsewhere = without(await baselineResources(), "aws:glue/catalogTable:CatalogTable", "events");
            assert.deepEqual(await violationsOf(P, elsewhere), [], "the baseline's wildcard grant excludes every tagged PII column");
            const named = addGrant(elsewhere, "analyst-cols", { principal: ANALYST_ROLE, permissions: ["SELECT"], tableWithColumns: { databaseName: "clickstream", name: "events", columnNames: ["ip_truncated"] } });
            assert.match((await violationsOf(P, named))[0].message, /ip_truncated of clickstream.events/);
        });

        it("flags grants on tables it cannot see, ignores DESCRIBE-only and non-analyst grants", async () => {
            const unknown = addGrant(await baselineResources(), "analyst-other", { principal: ANALYST_ROLE, permissions: ["SELECT"], table: { databaseName: "other", name: "t" } });
            assert.match((await violationsOf(P, unknown))[0].message, /neither defines nor tags/);
            const describe = addGrant(await baselineResources(), "analyst-desc", { principal: ANALYST_ROLE, permissions: ["DESCRIBE"], table: { databaseName: "clickstream", name: "events" } });
            assert.deepEqual(await violationsOf(P, describe), []);
            const engineer = addGrant(await baselineResources(), "eng", { principal: "arn:aws:iam::123456789012:role/data-engineer", permissions: ["SELECT"], table: { databaseName: "clickstream", name: "events" } });
            assert.deepEqual(await violationsOf(P, engineer), []);
            // With "engineer" treated as analyst, both this grant and the baseline's engineer tag grant (which includes pii) are flagged.
            const asAnalyst = await violationsOf(P, engineer, { config: { [P]: { analystPrincipalPatterns: ["engineer"] } } });
            assert.deepEqual(asAnalyst.map((v) => v.resource).sort(), [`${PERMS}::eng`, `${PERMS}::lake-grants-engineer-0-tables`]);
        });
    });

    it("clickstream-lakeformation-no-iam-allowed-principals flags grants and default permissions", async () => {
        const P = "clickstream-lakeformation-no-iam-allowed-principals";
        const grant = addGrant(await baselineResources(), "iam", { principal: "IAM_ALLOWED_PRINCIPALS", permissions: ["ALL"], database: { name: "clickstream" } });
        assert.equal((await violationsOf(P, grant)).length, 1);
        const settings = mutate(await baselineResources(), "aws:lakeformation/dataLakeSettings:DataLakeSettings", "lake-grants-settings", (i) => ({ ...i, createTableDefaultPermissions: [{ principal: "IAM_ALLOWED_PRINCIPALS", permissions: ["ALL"] }] }));
        assert.match((await violationsOf(P, settings))[0].message, /createTableDefaultPermissions/);
    });

    describe("clickstream-apigateway-logs-no-bodies", () => {
        const P = "clickstream-apigateway-logs-no-bodies";
        it("flags $input and body in the access log format", async () => {
            const r = mutate(await baselineResources(), "aws:apigateway/stage:Stage", "ingest-stage", (i) => ({ ...i, accessLogSettings: { ...i.accessLogSettings, format: "$context.requestId $input.body" } }));
            assert.match((await violationsOf(P, r))[0].message, /\$input, body/);
        });
        it("flags dataTraceEnabled", async () => {
            const r = mutate(await baselineResources(), "aws:apigateway/methodSettings:MethodSettings", "ingest-settings", (i) => ({ ...i, settings: { ...i.settings, dataTraceEnabled: true, loggingLevel: "INFO" } }));
            assert.match((await violationsOf(P, r))[0].message, /dataTraceEnabled/);
        });
    });

    describe("clickstream-s3-raw-bucket-expiry", () => {
        const P = "clickstream-s3-raw-bucket-expiry";
        const LC = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
        it("flags a raw bucket without lifecycle, with a too-long or prefix-only expiry", async () => {
            assert.equal((await violationsOf(P, without(await baselineResources(), LC, "raw-lifecycle"))).length, 1);
            const long = mutate(await baselineResources(), LC, "raw-lifecycle", (i) => { i.rules[0].expiration.days = 90; return i; });
            assert.match((await violationsOf(P, long))[0].message, /within 30 days/);
            assert.deepEqual(await violationsOf(P, long, { config: { [P]: { maxDays: 90 } } }), []);
            const prefix = mutate(await baselineResources(), LC, "raw-lifecycle", (i) => { i.rules[0].filter = { prefix: "raw/" }; return i; });
            assert.equal((await violationsOf(P, prefix)).length, 1);
        });
        it("flags a versioned raw bucket whose noncurrent versions never expire", async () => {
            const r = mutate(await baselineResources(), LC, "raw-lifecycle", (i) => { delete i.rules[0].noncurrentVersionExpiration; return i; });
            assert.match((await violationsOf(P, r))[0].message, /noncurrent/);
        });
        it("finds raw buckets by name when untagged", async () => {
            const r = without(mutate(await baselineResources(), "aws:s3/bucket:Bucket", "raw", (i) => ({ ...i, tags: {} })), LC, "raw-lifecycle");
            // The bucket's physical name is "raw-<suffix>", which matches the default rawBucketNamePattern.
            assert.deepEqual((await violationsOf(P, r)).map((v) => v.resource), ["aws:s3/bucket:Bucket::raw"]);
            assert.deepEqual(await violationsOf(P, r, { config: { [P]: { rawBucketNamePattern: "^landing-" } } }), []);
        });
    });

    describe("clickstream-cloudwatch-log-group-retention", () => {
        const P = "clickstream-cloudwatch-log-group-retention";
        it("flags missing and never-expire retention, and remediates to the default", async () => {
            const r = mutate(await baselineResources(), "aws:cloudwatch/logGroup:LogGroup", "transform-logs", (i) => { delete i.retentionInDays; return i; });
            assert.equal((await violationsOf(P, r)).length, 1);
            assert.deepEqual(await violationsOf(P, r, { remediate: true, config: { [P]: { enforcementLevel: "remediate", defaultRetentionDays: 14 } } }), []);
            const zero = mutate(await baselineResources(), "aws:cloudwatch/logGroup:LogGroup", "transform-logs", (i) => ({ ...i, retentionInDays: 0 }));
            assert.equal((await violationsOf(P, zero)).length, 1);
        });
    });

    describe("clickstream-lambda-log-group-managed", () => {
        const P = "clickstream-lambda-log-group-managed";
        const FN = "aws:lambda/function:Function";
        it("flags a function whose log group Lambda would create implicitly", async () => {
            const r = mutate(await baselineResources(), FN, "transform", (i) => { delete i.loggingConfig; return i; });
            const v = await violationsOf(P, r);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /logs to "\/aws\/lambda\/transform-[0-9a-f]+", which this stack does not declare/);
        });
        it("accepts the default /aws/lambda/<name> group when the stack declares it", async () => {
            const r = mutate(await baselineResources(), FN, "transform", (i) => { delete i.loggingConfig; return { ...i, name: "transform" }; });
            mutate(r, "aws:cloudwatch/logGroup:LogGroup", "transform-logs", (i) => ({ ...i, name: "/aws/lambda/transform" }));
            assert.deepEqual(await violationsOf(P, r), []);
        });
    });
});
