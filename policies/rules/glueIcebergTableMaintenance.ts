import { StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { icebergTables } from "../lib/lakeFormation";
import { ofType } from "../lib/stack";

export interface IcebergMaintenanceConfig {
    maxSnapshotRetentionDays: number;
    requireOrphanFileDeletion: boolean;
}

const DEFAULTS: IcebergMaintenanceConfig = { maxSnapshotRetentionDays: 7, requireOrphanFileDeletion: true };

const OPTIMIZER_TYPE = "aws:glue/catalogTableOptimizer:CatalogTableOptimizer";

/**
 * An Iceberg table that nobody maintains keeps every snapshot: Firehose's small files are never
 * compacted, and rows deleted for an erasure request stay readable through time travel (and in S3)
 * forever. Every Iceberg table in the Glue catalog needs enabled Glue optimizers for compaction and
 * snapshot retention, the retention deleting expired files within `maxSnapshotRetentionDays`, and
 * (by default) orphan-file deletion.
 */
export const glueIcebergTableMaintenance: StackValidationPolicy = {
    name: "clickstream-glue-iceberg-table-maintenance",
    description: "Iceberg tables in the Glue catalog have enabled compaction and snapshot-retention optimizers (expired files deleted within the retention limit) and orphan-file deletion.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["pii", "retention", "glue", "iceberg"],
    remediationSteps:
        "Deliver through FirehoseLake with tableFormat \"iceberg\" (it creates the optimizers), or add aws.glue.CatalogTableOptimizer resources for the table with type " +
        "\"compaction\", \"retention\" (retentionConfiguration.icebergConfiguration { snapshotRetentionPeriodInDays <= maxSnapshotRetentionDays, cleanExpiredFiles: true }) " +
        "and \"orphan_file_deletion\", each with configuration.enabled = true and a role that can rewrite the table's files.",
    configSchema: {
        properties: {
            maxSnapshotRetentionDays: { type: "number", default: DEFAULTS.maxSnapshotRetentionDays, description: "Longest snapshot retention accepted (days erased rows stay readable through time travel)." },
            requireOrphanFileDeletion: { type: "boolean", default: DEFAULTS.requireOrphanFileDeletion, description: "Also require an orphan-file deletion optimizer." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const tables = icebergTables(args.resources);
        if (tables.length === 0) args.notApplicable("No Iceberg tables in this stack.");
        const optimizers = ofType(args.resources, OPTIMIZER_TYPE);
        for (const t of tables) {
            const name = `${t.database}.${t.table}`;
            const of = (type: string) => optimizers.filter((o) => o.props.type === type && o.props.databaseName === t.database && o.props.tableName === t.table);
            const enabled = (type: string) => of(type).filter((o) => o.props.configuration?.enabled === true);
            if (enabled("compaction").length === 0) {
                reportViolation(`Iceberg table ${name} has no enabled compaction optimizer: Firehose's small files pile up and deletes are never folded in.`, t.resource.urn);
            }
            const retention = enabled("retention");
            if (retention.length === 0) {
                reportViolation(`Iceberg table ${name} has no enabled snapshot-retention optimizer: every snapshot, with rows deleted for erasure, stays readable forever.`, t.resource.urn);
            }
            for (const r of retention) {
                const ice = r.props.configuration?.retentionConfiguration?.icebergConfiguration ?? {};
                // Glue's default retention is 5 days; files are kept unless cleanExpiredFiles is true.
                const days = typeof ice.snapshotRetentionPeriodInDays === "number" ? ice.snapshotRetentionPeriodInDays : 5;
                if (days > cfg.maxSnapshotRetentionDays) {
                    reportViolation(`Iceberg table ${name}: snapshot retention is ${days} days, more than the ${cfg.maxSnapshotRetentionDays} allowed (erased rows stay readable that long).`, r.urn);
                }
                if (ice.cleanExpiredFiles !== true) {
                    reportViolation(`Iceberg table ${name}: the retention optimizer does not set cleanExpiredFiles = true, so expired snapshots' files (erased rows included) stay in S3.`, r.urn);
                }
            }
            if (cfg.requireOrphanFileDeletion && enabled("orphan_file_deletion").length === 0) {
                reportViolation(`Iceberg table ${name} has no enabled orphan-file deletion optimizer: files of failed commits are never removed.`, t.resource.urn);
            }
        }
    },
};
