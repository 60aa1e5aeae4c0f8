import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateRemediateResourceOfType } from "@pulumi/policy";
import { configWithDefaults } from "../lib/config";

export interface LogGroupRetentionConfig {
    defaultRetentionDays: number;
    maxRetentionDays: number;
}

const DEFAULTS: LogGroupRetentionConfig = { defaultRetentionDays: 30, maxRetentionDays: 3653 };

/** Values CloudWatch Logs accepts for retentionInDays. */
export const VALID_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

/**
 * Logs (Lambda, API Gateway access logs) can carry identifiers; unset retention keeps them forever.
 * Setting a retention is always safe, so the policy can remediate: with enforcement "remediate" the
 * CLI sets `defaultRetentionDays` on log groups that have none.
 */
export const cloudwatchLogGroupRetention: ResourceValidationPolicy = {
    name: "clickstream-cloudwatch-log-group-retention",
    description: "Every CloudWatch log group has a retention period (retentionInDays set, not 0 = never expire, at most maxRetentionDays).",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["retention", "logs"],
    remediationSteps: "Set retentionInDays (e.g. 30) on the log group, or run the pack with this policy's enforcementLevel \"remediate\" to set defaultRetentionDays automatically.",
    configSchema: {
        properties: {
            defaultRetentionDays: { type: "integer", enum: VALID_RETENTION_DAYS, default: DEFAULTS.defaultRetentionDays, description: "Retention the remediation sets." },
            maxRetentionDays: { type: "integer", minimum: 1, default: DEFAULTS.maxRetentionDays, description: "Longest allowed retention in days." },
        },
    },
    ...validateRemediateResourceOfType(aws.cloudwatch.LogGroup, (group, args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const days = group.retentionInDays;
        if (days === undefined || days === null || days === 0) {
            reportViolation("retentionInDays is not set: logs would be kept forever.");
            return { ...group, retentionInDays: cfg.defaultRetentionDays };
        }
        if (days > cfg.maxRetentionDays) {
            reportViolation(`retentionInDays is ${days}, above the allowed ${cfg.maxRetentionDays}.`);
        }
        return undefined;
    }),
};
