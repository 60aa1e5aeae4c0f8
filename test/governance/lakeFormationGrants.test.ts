import { strict as assert } from "assert";
import { LakeFormationGrants, LakeFormationGrantsArgs, classifyColumns, LAKE_COLUMNS, validateLakeFormationGrantsArgs } from "../../components/governance";
import { PII_COLUMNS } from "../../dataplane/schema";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";
import { evaluatePolicies } from "../../offline/policyHarness";

const ANALYST = "arn:aws:iam::123456789012:role/analyst";
const ENGINEER = "arn:aws:iam::123456789012:role/engineer";
const ADMIN = "arn:aws:iam::123456789012:role/deployer";
const BASE: LakeFormationGrantsArgs = {
    databaseName: "clickstream",
    tableNames: ["events"],
    lakeBucketArn: "arn:aws:s3:::clickstream-lake",
    admins: [ADMIN],
    analystPrincipals: [ANALYST],
    engineerPrincipals: [ENGINEER],
};

async function run(args: Partial<LakeFormationGrantsArgs> = {}): Promise<CapturedResource[]> {
    const { resources } = await runUnderMocks({ program: () => void new LakeFormationGrants("gov", { ...BASE, ...args }) });
    return resources;
}
const byName = (rs: CapturedResource[], name: string) => {
    const r = rs.find((x) => x.name === name);
    assert.ok(r, `no resource ${name}; have ${rs.map((x) => x.name).join(", ")}`);
    return r;
};

describe("LakeFormationGrants", () => {
    it("tags additional tables by their own columns and lets writers describe them", async () => {
        const rs = await run({
            writerPrincipals: ["arn:aws:iam::123456789012:role/aggregates-firehose"],
            additionalTables: [{ name: "aggregates", columns: [{ name: "spec", classification: "public" }, { name: "group_values", classification: "internal" }, { name: "top_user", classification: "pii" }] }],
        });
        assert.deepEqual(byName(rs, "gov-extra-table-0-tags").inputs.lfTags, [{ key: "classification", value: "pii" }]);
        for (const [cls, columns] of [["public", ["spec"]], ["internal", ["group_values"]], ["pii", ["top_user"]]] as const) {
            const tags = byName(rs, `gov-extra-table-0-${cls}-columns`).inputs;
            assert.deepEqual(tags.tableWithColumns, { databaseName: "clickstream", name: "aggregates", columnNames: columns });
            assert.deepEqual(tags.lfTags, [{ key: "classification", value: cls }]);
        }
        assert.deepEqual(byName(rs, "gov-writer-0-extra-table-0").inputs.table, { databaseName: "clickstream", name: "aggregates" });
        // The lake table keeps the shared schema's classes.
        assert.deepEqual(byName(rs, "gov-table-0-pii-columns").inputs.tableWithColumns.columnNames, [...PII_COLUMNS]);
    });

    it("manages admins with deliberately empty default permissions and registers the lake with the service-linked role", async () => {
        const rs = await run();
        const settings = byName(rs, "gov-settings");
        assert.deepEqual(settings.inputs.admins, [ADMIN]);
        assert.deepEqual(settings.inputs.createDatabaseDefaultPermissions, []);
        assert.deepEqual(settings.inputs.createTableDefaultPermissions, []);
        const location = byName(rs, "gov-location");
        assert.equal(location.inputs.arn, "arn:aws:s3:::clickstream-lake");
        assert.equal(location.inputs.useServiceLinkedRole, true);
        assert.equal(location.inputs.roleArn, undefined);
        const withRole = byName(await run({ registrationRoleArn: "arn:aws:iam::123456789012:role/lf-location" }), "gov-location");
        assert.equal(withRole.inputs.roleArn, "arn:aws:iam::123456789012:role/lf-location");
        assert.equal(withRole.inputs.useServiceLinkedRole, undefined);
    });

    it("creates the classification and domain LF-tags and tags database, table (pii, fail closed) and every column by the shared schema", async () => {
        const rs = await run();
        assert.deepEqual(byName(rs, "gov-classification").inputs, { key: "classification", values: ["public", "internal", "pii"] });
        assert.deepEqual(byName(rs, "gov-domain").inputs, { key: "domain", values: ["clickstream"] });
        assert.deepEqual(byName(rs, "gov-database-tags").inputs.lfTags, [{ key: "domain", value: "clickstream" }, { key: "classification", value: "internal" }]);
        assert.deepEqual(byName(rs, "gov-table-0-tags").inputs.lfTags, [{ key: "classification", value: "pii" }]);
        const pii = byName(rs, "gov-table-0-pii-columns").inputs;
        assert.deepEqual(pii.tableWithColumns, { databaseName: "clickstream", name: "events", columnNames: [...PII_COLUMNS] });
        const tagged = ["public", "internal", "pii"].flatMap((c) => byName(rs, `gov-table-0-${c}-columns`).inputs.tableWithColumns.columnNames);
        assert.deepEqual([...tagged].sort(), LAKE_COLUMNS.map((c) => c.name).sort(), "every column tagged exactly once");
    });

    it("grants analysts public+internal and engineers all classifications, by tag, without grant option", async () => {
        const rs = await run();
        const analyst = byName(rs, "gov-analyst-0-tables").inputs;
        assert.equal(analyst.principal, ANALYST);
        assert.deepEqual(analyst.permissions, ["SELECT", "DESCRIBE"]);
        assert.deepEqual(analyst.lfTagPolicy, { resourceType: "TABLE", expressions: [{ key: "domain", values: ["clickstream"] }, { key: "classification", values: ["public", "internal"] }] });
        assert.deepEqual(byName(rs, "gov-engineer-0-tables").inputs.lfTagPolicy.expressions[1].values, ["public", "internal", "pii"]);
        assert.deepEqual(byName(rs, "gov-analyst-0-database").inputs.permissions, ["DESCRIBE"]);
        for (const r of rs.filter((x) => x.type === "aws:lakeformation/permissions:Permissions")) {
            assert.equal(r.inputs.permissionsWithGrantOptions, undefined, r.name);
            assert.notEqual(r.inputs.principal, "IAM_ALLOWED_PRINCIPALS");
        }
        const noPii = byName(await run({ engineersSeePii: false }), "gov-engineer-0-tables").inputs;
        assert.deepEqual(noPii.lfTagPolicy.expressions[1].values, ["public", "internal"]);
    });

    it("column grants default to excluding the PII columns; extraPiiColumns join the pii tag and the exclusion", async () => {
        const rs = await run({ extraPiiColumns: ["page_url"], columnGrants: [{ principal: ANALYST, tableName: "events" }] });
        const grant = byName(rs, "gov-column-grant-0").inputs;
        assert.deepEqual(grant.tableWithColumns, { databaseName: "clickstream", name: "events", wildcard: true, excludedColumnNames: [...PII_COLUMNS.filter((c) => c !== "bad_payload"), "bad_payload", "page_url"].filter((c, i, a) => a.indexOf(c) === i).sort((a, b) => LAKE_COLUMNS.findIndex((x) => x.name === a) - LAKE_COLUMNS.findIndex((x) => x.name === b)) });
        assert.deepEqual(grant.permissions, ["SELECT"]);
        assert.ok(byName(rs, "gov-table-0-pii-columns").inputs.tableWithColumns.columnNames.includes("page_url"));
    });

    it("parents every child to the component and names it after it", async () => {
        const rs = await run({ writerPrincipals: ["arn:aws:iam::123456789012:role/firehose"] });
        for (const r of rs.filter((x) => x.type !== "clickstream:governance:LakeFormationGrants")) {
            assert.equal(r.parent, "clickstream:governance:LakeFormationGrants::gov", r.name);
            assert.ok(r.name.startsWith("gov-"), r.name);
        }
        assert.deepEqual(byName(rs, "gov-writer-0-table-0").inputs, { principal: "arn:aws:iam::123456789012:role/firehose", permissions: ["DESCRIBE"], table: { databaseName: "clickstream", name: "events" } });
    });

    it("leaves account-wide settings and tag keys alone when told to", async () => {
        const rs = await run({ manageDataLakeSettings: false, admins: undefined, createTags: false, registerLakeLocation: false });
        const types = rs.map((r) => r.type);
        assert.ok(!types.includes("aws:lakeformation/dataLakeSettings:DataLakeSettings"));
        assert.ok(!types.includes("aws:lakeformation/lfTag:LfTag"));
        assert.ok(!types.includes("aws:lakeformation/resource:Resource"));
        assert.ok(types.includes("aws:lakeformation/resourceLfTags:ResourceLfTags"));
    });

    it("passes the Lake Formation policies of the pack", async () => {
        const violations = await evaluatePolicies(await run({ columnGrants: [{ principal: ANALYST, tableName: "events" }] }));
        assert.deepEqual(violations.filter((v) => v.policy.startsWith("clickstream-lakeformation")), []);
    });

    describe("rejects bad arguments at construction, naming the field", () => {
        const cases: [string, Partial<LakeFormationGrantsArgs>, RegExp][] = [
            ["IAM_ALLOWED_PRINCIPALS as analyst", { analystPrincipals: ["IAM_ALLOWED_PRINCIPALS"] }, /"analystPrincipals" contains IAM_ALLOWED_PRINCIPALS/],
            ["IAM_ALLOWED_PRINCIPALS as engineer", { engineerPrincipals: ["IAM_ALLOWED_PRINCIPALS"] }, /"engineerPrincipals" contains IAM_ALLOWED_PRINCIPALS/],
            ["IAM_ALLOWED_PRINCIPALS in a column grant", { columnGrants: [{ principal: "IAM_ALLOWED_PRINCIPALS", tableName: "events" }] }, /columnGrants\[0\]\.principal is IAM_ALLOWED_PRINCIPALS/],
            ["no admins while managing settings", { admins: [] }, /"admins" is empty while manageDataLakeSettings is true/],
            ["admins without managing settings", { manageDataLakeSettings: false }, /"admins" is set but manageDataLakeSettings is false/],
            ["an analyst who is also an engineer", { engineerPrincipals: [ANALYST] }, /both analystPrincipals and engineerPrincipals/],
            ["no tables", { tableNames: [] }, /"tableNames" must list at least one/],
            ["an object ARN for the bucket", { lakeBucketArn: "arn:aws:s3:::clickstream-lake/events/*" }, /"lakeBucketArn" .* is not an S3 bucket ARN/],
            ["an unknown extra PII column", { extraPiiColumns: ["emial"] }, /extraPiiColumns names column\(s\) emial/],
            ["a column grant giving an analyst PII", { columnGrants: [{ principal: ANALYST, tableName: "events", columnNames: ["event_name", "user_id"] }] }, /columnGrants\[0\] gives analyst .* PII column\(s\) user_id/],
            ["a wildcard column grant not excluding all PII", { columnGrants: [{ principal: ANALYST, tableName: "events", excludedColumnNames: ["user_id"] }] }, /PII column\(s\) anonymous_id, ip_truncated, bad_payload/],
            ["both column lists", { columnGrants: [{ principal: ENGINEER, tableName: "events", columnNames: ["event_name"], excludedColumnNames: ["user_id"] }] }, /sets both columnNames and excludedColumnNames/],
            ["a column grant on an unknown table", { columnGrants: [{ principal: ENGINEER, tableName: "evnts" }] }, /tableName "evnts" is not one of tableNames/],
            ["equal tag keys", { classificationTagKey: "domain" }, /both "domain"/],
            ["an invalid domain value", { domain: "click stream!" }, /"domain" "click stream!" is not a valid LF-tag/],
        ];
        for (const [what, args, error] of cases) {
            it(what, () => assert.throws(() => validateLakeFormationGrantsArgs({ ...BASE, ...args }), error));
        }
    });

    it("classifyColumns: schema classification, PII_COLUMNS and extras", () => {
        const classes = classifyColumns(LAKE_COLUMNS, ["session_id"]);
        assert.deepEqual(classes.pii, ["anonymous_id", "user_id", "session_id", "ip_truncated", "bad_payload"]);
        assert.ok(classes.public.includes("event_name") && classes.public.includes("dt"));
        assert.ok(classes.internal.includes("page_url") && !classes.internal.includes("session_id"));
    });
});
