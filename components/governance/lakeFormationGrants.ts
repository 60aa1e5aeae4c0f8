/**
 * LakeFormationGrants: tag-based access control for the click-stream lake.
 *
 * - Data lake administrators (aws.lakeformation.DataLakeSettings) with the default permissions for
 *   new databases and tables set EXPLICITLY to none, so Lake Formation (not IAM_ALLOWED_PRINCIPALS)
 *   governs everything created later. Leaving those arguments unset would clear them too, but
 *   silently; here it is a documented decision, and `manageDataLakeSettings: false` leaves the
 *   account-wide settings to whoever owns them.
 * - Registration of the lake bucket with Lake Formation (a role, or the service-linked role).
 * - LF-tags `classification` (public | internal | pii) and `domain`, assigned to the database, the
 *   tables (pii: new, unclassified columns stay hidden until someone classifies them) and every
 *   known column (from dataplane/schema.ts plus `extraPiiColumns`).
 * - Tag-based grants: analysts SELECT/DESCRIBE public and internal data; engineers also pii
 *   (configurable), never with grant option. Optional column grants with excluded columns.
 * - Nothing is ever granted to IAM_ALLOWED_PRINCIPALS.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Classification, ColumnSpec } from "../../dataplane/schema";
import {
    audienceClassifications,
    classifyColumns,
    CLASSIFICATIONS,
    ColumnGrantSpec,
    IAM_ALLOWED_PRINCIPALS,
    LAKE_COLUMNS,
    tagExpression,
    validateColumnGrants,
} from "./tagPlan";

export interface LakeFormationGrantsArgs {
    /** Glue database of the lake. Required. */
    databaseName: pulumi.Input<string>;
    /** Glue tables to tag and grant on (all with the lake's columns). Required, at least one. */
    tableNames: pulumi.Input<string>[];
    /** ARN of the lake bucket (`arn:aws:s3:::name`), registered with Lake Formation. Required. */
    lakeBucketArn: pulumi.Input<string>;
    /**
     * Role Lake Formation assumes to vend credentials for the lake location. Defaults to undefined:
     * the Lake Formation service-linked role is used (it must be able to use the lake's KMS key; a
     * dedicated role is easier to grant in a key policy).
     */
    registrationRoleArn?: pulumi.Input<string>;
    /** Register the lake bucket with Lake Formation. Defaults to true; false when it is registered elsewhere. */
    registerLakeLocation?: boolean;
    /**
     * Manage the account/region-wide aws.lakeformation.DataLakeSettings (admins and default
     * permissions). Defaults to true. Set false when an account baseline owns them: these settings
     * REPLACE the admin list and the default permissions of the whole account/region.
     */
    manageDataLakeSettings?: boolean;
    /**
     * Lake Formation administrators (IAM role/user ARNs). Required when `manageDataLakeSettings` is
     * true, and must include the principal that runs `pulumi up`, or later grants fail.
     */
    admins?: pulumi.Input<string>[];
    /** Read-only Lake Formation administrators. Defaults to none. */
    readOnlyAdmins?: pulumi.Input<string>[];
    /** Principals that SELECT/DESCRIBE public and internal data only. Defaults to none. */
    analystPrincipals?: pulumi.Input<string>[];
    /** Principals that SELECT/DESCRIBE all classifications (see `engineersSeePii`), without grant option. Defaults to none. */
    engineerPrincipals?: pulumi.Input<string>[];
    /** Whether engineers' tag grant includes classification pii. Defaults to true (engineers debug the pipeline on pseudonymized data). */
    engineersSeePii?: boolean;
    /**
     * Principals that need table metadata to write (e.g. the Firehose role, which reads the Glue
     * table schema for Parquet conversion): DESCRIBE on the database and tables. Defaults to none.
     */
    writerPrincipals?: pulumi.Input<string>[];
    /**
     * Principals that commit snapshots to an Iceberg table (Firehose's Iceberg destination, Glue's table
     * optimizers, the erasure role): SELECT, INSERT, DELETE, ALTER and DESCRIBE on that one table, never
     * with grant option. Not for people: analysts and engineers read through the tag grants. Defaults to none.
     */
    tableMaintainers?: TableMaintainer[];
    /**
     * Service principals that read a whole table, PII columns included (e.g. ModelSchedule's runner reads
     * the events table to build the model tables): SELECT and DESCRIBE on that one table and DESCRIBE on
     * the database, never with grant option. Not for people. Defaults to none.
     */
    tableReaders?: TableMaintainer[];
    /**
     * Other tables of the database with columns of their own (e.g. AnalyticsWindow's aggregates
     * table): each is tagged by its columns' classifications, like `tableNames`, and included in the
     * writers' DESCRIBE grants. Defaults to none.
     */
    additionalTables?: AdditionalTable[];
    /** Columns of the tables beyond the shared schema's PII columns that are personal data. Defaults to none. */
    extraPiiColumns?: string[];
    /** Columns of the tables with their schema classification. Defaults to EVENT_COLUMNS plus PARTITION_KEYS (dataplane/schema.ts). */
    columns?: readonly ColumnSpec[];
    /** Column-level grants (wildcard with excluded columns, or named columns). Defaults to none. */
    columnGrants?: ColumnGrantSpec[];
    /** LF-tag key for the classification. Defaults to "classification". */
    classificationTagKey?: string;
    /** LF-tag key for the data domain. Defaults to "domain". */
    domainTagKey?: string;
    /** Value of the domain LF-tag on this lake. Defaults to "clickstream". */
    domain?: string;
    /**
     * Create the LF-tags (keys and allowed values). Defaults to true. LF-tag keys are unique per
     * account/region: when another stack (e.g. dev and prod in one account) already created them,
     * set false and make sure their values include this domain and public/internal/pii.
     */
    createTags?: boolean;
    /** Glue catalog id (account id). Defaults to the caller's account. */
    catalogId?: pulumi.Input<string>;
}

/** A principal that writes an Iceberg table's data and metadata, for `LakeFormationGrantsArgs.tableMaintainers`. */
export interface TableMaintainer {
    /** Role ARN of the writer (a service role). */
    principal: pulumi.Input<string>;
    /** The table it maintains. */
    tableName: pulumi.Input<string>;
}

/** What a table reader gets (Lake Formation permission names). */
export const TABLE_READER_PERMISSIONS = ["SELECT", "DESCRIBE"];

/** What a table maintainer needs to commit Iceberg snapshots (Lake Formation permission names). */
export const TABLE_MAINTAINER_PERMISSIONS = ["SELECT", "INSERT", "DELETE", "ALTER", "DESCRIBE"];

/** A table with its own column list, for `LakeFormationGrantsArgs.additionalTables`. */
export interface AdditionalTable {
    /** Glue table name. */
    name: pulumi.Input<string>;
    /** Its columns with their classification (the partition keys included). */
    columns: readonly Pick<ColumnSpec, "name" | "classification">[];
}

const TAG_KEY_PATTERN = /^[\p{L}\p{Z}\p{N}_.:/=+\-@%]{1,128}$/u;

export class LakeFormationGrants extends pulumi.ComponentResource {
    /** The classification LF-tag key. */
    readonly classificationTagKey: string;
    /** The domain LF-tag key and value. */
    readonly domainTagKey: string;
    readonly domain: string;
    /** Column names per classification, as tagged. */
    readonly columnClassifications: Record<Classification, string[]>;
    /** Columns tagged pii. */
    readonly piiColumns: string[];
    /** Data lake settings, when managed. */
    readonly settings?: aws.lakeformation.DataLakeSettings;
    /** Lake location registration, when registered. */
    readonly location?: aws.lakeformation.Resource;
    /** LF-tags created here (empty when `createTags` is false). */
    readonly tags: aws.lakeformation.LfTag[];
    /** Tag assignments on the database, tables and columns. */
    readonly tagAssignments: aws.lakeformation.ResourceLfTags[];
    readonly analystGrants: aws.lakeformation.Permissions[];
    readonly engineerGrants: aws.lakeformation.Permissions[];
    readonly writerGrants: aws.lakeformation.Permissions[];
    readonly maintainerGrants: aws.lakeformation.Permissions[];
    readonly readerGrants: aws.lakeformation.Permissions[];
    readonly columnGrants: aws.lakeformation.Permissions[];

    constructor(name: string, args: LakeFormationGrantsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:governance:LakeFormationGrants", name, {}, opts);
        const plan = validateLakeFormationGrantsArgs(args);
        this.classificationTagKey = plan.classificationKey;
        this.domainTagKey = plan.domainKey;
        this.domain = plan.domain;
        this.columnClassifications = plan.classes;
        this.piiColumns = plan.classes.pii;

        const parent = { parent: this };
        const catalogId = args.catalogId;

        if (args.manageDataLakeSettings ?? true) {
            this.settings = new aws.lakeformation.DataLakeSettings(
                `${name}-settings`,
                {
                    catalogId,
                    admins: args.admins,
                    readOnlyAdmins: args.readOnlyAdmins,
                    // Deliberately empty: new databases and tables get no IAM_ALLOWED_PRINCIPALS grant,
                    // so Lake Formation permissions (the tags below) decide who reads them.
                    createDatabaseDefaultPermissions: [],
                    createTableDefaultPermissions: [],
                },
                parent,
            );
        }
        // Grants need the deployer to be an LF admin and the tags to exist first.
        const settingsDeps: pulumi.Resource[] = this.settings ? [this.settings] : [];

        if (args.registerLakeLocation ?? true) {
            this.location = new aws.lakeformation.Resource(
                `${name}-location`,
                args.registrationRoleArn
                    ? { arn: args.lakeBucketArn, roleArn: args.registrationRoleArn, hybridAccessEnabled: false }
                    : { arn: args.lakeBucketArn, useServiceLinkedRole: true, hybridAccessEnabled: false },
                { parent: this, dependsOn: settingsDeps },
            );
        }

        this.tags = [];
        if (args.createTags ?? true) {
            this.tags.push(
                new aws.lakeformation.LfTag(`${name}-classification`, { catalogId, key: plan.classificationKey, values: [...CLASSIFICATIONS] }, { parent: this, dependsOn: settingsDeps }),
                new aws.lakeformation.LfTag(`${name}-domain`, { catalogId, key: plan.domainKey, values: [plan.domain] }, { parent: this, dependsOn: settingsDeps }),
            );
        }
        const tagDeps: pulumi.Resource[] = [...settingsDeps, ...this.tags];
        const tagOpts = { parent: this, dependsOn: tagDeps };

        this.tagAssignments = [
            new aws.lakeformation.ResourceLfTags(
                `${name}-database-tags`,
                {
                    catalogId,
                    database: { name: args.databaseName },
                    // Database metadata (names, locations) is internal; data classification is per column.
                    lfTags: [
                        { key: plan.domainKey, value: plan.domain },
                        { key: plan.classificationKey, value: "internal" },
                    ],
                },
                tagOpts,
            ),
        ];
        // The lake tables share the plan's column classes; additional tables bring their own.
        const taggedTables = [
            ...args.tableNames.map((tableName, i) => ({ tableName, label: `table-${i}`, classes: plan.classes })),
            ...(args.additionalTables ?? []).map((t, j) => ({ tableName: t.name, label: `extra-table-${j}`, classes: classifyColumns(t.columns) })),
        ];
        for (const { tableName, label, classes } of taggedTables) {
            // Fail closed: a column added later inherits pii from its table until it is classified.
            this.tagAssignments.push(
                new aws.lakeformation.ResourceLfTags(
                    `${name}-${label}-tags`,
                    { catalogId, table: { databaseName: args.databaseName, name: tableName }, lfTags: [{ key: plan.classificationKey, value: "pii" }] },
                    tagOpts,
                ),
            );
            for (const cls of CLASSIFICATIONS) {
                const columnNames = classes[cls];
                if (columnNames.length === 0) continue;
                this.tagAssignments.push(
                    new aws.lakeformation.ResourceLfTags(
                        `${name}-${label}-${cls}-columns`,
                        {
                            catalogId,
                            tableWithColumns: { databaseName: args.databaseName, name: tableName, columnNames },
                            lfTags: [{ key: plan.classificationKey, value: cls }],
                        },
                        tagOpts,
                    ),
                );
            }
        }

        const grantOpts = { parent: this, dependsOn: [...tagDeps, ...this.tagAssignments] };
        const tagGrants = (role: string, principals: pulumi.Input<string>[], classifications: Classification[]) =>
            principals.flatMap((principal, i) => [
                new aws.lakeformation.Permissions(
                    `${name}-${role}-${i}-database`,
                    {
                        catalogId,
                        principal,
                        permissions: ["DESCRIBE"],
                        lfTagPolicy: { resourceType: "DATABASE", expressions: tagExpression(plan.domainKey, plan.domain, plan.classificationKey, ["internal"]) },
                    },
                    grantOpts,
                ),
                new aws.lakeformation.Permissions(
                    `${name}-${role}-${i}-tables`,
                    {
                        catalogId,
                        principal,
                        permissions: ["SELECT", "DESCRIBE"],
                        lfTagPolicy: { resourceType: "TABLE", expressions: tagExpression(plan.domainKey, plan.domain, plan.classificationKey, classifications) },
                    },
                    grantOpts,
                ),
            ]);
        this.analystGrants = tagGrants("analyst", args.analystPrincipals ?? [], audienceClassifications("analysts", false));
        this.engineerGrants = tagGrants("engineer", args.engineerPrincipals ?? [], audienceClassifications("engineers", args.engineersSeePii ?? true));

        this.writerGrants = (args.writerPrincipals ?? []).flatMap((principal, i) => [
            new aws.lakeformation.Permissions(`${name}-writer-${i}-database`, { catalogId, principal, permissions: ["DESCRIBE"], database: { name: args.databaseName } }, grantOpts),
            ...taggedTables.map(
                ({ tableName, label }) =>
                    new aws.lakeformation.Permissions(
                        `${name}-writer-${i}-${label}`,
                        { catalogId, principal, permissions: ["DESCRIBE"], table: { databaseName: args.databaseName, name: tableName } },
                        grantOpts,
                    ),
            ),
        ]);

        this.maintainerGrants = (args.tableMaintainers ?? []).map((m, i) => new aws.lakeformation.Permissions(
            `${name}-maintainer-${i}`,
            { catalogId, principal: m.principal, permissions: TABLE_MAINTAINER_PERMISSIONS, table: { databaseName: args.databaseName, name: m.tableName } },
            grantOpts,
        ));

        this.readerGrants = (args.tableReaders ?? []).flatMap((r, i) => [
            new aws.lakeformation.Permissions(`${name}-reader-${i}-database`, { catalogId, principal: r.principal, permissions: ["DESCRIBE"], database: { name: args.databaseName } }, grantOpts),
            new aws.lakeformation.Permissions(
                `${name}-reader-${i}`,
                { catalogId, principal: r.principal, permissions: TABLE_READER_PERMISSIONS, table: { databaseName: args.databaseName, name: r.tableName } },
                grantOpts,
            ),
        ]);

        this.columnGrants = (args.columnGrants ?? []).map((g, i) => {
            const tableWithColumns = g.columnNames
                ? { databaseName: args.databaseName, name: g.tableName, columnNames: g.columnNames }
                : { databaseName: args.databaseName, name: g.tableName, wildcard: true, excludedColumnNames: g.excludedColumnNames ?? plan.classes.pii };
            return new aws.lakeformation.Permissions(
                `${name}-column-grant-${i}`,
                { catalogId, principal: g.principal, permissions: g.permissions ?? ["SELECT"], tableWithColumns },
                grantOpts,
            );
        });

        this.registerOutputs({
            classificationTagKey: this.classificationTagKey,
            domainTagKey: this.domainTagKey,
            domain: this.domain,
            piiColumns: this.piiColumns,
        });
    }
}

export interface LakeFormationPlan {
    classificationKey: string;
    domainKey: string;
    domain: string;
    classes: Record<Classification, string[]>;
}

function knownStrings(values: pulumi.Input<string>[] | undefined): string[] {
    return (values ?? []).filter((v): v is string => typeof v === "string");
}

/**
 * Checks the arguments and returns the tagging plan. Only plain-string values can be checked at
 * construction; Outputs (e.g. a role's ARN) are checked by the policy pack instead.
 */
export function validateLakeFormationGrantsArgs(args: LakeFormationGrantsArgs): LakeFormationPlan {
    const fail = (msg: string): never => {
        throw new Error(`LakeFormationGrants: ${msg}`);
    };
    if (args.databaseName === undefined || args.databaseName === "") fail(`"databaseName" is required: pass the lake's Glue database name.`);
    if (!Array.isArray(args.tableNames) || args.tableNames.length === 0) fail(`"tableNames" must list at least one Glue table to tag and grant on.`);
    if (args.lakeBucketArn === undefined || args.lakeBucketArn === "") fail(`"lakeBucketArn" is required: pass the lake bucket's ARN (bucket.arn).`);
    if (typeof args.lakeBucketArn === "string" && !/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(args.lakeBucketArn)) {
        fail(`"lakeBucketArn" ${args.lakeBucketArn} is not an S3 bucket ARN; pass "arn:aws:s3:::<bucket>" (the bucket, not an object path).`);
    }
    const manage = args.manageDataLakeSettings ?? true;
    if (manage && (!args.admins || args.admins.length === 0)) {
        fail(`"admins" is empty while manageDataLakeSettings is true: the settings would leave the account without Lake Formation admins. ` +
            `List the admin role ARNs (including the one running pulumi up), or set manageDataLakeSettings: false.`);
    }
    if (!manage && args.admins && args.admins.length > 0) fail(`"admins" is set but manageDataLakeSettings is false, so they would be ignored; drop one of the two.`);
    const principalFields: [string, pulumi.Input<string>[] | undefined][] = [
        ["admins", args.admins],
        ["readOnlyAdmins", args.readOnlyAdmins],
        ["analystPrincipals", args.analystPrincipals],
        ["engineerPrincipals", args.engineerPrincipals],
        ["writerPrincipals", args.writerPrincipals],
        ["tableMaintainers", (args.tableMaintainers ?? []).map((m) => m.principal)],
        ["tableReaders", (args.tableReaders ?? []).map((m) => m.principal)],
    ];
    for (const [field, values] of principalFields) {
        if (knownStrings(values).includes(IAM_ALLOWED_PRINCIPALS)) {
            fail(`"${field}" contains IAM_ALLOWED_PRINCIPALS, which hands access control back to IAM and bypasses the LF-tags; list role ARNs instead.`);
        }
        if (knownStrings(values).some((v) => v.trim() === "")) fail(`"${field}" contains an empty principal; remove it.`);
    }
    const analysts = knownStrings(args.analystPrincipals);
    const both = knownStrings(args.engineerPrincipals).filter((p) => analysts.includes(p));
    if (both.length > 0) fail(`${both.join(", ")} is in both analystPrincipals and engineerPrincipals; the engineer grant would give the analyst PII. Keep each principal in one list.`);
    const people = [...analysts, ...knownStrings(args.engineerPrincipals)];
    const maintainingPeople = knownStrings((args.tableMaintainers ?? []).map((m) => m.principal)).filter((p) => people.includes(p));
    if (maintainingPeople.length > 0) {
        fail(`${maintainingPeople.join(", ")} is both a table maintainer and an analyst or engineer; maintainers get every column (PII included). Give maintenance to the service role only.`);
    }
    const readingPeople = knownStrings((args.tableReaders ?? []).map((m) => m.principal)).filter((p) => people.includes(p));
    if (readingPeople.length > 0) {
        fail(`${readingPeople.join(", ")} is both a table reader and an analyst or engineer; readers get every column (PII included). Give whole-table reads to the service role only.`);
    }

    const classificationKey = args.classificationTagKey ?? "classification";
    const domainKey = args.domainTagKey ?? "domain";
    const domain = args.domain ?? "clickstream";
    for (const [field, value] of [["classificationTagKey", classificationKey], ["domainTagKey", domainKey], ["domain", domain]] as const) {
        if (!TAG_KEY_PATTERN.test(value)) fail(`"${field}" "${value}" is not a valid LF-tag key/value (1-128 letters, digits, spaces, _.:/=+-@%).`);
    }
    if (classificationKey === domainKey) fail(`"classificationTagKey" and "domainTagKey" are both "${domainKey}"; use two different keys.`);

    const columns = args.columns ?? LAKE_COLUMNS;
    const dupes = columns.map((c) => c.name).filter((n, i, all) => all.indexOf(n) !== i);
    if (dupes.length > 0) fail(`"columns" repeats ${[...new Set(dupes)].join(", ")}; each column once.`);
    const classes = classifyColumns(columns, args.extraPiiColumns ?? []);
    validateColumnGrants(args.columnGrants ?? [], {
        allColumns: columns.map((c) => c.name),
        piiColumns: classes.pii,
        analysts,
        tableNames: args.tableNames.every((t) => typeof t === "string") ? (args.tableNames as string[]) : undefined,
    });
    return { classificationKey, domainKey, domain, classes };
}
