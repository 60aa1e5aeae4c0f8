import { strict as assert } from "assert";
import { checkProgram } from "../../offline/policyHarness";
import { runShippedStack } from "../../offline/programs";
import type { RunResult } from "../../offline/runUnderMocks";

const byType = (run: RunResult, type: string) => run.resources.filter((r) => r.type === type);
const OPTIMIZER = "aws:glue/catalogTableOptimizer:CatalogTableOptimizer";

/** Both shipped stacks in the format they don't default to: both formats stay deployable and policy-clean everywhere. */
describe("shipped stacks: clickstream:tableFormat", function () {
    this.timeout(180_000);

    it("prod with tableFormat=iceberg: Iceberg lake, optimizers owned with their log groups, LF maintainers, no dt/hour column tags, policy-clean", async () => {
        const run = await runShippedStack("prod", { tableFormat: "iceberg" });
        assert.equal(run.outputs.lakeTableFormat, "iceberg");
        const stream = byType(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").find((s) => s.name.endsWith("-lake-delivery"))!;
        assert.equal(stream.inputs.destination, "iceberg");
        assert.deepEqual(byType(run, OPTIMIZER).filter((o) => o.inputs.tableName === "events").map((o) => o.inputs.type).sort(), ["compaction", "orphan_file_deletion", "retention"]);
        // prod manages the account settings, so it owns Glue's optimizer log groups (90-day retention, the lake key).
        const glueLogs = byType(run, "aws:cloudwatch/logGroup:LogGroup").filter((g) => String(g.inputs.name).startsWith("/aws-glue/"));
        assert.equal(glueLogs.length, 3);
        assert.ok(glueLogs.every((g) => g.inputs.retentionInDays === 90));
        const maintainers = byType(run, "aws:lakeformation/permissions:Permissions").filter((p) => p.name.includes("-maintainer-") && p.inputs.table.name === "events");
        assert.equal(maintainers.length, 2);
        const optimizerRole = byType(run, "aws:iam/role:Role").find((r) => r.name.endsWith("-lake-optimizer-role"))!;
        assert.deepEqual(maintainers.map((m) => m.inputs.principal).sort(), [stream.inputs.icebergConfiguration.roleArn, optimizerRole.state.arn].sort());
        const taggedColumns = byType(run, "aws:lakeformation/resourceLfTags:ResourceLfTags")
            .filter((t) => t.inputs.tableWithColumns?.name === "events").flatMap((t) => t.inputs.tableWithColumns.columnNames);
        assert.ok(taggedColumns.includes("user_id") && !taggedColumns.includes("dt") && !taggedColumns.includes("hour"));
        assert.deepEqual(await checkProgram(run), []);
    });

    it("dev with tableFormat=parquet: the Parquet lake, no optimizers on events (the Iceberg model tables have theirs), dt/hour tagged, policy-clean", async () => {
        const run = await runShippedStack("dev", { tableFormat: "parquet" });
        assert.equal(run.outputs.lakeTableFormat, "parquet");
        assert.equal(byType(run, OPTIMIZER).filter((o) => o.inputs.tableName === "events").length, 0);
        // With a Parquet lake, the model tables' optimizers need the account's Glue optimizer log groups: ModelSchedule owns them.
        const glueLogs = byType(run, "aws:cloudwatch/logGroup:LogGroup").filter((g) => String(g.inputs.name).startsWith("/aws-glue/"));
        assert.deepEqual(glueLogs.map((g) => g.parent?.split("::").pop()), ["clickstream-dev-models", "clickstream-dev-models", "clickstream-dev-models"]);
        const taggedColumns = byType(run, "aws:lakeformation/resourceLfTags:ResourceLfTags")
            .filter((t) => t.inputs.tableWithColumns?.name === "events").flatMap((t) => t.inputs.tableWithColumns.columnNames);
        assert.ok(taggedColumns.includes("dt") && taggedColumns.includes("hour"));
        assert.deepEqual(await checkProgram(run), []);
    });
});
