import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

/**
 * Firehose writes S3 objects with the destination's kmsKeyArn; without one it falls back to the
 * bucket default. Naming the key on the stream keeps encryption explicit even if the bucket
 * default changes, and covers the source-record backup bucket too.
 */
export const firehoseS3DestinationKms: ResourceValidationPolicy = {
    name: "clickstream-firehose-s3-destination-kms",
    description: "Firehose S3 destinations (and their source-record backups) and Iceberg destinations' backup/error bucket name a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["encryption", "firehose"],
    remediationSteps:
        "Set extendedS3Configuration.kmsKeyArn to a customer-managed key ARN; when s3BackupMode is \"Enabled\", also set s3BackupConfiguration.kmsKeyArn. For an Iceberg destination set icebergConfiguration.s3Configuration.kmsKeyArn.",
    validateResource: validateResourceOfType(aws.kinesis.FirehoseDeliveryStream, (stream, args, reportViolation) => {
        const iceberg = stream.icebergConfiguration;
        if (iceberg) {
            // The Iceberg destination's only S3 objects are the backup and error output (raw data).
            if (!isCustomerManagedKey(iceberg.s3Configuration?.kmsKeyArn)) {
                reportViolation("icebergConfiguration.s3Configuration.kmsKeyArn is not set to a customer-managed key: raw source backups and failed records would be written without it.");
            }
            return;
        }
        const s3 = stream.extendedS3Configuration;
        if (!s3) return args.notApplicable("No extended S3 or Iceberg destination.");
        if (!isCustomerManagedKey(s3.kmsKeyArn)) {
            reportViolation("extendedS3Configuration.kmsKeyArn is not set to a customer-managed key.");
        }
        if (s3.s3BackupMode === "Enabled" && !isCustomerManagedKey(s3.s3BackupConfiguration?.kmsKeyArn)) {
            reportViolation("extendedS3Configuration.s3BackupConfiguration.kmsKeyArn is not set: raw source backups would be written without the customer-managed key.");
        }
    }),
};
