/**
 * AnomalyAlerts: CloudWatch anomaly detection alarms on window metrics (issue 5), replacing the
 * article's RANDOM_CUT_FOREST in Kinesis Data Analytics (discontinued 2026-01-27).
 *
 *   window metric m1 + ANOMALY_DETECTION_BAND(m1, bandWidth) -> MetricAlarm (ALARM / OK actions)
 *   -> alarm topic (SNS, KMS)  -> alert Lambda -> anomalies table (DynamoDB, CMK, PITR, TTL), idempotent
 *                                              -> notification topic (SNS, KMS) -> e-mail subscriptions
 *                                              -> HTTPS webhook (URL kept in an SSM SecureString)
 *   alert Lambda failures (after Lambda's async retries) -> KMS-encrypted SQS dead-letter queue
 */
import { componentLogGroup } from "../logs/componentLogGroup";
import { dlqNotEmptyAlarm } from "../alarms/dlqAlarm";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ENV_ANOMALY_TABLE, ENV_ANOMALY_TTL_DAYS, ENV_NOTIFICATION_TOPIC_ARN, ENV_WEBHOOK_PARAMETER, checkWebhookUrl } from "../../dataplane/alerts/env";
import { TTL_ATTRIBUTE } from "../../dataplane/alerts/recorder";
import { serviceAssumeRolePolicy } from "../lake/policies";
import { checkInteger, checkKeyArn, checkLogRetention, checkNumber, fail } from "../lake/validate";
import { handlerArchive, LAMBDA_RUNTIME } from "../lambda/bundle";
import { alarmTopicPolicyDocument, alertFunctionPolicyDocument, alertsKeyPolicyDocument } from "./policies";
import { awsEnvironment } from "../aws/environment";

const COMPONENT = "AnomalyAlerts";

export type AnomalyComparison = "LessThanLowerOrGreaterThanUpperThreshold" | "GreaterThanUpperThreshold" | "LessThanLowerThreshold";
export const ANOMALY_COMPARISONS: readonly AnomalyComparison[] = ["LessThanLowerOrGreaterThanUpperThreshold", "GreaterThanUpperThreshold", "LessThanLowerThreshold"];
export type TreatMissingData = "missing" | "notBreaching" | "breaching" | "ignore";
export const TREAT_MISSING_DATA: readonly TreatMissingData[] = ["missing", "notBreaching", "breaching", "ignore"];

/** The metric an alarm watches; AnalyticsWindow.metric(...) returns one. */
export interface AlarmMetric {
    namespace: string;
    metricName: string;
    /** CloudWatch statistic: Sum for counts and sums, Average for averages, Minimum/Maximum. */
    statistic: string;
    /** Period in seconds (the window length); a multiple of 60. */
    periodSeconds: number;
    /** Dimensions; {} for the roll-up over all groups. Defaults to {}. */
    dimensions?: Record<string, string>;
}

export interface AnomalyAlarmArgs {
    /** The window metric to watch, e.g. `analytics.metric("purchase_price_by_group", "avg_price")`. Required. */
    metric: AlarmMetric;
    /** Alarm name suffix, [A-Za-z0-9_.-]. Defaults to the metric name plus its dimension values. */
    name?: string;
    /**
     * Width of the expected band in standard deviations (ANOMALY_DETECTION_BAND's second argument). Defaults to 2
     * (0.1-20): on real metrics a wider band lost more recall than it saved false alarms; persistence
     * (`datapointsToAlarm` of `evaluationPeriods`) did better (docs/analytics.md).
     */
    bandWidth?: number;
    /** Which side of the band alarms. Defaults to "LessThanLowerOrGreaterThanUpperThreshold" (spikes and drops). */
    comparison?: AnomalyComparison;
    /** Periods evaluated. Defaults to 5, or fewer when 5 periods exceed a day (periods x period <= 1 day). */
    evaluationPeriods?: number;
    /**
     * Periods out of the band, among `evaluationPeriods`, that raise the alarm. Defaults to a majority of them (3 of 5):
     * real metrics cross a band for single periods far more often than a Gaussian would, so one anomaly should be
     * one alarm, not one per noisy period.
     */
    datapointsToAlarm?: number;
    /**
     * How missing datapoints count. Defaults to "notBreaching": a period without a datapoint (a sparse metric, a group
     * with no events) counts as inside the band, as AWS advises for metrics that report only when something happens
     * ("missing" judges M of N on the few datapoints present and goes to INSUFFICIENT_DATA when none is). Use
     * "breaching" for a dense count whose silence is itself the anomaly (traffic stopped), with "LessThanLowerThreshold".
     */
    treatMissingData?: TreatMissingData;
    /** Alarm description. Defaults to one naming the metric, statistic and period. */
    description?: string;
}

export interface AnomalyAlertsArgs {
    /** One alarm per entry, at least one. Required. */
    alarms: AnomalyAlarmArgs[];
    /**
     * CMK for both topics, the anomalies table, the DLQ, the webhook parameter and the logs. Its policy must let
     * cloudwatch.amazonaws.com use kms:Decrypt and kms:GenerateDataKey* (alarms publish to the encrypted topic) and
     * CloudWatch Logs encrypt log groups. Defaults to a new rotating key with exactly that policy.
     */
    kmsKeyArn?: pulumi.Input<string>;
    /** E-mail addresses subscribed to the notification topic (each confirms by e-mail). Defaults to none. */
    emails?: string[];
    /** HTTPS webhook (e.g. a chat incoming webhook) receiving { text, alarm } JSON. Stored as an SSM SecureString, as such URLs embed a token. Defaults to none. */
    webhookUrl?: pulumi.Input<string>;
    /** Prefix of the alarm names. Defaults to `clickstream-<stack>-<name>`. */
    alarmNamePrefix?: string;
    /** Days an anomaly item is kept before DynamoDB's TTL deletes it. Defaults to 90 (>= 1). */
    anomalyRetentionDays?: number;
    /** Protect the anomalies table from deletion. Defaults to true. */
    deletionProtection?: boolean;
    /** Retention of the alert Lambda log group. Defaults to 30 (a CloudWatch Logs value). */
    logRetentionDays?: number;
    /** Days failed alert events stay in the DLQ. Defaults to 14 (1-14). */
    dlqRetentionDays?: number;
    /** Tags for every taggable child resource. Defaults to none. */
    tags?: Record<string, string>;
}

export interface ResolvedAlarm {
    suffix: string;
    metric: Required<AlarmMetric>;
    bandWidth: number;
    comparison: AnomalyComparison;
    evaluationPeriods: number;
    datapointsToAlarm: number;
    treatMissingData: TreatMissingData;
    description: string;
}

export interface AnomalyAlertsSettings {
    alarms: ResolvedAlarm[];
    alarmNamePrefix: string;
    emails: string[];
    anomalyRetentionDays: number;
    deletionProtection: boolean;
    logRetentionDays: number;
    dlqRetentionSeconds: number;
}

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function alarmSuffix(metric: AlarmMetric): string {
    const dims = Object.entries(metric.dimensions ?? {}).map(([k, v]) => `${k}-${v}`).join("-");
    return `${metric.metricName}${dims ? `-${dims}` : ""}`.replace(/[^A-Za-z0-9_.-]/g, "_");
}

/** Validates `args` and applies defaults; throws an Error naming the field and the fix. Exported for tests. */
export function resolveAnomalyAlertsSettings(name: string, args: AnomalyAlertsArgs): AnomalyAlertsSettings {
    const c = COMPONENT;
    if (!args || !Array.isArray(args.alarms) || args.alarms.length === 0) fail(c, "alarms", "is empty", "pass at least one { metric } (e.g. analytics.metric(\"purchase_price_by_group\", \"avg_price\"))");
    checkKeyArn(c, "kmsKeyArn", args.kmsKeyArn);
    if (typeof args.webhookUrl === "string") {
        try { checkWebhookUrl(args.webhookUrl, `${c}: webhookUrl`); } catch (err) { throw new Error(`${(err as Error).message}.`); }
    }
    const emails = args.emails ?? [];
    emails.forEach((e, i) => { if (!EMAIL.test(e)) fail(c, `emails[${i}]`, `is "${e}", not an e-mail address`, "pass addresses like ops@example.com"); });
    const prefix = args.alarmNamePrefix ?? `clickstream-${pulumi.getStack()}-${name}`;
    if (!/^[A-Za-z0-9_.-]{1,120}$/.test(prefix)) fail(c, "alarmNamePrefix", `is "${prefix}"`, "use 1-120 letters, digits, _ . -");

    const seen = new Set<string>();
    const alarms = args.alarms.map((a, i): ResolvedAlarm => {
        const at = `alarms[${i}]`;
        const m = a?.metric;
        if (!m || typeof m.namespace !== "string" || typeof m.metricName !== "string" || !m.namespace || !m.metricName) {
            fail(c, `${at}.metric`, "is missing its namespace or metricName", "pass analytics.metric(spec, metric) from AnalyticsWindow");
        }
        if (!["Sum", "Average", "Minimum", "Maximum", "SampleCount"].includes(m.statistic)) fail(c, `${at}.metric.statistic`, `is "${m.statistic}"`, "use Sum, Average, Minimum, Maximum or SampleCount");
        checkInteger(c, `${at}.metric.periodSeconds`, m.periodSeconds, 60, 86_400);
        if (m.periodSeconds % 60 !== 0) fail(c, `${at}.metric.periodSeconds`, `is ${m.periodSeconds}`, "use a window length that is a multiple of 60 s (CloudWatch alarm periods)");
        const suffix = a.name ?? alarmSuffix(m);
        if (!/^[A-Za-z0-9_.-]{1,120}$/.test(suffix)) fail(c, `${at}.name`, `is "${suffix}"`, "use 1-120 letters, digits, _ . -");
        if (seen.has(suffix)) fail(c, `${at}.name`, `"${suffix}" is used by an earlier alarm`, "give each alarm a distinct name");
        seen.add(suffix);
        const evaluationPeriods = checkInteger(c, `${at}.evaluationPeriods`, a.evaluationPeriods ?? Math.max(1, Math.min(5, Math.floor(86_400 / m.periodSeconds))), 1, 1440);
        if (evaluationPeriods * m.periodSeconds > 86_400) fail(c, `${at}.evaluationPeriods`, `times the ${m.periodSeconds} s period exceeds one day`, "CloudWatch evaluates at most 86,400 s; use fewer periods");
        const datapointsToAlarm = checkInteger(c, `${at}.datapointsToAlarm`, a.datapointsToAlarm ?? Math.floor(evaluationPeriods / 2) + 1, 1, evaluationPeriods, "at most evaluationPeriods");
        const comparison = a.comparison ?? "LessThanLowerOrGreaterThanUpperThreshold";
        if (!ANOMALY_COMPARISONS.includes(comparison)) fail(c, `${at}.comparison`, `is "${String(comparison)}"`, `use one of ${ANOMALY_COMPARISONS.join(", ")} (anomaly detection alarms compare against the band)`);
        const treatMissingData = a.treatMissingData ?? "notBreaching";
        if (!TREAT_MISSING_DATA.includes(treatMissingData)) fail(c, `${at}.treatMissingData`, `is "${String(treatMissingData)}"`, `use one of ${TREAT_MISSING_DATA.join(", ")}`);
        const bandWidth = checkNumber(c, `${at}.bandWidth`, a.bandWidth ?? 2, 0.1, 20, "standard deviations of the expected band");
        return {
            suffix,
            metric: { namespace: m.namespace, metricName: m.metricName, statistic: m.statistic, periodSeconds: m.periodSeconds, dimensions: { ...(m.dimensions ?? {}) } },
            bandWidth, comparison, evaluationPeriods, datapointsToAlarm, treatMissingData,
            description: a.description ?? `Anomaly in ${m.metricName}${Object.keys(m.dimensions ?? {}).length ? ` ${JSON.stringify(m.dimensions)}` : ""} (${m.statistic} per ${m.periodSeconds} s, band ${bandWidth} sd)`,
        };
    });
    return {
        alarms,
        alarmNamePrefix: prefix,
        emails,
        anomalyRetentionDays: checkInteger(c, "anomalyRetentionDays", args.anomalyRetentionDays ?? 90, 1),
        deletionProtection: args.deletionProtection ?? true,
        logRetentionDays: checkLogRetention(c, "logRetentionDays", args.logRetentionDays ?? 30),
        dlqRetentionSeconds: checkInteger(c, "dlqRetentionDays", args.dlqRetentionDays ?? 14, 1, 14, "SQS keeps messages at most 14 days") * 86_400,
    };
}

/** The metric queries of an anomaly detection alarm: the metric (m1) and its expected band (ad1). */
export function anomalyMetricQueries(a: ResolvedAlarm) {
    return [
        {
            id: "m1",
            returnData: true,
            metric: {
                namespace: a.metric.namespace,
                metricName: a.metric.metricName,
                period: a.metric.periodSeconds,
                stat: a.metric.statistic,
                dimensions: Object.keys(a.metric.dimensions).length ? a.metric.dimensions : undefined,
            },
        },
        { id: "ad1", expression: `ANOMALY_DETECTION_BAND(m1, ${a.bandWidth})`, label: `${a.metric.metricName} (expected)`, returnData: true },
    ];
}

/**
 * Anomaly alarms on window metrics, with an idempotent anomaly log and notifications.
 *
 *     new AnomalyAlerts("alerts", {
 *         alarms: [{ metric: analytics.metric("purchase_price_by_group", "avg_price") }],
 *         emails: ["oncall@example.com"],
 *     });
 */
export class AnomalyAlerts extends pulumi.ComponentResource {
    /** The alarm topic (alarms publish here; the alert Lambda subscribes). */
    readonly topicArn: pulumi.Output<string>;
    /** The notification topic (readable messages; e-mail subscriptions). */
    readonly notificationTopicArn: pulumi.Output<string>;
    readonly tableName: pulumi.Output<string>;
    readonly tableArn: pulumi.Output<string>;
    readonly alarmNames: pulumi.Output<string[]>;
    readonly functionName: pulumi.Output<string>;
    readonly dlqUrl: pulumi.Output<string>;
    /** Alarm on the alert function's DLQ (notifies the notification topic). */
    readonly dlqAlarmName: pulumi.Output<string>;
    readonly kmsKeyArn: pulumi.Output<string>;
    readonly settings: AnomalyAlertsSettings;

    constructor(name: string, args: AnomalyAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:alerts:AnomalyAlerts", name, {}, opts);
        const s = resolveAnomalyAlertsSettings(name, args);
        this.settings = s;
        const tags = args.tags;
        const parent = { parent: this };
        const env = awsEnvironment(this);

        let kmsKeyArn: pulumi.Output<string>;
        if (args.kmsKeyArn !== undefined) {
            kmsKeyArn = pulumi.output(args.kmsKeyArn);
        } else {
            const key = new aws.kms.Key(`${name}-key`, {
                description: `clickstream anomaly alerts ${name}: topics, anomalies table, logs`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: pulumi.jsonStringify(env.apply(alertsKeyPolicyDocument)),
                tags,
            }, parent);
            new aws.kms.Alias(`${name}-key-alias`, { namePrefix: `alias/clickstream-${name}-`, targetKeyId: key.keyId }, parent);
            kmsKeyArn = key.arn;
        }

        // --- Topics.
        const topic = new aws.sns.Topic(`${name}-alarms`, { kmsMasterKeyId: kmsKeyArn, tags }, parent);
        new aws.sns.TopicPolicy(`${name}-alarms-policy`, {
            arn: topic.arn,
            policy: pulumi.jsonStringify(pulumi.all([env, topic.arn]).apply(([e, arn]) => alarmTopicPolicyDocument(e, arn))),
        }, parent);
        const notifications = new aws.sns.Topic(`${name}-notifications`, { kmsMasterKeyId: kmsKeyArn, tags }, parent);
        // CloudWatch publishes here too: the alert DLQ alarm, and operational alarms other components point at it.
        new aws.sns.TopicPolicy(`${name}-notifications-policy`, {
            arn: notifications.arn,
            policy: pulumi.jsonStringify(pulumi.all([env, notifications.arn]).apply(([e, arn]) => alarmTopicPolicyDocument(e, arn))),
        }, parent);
        s.emails.forEach((email, i) => {
            new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: notifications.arn, protocol: "email", endpoint: email }, parent);
        });

        // --- Anomalies table: one item per alarm transition.
        const table = new aws.dynamodb.Table(`${name}-anomalies`, {
            billingMode: "PAY_PER_REQUEST",
            hashKey: "alarm_arn",
            rangeKey: "transition",
            attributes: [{ name: "alarm_arn", type: "S" }, { name: "transition", type: "S" }],
            serverSideEncryption: { enabled: true, kmsKeyArn },
            pointInTimeRecovery: { enabled: true },
            ttl: { attributeName: TTL_ATTRIBUTE, enabled: true },
            deletionProtectionEnabled: s.deletionProtection,
            tags,
        }, parent);

        // --- Webhook URL, kept secret.
        let webhookParameter: aws.ssm.Parameter | undefined;
        if (args.webhookUrl !== undefined) {
            webhookParameter = new aws.ssm.Parameter(`${name}-webhook-url`, {
                type: "SecureString",
                keyId: kmsKeyArn,
                value: pulumi.secret(pulumi.output(args.webhookUrl).apply((u) => checkWebhookUrl(u, `${COMPONENT}: webhookUrl`))),
                description: `HTTPS webhook the clickstream alert function (${name}) posts anomalies to`,
                tags,
            }, parent);
        }

        // --- Alert function.
        const logs = componentLogGroup(name, "alert", { retentionInDays: s.logRetentionDays, kmsKeyId: kmsKeyArn, tags }, parent);
        const dlq = new aws.sqs.Queue(`${name}-alert-dlq`, { messageRetentionSeconds: s.dlqRetentionSeconds, kmsMasterKeyId: kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300, tags }, parent);
        const role = new aws.iam.Role(`${name}-alert-role`, {
            description: `Execution role of the clickstream alert function (${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => serviceAssumeRolePolicy("lambda.amazonaws.com", e.accountId))),
            tags,
        }, parent);
        const webhookParameterArn: pulumi.Output<string | undefined> = webhookParameter ? webhookParameter.arn : pulumi.output(undefined);
        const policy = new aws.iam.RolePolicy(`${name}-alert-policy`, {
            role: role.id,
            policy: pulumi.jsonStringify(pulumi.all([env, table.arn, notifications.arn, dlq.arn, kmsKeyArn, logs.arn, webhookParameterArn]).apply(
                ([e, tableArn, notificationTopicArn, dlqArn, key, logGroupArn, parameterArn]) =>
                    alertFunctionPolicyDocument({ ...e, tableArn, notificationTopicArn, dlqArn, kmsKeyArn: key, logGroupArn, webhookParameterArn: parameterArn }),
            )),
        }, parent);
        const fn = new aws.lambda.Function(`${name}-alert`, {
            description: "clickstream alert: record anomaly alarm transitions (idempotent) and notify",
            runtime: LAMBDA_RUNTIME,
            architectures: ["arm64"],
            handler: "index.handler",
            code: handlerArchive("alert"),
            role: role.arn,
            memorySize: 256,
            timeout: 30,
            kmsKeyArn,
            deadLetterConfig: { targetArn: dlq.arn },
            environment: {
                variables: {
                    [ENV_ANOMALY_TABLE]: table.name,
                    [ENV_ANOMALY_TTL_DAYS]: String(s.anomalyRetentionDays),
                    [ENV_NOTIFICATION_TOPIC_ARN]: notifications.arn,
                    ...(webhookParameter ? { [ENV_WEBHOOK_PARAMETER]: webhookParameter.name } : {}),
                },
            },
            loggingConfig: { logFormat: "JSON", logGroup: logs.name },
            tags,
        }, { parent: this, dependsOn: [policy] });
        new aws.lambda.Permission(`${name}-alert-invoke`, {
            action: "lambda:InvokeFunction",
            function: fn.name,
            principal: "sns.amazonaws.com",
            sourceArn: topic.arn,
        }, parent);
        new aws.sns.TopicSubscription(`${name}-alert-subscription`, { topic: topic.arn, protocol: "lambda", endpoint: fn.arn }, parent);

        // An alert event the function could not handle after Lambda's retries is parked in the DLQ: tell people.
        const dlqAlarm = dlqNotEmptyAlarm(`${name}-alert-dlq-not-empty`, {
            queueName: dlq.name,
            description: `Alarm notifications the alert function of ${name} could not record are in its DLQ`,
            actions: [notifications.arn],
            tags,
        }, parent);

        // --- Alarms.
        const alarms = s.alarms.map((a) => new aws.cloudwatch.MetricAlarm(`${name}-${a.suffix}`, {
            name: `${s.alarmNamePrefix}-${a.suffix}`.slice(0, 255),
            alarmDescription: a.description,
            comparisonOperator: a.comparison,
            evaluationPeriods: a.evaluationPeriods,
            datapointsToAlarm: a.datapointsToAlarm,
            thresholdMetricId: "ad1",
            treatMissingData: a.treatMissingData,
            metricQueries: anomalyMetricQueries(a),
            actionsEnabled: true,
            alarmActions: [topic.arn],
            okActions: [topic.arn],
            tags,
        }, parent));

        this.topicArn = topic.arn;
        this.notificationTopicArn = notifications.arn;
        this.tableName = table.name;
        this.tableArn = table.arn;
        this.alarmNames = pulumi.all(alarms.map((a) => a.name));
        this.dlqAlarmName = dlqAlarm.name;
        this.functionName = fn.name;
        this.dlqUrl = dlq.url;
        this.kmsKeyArn = kmsKeyArn;
        this.registerOutputs({
            topicArn: this.topicArn, notificationTopicArn: this.notificationTopicArn, tableName: this.tableName, tableArn: this.tableArn,
            alarmNames: this.alarmNames, functionName: this.functionName, dlqUrl: this.dlqUrl, dlqAlarmName: this.dlqAlarmName, kmsKeyArn: this.kmsKeyArn,
        });
    }
}
