import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

export const sqsQueueKms: ResourceValidationPolicy = {
    name: "clickstream-sqs-queue-kms",
    description: "SQS queues (including dead-letter queues) are encrypted with a customer-managed KMS key; SQS-managed SSE is not enough.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["encryption", "sqs"],
    remediationSteps: "Set kmsMasterKeyId: key.arn on the queue (and drop sqsManagedSseEnabled).",
    validateResource: validateResourceOfType(aws.sqs.Queue, (queue, _args, reportViolation) => {
        if (!isCustomerManagedKey(queue.kmsMasterKeyId)) {
            reportViolation(`kmsMasterKeyId is ${queue.kmsMasterKeyId ?? "unset"}; use a customer-managed key.`);
        }
    }),
};
