import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateRemediateResourceOfType } from "@pulumi/policy";

/** Automatic rotation exists only for symmetric encryption keys; asymmetric and HMAC keys are exempt. */
function rotatable(key: { keySpec?: string; customerMasterKeySpec?: string; keyUsage?: string }): boolean {
    const spec = key.keySpec ?? key.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT";
    return spec === "SYMMETRIC_DEFAULT" && (key.keyUsage ?? "ENCRYPT_DECRYPT") === "ENCRYPT_DECRYPT";
}

export const kmsKeyRotation: ResourceValidationPolicy = {
    name: "clickstream-kms-key-rotation",
    description: "Symmetric customer-managed KMS keys have automatic rotation enabled.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["encryption", "kms"],
    remediationSteps: "Set enableKeyRotation: true on the aws.kms.Key (safe: old key material stays available for decryption).",
    ...validateRemediateResourceOfType(aws.kms.Key, (key, args, reportViolation) => {
        if (!rotatable(key)) args.notApplicable("Asymmetric and HMAC keys cannot rotate automatically.");
        if (key.enableKeyRotation !== true) {
            reportViolation("enableKeyRotation is not true.");
            return { ...key, enableKeyRotation: true };
        }
        return undefined;
    }),
};
