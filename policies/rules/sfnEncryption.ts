import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

/**
 * A state machine's execution history holds every state's input and output (queries, query ids,
 * results a state passes on). Encrypted with an AWS-owned key by default, it is readable to anyone
 * with states:GetExecutionHistory, and its key cannot be disabled or audited; a customer-managed key
 * puts reads of it under the key policy and CloudTrail, like the rest of the pipeline's data.
 */
export const sfnEncryption: ResourceValidationPolicy = {
    name: "clickstream-sfn-encryption",
    description: "Step Functions state machines encrypt their definition and execution history with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["encryption", "stepfunctions"],
    remediationSteps:
        "Set encryptionConfiguration = { type: \"CUSTOMER_MANAGED_KMS_KEY\", kmsKeyId: key.arn, kmsDataKeyReusePeriodSeconds: 300 }, allow the execution role (and callers of StartExecution) " +
        "kms:Decrypt/kms:GenerateDataKey on it with the kms:EncryptionContext:aws:states:stateMachineArn condition, and delivery.logs.amazonaws.com kms:Decrypt in the key policy when logging.",
    validateResource: validateResourceOfType(aws.sfn.StateMachine, (machine, _args, reportViolation) => {
        const enc = machine.encryptionConfiguration;
        if (enc?.type !== "CUSTOMER_MANAGED_KMS_KEY") {
            reportViolation(`encryptionConfiguration.type is ${enc?.type ?? "unset (AWS_OWNED_KEY)"}; use CUSTOMER_MANAGED_KMS_KEY.`);
            return;
        }
        if (!isCustomerManagedKey(enc.kmsKeyId)) reportViolation(`encryptionConfiguration.kmsKeyId is ${enc.kmsKeyId ?? "unset"}; name a customer-managed key.`);
    }),
};
