/**
 * The Lake Formation plan as plain data: which classification each column gets, and which
 * LF-tag expressions each audience is granted. LakeFormationGrants turns this into resources;
 * tests and reviewers can read it directly.
 */
import { Classification, ColumnSpec, EVENT_COLUMNS, PARTITION_KEYS, PII_COLUMNS } from "../../dataplane/schema";

export const CLASSIFICATIONS: readonly Classification[] = ["public", "internal", "pii"];

/** The pseudo-principal that means "plain IAM decides": never granted anything by this component. */
export const IAM_ALLOWED_PRINCIPALS = "IAM_ALLOWED_PRINCIPALS";

/** Columns of the lake tables: the shared schema's columns plus the partition keys. */
export const LAKE_COLUMNS: readonly ColumnSpec[] = [...EVENT_COLUMNS, ...PARTITION_KEYS];

/**
 * Classification of every column: `pii` for the shared schema's PII columns and `extraPiiColumns`,
 * otherwise the column's own schema classification.
 */
export function classifyColumns(columns: readonly Pick<ColumnSpec, "name" | "classification">[], extraPiiColumns: readonly string[] = []): Record<Classification, string[]> {
    const names = new Set(columns.map((c) => c.name));
    const unknown = extraPiiColumns.filter((c) => !names.has(c));
    if (unknown.length > 0) {
        throw new Error(
            `LakeFormationGrants: extraPiiColumns names column(s) ${unknown.join(", ")} that the tables do not have. ` +
                `Fix the names, or pass the tables' columns in "columns" (defaults to EVENT_COLUMNS plus PARTITION_KEYS).`,
        );
    }
    const pii = new Set<string>([...PII_COLUMNS.filter((c) => names.has(c)), ...extraPiiColumns]);
    const out: Record<Classification, string[]> = { public: [], internal: [], pii: [] };
    for (const c of columns) out[pii.has(c.name) ? "pii" : c.classification].push(c.name);
    return out;
}

/** The classifications each audience may SELECT. */
export function audienceClassifications(audience: "analysts" | "engineers", engineersSeePii: boolean): Classification[] {
    if (audience === "analysts") return ["public", "internal"];
    return engineersSeePii ? ["public", "internal", "pii"] : ["public", "internal"];
}

/** LF-tag expression of a tag-based grant: this domain, these classifications. */
export function tagExpression(domainKey: string, domain: string, classificationKey: string, classifications: readonly Classification[]) {
    return [
        { key: domainKey, values: [domain] },
        { key: classificationKey, values: [...classifications] },
    ];
}

export interface ColumnGrantSpec {
    /** Principal ARN (IAM role or user, or a SAML/Identity Center principal) receiving the grant. */
    principal: string;
    /** Table the grant is on. Must be one of `tableNames` when those are plain strings. */
    tableName: string;
    /** Columns to grant. Mutually exclusive with `excludedColumnNames`. */
    columnNames?: string[];
    /** Grant every column except these (wildcard). Defaults to the PII columns when neither list is given. */
    excludedColumnNames?: string[];
    /** Lake Formation permissions. Defaults to ["SELECT"]. */
    permissions?: string[];
}

/** Columns a column grant gives access to, given the table's columns. */
export function columnsCovered(grant: ColumnGrantSpec, allColumns: readonly string[], piiColumns: readonly string[]): string[] {
    if (grant.columnNames) return grant.columnNames;
    const excluded = grant.excludedColumnNames ?? [...piiColumns];
    return allColumns.filter((c) => !excluded.includes(c));
}

/**
 * Validates column grants: a known table, exactly one way to pick columns, and no PII column
 * for an analyst principal (analysts never see PII, whatever path the grant takes).
 */
export function validateColumnGrants(grants: readonly ColumnGrantSpec[], opts: { allColumns: readonly string[]; piiColumns: readonly string[]; analysts: readonly string[]; tableNames?: readonly string[] }): void {
    grants.forEach((g, i) => {
        const field = `columnGrants[${i}]`;
        if (!g.principal) throw new Error(`LakeFormationGrants: ${field}.principal is empty; give the principal ARN.`);
        if (g.principal === IAM_ALLOWED_PRINCIPALS) throw new Error(`LakeFormationGrants: ${field}.principal is IAM_ALLOWED_PRINCIPALS, which would hand access control back to IAM; grant to a role ARN.`);
        if (g.columnNames && g.excludedColumnNames) throw new Error(`LakeFormationGrants: ${field} sets both columnNames and excludedColumnNames; use one (columnNames lists what is granted, excludedColumnNames what is withheld).`);
        if (g.columnNames && g.columnNames.length === 0) throw new Error(`LakeFormationGrants: ${field}.columnNames is empty; list at least one column or omit it.`);
        if (opts.tableNames && !opts.tableNames.includes(g.tableName)) {
            throw new Error(`LakeFormationGrants: ${field}.tableName "${g.tableName}" is not one of tableNames (${opts.tableNames.join(", ")}).`);
        }
        const unknown = [...(g.columnNames ?? []), ...(g.excludedColumnNames ?? [])].filter((c) => !opts.allColumns.includes(c));
        if (unknown.length > 0) throw new Error(`LakeFormationGrants: ${field} names unknown column(s) ${unknown.join(", ")}.`);
        if (opts.analysts.includes(g.principal)) {
            const exposed = columnsCovered(g, opts.allColumns, opts.piiColumns).filter((c) => opts.piiColumns.includes(c));
            if (exposed.length > 0) {
                throw new Error(`LakeFormationGrants: ${field} gives analyst ${g.principal} PII column(s) ${exposed.join(", ")}; add them to excludedColumnNames or remove them from columnNames.`);
            }
        }
    });
}
