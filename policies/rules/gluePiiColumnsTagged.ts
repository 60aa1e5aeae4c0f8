import { StackValidationPolicy } from "@pulumi/policy";
import { configRegex, configWithDefaults } from "../lib/config";
import { DEFAULT_PII_COLUMN_PATTERN, effectiveColumnTag, glueTables } from "../lib/lakeFormation";
import { enclosingComponent, FIREHOSE_LAKE_TYPE } from "../lib/stack";

export interface PiiColumnsTaggedConfig {
    piiColumnPattern: string;
    extraPiiColumns: string[];
    classificationKey: string;
    piiValue: string;
}

const DEFAULTS: PiiColumnsTaggedConfig = {
    piiColumnPattern: DEFAULT_PII_COLUMN_PATTERN,
    extraPiiColumns: [],
    classificationKey: "classification",
    piiValue: "pii",
};

/**
 * Tag-based grants only protect what is tagged: a column that looks like personal data must end
 * up (directly or by inheritance from its table or database) with classification = pii.
 */
export const gluePiiColumnsTagged: StackValidationPolicy = {
    name: "clickstream-glue-pii-columns-tagged",
    description: "Glue columns whose names look like personal data (email, phone, ip, user_id, name, address, ssn, ...) carry the LF-tag classification = pii.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["pii", "glue", "lakeformation"],
    remediationSteps:
        "Tag the columns with aws.lakeformation.ResourceLfTags { tableWithColumns: { databaseName, name, columnNames: [...] }, lfTags: [{ key: \"classification\", value: \"pii\" }] } " +
        "(LakeFormationGrants does this from PII_COLUMNS plus extraPiiColumns), or rename a column that is not personal data.",
    configSchema: {
        properties: {
            piiColumnPattern: { type: "string", default: DEFAULTS.piiColumnPattern, description: "Regex (case-insensitive) of column names that look like PII." },
            extraPiiColumns: { type: "array", items: { type: "string" }, default: [], description: "Further column names that are PII." },
            classificationKey: { type: "string", default: DEFAULTS.classificationKey, description: "LF-tag key holding the classification." },
            piiValue: { type: "string", default: DEFAULTS.piiValue, description: "Classification value for personal data." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const pattern = configRegex("clickstream-glue-pii-columns-tagged", "piiColumnPattern", cfg.piiColumnPattern);
        const tables = glueTables(args.resources);
        if (tables.length === 0) args.notApplicable("No Glue tables in this stack.");
        for (const t of tables) {
            const untagged = t.columns.filter(
                (c) => (pattern.test(c) || cfg.extraPiiColumns.includes(c)) && effectiveColumnTag(args.resources, t.database, t.table, c, cfg.classificationKey) !== cfg.piiValue,
            );
            if (untagged.length > 0) {
                const lake = enclosingComponent(t.resource, FIREHOSE_LAKE_TYPE)?.name;
                const fix = lake
                    ? ` Fix: add the LakeFormationGrants component over FirehoseLake "${lake}": new LakeFormationGrants("${lake}", { databaseName: lake.databaseName, tableNames: [lake.tableName], lakeBucketArn: lake.lakeBucketArn, admins: [<Lake Formation admin role ARNs>] }) tags them and grants by tag (with manageDataLakeSettings: false instead of admins when another stack owns the Lake Formation settings).`
                    : "";
                reportViolation(`Table ${t.database}.${t.table}: column(s) ${untagged.join(", ")} look like personal data but are not tagged ${cfg.classificationKey}=${cfg.piiValue}.${fix}`, t.resource.urn);
            }
        }
    },
};
