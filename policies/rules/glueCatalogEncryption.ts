import { StackValidationPolicy } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";
import { enclosingComponent, FIREHOSE_LAKE_TYPE, ofType } from "../lib/stack";
import { isCustomerManagedKey } from "../lib/values";

export interface GlueCatalogEncryptionConfig {
    managedOutsideStack: boolean;
}

const DEFAULTS: GlueCatalogEncryptionConfig = { managedOutsideStack: false };

/**
 * Glue Data Catalog encryption is one account/region-wide setting. A stack that defines Glue tables
 * must either manage it (aws.glue.DataCatalogEncryptionSettings) or declare, via config, that an
 * account baseline stack does (then the policy is not applicable here).
 */
export const glueCatalogEncryption: StackValidationPolicy = {
    name: "clickstream-glue-catalog-encryption",
    description: "A stack with Glue databases or tables manages Data Catalog encryption: SSE-KMS at rest and encrypted connection passwords, with customer-managed keys.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["encryption", "glue"],
    remediationSteps:
        "Add aws.glue.DataCatalogEncryptionSettings with dataCatalogEncryptionSettings { encryptionAtRest: { catalogEncryptionMode: \"SSE-KMS\", sseAwsKmsKeyId: key.arn }, " +
        "connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: key.arn } }, or set this policy's managedOutsideStack: true when an account baseline stack owns the setting.",
    configSchema: {
        properties: {
            managedOutsideStack: { type: "boolean", default: false, description: "True when catalog encryption is managed by another (account baseline) stack." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const glue = ofType(args.resources, "aws:glue/catalogTable:CatalogTable", "aws:glue/catalogDatabase:CatalogDatabase");
        if (glue.length === 0) args.notApplicable("No Glue databases or tables in this stack.");
        if (cfg.managedOutsideStack) args.notApplicable("Catalog encryption is managed outside this stack (config managedOutsideStack).");
        const settings = ofType(args.resources, "aws:glue/dataCatalogEncryptionSettings:DataCatalogEncryptionSettings");
        if (settings.length === 0) {
            const lakes = [...new Set(glue.map((r) => enclosingComponent(r, FIREHOSE_LAKE_TYPE)?.name).filter((n): n is string => !!n))];
            const fix = lakes.length > 0
                ? ` Fix: pass manageCatalogEncryption: true to FirehoseLake ${lakes.map((n) => `"${n}"`).join(", ")} (in one stack per account and region), or, when another stack owns the setting, set this policy's managedOutsideStack: true in the policy config.`
                : "";
            reportViolation(`The stack defines ${glue.length} Glue database(s)/table(s) but no aws.glue.DataCatalogEncryptionSettings; table metadata (column names, locations) is stored unencrypted.${fix}`);
            return;
        }
        for (const s of settings) {
            const d = s.props.dataCatalogEncryptionSettings ?? {};
            const atRest = d.encryptionAtRest ?? {};
            if (atRest.catalogEncryptionMode !== "SSE-KMS" || !isCustomerManagedKey(atRest.sseAwsKmsKeyId)) {
                reportViolation(`encryptionAtRest is ${atRest.catalogEncryptionMode ?? "DISABLED"}${atRest.sseAwsKmsKeyId ? "" : " without sseAwsKmsKeyId"}; use SSE-KMS with a customer-managed key.`, s.urn);
            }
            const pw = d.connectionPasswordEncryption ?? {};
            if (pw.returnConnectionPasswordEncrypted !== true || !isCustomerManagedKey(pw.awsKmsKeyId)) {
                reportViolation("connectionPasswordEncryption must set returnConnectionPasswordEncrypted: true with a customer-managed awsKmsKeyId.", s.urn);
            }
        }
    },
};
