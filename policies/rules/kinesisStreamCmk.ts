import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

export const kinesisStreamCmk: ResourceValidationPolicy = {
    name: "clickstream-kinesis-stream-cmk",
    description: "Kinesis data streams use encryptionType KMS with a customer-managed key (not alias/aws/kinesis).",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["encryption", "kinesis"],
    remediationSteps: "Set encryptionType: \"KMS\" and kmsKeyId: key.arn (a customer-managed aws.kms.Key) on the stream.",
    validateResource: validateResourceOfType(aws.kinesis.Stream, (stream, _args, reportViolation) => {
        if (stream.encryptionType !== "KMS") {
            reportViolation(`encryptionType is ${stream.encryptionType ?? "NONE"}; records are stored unencrypted.`);
        } else if (!isCustomerManagedKey(stream.kmsKeyId)) {
            reportViolation(`kmsKeyId is ${stream.kmsKeyId ?? "unset"}; use a customer-managed key, not the AWS-managed alias/aws/kinesis.`);
        }
    }),
};
