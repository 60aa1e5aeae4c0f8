import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { asString } from "../lib/values";

/**
 * A schedule whose target cannot be reached (a broken role, a deleted state machine, throttling)
 * retries, and then EventBridge Scheduler drops the invocation: for the model runs that is a day of
 * modeled tables missing with no trace. A dead-letter queue keeps every invocation that could not be
 * delivered (with its input, which names the day), and a retry policy of zero attempts drops on the
 * first hiccup.
 */
export const schedulerDeadLetter: ResourceValidationPolicy = {
    name: "clickstream-scheduler-dead-letter",
    description: "EventBridge Scheduler schedules send undeliverable invocations to a dead-letter queue and retry at least once.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["reliability", "scheduler"],
    remediationSteps:
        "Set target.deadLetterConfig = { arn: queue.arn } (an SQS queue encrypted with a customer-managed key, that the schedule's role may sqs:SendMessage to), " +
        "and target.retryPolicy.maximumRetryAttempts >= 1 (ModelSchedule does both).",
    validateResource: validateResourceOfType(aws.scheduler.Schedule, (schedule, _args, reportViolation) => {
        const target = schedule.target;
        if (!asString(target?.deadLetterConfig?.arn)) {
            reportViolation("target.deadLetterConfig is not set: an invocation that cannot reach its target is dropped after the retries, without a trace.");
        }
        if (target?.retryPolicy?.maximumRetryAttempts === 0) {
            reportViolation("target.retryPolicy.maximumRetryAttempts is 0: one throttled or failed start loses the run.");
        }
    }),
};
