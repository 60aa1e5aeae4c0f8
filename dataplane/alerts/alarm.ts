/**
 * Parses the CloudWatch alarm state-change notification that CloudWatch publishes to SNS (the SNS
 * `Message` is this JSON), and renders it as a readable notification.
 *
 * Shape (anomaly detection alarm): { AlarmName, AlarmDescription, AWSAccountId, NewStateValue,
 * NewStateReason, StateChangeTime: "2026-11-26T16:05:00.123+0000", Region: "US East (N. Virginia)",
 * AlarmArn, OldStateValue, Trigger: { Period, EvaluationPeriods, DatapointsToAlarm,
 * ComparisonOperator, ThresholdMetricId, TreatMissingData, Metrics: [{ Id, MetricStat: { Metric:
 * { Namespace, MetricName, Dimensions: [{ name, value }] }, Period, Stat }, ReturnData }, { Id,
 * Expression: "ANOMALY_DETECTION_BAND(m1, 2)", Label, ReturnData }] } }. Single-metric alarms carry
 * Trigger.MetricName / Namespace / Statistic / Dimensions / Threshold instead of Metrics.
 *
 * Data-plane code: no Pulumi imports.
 */

export type AlarmState = "OK" | "ALARM" | "INSUFFICIENT_DATA";
const STATES: readonly string[] = ["OK", "ALARM", "INSUFFICIENT_DATA"];

export interface AlarmMetric {
    namespace: string | null;
    metricName: string | null;
    stat: string | null;
    period: number | null;
    dimensions: Record<string, string>;
    /** The anomaly band expression, e.g. "ANOMALY_DETECTION_BAND(m1, 2)", when the alarm uses one. */
    bandExpression: string | null;
}

export interface AlarmTransition {
    alarmName: string;
    alarmArn: string;
    description: string | null;
    accountId: string | null;
    /** AWS region code parsed from the alarm ARN ("us-east-1"). */
    region: string | null;
    newState: AlarmState;
    oldState: AlarmState | null;
    reason: string;
    /** As CloudWatch wrote it; part of the idempotency key. */
    stateChangeTime: string;
    /** Parsed to epoch ms. */
    stateChangeMs: number;
    metric: AlarmMetric;
}

function str(v: unknown): string | null {
    return typeof v === "string" && v.length > 0 ? v : null;
}

function dims(list: unknown): Record<string, string> {
    const out: Record<string, string> = {};
    if (!Array.isArray(list)) return out;
    for (const d of list) {
        // CloudWatch writes { name, value } in SNS notifications; accept { Name, Value } too.
        const name = str(d?.name ?? d?.Name);
        const value = d?.value ?? d?.Value;
        if (name && value !== undefined && value !== null) out[name] = String(value);
    }
    return out;
}

/** CloudWatch writes "2026-11-26T16:05:00.123+0000"; Date.parse needs "+00:00". */
export function parseStateChangeTime(text: string): number {
    const normalized = text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
    const ms = Date.parse(normalized);
    if (!Number.isFinite(ms)) throw new Error(`StateChangeTime ${JSON.stringify(text)} is not a timestamp`);
    return ms;
}

/** Parses the SNS Message text of a CloudWatch alarm notification; throws naming the missing field. */
export function parseAlarmMessage(message: string): AlarmTransition {
    let m: Record<string, any>;
    try { m = JSON.parse(message); } catch { throw new Error("SNS message is not JSON: expected a CloudWatch alarm state-change notification"); }
    if (!m || typeof m !== "object") throw new Error("SNS message is not a JSON object");
    const alarmName = str(m.AlarmName);
    const alarmArn = str(m.AlarmArn);
    const stateChangeTime = str(m.StateChangeTime);
    if (!alarmName) throw new Error("alarm notification has no AlarmName");
    if (!alarmArn) throw new Error("alarm notification has no AlarmArn");
    if (!stateChangeTime) throw new Error("alarm notification has no StateChangeTime");
    if (!STATES.includes(m.NewStateValue)) throw new Error(`alarm notification NewStateValue ${JSON.stringify(m.NewStateValue)} is not OK, ALARM or INSUFFICIENT_DATA`);
    const trigger = m.Trigger ?? {};
    let metric: AlarmMetric = { namespace: str(trigger.Namespace), metricName: str(trigger.MetricName), stat: str(trigger.Statistic ?? trigger.ExtendedStatistic), period: typeof trigger.Period === "number" ? trigger.Period : null, dimensions: dims(trigger.Dimensions), bandExpression: null };
    if (Array.isArray(trigger.Metrics)) {
        const band = trigger.Metrics.find((q: any) => typeof q?.Expression === "string" && /ANOMALY_DETECTION_BAND/i.test(q.Expression));
        const stat = trigger.Metrics.find((q: any) => q?.MetricStat?.Metric);
        if (stat) {
            metric = {
                namespace: str(stat.MetricStat.Metric.Namespace),
                metricName: str(stat.MetricStat.Metric.MetricName),
                stat: str(stat.MetricStat.Stat),
                period: typeof stat.MetricStat.Period === "number" ? stat.MetricStat.Period : metric.period,
                dimensions: dims(stat.MetricStat.Metric.Dimensions),
                bandExpression: band ? band.Expression : null,
            };
        }
    }
    const arnParts = alarmArn.split(":");
    return {
        alarmName,
        alarmArn,
        description: str(m.AlarmDescription),
        accountId: str(m.AWSAccountId),
        region: arnParts.length > 4 && arnParts[3] ? arnParts[3] : null,
        newState: m.NewStateValue,
        oldState: STATES.includes(m.OldStateValue) ? m.OldStateValue : null,
        reason: str(m.NewStateReason) ?? "",
        stateChangeTime,
        stateChangeMs: parseStateChangeTime(stateChangeTime),
        metric,
    };
}

/** Idempotency key of a transition: one item per (alarm, time of change, new state). */
export function transitionKey(t: AlarmTransition): { alarm_arn: string; transition: string } {
    return { alarm_arn: t.alarmArn, transition: `${t.stateChangeTime}#${t.newState}` };
}

/** Whether a transition is worth a human's attention: entering ALARM, and recovering from it. */
export function shouldNotify(t: AlarmTransition): boolean {
    return t.newState === "ALARM" || (t.newState === "OK" && t.oldState === "ALARM");
}

export interface Notification {
    /** SNS e-mail subject: ASCII, at most 100 characters. */
    subject: string;
    text: string;
}

/** A readable notification: what went anomalous, when, why, and where to look. */
export function renderNotification(t: AlarmTransition): Notification {
    const headline = t.newState === "ALARM" ? "Anomaly detected" : t.newState === "OK" ? "Back to normal" : "Insufficient data";
    const subject = `[${t.newState}] ${headline}: ${t.alarmName}`.replace(/[^\x20-\x7e]/g, "?").slice(0, 100);
    const dimText = Object.entries(t.metric.dimensions).map(([k, v]) => `${k}=${v}`).join(", ");
    const lines = [
        `${headline}: ${t.alarmName}`,
        `State: ${t.oldState ?? "?"} -> ${t.newState} at ${new Date(t.stateChangeMs).toISOString()}`,
        t.metric.metricName ? `Metric: ${t.metric.namespace ?? ""} ${t.metric.metricName}${dimText ? ` (${dimText})` : ""}, ${t.metric.stat ?? ""} per ${t.metric.period ?? "?"} s` : null,
        t.metric.bandExpression ? `Expected band: ${t.metric.bandExpression}` : null,
        t.description ? `About: ${t.description}` : null,
        `Why: ${t.reason}`,
        t.region ? `Console: https://${t.region}.console.aws.amazon.com/cloudwatch/home?region=${t.region}#alarmsV2:alarm/${encodeURIComponent(t.alarmName)}` : null,
    ];
    return { subject, text: lines.filter((l): l is string => l !== null).join("\n") };
}
