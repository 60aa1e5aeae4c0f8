import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import { AnalyticsWindow, AnalyticsWindowArgs, resolveAnalyticsWindowSettings, windowMetric } from "../../components/analytics";
import { EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP } from "../../dataplane/analytics/spec";
import { AGGREGATE_COLUMNS } from "../../dataplane/analytics/output";
import { MOCK_ACCOUNT_ID, MOCK_REGION } from "../../offline/mocks";
import { evaluatePolicies } from "../../offline/policyHarness";
import { CapturedResource, runUnderMocks } from "../../offline/runUnderMocks";

const STREAM_ARN = `arn:aws:kinesis:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:stream/clickstream-ingest`;
const STREAM_KEY = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:key/1111aaaa-2222-3333-4444-555566667777`;
const LAKE_KEY = `arn:aws:kms:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:key/9999aaaa-2222-3333-4444-555566667777`;
const SECRET_ARN = `arn:aws:secretsmanager:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:secret:clickstream/lake/pii-key-AbCdEf`;

const baseArgs = (): AnalyticsWindowArgs => ({
    streamArn: STREAM_ARN,
    streamKmsKeyArn: STREAM_KEY,
    specs: [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE],
    lakeBucketArn: "arn:aws:s3:::clickstream-lake",
    lakeBucketName: "clickstream-lake",
    kmsKeyArn: LAKE_KEY,
    databaseName: "lake_prod",
    piiSecret: { secretArn: SECRET_ARN },
});

class Resources {
    constructor(readonly list: CapturedResource[]) {}
    all(type: string) { return this.list.filter((r) => r.type === type); }
    one(type: string) {
        const found = this.all(type);
        assert.equal(found.length, 1, `expected one ${type}, got ${found.length}`);
        return found[0];
    }
}

async function run(args: AnalyticsWindowArgs = baseArgs(), stack = "prod") {
    let component: AnalyticsWindow | undefined;
    const result = await runUnderMocks({
        stack,
        program: () => {
            component = new AnalyticsWindow("analytics", args);
            return { functionName: component.functionName, metricNames: component.metricNames, aggregatesTableName: component.aggregatesTableName, aggregatesStreamName: component.aggregatesStreamName, dlqUrl: component.dlqUrl, dlqArn: component.dlqArn, functionArn: component.functionArn };
        },
    });
    return { r: new Resources(result.resources), outputs: result.outputs, component: component!, resources: result.resources };
}

function statements(policy: CapturedResource): any[] {
    return JSON.parse(policy.inputs.policy).Statement;
}

describe("AnalyticsWindow (under mocks)", () => {
    it("maps the Kinesis stream with a tumbling window, bounded retries, bisecting, batch item failures and a DLQ", async () => {
        const { r } = await run();
        const esm = r.one("aws:lambda/eventSourceMapping:EventSourceMapping");
        const dlq = r.one("aws:sqs/queue:Queue");
        assert.equal(esm.inputs.eventSourceArn, STREAM_ARN);
        assert.equal(esm.inputs.tumblingWindowInSeconds, 60);
        assert.equal(esm.inputs.startingPosition, "LATEST");
        assert.equal(esm.inputs.batchSize, 500);
        assert.equal(esm.inputs.maximumBatchingWindowInSeconds, 5);
        assert.equal(esm.inputs.parallelizationFactor, 1);
        assert.deepEqual(esm.inputs.functionResponseTypes, ["ReportBatchItemFailures"]);
        assert.equal(esm.inputs.bisectBatchOnFunctionError, true);
        assert.equal(esm.inputs.maximumRetryAttempts, 10);
        assert.equal(esm.inputs.maximumRecordAgeInSeconds, 3600);
        assert.equal(esm.inputs.destinationConfig.onFailure.destinationArn, dlq.state.arn);
        assert.equal(esm.inputs.functionName, r.one("aws:lambda/function:Function").state.arn);
        assert.equal(dlq.inputs.kmsMasterKeyId, LAKE_KEY);
        assert.equal(dlq.inputs.messageRetentionSeconds, 14 * 86400);
    });

    it("passes the arguments through: starting position, batching, parallelization, retries", async () => {
        const { r } = await run({ ...baseArgs(), startingPosition: "TRIM_HORIZON", batchSize: 1000, maximumBatchingWindowInSeconds: 20, parallelizationFactor: 2, maximumRetryAttempts: 3, maximumRecordAgeInSeconds: 600, bisectBatchOnFunctionError: false, dlqRetentionDays: 4 });
        const esm = r.one("aws:lambda/eventSourceMapping:EventSourceMapping");
        assert.deepEqual(
            [esm.inputs.startingPosition, esm.inputs.batchSize, esm.inputs.maximumBatchingWindowInSeconds, esm.inputs.parallelizationFactor, esm.inputs.maximumRetryAttempts, esm.inputs.maximumRecordAgeInSeconds, esm.inputs.bisectBatchOnFunctionError],
            ["TRIM_HORIZON", 1000, 20, 2, 3, 600, false],
        );
        assert.equal(r.one("aws:sqs/queue:Queue").inputs.messageRetentionSeconds, 4 * 86400);
    });

    it("the window function: bundled handler, specs and settings in its environment, KMS env and logs with retention", async () => {
        const { r } = await run();
        const fn = r.one("aws:lambda/function:Function");
        const logs = r.all("aws:cloudwatch/logGroup:LogGroup");
        const fnLogs = logs.find((l) => l.name === "analytics-window-logs")!;
        const vars = fn.inputs.environment.variables;
        assert.deepEqual(JSON.parse(vars.CLICKSTREAM_WINDOW_SPECS), [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE]);
        assert.equal(vars.CLICKSTREAM_METRIC_NAMESPACE, "Clickstream/analytics");
        assert.equal(vars.CLICKSTREAM_AGGREGATES_STREAM, r.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream").state.name);
        assert.equal(vars.CLICKSTREAM_PII_SECRET_ARN, SECRET_ARN);
        assert.equal(vars.CLICKSTREAM_STATE_BUDGET_BYTES, "900000");
        assert.equal(fn.inputs.kmsKeyArn, LAKE_KEY);
        assert.equal(fn.inputs.handler, "index.handler");
        assert.equal(fn.inputs.loggingConfig.logGroup, fnLogs.state.name);
        assert.equal(fn.inputs.loggingConfig.logFormat, "Text", "EMF lines must reach CloudWatch Logs unwrapped");
        for (const l of logs) {
            assert.equal(l.inputs.kmsKeyId, LAKE_KEY, l.name);
            assert.equal(l.inputs.retentionInDays, 30, l.name);
        }
    });

    it("the window function's IAM is least privilege: stream read, key decrypt, PutRecordBatch, SendMessage, own logs, the PII secret; no '*'", async () => {
        const { r } = await run();
        const policy = r.all("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "analytics-window-policy")!;
        const st = statements(policy);
        const bySid = Object.fromEntries(st.map((s) => [s.Sid, s]));
        const aggregates = r.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
        const dlq = r.one("aws:sqs/queue:Queue");
        const logs = r.all("aws:cloudwatch/logGroup:LogGroup").find((l) => l.name === "analytics-window-logs")!;
        assert.equal(bySid.ReadSourceStream.Resource, STREAM_ARN);
        assert.ok(bySid.ReadSourceStream.Action.includes("kinesis:GetRecords"));
        assert.deepEqual(bySid.DecryptSourceStream, { Sid: "DecryptSourceStream", Effect: "Allow", Action: "kms:Decrypt", Resource: STREAM_KEY, Condition: { StringEquals: { "kms:ViaService": `kinesis.${MOCK_REGION}.amazonaws.com` } } });
        assert.deepEqual([bySid.WriteAggregates.Action, bySid.WriteAggregates.Resource], ["firehose:PutRecordBatch", aggregates.state.arn]);
        assert.deepEqual([bySid.SendDiscardedBatchesToDlq.Action, bySid.SendDiscardedBatchesToDlq.Resource], ["sqs:SendMessage", dlq.state.arn]);
        assert.equal(bySid.WriteOwnLogs.Resource, `${logs.state.arn}:log-stream:*`);
        assert.deepEqual([bySid.ReadPseudonymizationKey.Action, bySid.ReadPseudonymizationKey.Resource], ["secretsmanager:GetSecretValue", SECRET_ARN]);
        for (const p of r.all("aws:iam/rolePolicy:RolePolicy")) {
            for (const s of statements(p)) {
                for (const a of [s.Action].flat()) assert.ok(a !== "*" && !a.endsWith(":*"), `${p.name}: action ${a}`);
                for (const res of [s.Resource].flat()) assert.ok(res !== "*", `${p.name}: resource * in ${s.Sid}`);
            }
        }
        const trust = JSON.parse(r.all("aws:iam/role:Role").find((x) => x.name === "analytics-window-role")!.inputs.assumeRolePolicy);
        assert.equal(trust.Statement[0].Principal.Service, "lambda.amazonaws.com");
    });

    it("an SSM-parameter PII key grants ssm:GetParameter on that parameter and sets the parameter variable", async () => {
        const { r } = await run({ ...baseArgs(), piiSecret: { parameterName: "/clickstream/pii-key", kmsKeyArn: STREAM_KEY } });
        const vars = r.one("aws:lambda/function:Function").inputs.environment.variables;
        assert.equal(vars.CLICKSTREAM_PII_SECRET_PARAMETER, "/clickstream/pii-key");
        assert.equal(vars.CLICKSTREAM_PII_SECRET_ARN, undefined);
        const st = statements(r.all("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "analytics-window-policy")!);
        const read = st.find((s) => s.Sid === "ReadPseudonymizationKey");
        assert.deepEqual([read.Action, read.Resource], ["ssm:GetParameter", `arn:aws:ssm:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:parameter/clickstream/pii-key`]);
        assert.deepEqual(st.find((s) => s.Sid === "DecryptSecretAndEnvironment").Resource, [STREAM_KEY, LAKE_KEY]);
    });

    it("aggregates: Glue table from AGGREGATE_COLUMNS with projection, encrypted Parquet Firehose into aggregates/, scoped role", async () => {
        const { r, outputs } = await run();
        const table = r.one("aws:glue/catalogTable:CatalogTable");
        assert.equal(table.inputs.name, "aggregates");
        assert.equal(table.inputs.databaseName, "lake_prod");
        assert.deepEqual(table.inputs.storageDescriptor.columns.map((c: any) => c.name), AGGREGATE_COLUMNS.map((c) => c.name));
        assert.equal(table.inputs.storageDescriptor.location, "s3://clickstream-lake/aggregates/");
        assert.equal(table.inputs.parameters["storage.location.template"], "s3://clickstream-lake/aggregates/dt=${dt}/hour=${hour}/");
        assert.deepEqual(table.inputs.partitionKeys.map((k: any) => k.name), ["dt", "hour"]);
        const stream = r.one("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream");
        const s3 = stream.inputs.extendedS3Configuration;
        assert.deepEqual(stream.inputs.serverSideEncryption, { enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: LAKE_KEY });
        assert.equal(s3.bucketArn, "arn:aws:s3:::clickstream-lake");
        assert.equal(s3.kmsKeyArn, LAKE_KEY);
        assert.equal(s3.prefix, "aggregates/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/");
        assert.match(s3.errorOutputPrefix, /^aggregates-errors\//);
        assert.equal(s3.bufferingSize, 64);
        assert.equal(s3.dataFormatConversionConfiguration.schemaConfiguration.tableName, table.state.name);
        assert.equal(s3.dataFormatConversionConfiguration.outputFormatConfiguration.serializer.parquetSerDe.compression, "SNAPPY");
        assert.equal(s3.cloudwatchLoggingOptions.enabled, true);
        assert.equal(stream.inputs.tags["clickstream:pii-transform"], "not-required");
        const st = statements(r.all("aws:iam/rolePolicy:RolePolicy").find((p) => p.name === "analytics-aggregates-firehose-policy")!);
        const write = st.find((s) => s.Sid === "WriteAggregatesPrefixes");
        assert.deepEqual(write.Resource, ["arn:aws:s3:::clickstream-lake/aggregates/*", "arn:aws:s3:::clickstream-lake/aggregates-errors/*"], "only its prefixes, not the events");
        assert.equal(outputs.aggregatesTableName, "aggregates");
        assert.equal(outputs.aggregatesStreamName, stream.state.name);
    });

    it("alarms when a batch lands in the DLQ or the function falls behind, notifying the given topic", async () => {
        const topic = `arn:aws:sns:${MOCK_REGION}:${MOCK_ACCOUNT_ID}:ops`;
        const { r } = await run({ ...baseArgs(), alarmTopicArn: topic });
        const [dlqAlarm, ageAlarm] = r.all("aws:cloudwatch/metricAlarm:MetricAlarm");
        assert.deepEqual([dlqAlarm.inputs.namespace, dlqAlarm.inputs.metricName, dlqAlarm.inputs.dimensions], ["AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: r.one("aws:sqs/queue:Queue").state.name }]);
        assert.deepEqual([dlqAlarm.inputs.comparisonOperator, dlqAlarm.inputs.threshold], ["GreaterThanThreshold", 0]);
        assert.deepEqual([ageAlarm.inputs.namespace, ageAlarm.inputs.metricName, ageAlarm.inputs.threshold], ["AWS/Lambda", "IteratorAge", 600_000]);
        assert.deepEqual(ageAlarm.inputs.dimensions, { FunctionName: r.one("aws:lambda/function:Function").state.name });
        for (const a of [dlqAlarm, ageAlarm]) assert.deepEqual(a.inputs.alarmActions, [topic]);
    });

    it("outputs the metric names per spec and metric references an alarm can use", async () => {
        const { outputs, component } = await run();
        assert.deepEqual(outputs.metricNames, {
            purchase_price_by_group: ["purchase_price_by_group_avg_price", "purchase_price_by_group_count"],
            events_per_minute: ["events_per_minute_count", "events_per_minute_distinct_visitors"],
        });
        assert.match(String(outputs.dlqUrl), /^https:\/\/sqs\./);
        assert.deepEqual(component.metric("purchase_price_by_group", "avg_price", { user_group: "gold" }), {
            spec: "purchase_price_by_group", metric: "avg_price", kind: "avg", namespace: "Clickstream/analytics", metricName: "purchase_price_by_group_avg_price",
            statistic: "Average", periodSeconds: 60, dimensions: { user_group: "gold" }, groupDimensions: ["user_group"],
        });
        assert.equal(component.metric("events_per_minute", "count").statistic, "Sum");
        assert.throws(() => component.metric("events_per_minute", "avg_price"), /no metric "avg_price" in spec "events_per_minute"; known metrics: purchase_price_by_group\.avg_price/);
        assert.throws(() => component.metric("purchase_price_by_group", "count", { group: "x" }), /dimensions must be all of \[user_group\] or none/);
        // The same reference without the component (to create AnomalyAlerts first).
        assert.deepEqual(windowMetric({ specs: [PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE], metricNamespace: "Clickstream/analytics" }, "events_per_minute", "count"), component.metric("events_per_minute", "count"));
    });

    it("passes every policy of the pack (with the catalog encryption the lake or an account baseline owns)", async () => {
        const result = await runUnderMocks({
            stack: "prod",
            program: () => {
                // FirehoseLake (manageCatalogEncryption) or an account baseline stack owns this; the pack checks it stack-wide.
                new aws.glue.DataCatalogEncryptionSettings("catalog-encryption", {
                    dataCatalogEncryptionSettings: {
                        encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: LAKE_KEY },
                        connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: LAKE_KEY },
                    },
                });
                new AnalyticsWindow("analytics", { ...baseArgs(), catalogKmsKeyArn: LAKE_KEY });
            },
        });
        assert.deepEqual(await evaluatePolicies(result.resources), []);
        const st = statements(result.resources.find((p) => p.name === "analytics-aggregates-firehose-policy")!);
        assert.deepEqual(st.find((x) => x.Sid === "DecryptCatalogMetadata").Resource, LAKE_KEY);
        // Without the pseudonymized-source exemption tag, the pack's PII-transform rule would flag the aggregates stream: the check is not vacuous.
        const untagged = result.resources.map((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream" ? { ...r, inputs: { ...r.inputs, tags: {} }, state: { ...r.state, tags: {} } } : r);
        assert.deepEqual((await evaluatePolicies(untagged)).map((v) => v.policy), ["clickstream-firehose-pii-transform"]);
    });

    describe("rejects bad arguments at construction, naming the field", () => {
        const cases: Array<[string, Partial<AnalyticsWindowArgs>, RegExp]> = [
            ["a Firehose ARN as the stream", { streamArn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/x" }, /AnalyticsWindow: streamArn is .* not a Kinesis data stream ARN/],
            ["an invalid spec", { specs: [{ ...PURCHASE_PRICE_BY_GROUP, windowSeconds: 0 }] }, /AnalyticsWindow: Invalid window specs: specs\[0\]\.windowSeconds must be an integer from 1 to 900/],
            ["specs with different windows", { specs: [PURCHASE_PRICE_BY_GROUP, { ...EVENTS_PER_MINUTE_BY_TYPE, windowSeconds: 300 }] }, /windowSeconds differ/],
            ["unbounded retries", { maximumRetryAttempts: -1 }, /AnalyticsWindow: maximumRetryAttempts is -1, out of range/],
            ["a record age below Lambda's minimum", { maximumRecordAgeInSeconds: 30 }, /maximumRecordAgeInSeconds is 30, out of range/],
            ["a state budget above the 1 MB cap", { stateBudgetBytes: 2_000_000 }, /AnalyticsWindow: stateBudgetBytes must be an integer from 50,000 to 950,000/],
            ["a dedupe set too large for the budget", { dedupeCapacity: 100_000 }, /dedupeCapacity must be an integer from 0 to 28125/],
            ["a key alias", { kmsKeyArn: "alias/lake" }, /AnalyticsWindow: kmsKeyArn is "alias\/lake", not a KMS key ARN/],
            ["both PII sources", { piiSecret: { secretArn: SECRET_ARN, parameterName: "/x" } as any }, /piiSecret must have exactly one of parameterName or secretArn/],
            ["a reserved namespace", { metricNamespace: "AWS/Lambda" }, /metricNamespace is "AWS\/Lambda"/],
            ["a bad starting position", { startingPosition: "AT_TIMESTAMP" as any }, /startingPosition is "AT_TIMESTAMP"/],
            ["a missing lake key", { kmsKeyArn: undefined as any }, /AnalyticsWindow: kmsKeyArn is missing/],
        ];
        for (const [title, change, error] of cases) {
            it(title, () => assert.throws(() => resolveAnalyticsWindowSettings("analytics", { ...baseArgs(), ...change }), error));
        }
    });
});
