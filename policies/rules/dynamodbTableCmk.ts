import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isCustomerManagedKey } from "../lib/values";

export const dynamodbTableCmk: ResourceValidationPolicy = {
    name: "clickstream-dynamodb-table-cmk",
    description: "DynamoDB tables use server-side encryption with a customer-managed KMS key.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["encryption", "dynamodb"],
    remediationSteps: "Set serverSideEncryption { enabled: true, kmsKeyArn: key.arn } on the table.",
    validateResource: validateResourceOfType(aws.dynamodb.Table, (table, _args, reportViolation) => {
        const sse = table.serverSideEncryption;
        if (!sse || sse.enabled !== true) {
            reportViolation("serverSideEncryption is not enabled; the table uses an AWS-owned key.");
        } else if (!isCustomerManagedKey(sse.kmsKeyArn)) {
            reportViolation("serverSideEncryption has no kmsKeyArn; the AWS-managed key alias/aws/dynamodb would be used.");
        }
    }),
};
