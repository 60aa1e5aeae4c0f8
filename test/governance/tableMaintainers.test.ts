import { strict as assert } from "assert";
import { LakeFormationGrants, type LakeFormationGrantsArgs, validateLakeFormationGrantsArgs } from "../../components/governance";
import { EVENT_COLUMNS } from "../../dataplane/schema";
import { evaluatePolicies } from "../../offline/policyHarness";
import { runUnderMocks } from "../../offline/runUnderMocks";

const ANALYST = "arn:aws:iam::123456789012:role/analyst";
const ENGINEER = "arn:aws:iam::123456789012:role/engineer";
const FIREHOSE = "arn:aws:iam::123456789012:role/lake-firehose";
const OPTIMIZER = "arn:aws:iam::123456789012:role/lake-optimizer";
const BASE: LakeFormationGrantsArgs = {
    databaseName: "clickstream",
    tableNames: ["events"],
    lakeBucketArn: "arn:aws:s3:::clickstream-lake",
    admins: ["arn:aws:iam::123456789012:role/deployer"],
    analystPrincipals: [ANALYST],
    engineerPrincipals: [ENGINEER],
    // An Iceberg events table has no dt/hour columns (hidden partitioning).
    columns: EVENT_COLUMNS,
};

describe("LakeFormationGrants tableMaintainers (Iceberg writers)", () => {
    it("grants each maintainer commit permissions on its one table, without grant option; tags and analyst grants unchanged", async () => {
        const { resources } = await runUnderMocks({
            program: () => void new LakeFormationGrants("gov", { ...BASE, tableMaintainers: [{ principal: FIREHOSE, tableName: "events" }, { principal: OPTIMIZER, tableName: "events" }] }),
        });
        const grants = resources.filter((r) => r.name.startsWith("gov-maintainer-"));
        assert.deepEqual(grants.map((g) => [g.inputs.principal, g.inputs.table, g.inputs.permissions]), [
            [FIREHOSE, { databaseName: "clickstream", name: "events" }, ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"]],
            [OPTIMIZER, { databaseName: "clickstream", name: "events" }, ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"]],
        ]);
        for (const g of grants) assert.equal(g.inputs.permissionsWithGrantOption, undefined);
        // No column tag names dt or hour on a table that has no such columns.
        const tagged = resources.filter((r) => r.inputs.tableWithColumns).flatMap((r) => r.inputs.tableWithColumns.columnNames ?? []);
        assert.ok(!tagged.includes("dt") && !tagged.includes("hour"));
        assert.deepEqual((await evaluatePolicies(resources)).filter((v) => v.policy.startsWith("clickstream-lakeformation")), []);
    });

    it("rejects a person as maintainer and IAM_ALLOWED_PRINCIPALS, naming the field", () => {
        assert.throws(() => validateLakeFormationGrantsArgs({ ...BASE, tableMaintainers: [{ principal: ANALYST, tableName: "events" }] }), /is both a table maintainer and an analyst or engineer.*service role only/);
        assert.throws(() => validateLakeFormationGrantsArgs({ ...BASE, tableMaintainers: [{ principal: ENGINEER, tableName: "events" }] }), /table maintainer/);
        assert.throws(() => validateLakeFormationGrantsArgs({ ...BASE, tableMaintainers: [{ principal: "IAM_ALLOWED_PRINCIPALS", tableName: "events" }] }), /"tableMaintainers" contains IAM_ALLOWED_PRINCIPALS/);
    });
});

describe("LakeFormationGrants tableReaders (service roles that read a whole table)", () => {
    const RUNNER = "arn:aws:iam::123456789012:role/models-runner";
    it("grants SELECT and DESCRIBE on the one table and DESCRIBE on the database, without grant option", async () => {
        const { resources } = await runUnderMocks({ program: () => void new LakeFormationGrants("gov", { ...BASE, tableReaders: [{ principal: RUNNER, tableName: "events" }] }) });
        const grants = resources.filter((r) => r.name.startsWith("gov-reader-"));
        assert.deepEqual(grants.map((g) => [g.name, g.inputs.principal, g.inputs.table ?? g.inputs.database, g.inputs.permissions, g.inputs.permissionsWithGrantOption]), [
            ["gov-reader-0-database", RUNNER, { name: "clickstream" }, ["DESCRIBE"], undefined],
            ["gov-reader-0", RUNNER, { databaseName: "clickstream", name: "events" }, ["SELECT", "DESCRIBE"], undefined],
        ]);
        assert.deepEqual((await evaluatePolicies(resources)).filter((v) => v.policy.startsWith("clickstream-lakeformation")), []);
    });

    it("rejects a person as reader and IAM_ALLOWED_PRINCIPALS, naming the field", () => {
        assert.throws(() => validateLakeFormationGrantsArgs({ ...BASE, tableReaders: [{ principal: ANALYST, tableName: "events" }] }), /is both a table reader and an analyst or engineer; readers get every column/);
        assert.throws(() => validateLakeFormationGrantsArgs({ ...BASE, tableReaders: [{ principal: "IAM_ALLOWED_PRINCIPALS", tableName: "events" }] }), /"tableReaders" contains IAM_ALLOWED_PRINCIPALS/);
    });
});
