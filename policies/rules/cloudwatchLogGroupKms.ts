import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

export const cloudwatchLogGroupKms: ResourceValidationPolicy = {
    name: "clickstream-cloudwatch-log-group-kms",
    description: "CloudWatch log groups are encrypted with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["encryption", "logs"],
    remediationSteps:
        "Set kmsKeyId: key.arn on the log group; the key policy must allow logs.<region>.amazonaws.com kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe*.",
    validateResource: validateResourceOfType(aws.cloudwatch.LogGroup, (group, _args, reportViolation) => {
        if (!isCustomerManagedKey(group.kmsKeyId)) {
            reportViolation("kmsKeyId is not set; log data is encrypted with a CloudWatch-owned key only.");
        }
    }),
};
