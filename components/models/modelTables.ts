/**
 * The model tables (models/sql.ts) as Glue Iceberg tables the stack creates, as plain functions so tests
 * and the policy pack can read them: each table's columns with their data classification (for Lake
 * Formation's LF-tags) and its Glue `openTableFormatInput` (Iceberg v2, identity-partitioned by
 * `event_date`, the same table the Athena DDL of models/dialect.ts describes). Creating them at deploy
 * time, rather than by the first run, is what lets LakeFormationGrants tag them before anyone reads them.
 */
import type { Classification } from "../../dataplane/schema";
import type { ModelColumnType } from "../../models/dialect";
import { DATE_COLUMN, MODEL_COLUMNS, MODELS_WITH_PSEUDONYMIZED_IDS, type ModelName } from "../../models/sql";
import { icebergTableProperties, type IcebergSchemaField, type IcebergSettings } from "../lake/icebergTable";

/** Folder of the lake bucket that holds the model tables (one sub-folder per table). */
export const MODELS_PREFIX = "models/";

/**
 * Classification of each model column, from the events column it is derived from: ids (pseudonyms,
 * and session_id, which embeds the anonymous id) are pii like anonymous_id/user_id; the referrer and
 * the UTM values come from redacted URLs, internal like page_url/page_referrer; paths, device, browser,
 * times and counts are public. A column missing here is a test failure, never a silent default.
 */
export const MODEL_COLUMN_CLASSIFICATIONS: Record<ModelName, Record<string, Classification>> = {
    sessions: {
        session_id: "pii", anonymous_id: "pii", user_id: "pii",
        session_start: "public", session_end: "public", duration_seconds: "public", event_count: "public", page_count: "public",
        entry_page: "public", exit_page: "public", referrer: "internal",
        utm_source: "internal", utm_medium: "internal", utm_campaign: "internal",
        device_type: "public", browser: "public", [DATE_COLUMN]: "public",
    },
    daily_users: {
        dau_users: "public", wau_users: "public", mau_users: "public",
        dau_anonymous: "public", wau_anonymous: "public", mau_anonymous: "public", [DATE_COLUMN]: "public",
    },
    page_stats_daily: { page_path: "public", views: "public", unique_visitors: "public", entries: "public", exits: "public", [DATE_COLUMN]: "public" },
    funnel_daily: {
        funnel: "public", step_index: "public", step_name: "public", visitors: "public",
        conversion_from_previous: "public", conversion_from_start: "public", [DATE_COLUMN]: "public",
    },
};

/** A model table's columns with their classification, for LakeFormationGrants `additionalTables`. */
export function modelTableColumns(model: ModelName): { name: string; classification: Classification }[] {
    return MODEL_COLUMNS[model].map((c) => {
        const classification = MODEL_COLUMN_CLASSIFICATIONS[model][c.name];
        if (!classification) throw new Error(`modelTableColumns: ${model}.${c.name} has no classification; add it to MODEL_COLUMN_CLASSIFICATIONS`);
        return { name: c.name, classification };
    });
}

/** Models whose rows carry pseudonymized ids: their tables are tagged classification=pii (sql.ts keeps the list). */
export function holdsPseudonymizedIds(model: ModelName): boolean {
    return MODELS_WITH_PSEUDONYMIZED_IDS.includes(model);
}

const ICEBERG_TYPES: Record<ModelColumnType, string> = { string: "string", timestamp: "timestamp", date: "date", bigint: "long", double: "double" };

/** The Iceberg schema of a model table: one optional field per column, ids 1..n in column order. */
export function modelIcebergSchemaFields(model: ModelName): IcebergSchemaField[] {
    return MODEL_COLUMNS[model].map((c, i) => ({ id: i + 1, name: c.name, type: JSON.stringify(ICEBERG_TYPES[c.type]), required: false, doc: c.comment.slice(0, 255) }));
}

/** The `openTableFormatInput` of aws.glue.CatalogTable for a model table at s3://bucket/models/<table>/. */
export function modelOpenTableFormatInput(bucketName: string, model: ModelName, s: Pick<IcebergSettings, "snapshotRetentionDays" | "snapshotsToRetain">) {
    const fields = modelIcebergSchemaFields(model);
    const date = fields.find((f) => f.name === DATE_COLUMN);
    if (!date) throw new Error(`modelOpenTableFormatInput: ${model} has no ${DATE_COLUMN} column to partition by`);
    return {
        icebergInput: {
            metadataOperation: "CREATE",
            version: "2",
            icebergTableInput: {
                location: `s3://${bucketName}/${modelTablePrefix(model)}`,
                schema: { schemaId: 0, type: "struct", fields },
                // identity(event_date): what Athena's `PARTITIONED BY (event_date)` creates; a day's DELETE drops whole files.
                partitionSpec: { specId: 0, fields: [{ fieldId: 1000, name: DATE_COLUMN, sourceId: date.id, transform: "identity" }] },
                properties: icebergTableProperties(s),
            },
        },
    };
}

/** Prefix of one model table in the lake bucket. */
export function modelTablePrefix(model: ModelName): string {
    return `${MODELS_PREFIX}${model}/`;
}
