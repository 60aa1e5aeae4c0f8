/**
 * The alarm every dead-letter queue of this project gets: a message in a DLQ is data (or an alert)
 * that did not get where it was going, so one message is enough to alarm.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DlqNotEmptyAlarmArgs {
    /** Name of the SQS queue to watch. */
    queueName: pulumi.Input<string>;
    /** What a message in this queue means and what to do about it. */
    description: string;
    /** Topics notified on ALARM and OK. Defaults to none. */
    actions?: pulumi.Input<string>[];
    tags?: Record<string, string>;
}

export function dlqNotEmptyAlarm(name: string, args: DlqNotEmptyAlarmArgs, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    return aboveZeroAlarm(name, {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: args.queueName },
        statistic: "Maximum",
        description: args.description,
        actions: args.actions,
        tags: args.tags,
    }, opts);
}

export interface AboveZeroAlarmArgs {
    namespace: string;
    metricName: string;
    dimensions: Record<string, pulumi.Input<string>>;
    statistic: "Maximum" | "Sum";
    /** What the alarm means and what to do about it. */
    description: string;
    /** Topics notified on ALARM and OK. Defaults to none. */
    actions?: pulumi.Input<string>[];
    tags?: Record<string, string>;
}

/** An alarm that fires when the metric is above 0 in a 5-minute period (missing data is fine): for things that should never happen. */
export function aboveZeroAlarm(name: string, args: AboveZeroAlarmArgs, opts?: pulumi.CustomResourceOptions): aws.cloudwatch.MetricAlarm {
    const actions = args.actions ?? [];
    return new aws.cloudwatch.MetricAlarm(name, {
        alarmDescription: args.description,
        namespace: args.namespace,
        metricName: args.metricName,
        dimensions: args.dimensions,
        statistic: args.statistic,
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: "GreaterThanThreshold",
        treatMissingData: "notBreaching",
        alarmActions: actions,
        okActions: actions,
        tags: args.tags,
    }, opts);
}
