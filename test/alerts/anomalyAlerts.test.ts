import { strict as assert } from "assert";
import { AnomalyAlerts, AnomalyAlertsArgs, resolveAnomalyAlertsSettings } from "../../components/alerts";
import { AnalyticsWindow } from "../../components/analytics";
import { EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP } from "../../dataplane/analytics/spec";
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { evaluatePolicies } from "../../offline/policyHarness";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";

const AVG_PRICE = { namespace: "Clickstream/prod", metricName: "purchase_price_by_group_avg_price", statistic: "Average", periodSeconds: 60, dimensions: {} };
const EVENTS = { namespace: "Clickstream/prod", metricName: "events_per_minute_count", statistic: "Sum", periodSeconds: 60, dimensions: { event_type: "track" } };
const KEY = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:key/abcd0000-2222-3333-4444-555566667777`;

const baseArgs = (): AnomalyAlertsArgs => ({
    alarms: [{ metric: AVG_PRICE }, { metric: EVENTS, bandWidth: 3, evaluationPeriods: 5, datapointsToAlarm: 3, treatMissingData: "breaching", comparison: "LessThanLowerThreshold" }],
    emails: ["oncall@example.com", "data@example.com"],
});

async function run(args: AnomalyAlertsArgs = baseArgs(), stack = "prod") {
    let component: AnomalyAlerts | undefined;
    const result = await runUnderMocks({
        stack,
        program: () => {
            component = new AnomalyAlerts("alerts", args);
            return { topicArn: component.topicArn, tableName: component.tableName, alarmNames: component.alarmNames, notificationTopicArn: component.notificationTopicArn };
        },
    });
    const all = (type: string) => result.resources.filter((r) => r.type === type);
    const one = (type: string) => { const f = all(type); assert.equal(f.length, 1, type); return f[0]; };
    return { all, one, outputs: result.outputs, resources: result.resources };
}

const doc = (r: CapturedResource, field = "policy") => JSON.parse(r.inputs[field]);

describe("AnomalyAlerts (under mocks)", () => {
    it("creates one anomaly detection alarm per metric: m1 + ANOMALY_DETECTION_BAND, band threshold, arguments passed through", async () => {
        const { all, one, outputs } = await run();
        const topic = all("aws:sns/topic:Topic").find((t) => t.name === "alerts-alarms")!;
        const [price, events] = all("aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricQueries);
        assert.equal(price.inputs.name, "clickstream-prod-alerts-purchase_price_by_group_avg_price");
        assert.equal(price.inputs.comparisonOperator, "LessThanLowerOrGreaterThanUpperThreshold");
        assert.equal(price.inputs.thresholdMetricId, "ad1");
        // Defaults from the real-data evaluation (docs/analytics.md): 3 of 5 periods, missing data not breaching.
        assert.equal(price.inputs.evaluationPeriods, 5);
        assert.equal(price.inputs.datapointsToAlarm, 3);
        assert.equal(price.inputs.treatMissingData, "notBreaching");
        assert.equal(price.inputs.threshold, undefined, "band alarms have no static threshold");
        assert.deepEqual(price.inputs.metricQueries, [
            { id: "m1", returnData: true, metric: { namespace: "Clickstream/prod", metricName: "purchase_price_by_group_avg_price", period: 60, stat: "Average" } },
            { id: "ad1", expression: "ANOMALY_DETECTION_BAND(m1, 2)", label: "purchase_price_by_group_avg_price (expected)", returnData: true },
        ]);
        assert.deepEqual(price.inputs.alarmActions, [topic.state.arn]);
        assert.deepEqual(price.inputs.okActions, [topic.state.arn]);
        assert.equal(events.inputs.name, "clickstream-prod-alerts-events_per_minute_count-event_type-track");
        assert.deepEqual([events.inputs.comparisonOperator, events.inputs.evaluationPeriods, events.inputs.datapointsToAlarm, events.inputs.treatMissingData], ["LessThanLowerThreshold", 5, 3, "breaching"]);
        assert.equal(events.inputs.metricQueries[1].expression, "ANOMALY_DETECTION_BAND(m1, 3)");
        assert.deepEqual(events.inputs.metricQueries[0].metric.dimensions, { event_type: "track" });
        assert.deepEqual(outputs.alarmNames, [price.inputs.name, events.inputs.name]);
        assert.equal(outputs.topicArn, topic.state.arn);
        assert.equal(outputs.tableName, one("aws:dynamodb/table:Table").state.name);
    });

    it("encrypts both topics with a created CMK whose policy lets CloudWatch publish, and the topic policy allows only this account's alarms", async () => {
        const { all, one } = await run();
        const key = one("aws:kms/key:Key");
        assert.equal(key.inputs.enableKeyRotation, true);
        const keyPolicy = doc(key);
        const cw = keyPolicy.Statement.find((s: any) => s.Principal?.Service === "cloudwatch.amazonaws.com");
        assert.deepEqual(cw.Action, ["kms:Decrypt", "kms:GenerateDataKey*"]);
        assert.ok(keyPolicy.Statement.every((s: any) => [s.Action].flat().every((a: string) => a !== "kms:*")), "no kms:* in the key policy");
        const topics = all("aws:sns/topic:Topic");
        assert.deepEqual(topics.map((t) => t.name), ["alerts-alarms", "alerts-notifications"]);
        for (const t of topics) assert.equal(t.inputs.kmsMasterKeyId, key.state.arn);
        const topicPolicies = all("aws:sns/topicPolicy:TopicPolicy");
        assert.deepEqual(topicPolicies.map((p) => p.inputs.arn), topics.map((t) => t.state.arn), "both topics accept CloudWatch alarms");
        const topicPolicy = doc(topicPolicies[0]);
        const publish = topicPolicy.Statement.find((s: any) => s.Sid === "CloudWatchAlarmsPublish");
        assert.deepEqual(publish.Principal, { Service: "cloudwatch.amazonaws.com" });
        assert.equal(publish.Resource, topics[0].state.arn);
        assert.deepEqual(publish.Condition.ArnLike, { "aws:SourceArn": `arn:aws:cloudwatch:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:alarm:*` });
        assert.ok(topicPolicy.Statement.some((s: any) => s.Effect === "Deny" && s.Condition?.Bool?.["aws:SecureTransport"] === "false"));
    });

    it("uses a CMK passed in for every encrypted resource instead of creating one", async () => {
        const { all } = await run({ ...baseArgs(), kmsKeyArn: KEY });
        assert.equal(all("aws:kms/key:Key").length, 0);
        for (const t of all("aws:sns/topic:Topic")) assert.equal(t.inputs.kmsMasterKeyId, KEY);
        assert.equal(all("aws:dynamodb/table:Table")[0].inputs.serverSideEncryption.kmsKeyArn, KEY);
        assert.equal(all("aws:sqs/queue:Queue")[0].inputs.kmsMasterKeyId, KEY);
        assert.equal(all("aws:cloudwatch/logGroup:LogGroup")[0].inputs.kmsKeyId, KEY);
    });

    it("records anomalies in a CMK-encrypted table with point-in-time recovery and TTL, keyed for idempotency", async () => {
        const { one } = await run();
        const table = one("aws:dynamodb/table:Table");
        const key = one("aws:kms/key:Key");
        assert.deepEqual(table.inputs.serverSideEncryption, { enabled: true, kmsKeyArn: key.state.arn });
        assert.deepEqual(table.inputs.pointInTimeRecovery, { enabled: true });
        assert.deepEqual(table.inputs.ttl, { attributeName: "expires_at", enabled: true });
        assert.deepEqual([table.inputs.hashKey, table.inputs.rangeKey], ["alarm_arn", "transition"]);
        assert.equal(table.inputs.billingMode, "PAY_PER_REQUEST");
        assert.equal(table.inputs.deletionProtectionEnabled, true);
    });

    it("subscribes the alert Lambda to the alarm topic and e-mails to the notification topic; the Lambda has a DLQ, logs and env", async () => {
        const { all, one } = await run();
        const [alarms, notifications] = all("aws:sns/topic:Topic");
        const fn = one("aws:lambda/function:Function");
        const subs = all("aws:sns/topicSubscription:TopicSubscription");
        const lambdaSub = subs.find((x) => x.inputs.protocol === "lambda")!;
        assert.deepEqual([lambdaSub.inputs.topic, lambdaSub.inputs.endpoint], [alarms.state.arn, fn.state.arn]);
        assert.deepEqual(subs.filter((x) => x.inputs.protocol === "email").map((x) => [x.inputs.topic, x.inputs.endpoint]), [[notifications.state.arn, "oncall@example.com"], [notifications.state.arn, "data@example.com"]]);
        const perm = one("aws:lambda/permission:Permission");
        assert.deepEqual([perm.inputs.principal, perm.inputs.sourceArn], ["sns.amazonaws.com", alarms.state.arn]);
        assert.equal(fn.inputs.deadLetterConfig.targetArn, one("aws:sqs/queue:Queue").state.arn);
        const vars = fn.inputs.environment.variables;
        assert.equal(vars.CLICKSTREAM_ANOMALY_TABLE, one("aws:dynamodb/table:Table").state.name);
        assert.equal(vars.CLICKSTREAM_NOTIFICATION_TOPIC_ARN, notifications.state.arn);
        assert.equal(vars.CLICKSTREAM_ANOMALY_TTL_DAYS, "90");
        assert.equal(vars.CLICKSTREAM_ALERT_WEBHOOK_PARAMETER, undefined);
        const logs = one("aws:cloudwatch/logGroup:LogGroup");
        assert.equal(logs.inputs.retentionInDays, 30);
        assert.equal(logs.inputs.kmsKeyId, one("aws:kms/key:Key").state.arn);
        assert.equal(fn.inputs.loggingConfig.logGroup, logs.state.name);
    });

    it("tells the notification topic when alert events end in the alert DLQ", async () => {
        const { all, one } = await run();
        const alarm = all("aws:cloudwatch/metricAlarm:MetricAlarm").find((a) => a.name === "alerts-alert-dlq-not-empty")!;
        assert.deepEqual(alarm.inputs.dimensions, { QueueName: one("aws:sqs/queue:Queue").state.name });
        assert.deepEqual(alarm.inputs.alarmActions, [all("aws:sns/topic:Topic").find((t) => t.name === "alerts-notifications")!.state.arn]);
    });

    it("keeps a webhook URL in an encrypted SecureString the Lambda alone may read", async () => {
        const { one } = await run({ ...baseArgs(), webhookUrl: "https://hooks.example.com/services/T000/B000/XXXX" });
        const param = one("aws:ssm/parameter:Parameter");
        assert.equal(param.inputs.type, "SecureString");
        assert.equal(param.inputs.keyId, one("aws:kms/key:Key").state.arn);
        const fn = one("aws:lambda/function:Function");
        assert.equal(fn.inputs.environment.variables.CLICKSTREAM_ALERT_WEBHOOK_PARAMETER, param.state.name);
        assert.ok(!JSON.stringify(fn.inputs.environment).includes("hooks.example.com"), "the URL is not in the environment");
        const st = doc(one("aws:iam/rolePolicy:RolePolicy")).Statement;
        assert.deepEqual(st.find((s: any) => s.Sid === "ReadWebhookUrl").Resource, param.state.arn);
    });

    it("the alert Lambda's IAM names its table, topic, queue, key and log group; no '*'", async () => {
        const { all, one } = await run();
        const st = doc(one("aws:iam/rolePolicy:RolePolicy")).Statement;
        const bySid = Object.fromEntries(st.map((s: any) => [s.Sid, s]));
        assert.deepEqual(bySid.RecordAnomalies.Action, ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"]);
        assert.equal(bySid.RecordAnomalies.Resource, one("aws:dynamodb/table:Table").state.arn);
        assert.deepEqual([bySid.Notify.Action, bySid.Notify.Resource], ["sns:Publish", all("aws:sns/topic:Topic").find((t) => t.name === "alerts-notifications")!.state.arn]);
        assert.equal(bySid.UseAlertsKeyThroughServices.Resource, one("aws:kms/key:Key").state.arn);
        assert.equal(bySid.WriteOwnLogs.Resource, `${one("aws:cloudwatch/logGroup:LogGroup").state.arn}:log-stream:*`);
        assert.equal(bySid.DeadLetterFailedEvents.Resource, one("aws:sqs/queue:Queue").state.arn);
        for (const s of st) {
            for (const a of [s.Action].flat()) assert.ok(a !== "*" && !a.endsWith(":*"), a);
            for (const res of [s.Resource].flat()) assert.ok(res !== "*", s.Sid);
        }
    });

    it("wires to AnalyticsWindow metric references and passes every policy of the pack", async () => {
        const result = await runUnderMocks({
            stack: "prod",
            program: () => {
                const analytics = new AnalyticsWindow("analytics", {
                    streamArn: `arn:aws:kinesis:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:stream/ingest`, specs: [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE],
                    lakeBucketArn: "arn:aws:s3:::lake", lakeBucketName: "lake", kmsKeyArn: KEY, databaseName: "lake_prod",
                    piiSecret: { secretArn: `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:secret:pii-AbCdEf` },
                });
                new AnomalyAlerts("alerts", {
                    alarms: [{ metric: analytics.metric("purchase_price_by_group", "avg_price") }, { metric: analytics.metric("events_per_minute", "count", { event_type: "track" }) }],
                    webhookUrl: "https://hooks.example.com/x",
                });
            },
        });
        const alarms = result.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.metricQueries);
        assert.deepEqual(alarms.map((a) => a.inputs.metricQueries[0].metric), [
            { namespace: "Clickstream/analytics", metricName: "purchase_price_by_group_avg_price", period: 60, stat: "Average" },
            { namespace: "Clickstream/analytics", metricName: "events_per_minute_count", period: 60, stat: "Sum", dimensions: { event_type: "track" } },
        ]);
        const violations = await evaluatePolicies(result.resources);
        // The Glue catalog encryption is owned by the lake/account stack; everything else must pass.
        assert.deepEqual(violations.map((v) => v.policy), ["clickstream-glue-catalog-encryption"]);
    });

    it("default persistence is a majority of at most 5 periods, fewer when 5 periods exceed a day", () => {
        const resolved = (periodSeconds: number, extra: object = {}) => resolveAnomalyAlertsSettings("alerts", { alarms: [{ metric: { ...AVG_PRICE, periodSeconds }, ...extra }] }).alarms[0];
        const pick = (a: ReturnType<typeof resolved>) => [a.evaluationPeriods, a.datapointsToAlarm, a.treatMissingData];
        assert.deepEqual(pick(resolved(300)), [5, 3, "notBreaching"]);
        assert.deepEqual(pick(resolved(21_600)), [4, 3, "notBreaching"]);
        assert.deepEqual(pick(resolved(86_400)), [1, 1, "notBreaching"]);
        assert.deepEqual(pick(resolved(60, { evaluationPeriods: 3 })), [3, 2, "notBreaching"]);
    });

    describe("rejects bad arguments at construction, naming the field", () => {
        const cases: Array<[string, Partial<AnomalyAlertsArgs>, RegExp]> = [
            ["no alarms", { alarms: [] }, /AnomalyAlerts: alarms is empty/],
            ["a sub-minute period", { alarms: [{ metric: { ...AVG_PRICE, periodSeconds: 30 } }] }, /AnomalyAlerts: alarms\[0\]\.metric\.periodSeconds is 30, out of range/],
            ["a period not a multiple of 60", { alarms: [{ metric: { ...AVG_PRICE, periodSeconds: 90 } }] }, /alarms\[0\]\.metric\.periodSeconds is 90; use a window length that is a multiple of 60/],
            ["more datapoints than periods", { alarms: [{ metric: AVG_PRICE, evaluationPeriods: 2, datapointsToAlarm: 3 }] }, /alarms\[0\]\.datapointsToAlarm is 3, out of range \(at most evaluationPeriods\)/],
            ["a non-band comparison", { alarms: [{ metric: AVG_PRICE, comparison: "GreaterThanThreshold" as any }] }, /alarms\[0\]\.comparison is "GreaterThanThreshold"/],
            ["an unknown missing-data treatment", { alarms: [{ metric: AVG_PRICE, treatMissingData: "zero" as any }] }, /alarms\[0\]\.treatMissingData is "zero"/],
            ["a zero band", { alarms: [{ metric: AVG_PRICE, bandWidth: 0 }] }, /alarms\[0\]\.bandWidth is 0, out of range/],
            ["evaluation beyond a day", { alarms: [{ metric: { ...AVG_PRICE, periodSeconds: 3600 }, evaluationPeriods: 25 }] }, /alarms\[0\]\.evaluationPeriods times the 3600 s period exceeds one day/],
            ["two alarms with one name", { alarms: [{ metric: AVG_PRICE }, { metric: AVG_PRICE }] }, /alarms\[1\]\.name "purchase_price_by_group_avg_price" is used by an earlier alarm/],
            ["an http webhook", { webhookUrl: "http://hooks.example.com/x" }, /webhookUrl must use https:\/\//],
            ["a bad e-mail", { emails: ["oncall"] }, /AnomalyAlerts: emails\[0\] is "oncall", not an e-mail address/],
            ["a key alias", { kmsKeyArn: "alias/alerts" }, /AnomalyAlerts: kmsKeyArn is "alias\/alerts", not a KMS key ARN/],
            ["a bad statistic", { alarms: [{ metric: { ...AVG_PRICE, statistic: "p99" } }] }, /alarms\[0\]\.metric\.statistic is "p99"/],
        ];
        for (const [title, change, error] of cases) {
            it(title, () => assert.throws(() => resolveAnomalyAlertsSettings("alerts", { ...baseArgs(), ...change }), error));
        }
    });
});
