/**
 * The Lake Formation picture of a stack: which Glue tables exist with which columns, and which
 * classification LF-tag each column ends up with. LF-tags inherit: a column carries its own tag if
 * assigned, else its table's, else its database's.
 */
import { PolicyResource } from "@pulumi/policy";
import { ofType } from "./stack";
import { asArray, asString } from "./values";

export interface GlueTableInfo {
    database: string;
    table: string;
    columns: string[];
    resource: PolicyResource;
}

export const GLUE_TABLE_TYPE = "aws:glue/catalogTable:CatalogTable";
export const RESOURCE_LF_TAGS_TYPE = "aws:lakeformation/resourceLfTags:ResourceLfTags";

export function glueTables(resources: PolicyResource[]): GlueTableInfo[] {
    return ofType(resources, GLUE_TABLE_TYPE).map((r) => ({
        database: String(r.props.databaseName ?? ""),
        table: String(r.props.name ?? r.name),
        // An Iceberg table created through Glue carries its columns in the Iceberg schema instead.
        columns: [...asArray(r.props.storageDescriptor?.columns), ...asArray(r.props.partitionKeys), ...asArray(icebergTableInput(r)?.schema?.fields)]
            .map((c: any) => asString(c?.name))
            .filter((n): n is string => !!n),
        resource: r,
    }));
}

function icebergTableInput(table: PolicyResource): any {
    return table.props.openTableFormatInput?.icebergInput?.icebergTableInput;
}

/** Glue tables that are Apache Iceberg: created with openTableFormatInput.icebergInput, or marked table_type = ICEBERG (e.g. by Athena DDL). */
export function icebergTables(resources: PolicyResource[]): GlueTableInfo[] {
    return glueTables(resources).filter((t) => {
        const p = t.resource.props;
        return p.openTableFormatInput?.icebergInput !== undefined || String(p.parameters?.table_type ?? "").toUpperCase() === "ICEBERG";
    });
}

/**
 * Tables known to the stack: its Glue tables, plus tables defined elsewhere whose columns this stack
 * tags (ResourceLfTags with tableWithColumns): their columns are the union of the tagged names.
 */
export function knownTables(resources: PolicyResource[]): GlueTableInfo[] {
    const tables = glueTables(resources);
    for (const r of ofType(resources, RESOURCE_LF_TAGS_TYPE)) {
        const twc = r.props.tableWithColumns;
        if (!twc || twc.wildcard === true) continue;
        const database = String(twc.databaseName ?? "");
        const table = String(twc.name ?? "");
        let info = tables.find((t) => t.database === database && t.table === table);
        if (!info) {
            info = { database, table, columns: [], resource: r };
            tables.push(info);
        } else if (info.resource.type !== RESOURCE_LF_TAGS_TYPE) {
            continue; // the Glue table's own column list is authoritative
        }
        for (const c of asArray(twc.columnNames).map(String)) if (!info.columns.includes(c)) info.columns.push(c);
    }
    return tables;
}

/** The value of tag `key` assigned by one ResourceLfTags resource, if it assigns that key. */
function tagValue(r: PolicyResource, key: string): string | undefined {
    const tag = asArray(r.props.lfTags).find((t: any) => t?.key === key) as any;
    return tag ? String(tag.value) : undefined;
}

/** Effective value of LF-tag `key` on a column (column > table > database), or undefined. */
export function effectiveColumnTag(resources: PolicyResource[], database: string, table: string, column: string, key: string): string | undefined {
    let columnLevel: string | undefined;
    let tableLevel: string | undefined;
    let databaseLevel: string | undefined;
    for (const r of ofType(resources, RESOURCE_LF_TAGS_TYPE)) {
        const value = tagValue(r, key);
        if (value === undefined) continue;
        const twc = r.props.tableWithColumns;
        const t = r.props.table;
        const db = r.props.database;
        if (twc && twc.databaseName === database && twc.name === table) {
            const covered = twc.wildcard === true ? !asArray(twc.excludedColumnNames).includes(column) : asArray(twc.columnNames).includes(column);
            if (covered) columnLevel = value;
        } else if (t && t.databaseName === database && (t.name === table || t.wildcard === true)) {
            tableLevel = value;
        } else if (db && db.name === database) {
            databaseLevel = value;
        }
    }
    return columnLevel ?? tableLevel ?? databaseLevel;
}

/** Columns of a table whose effective classification is `piiValue`, or whose name looks like PII. */
export function piiColumnsOf(
    resources: PolicyResource[],
    table: GlueTableInfo,
    opts: { classificationKey: string; piiValue: string; namePattern: RegExp; extraNames: string[] },
): string[] {
    return table.columns.filter(
        (c) =>
            effectiveColumnTag(resources, table.database, table.table, c, opts.classificationKey) === opts.piiValue ||
            opts.namePattern.test(c) ||
            opts.extraNames.includes(c),
    );
}

/** Default regex for column names that look like personal data (matched case-insensitively). */
export const DEFAULT_PII_COLUMN_PATTERN =
    "^(.*_)?(e_?mail|email_address|phone|phone_number|mobile|msisdn|ip|ip_address|ipv4|ipv6|user_?id|anonymous_?id|device_?id|advertising_?id|idfa|gaid|" +
    "first_?name|last_?name|full_?name|given_?name|family_?name|user_?name|address|street|postcode|postal_?code|zip_?code|ssn|social_security_number|" +
    "passport|passport_number|date_of_birth|dob|birth_?date|credit_card|card_number|iban)(_.*)?$|^name$";
