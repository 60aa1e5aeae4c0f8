import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { configRegex, configWithDefaults } from "../lib/config";
import { DEFAULT_PII_COLUMN_PATTERN, GlueTableInfo, knownTables, piiColumnsOf } from "../lib/lakeFormation";
import { ofType } from "../lib/stack";
import { asArray } from "../lib/values";

export interface NoPiiToAnalystsConfig {
    analystPrincipalPatterns: string[];
    classificationKey: string;
    piiValue: string;
    piiColumnPattern: string;
    extraPiiColumns: string[];
}

const DEFAULTS: NoPiiToAnalystsConfig = {
    analystPrincipalPatterns: ["analyst"],
    classificationKey: "classification",
    piiValue: "pii",
    piiColumnPattern: DEFAULT_PII_COLUMN_PATTERN,
    extraPiiColumns: [],
};

/** Permissions that read data (DESCRIBE only reads metadata). */
const DATA_PERMISSIONS = ["SELECT", "ALL", "SUPER"];

/** Why a grant exposes PII, or undefined when it does not. */
function exposure(grant: PolicyResource, resources: PolicyResource[], tables: GlueTableInfo[], cfg: NoPiiToAnalystsConfig, namePattern: RegExp): string | undefined {
    const p = grant.props;
    const pii = (t: GlueTableInfo) => piiColumnsOf(resources, t, { classificationKey: cfg.classificationKey, piiValue: cfg.piiValue, namePattern, extraNames: cfg.extraPiiColumns });
    if (p.lfTagPolicy) {
        const expressions = asArray(p.lfTagPolicy.expressions) as any[];
        const cls = expressions.find((e) => e?.key === cfg.classificationKey);
        if (!cls) return `its LF-tag policy has no ${cfg.classificationKey} condition, so it matches ${cfg.piiValue} data too`;
        const values = asArray(cls.values).map(String);
        if (values.includes(cfg.piiValue) || values.includes("*")) return `its LF-tag policy includes ${cfg.classificationKey}=${values.join("|")}`;
        return undefined;
    }
    const target = p.tableWithColumns ?? p.table;
    if (!target) return undefined;
    const matching = tables.filter((t) => t.database === target.databaseName && (target.wildcard === true && !p.tableWithColumns ? true : t.table === target.name));
    if (matching.length === 0) {
        return `it grants on ${target.databaseName}.${target.name ?? "*"}, whose columns this stack neither defines nor tags, so they cannot be verified (grant by LF-tag policy instead)`;
    }
    for (const t of matching) {
        const piiCols = pii(t);
        let covered: string[];
        if (p.tableWithColumns) {
            const twc = p.tableWithColumns;
            covered = twc.wildcard === true ? t.columns.filter((c) => !asArray(twc.excludedColumnNames).includes(c)) : asArray(twc.columnNames).map(String);
        } else {
            covered = t.columns;
        }
        const exposed = piiCols.filter((c) => covered.includes(c));
        if (exposed.length > 0) return `it covers PII column(s) ${exposed.join(", ")} of ${t.database}.${t.table}`;
    }
    return undefined;
}

/**
 * Analysts see public and internal data only. Any Lake Formation grant of data permissions to a
 * principal matching `analystPrincipalPatterns` is checked: a tag policy must restrict the
 * classification and exclude pii; table and column grants must not cover PII columns.
 */
export const lakeformationNoPiiToAnalysts: StackValidationPolicy = {
    name: "clickstream-lakeformation-no-pii-to-analysts",
    description: "No Lake Formation grant gives analyst principals SELECT on pii-classified data (tag policies without a classification restriction, table grants or column grants covering PII columns).",
    enforcementLevel: "mandatory",
    severity: "critical",
    tags: ["pii", "lakeformation"],
    remediationSteps:
        "Grant analysts with lfTagPolicy { resourceType: \"TABLE\", expressions: [{ key: \"classification\", values: [\"public\", \"internal\"] }] } (LakeFormationGrants does), " +
        "or with tableWithColumns { wildcard: true, excludedColumnNames: [every PII column] }.",
    configSchema: {
        properties: {
            analystPrincipalPatterns: { type: "array", items: { type: "string" }, default: DEFAULTS.analystPrincipalPatterns, description: "Regexes (case-insensitive) of analyst principal ARNs." },
            classificationKey: { type: "string", default: DEFAULTS.classificationKey, description: "LF-tag key holding the classification." },
            piiValue: { type: "string", default: DEFAULTS.piiValue, description: "Classification value for personal data." },
            piiColumnPattern: { type: "string", default: DEFAULTS.piiColumnPattern, description: "Regex (case-insensitive) of column names treated as PII even when untagged." },
            extraPiiColumns: { type: "array", items: { type: "string" }, default: [], description: "Further column names that are PII." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const analysts = cfg.analystPrincipalPatterns.map((p, i) => configRegex("clickstream-lakeformation-no-pii-to-analysts", `analystPrincipalPatterns[${i}]`, p));
        const namePattern = configRegex("clickstream-lakeformation-no-pii-to-analysts", "piiColumnPattern", cfg.piiColumnPattern);
        const grants = ofType(args.resources, "aws:lakeformation/permissions:Permissions").filter((g) => analysts.some((a) => a.test(String(g.props.principal ?? ""))));
        if (grants.length === 0) args.notApplicable("No Lake Formation grants to analyst principals.");
        const tables = knownTables(args.resources);
        for (const grant of grants) {
            const perms = [...asArray(grant.props.permissions), ...asArray(grant.props.permissionsWithGrantOptions)].map(String);
            if (!perms.some((x) => DATA_PERMISSIONS.includes(x))) continue;
            const why = exposure(grant, args.resources, tables, cfg, namePattern);
            if (why) reportViolation(`Grant of ${perms.join(", ")} to analyst ${grant.props.principal}: ${why}.`, grant.urn);
        }
    },
};
