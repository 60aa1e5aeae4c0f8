import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

/**
 * Athena query results contain whatever was queried, PII included. The workgroup must encrypt them
 * with a KMS key and enforce its configuration so a client cannot pick an unencrypted location.
 */
export const athenaWorkgroupEncryption: ResourceValidationPolicy = {
    name: "clickstream-athena-workgroup-encrypted-results",
    description: "Athena workgroups encrypt query results with SSE_KMS or CSE_KMS under a customer-managed key and enforce the workgroup configuration.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["encryption", "athena"],
    remediationSteps:
        "Set configuration { enforceWorkgroupConfiguration: true, resultConfiguration: { outputLocation, encryptionConfiguration: { encryptionOption: \"SSE_KMS\", kmsKeyArn: key.arn } } } " +
        "(or managedQueryResultsConfiguration { enabled: true, encryptionConfiguration: { kmsKey: key.arn } }).",
    validateResource: validateResourceOfType(aws.athena.Workgroup, (wg, _args, reportViolation) => {
        const config = wg.configuration;
        // The provider defaults enforceWorkgroupConfiguration to true; only an explicit false opts out.
        if (config?.enforceWorkgroupConfiguration === false) {
            reportViolation("enforceWorkgroupConfiguration is false: clients can override the result location and encryption.");
        }
        const managed = config?.managedQueryResultsConfiguration;
        if (managed?.enabled === true) {
            if (!isCustomerManagedKey(managed.encryptionConfiguration?.kmsKey)) {
                reportViolation("managed query results are not encrypted with a customer-managed key (managedQueryResultsConfiguration.encryptionConfiguration.kmsKey).");
            }
            return;
        }
        const enc = config?.resultConfiguration?.encryptionConfiguration;
        if (!enc || !["SSE_KMS", "CSE_KMS"].includes(String(enc.encryptionOption))) {
            reportViolation(`query results encryption is ${enc?.encryptionOption ?? "not configured"}; use SSE_KMS or CSE_KMS.`);
        } else if (!isCustomerManagedKey(enc.kmsKeyArn)) {
            reportViolation(`${enc.encryptionOption} has no customer-managed kmsKeyArn.`);
        }
    }),
};
