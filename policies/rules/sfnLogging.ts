import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { asString } from "../lib/values";

const LOGGED_LEVELS = ["ALL", "ERROR", "FATAL"];

/**
 * A Step Functions state machine keeps its execution history for 90 days in the console and nowhere
 * else: without logging, a failed run's error is gone when an operator looks later, and nothing can
 * alarm or search on it. The destination log group's retention and key are checked by
 * clickstream-cloudwatch-log-group-retention and -kms like every other group of the stack.
 */
export const sfnLogging: ResourceValidationPolicy = {
    name: "clickstream-sfn-logging",
    description: "Step Functions state machines log at least failed executions (level ALL, ERROR or FATAL) to a CloudWatch log group.",
    enforcementLevel: "mandatory",
    severity: "medium",
    tags: ["logging", "stepfunctions"],
    remediationSteps:
        "Set loggingConfiguration = { level: \"ERROR\", includeExecutionData: true, logDestination: `${logGroup.arn}:*` } with a log group that has retentionInDays and kmsKeyId " +
        "(componentLogGroup creates one), and give the role the log-delivery actions (ModelSchedule does).",
    validateResource: validateResourceOfType(aws.sfn.StateMachine, (machine, _args, reportViolation) => {
        const logging = machine.loggingConfiguration;
        const level = logging?.level ?? "OFF";
        if (!LOGGED_LEVELS.includes(level)) {
            reportViolation(`loggingConfiguration.level is ${level}: failed executions leave no log to alarm on or read after the console's history expires.`);
            return;
        }
        if (!asString(logging?.logDestination)) reportViolation(`loggingConfiguration.level is ${level} but logDestination is not set; point it at a log group ARN ending in ":*".`);
    }),
};
