import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import type { SNSEvent } from "aws-lambda";
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { mockClient } from "aws-sdk-client-mock";
import { parseAlarmMessage, renderNotification, shouldNotify } from "../../dataplane/alerts/alarm";
import { checkWebhookUrl, loadAlertSettings } from "../../dataplane/alerts/env";
import { RecorderDeps, TTL_ATTRIBUTE, recordTransition } from "../../dataplane/alerts/recorder";
import { capturingConsoleLog } from "../support/console";

/** What CloudWatch publishes to SNS for an anomaly detection alarm entering ALARM (shape as documented and observed). */
function anomalyAlarmMessage(over: Record<string, unknown> = {}): Record<string, unknown> {
    return {
        AlarmName: "clickstream-prod-purchase_price_by_group_avg_price-anomaly",
        AlarmDescription: "Anomaly in purchase_price_by_group_avg_price (Average per 60 s)",
        AWSAccountId: "123456789012",
        AlarmConfigurationUpdatedTimestamp: "2026-11-20T09:12:44.517+0000",
        NewStateValue: "ALARM",
        NewStateReason: "Thresholds Crossed: 2 out of the last 3 datapoints [212.5 (26/11/26 16:03:00), 230.1 (26/11/26 16:04:00)] were greater than the upper thresholds [98.2, 97.9] (minimum 2 datapoints for OK -> ALARM transition).",
        StateChangeTime: "2026-11-26T16:05:12.345+0000",
        Region: "US East (N. Virginia)",
        AlarmArn: "arn:aws:cloudwatch:us-east-1:123456789012:alarm:clickstream-prod-purchase_price_by_group_avg_price-anomaly",
        OldStateValue: "OK",
        OKActions: ["arn:aws:sns:us-east-1:123456789012:alarms"],
        AlarmActions: ["arn:aws:sns:us-east-1:123456789012:alarms"],
        InsufficientDataActions: [],
        Trigger: {
            Period: 60,
            EvaluationPeriods: 3,
            DatapointsToAlarm: 2,
            ComparisonOperator: "LessThanLowerOrGreaterThanUpperThreshold",
            ThresholdMetricId: "ad1",
            TreatMissingData: "missing",
            EvaluateLowSampleCountPercentile: "",
            Metrics: [
                { Id: "m1", MetricStat: { Metric: { Dimensions: [], MetricName: "purchase_price_by_group_avg_price", Namespace: "Clickstream/prod" }, Period: 60, Stat: "Average" }, ReturnData: true },
                { Expression: "ANOMALY_DETECTION_BAND(m1, 2)", Id: "ad1", Label: "purchase_price_by_group_avg_price (expected)", ReturnData: true },
            ],
        },
        ...over,
    };
}

function snsEvent(message: Record<string, unknown>, messageId = "95df01b4-ee98-5cb9-9903-4c221d41eb5e"): SNSEvent {
    return {
        Records: [{
            EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: "arn:aws:sns:us-east-1:123456789012:alarms:2bcfbf39",
            Sns: {
                Type: "Notification", MessageId: messageId, TopicArn: "arn:aws:sns:us-east-1:123456789012:alarms",
                Subject: `ALARM: "${message.AlarmName}" in US East (N. Virginia)`, Message: JSON.stringify(message),
                Timestamp: "2026-11-26T16:05:12.400Z", SignatureVersion: "1", Signature: "EXAMPLE", SigningCertUrl: "https://sns.us-east-1.amazonaws.com/cert.pem",
                UnsubscribeUrl: "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe", MessageAttributes: {},
            },
        }],
    };
}

describe("alerts/alarm parsing", () => {
    it("reads an anomaly detection alarm notification: state, time, metric, band", () => {
        const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage()));
        assert.equal(t.newState, "ALARM");
        assert.equal(t.oldState, "OK");
        assert.equal(t.region, "us-east-1");
        assert.equal(t.stateChangeMs, Date.parse("2026-11-26T16:05:12.345Z"));
        assert.deepEqual(t.metric, { namespace: "Clickstream/prod", metricName: "purchase_price_by_group_avg_price", stat: "Average", period: 60, dimensions: {}, bandExpression: "ANOMALY_DETECTION_BAND(m1, 2)" });
    });

    it("reads a single-metric alarm (Trigger.MetricName) with dimensions as CloudWatch writes them", () => {
        const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ Trigger: { MetricName: "events_per_minute_count", Namespace: "N", Statistic: "SUM", Dimensions: [{ value: "track", name: "event_type" }], Period: 60, Threshold: 10 } })));
        assert.deepEqual(t.metric.dimensions, { event_type: "track" });
        assert.equal(t.metric.metricName, "events_per_minute_count");
        assert.equal(t.metric.bandExpression, null);
    });

    it("rejects messages that are not alarm notifications, naming what is missing", () => {
        assert.throws(() => parseAlarmMessage("hello"), /not JSON/);
        assert.throws(() => parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ AlarmArn: undefined }))), /no AlarmArn/);
        assert.throws(() => parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ NewStateValue: "BROKEN" }))), /NewStateValue "BROKEN"/);
        assert.throws(() => parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ StateChangeTime: "yesterday" }))), /not a timestamp/);
    });

    it("renders a readable notification with a short ASCII subject, and notifies on ALARM and recovery only", () => {
        const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ AlarmName: "x".repeat(300) })));
        const n = renderNotification(t);
        assert.ok(n.subject.length <= 100 && n.subject.startsWith("[ALARM] Anomaly detected"));
        const full = renderNotification(parseAlarmMessage(JSON.stringify(anomalyAlarmMessage())));
        assert.match(full.text, /State: OK -> ALARM at 2026-11-26T16:05:12.345Z/);
        assert.match(full.text, /Metric: Clickstream\/prod purchase_price_by_group_avg_price, Average per 60 s/);
        assert.match(full.text, /Why: Thresholds Crossed/);
        assert.match(full.text, /https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#alarmsV2:alarm\//);
        const states = (n: string, o: string) => shouldNotify(parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ NewStateValue: n, OldStateValue: o }))));
        assert.deepEqual([states("ALARM", "OK"), states("OK", "ALARM"), states("OK", "INSUFFICIENT_DATA"), states("INSUFFICIENT_DATA", "OK")], [true, true, false, false]);
    });

    it("accepts only https webhooks and validates the alert Lambda's environment", () => {
        assert.equal(checkWebhookUrl("https://hooks.example.com/T/1"), "https://hooks.example.com/T/1");
        assert.throws(() => checkWebhookUrl("http://hooks.example.com/T/1"), /must use https:\/\//);
        assert.throws(() => loadAlertSettings({}), /CLICKSTREAM_ANOMALY_TABLE is not set/);
        assert.throws(() => loadAlertSettings({ CLICKSTREAM_ANOMALY_TABLE: "t", CLICKSTREAM_ANOMALY_TTL_DAYS: "0" }), /CLICKSTREAM_ANOMALY_TTL_DAYS must be a positive integer/);
    });
});

describe("alerts/recorder (DynamoDB + SNS + webhook)", () => {
    // Created in before() and restored in after(), so other files can mock the same client classes.
    let ddb: ReturnType<typeof mockClient>;
    let sns: ReturnType<typeof mockClient>;
    let items: Map<string, Record<string, any>>;
    before(() => { ddb = mockClient(DynamoDBClient); sns = mockClient(SNSClient); });
    after(() => { ddb.restore(); sns.restore(); });

    /** A DynamoDB that honours attribute_not_exists conditions, so idempotency is tested, not assumed. */
    beforeEach(() => {
        items = new Map();
        ddb.reset();
        sns.reset();
        const keyOf = (k: Record<string, any>) => `${k.alarm_arn.S}|${k.transition.S}`;
        ddb.on(PutItemCommand).callsFake((input) => {
            const key = keyOf(input.Item);
            if (input.ConditionExpression === "attribute_not_exists(alarm_arn)" && items.has(key)) {
                throw new ConditionalCheckFailedException({ message: "The conditional request failed", $metadata: {} });
            }
            items.set(key, { ...input.Item });
            return {};
        });
        ddb.on(GetItemCommand).callsFake((input) => ({ Item: items.get(keyOf(input.Key)) }));
        ddb.on(UpdateItemCommand).callsFake((input) => {
            const item = items.get(keyOf(input.Key))!;
            item.notified = input.ExpressionAttributeValues[":t"];
            item.channels = input.ExpressionAttributeValues[":ch"];
            return {};
        });
        sns.on(PublishCommand).resolves({ MessageId: "m-1" });
    });

    const baseDeps = (): RecorderDeps => ({ ddb: new DynamoDBClient({}), tableName: "anomalies", ttlDays: 30, sns: new SNSClient({}), notificationTopicArn: "arn:aws:sns:us-east-1:123456789012:notify", now: () => Date.parse("2026-11-26T16:05:13Z") });

    it("the same alarm transition delivered twice makes one item and one notification", async () => {
        const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage()));
        assert.equal(await recordTransition(t, baseDeps()), "recorded");
        assert.equal(await recordTransition(t, baseDeps()), "duplicate");
        assert.equal(items.size, 1);
        assert.equal(sns.commandCalls(PublishCommand).length, 1);
        const [item] = items.values();
        assert.equal(item.transition.S, "2026-11-26T16:05:12.345+0000#ALARM");
        assert.equal(item.notified.BOOL, true);
        assert.equal(item.channels.S, "email");
        assert.equal(item[TTL_ATTRIBUTE].N, String(Date.parse("2026-11-26T16:05:13Z") / 1000 + 30 * 86400));
        const put = ddb.commandCalls(PutItemCommand)[0].args[0].input;
        assert.equal(put.ConditionExpression, "attribute_not_exists(alarm_arn)");
        const publish = sns.commandCalls(PublishCommand)[0].args[0].input;
        assert.equal(publish.TopicArn, "arn:aws:sns:us-east-1:123456789012:notify");
        assert.match(publish.Subject!, /^\[ALARM\] Anomaly detected: clickstream-prod-purchase/);
    });

    it("a new transition of the same alarm (recovery) is a new item", async () => {
        await recordTransition(parseAlarmMessage(JSON.stringify(anomalyAlarmMessage())), baseDeps());
        await recordTransition(parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ NewStateValue: "OK", OldStateValue: "ALARM", StateChangeTime: "2026-11-26T16:20:00.000+0000" }))), baseDeps());
        assert.equal(items.size, 2);
        assert.equal(sns.commandCalls(PublishCommand).length, 2);
        assert.match(sns.commandCalls(PublishCommand)[1].args[0].input.Subject!, /^\[OK\] Back to normal/);
    });

    it("if notifying failed, the redelivery notifies (item kept, not duplicated)", async () => {
        sns.on(PublishCommand).rejectsOnce(new Error("SNS unavailable")).resolves({ MessageId: "m-2" });
        const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage()));
        await assert.rejects(recordTransition(t, baseDeps()), /SNS unavailable/);
        assert.equal([...items.values()][0].notified.BOOL, false);
        assert.equal(await recordTransition(t, baseDeps()), "renotified");
        assert.equal(items.size, 1);
        assert.equal([...items.values()][0].notified.BOOL, true);
        assert.equal(await recordTransition(t, baseDeps()), "duplicate");
        assert.equal(sns.commandCalls(PublishCommand).length, 2);
    });

    it("records INSUFFICIENT_DATA transitions without notifying anyone", async () => {
        const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage({ NewStateValue: "INSUFFICIENT_DATA", OldStateValue: "OK" })));
        assert.equal(await recordTransition(t, baseDeps()), "recorded");
        assert.equal(sns.commandCalls(PublishCommand).length, 0);
        assert.equal([...items.values()][0].channels.S, "none");
    });

    describe("webhook on a real local HTTP server", () => {
        let server: http.Server;
        let received: Array<{ method?: string; type?: string; body: any }>;
        let status: number;
        beforeEach(async () => {
            received = [];
            status = 200;
            server = http.createServer((req, res) => {
                let body = "";
                req.on("data", (c) => (body += c));
                req.on("end", () => {
                    received.push({ method: req.method, type: req.headers["content-type"], body: JSON.parse(body) });
                    res.writeHead(status).end();
                });
            });
            await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        });
        afterEach(async () => { await new Promise<void>((resolve) => server.close(() => resolve())); });

        const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;

        it("posts a readable JSON notification once per transition", async () => {
            const deps: RecorderDeps = { ...baseDeps(), sns: undefined, notificationTopicArn: undefined, webhook: { url: url(), fetch, timeoutMs: 2000 } };
            const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage()));
            await recordTransition(t, deps);
            await recordTransition(t, deps);
            assert.equal(received.length, 1);
            assert.equal(received[0].method, "POST");
            assert.equal(received[0].type, "application/json");
            assert.match(received[0].body.text, /Anomaly detected/);
            assert.equal(received[0].body.alarm.state, "ALARM");
            assert.equal([...items.values()][0].channels.S, "webhook");
        });

        it("a webhook error fails the invocation so Lambda retries, and the retry delivers", async () => {
            const deps: RecorderDeps = { ...baseDeps(), webhook: { url: url(), fetch, timeoutMs: 2000 } };
            const t = parseAlarmMessage(JSON.stringify(anomalyAlarmMessage()));
            status = 503;
            await assert.rejects(recordTransition(t, deps), /webhook answered HTTP 503/);
            status = 200;
            assert.equal(await recordTransition(t, deps), "renotified");
            assert.equal(received.length, 2);
            assert.equal([...items.values()][0].channels.S, "email,webhook");
        });
    });

    it("the alert handler records every SNS record of the event (real payload shape)", async () => {
        const saved = { ...process.env };
        process.env.CLICKSTREAM_ANOMALY_TABLE = "anomalies";
        process.env.CLICKSTREAM_NOTIFICATION_TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:notify";
        process.env.AWS_REGION = "us-east-1";
        try {
            const { handler } = await import("../../dataplane/handlers/alert");
            const event = snsEvent(anomalyAlarmMessage());
            const { lines } = await capturingConsoleLog(async () => {
                await handler(event);
                await handler(event); // SNS redelivery
            });
            assert.deepEqual(lines.map((l) => (JSON.parse(l) as { outcome: string }).outcome), ["recorded", "duplicate"], "one structured log line per transition");
            assert.equal(items.size, 1);
            assert.equal(sns.commandCalls(PublishCommand).length, 1);
            assert.equal(ddb.commandCalls(PutItemCommand)[0].args[0].input.TableName, "anomalies");
        } finally {
            process.env = saved;
        }
    });
});
