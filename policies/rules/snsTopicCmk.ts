import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

export const snsTopicCmk: ResourceValidationPolicy = {
    name: "clickstream-sns-topic-cmk",
    description: "SNS topics are encrypted with a customer-managed KMS key (not alias/aws/sns).",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["encryption", "sns"],
    remediationSteps:
        "Set kmsMasterKeyId: key.arn on the topic, and allow the publishing services (cloudwatch.amazonaws.com for alarms) kms:GenerateDataKey* and kms:Decrypt in the key policy.",
    validateResource: validateResourceOfType(aws.sns.Topic, (topic, _args, reportViolation) => {
        if (!isCustomerManagedKey(topic.kmsMasterKeyId)) {
            reportViolation(`kmsMasterKeyId is ${topic.kmsMasterKeyId ?? "unset"}; use a customer-managed key.`);
        }
    }),
};
