import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

/**
 * Direct-PUT Firehose streams buffer records at rest inside Firehose: encrypt them with a
 * customer-managed key. Streams reading from a Kinesis data stream inherit that stream's encryption
 * (and Firehose rejects serverSideEncryption for them), so they are not applicable.
 */
export const firehoseSseCmk: ResourceValidationPolicy = {
    name: "clickstream-firehose-sse-cmk",
    description: "Direct-PUT Firehose delivery streams use server-side encryption with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["encryption", "firehose"],
    remediationSteps: "Set serverSideEncryption { enabled: true, keyType: \"CUSTOMER_MANAGED_CMK\", keyArn: key.arn } on the delivery stream.",
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, args, reportViolation) => {
        if (stream.kinesisSourceConfiguration || stream.mskSourceConfiguration) {
            args.notApplicable("Source is a stream; encryption at rest is the source's.");
        }
        const sse = stream.serverSideEncryption;
        if (!sse || sse.enabled !== true) {
            reportViolation("serverSideEncryption is not enabled.");
        } else if (sse.keyType !== "CUSTOMER_MANAGED_CMK" || !isCustomerManagedKey(sse.keyArn)) {
            reportViolation(`serverSideEncryption uses keyType ${sse.keyType ?? "AWS_OWNED_CMK"}; use CUSTOMER_MANAGED_CMK with a keyArn.`);
        }
    }),
};
