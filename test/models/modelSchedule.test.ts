import { strict as assert } from "assert";
import * as aws from "@pulumi/aws";
import jsonata from "jsonata";
import { LakeFormationGrants } from "../../components/governance";
import { modelTableColumns } from "../../components/models/modelTables";
import { ModelSchedule, ModelScheduleArgs, STATES_LOG_DELIVERY_ACTIONS } from "../../components/models/modelSchedule";
import { SCHEDULE_INPUT } from "../../models/athenaSchedule";
import { MODEL_COLUMNS, MODEL_NAMES, modelDayStatements } from "../../models/sql";
import { checkProgram } from "../../offline/policyHarness";
import { type RunResult, runUnderMocks } from "../../offline/runUnderMocks";

const KEY = "arn:aws:kms:us-east-1:123456789012:key/lake";
const FUNNELS = [{ name: "checkout", steps: ["Product Viewed", "Order Completed"] }];
const ARGS: ModelScheduleArgs = {
    workgroupName: "clickstream-dev-wg", eventsDatabaseName: "clickstream_dev", eventsTableName: "events",
    lakeBucketName: "clickstream-lake", lakeBucketArn: "arn:aws:s3:::clickstream-lake", kmsKeyArn: KEY, funnels: FUNNELS,
};
const run = (args: Partial<ModelScheduleArgs> = {}) => runUnderMocks({ program: () => void new ModelSchedule("models", { ...ARGS, ...args }) });
const one = (r: RunResult, type: string, name?: string) => {
    const found = r.resources.filter((x) => x.type === type && (name === undefined || x.name === name));
    assert.equal(found.length, 1, `one ${type} ${name ?? ""}: found ${found.map((x) => x.name).join(", ")}`);
    return found[0];
};
const SCHEDULE = "aws:scheduler/schedule:Schedule";
const MACHINE = "aws:sfn/stateMachine:StateMachine";

/** Evaluates a Step Functions "{% ... %}" JSONata field the way the state machine does. */
async function evaluate(field: string, vars: Record<string, unknown>): Promise<unknown> {
    const m = /^\{%([\s\S]*)%\}$/.exec(field);
    assert.ok(m, `not a JSONata field: ${field.slice(0, 40)}`);
    return jsonata(m[1]).evaluate({}, vars);
}

/** What one scheduled invocation runs: the day picked from the schedule's input, then each task's SQL in order. */
async function statementsOfInvocation(definition: any, scheduledTime: string): Promise<{ day: unknown; sql: unknown[] }> {
    const input = JSON.parse(SCHEDULE_INPUT.replace("<aws.scheduler.scheduled-time>", scheduledTime));
    const day = await evaluate(definition.States[definition.StartAt].Assign.day, { states: { input } });
    const sql: unknown[] = [];
    for (let name = definition.States[definition.StartAt].Next; name; name = definition.States[name].Next) {
        sql.push(await evaluate(definition.States[name].Arguments.QueryString, { day }));
    }
    return { day, sql };
}

describe("ModelSchedule (under mocks)", () => {
    let base: RunResult;
    before(async () => { base = await run(); });

    it("schedules the state machine in UTC with the scheduled time as input, retries, and a dead-letter queue", () => {
        const schedule = one(base, SCHEDULE);
        const machine = one(base, MACHINE);
        const dlq = one(base, "aws:sqs/queue:Queue");
        assert.equal(schedule.inputs.scheduleExpression, "cron(30 2 * * ? *)");
        assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
        assert.deepEqual(schedule.inputs.flexibleTimeWindow, { mode: "OFF" });
        assert.equal(schedule.inputs.target.arn, machine.state.arn);
        assert.equal(schedule.inputs.target.roleArn, one(base, "aws:iam/role:Role", "models-scheduler-role").state.arn);
        assert.equal(schedule.inputs.target.input, '{"scheduledTime":"<aws.scheduler.scheduled-time>"}');
        assert.deepEqual(schedule.inputs.target.retryPolicy, { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 21600 });
        assert.deepEqual(schedule.inputs.target.deadLetterConfig, { arn: dlq.state.arn });
        assert.equal(dlq.inputs.kmsMasterKeyId, KEY);
        assert.equal(dlq.inputs.messageRetentionSeconds, 14 * 86400);
    });

    for (const [scheduledTime, day] of [["2026-03-11T02:30:00Z", "2026-03-10"], ["2026-01-01T02:30:00Z", "2025-12-31"], ["2024-03-01T02:30:00Z", "2024-02-29"]]) {
        it(`an invocation scheduled at ${scheduledTime} runs exactly models/sql.ts's Athena statements for ${day}`, async () => {
            const definition = JSON.parse(one(base, MACHINE).inputs.definition);
            const want = modelDayStatements("athena", day, { eventsTable: "clickstream_dev.events", funnels: FUNNELS, athena: { database: "clickstream_dev", s3Prefix: "s3://clickstream-lake/models/" } })
                .flatMap((s) => [s.delete, s.insert]);
            assert.deepEqual(await statementsOfInvocation(definition, scheduledTime), { day, sql: want });
            // Every task runs in the lake's workgroup through the .sync integration; no CREATE TABLE (the stack owns the tables).
            const tasks = Object.values(definition.States).filter((s: any) => s.Type === "Task") as any[];
            assert.ok(tasks.every((t) => t.Resource === "arn:aws:states:::athena:startQueryExecution.sync" && t.Arguments.WorkGroup === "clickstream-dev-wg"));
            assert.equal(tasks.length, want.length);
        });
    }

    it("prunes an Iceberg events table by received_at (it has no dt column)", async () => {
        const definition = one(await run({ tableFormat: "iceberg" }), MACHINE).inputs.definition;
        assert.ok(!definition.includes("e.dt BETWEEN"));
        assert.match(definition, /e\.received_at >= TIMESTAMP '1970-02-27 00:00:00' AND e\.received_at < TIMESTAMP '1970-03-11 00:00:00'/);
    });

    it("creates each model table as an Iceberg table under models/<table>/, partitioned by event_date, with its optimizers", () => {
        for (const model of MODEL_NAMES) {
            const table = one(base, "aws:glue/catalogTable:CatalogTable", `models-${model}-table`);
            assert.equal(table.inputs.name, model);
            assert.equal(table.inputs.databaseName, "clickstream_dev");
            const ice = table.inputs.openTableFormatInput.icebergInput.icebergTableInput;
            assert.equal(ice.location, `s3://clickstream-lake/models/${model}/`);
            assert.deepEqual(ice.schema.fields.map((f: any) => f.name), MODEL_COLUMNS[model].map((c) => c.name));
            const date = ice.schema.fields.find((f: any) => f.name === "event_date");
            assert.deepEqual(ice.partitionSpec.fields, [{ fieldId: 1000, name: "event_date", sourceId: date.id, transform: "identity" }]);
            assert.equal(date.type, '"date"');
            const optimizers = base.resources.filter((r) => r.type === "aws:glue/catalogTableOptimizer:CatalogTableOptimizer" && r.inputs.tableName === model);
            assert.deepEqual(optimizers.map((o) => o.inputs.type).sort(), ["compaction", "orphan_file_deletion", "retention"]);
            const policy = JSON.parse(one(base, "aws:iam/rolePolicy:RolePolicy", `models-${model}-optimizer-policy`).inputs.policy);
            assert.deepEqual(policy.Statement.find((s: any) => s.Sid === "RewriteTableFiles").Resource, `arn:aws:s3:::clickstream-lake/models/${model}/*`);
        }
    });

    it("logs failed runs to an encrypted group with retention and encrypts the history with the lake key", () => {
        const machine = one(base, MACHINE);
        const logs = one(base, "aws:cloudwatch/logGroup:LogGroup");
        assert.deepEqual(machine.inputs.loggingConfiguration, { level: "ERROR", includeExecutionData: true, logDestination: `${logs.state.arn}:*` });
        assert.equal(logs.inputs.retentionInDays, 30);
        assert.equal(logs.inputs.kmsKeyId, KEY);
        assert.deepEqual(machine.inputs.encryptionConfiguration, { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: KEY, kmsDataKeyReusePeriodSeconds: 300 });
        const delivery = JSON.parse(one(base, "aws:cloudwatch/logResourcePolicy:LogResourcePolicy").inputs.policyDocument);
        assert.deepEqual(delivery.Statement.map((s: any) => [s.Principal.Service, s.Resource]), [["delivery.logs.amazonaws.com", `${logs.state.arn}:log-stream:*`]]);
    });

    it("gives the runner exactly its workgroup, the events and model tables, three lake prefixes and the key", () => {
        const machineArn = one(base, MACHINE).state.arn;
        const doc = JSON.parse(one(base, "aws:iam/rolePolicy:RolePolicy", "models-runner-policy").inputs.policy);
        const glue = "arn:aws:glue:us-east-1:123456789012";
        assert.deepEqual(Object.fromEntries(doc.Statement.map((s: any) => [s.Sid, [s.Action, s.Resource, s.Condition]])), {
            RunQueries: [["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"], "arn:aws:athena:us-east-1:123456789012:workgroup/clickstream-dev-wg", undefined],
            ReadEventsSchema: [["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"], [`${glue}:catalog`, `${glue}:database/clickstream_dev`, `${glue}:table/clickstream_dev/events`], undefined],
            CommitModelTables: [["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"], [`${glue}:catalog`, `${glue}:database/clickstream_dev`, ...MODEL_NAMES.map((m) => `${glue}:table/clickstream_dev/${m}`)], undefined],
            ReadLakePrefixes: [["s3:GetObject"], ["arn:aws:s3:::clickstream-lake/events/*", "arn:aws:s3:::clickstream-lake/models/*", "arn:aws:s3:::clickstream-lake/athena-results/*"], undefined],
            ListLakePrefixes: [["s3:ListBucket", "s3:GetBucketLocation"], "arn:aws:s3:::clickstream-lake", { StringLike: { "s3:prefix": ["events/*", "models/*", "athena-results/*"] } }],
            WriteModelsAndResults: [["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], ["arn:aws:s3:::clickstream-lake/models/*", "arn:aws:s3:::clickstream-lake/athena-results/*"], undefined],
            UseLakeKeyThroughS3AndGlue: [["kms:Decrypt", "kms:GenerateDataKey"], KEY, { StringEquals: { "kms:ViaService": ["s3.us-east-1.amazonaws.com", "glue.us-east-1.amazonaws.com"] } }],
            EncryptOwnExecutionHistory: [["kms:Decrypt", "kms:GenerateDataKey"], KEY, { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": machineArn } }],
            LakeFormationData: [["lakeformation:GetDataAccess"], "*", undefined],
            DeliverExecutionLogs: [STATES_LOG_DELIVERY_ACTIONS, "*", undefined],
        });
        assert.ok(!STATES_LOG_DELIVERY_ACTIONS.includes("logs:PutResourcePolicy"));
    });

    it("lets the scheduler start only this state machine and dead-letter into its queue", () => {
        const machineArn = one(base, MACHINE).state.arn;
        const dlqArn = one(base, "aws:sqs/queue:Queue").state.arn;
        const doc = JSON.parse(one(base, "aws:iam/rolePolicy:RolePolicy", "models-scheduler-policy").inputs.policy);
        assert.deepEqual(doc.Statement.map((s: any) => [s.Sid, s.Action, s.Resource, s.Condition]), [
            ["StartModelRun", ["states:StartExecution"], machineArn, undefined],
            ["DeadLetter", ["sqs:SendMessage"], dlqArn, undefined],
            ["EncryptRunInput", ["kms:Decrypt", "kms:GenerateDataKey"], KEY, { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": machineArn } }],
            ["EncryptDeadLetters", ["kms:Decrypt", "kms:GenerateDataKey"], KEY, { StringEquals: { "kms:ViaService": "sqs.us-east-1.amazonaws.com" } }],
        ]);
    });

    it("alarms on a failed run and on a dead letter, notifying the given topics", async () => {
        const r = await run({ alarmTopicArns: ["arn:aws:sns:us-east-1:123456789012:alerts"] });
        const failed = one(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "models-run-failed");
        assert.deepEqual([failed.inputs.namespace, failed.inputs.metricName, failed.inputs.dimensions], ["AWS/States", "ExecutionsFailed", { StateMachineArn: one(r, MACHINE).state.arn }]);
        const dead = one(r, "aws:cloudwatch/metricAlarm:MetricAlarm", "models-schedule-dlq-not-empty");
        assert.deepEqual(dead.inputs.dimensions, { QueueName: one(r, "aws:sqs/queue:Queue").state.name });
        for (const a of [failed, dead]) assert.deepEqual(a.inputs.alarmActions, ["arn:aws:sns:us-east-1:123456789012:alerts"]);
    });

    it("passes every policy of the pack once its tables are tagged (LakeFormationGrants) and the catalog encrypted", async () => {
        const alone = await checkProgram(base);
        // Alone it leaves exactly the two stack-level duties to its composition, and the pack says so.
        assert.deepEqual(alone.map((v) => v.policy).sort(), ["clickstream-glue-catalog-encryption", "clickstream-glue-pii-columns-tagged"]);
        assert.match(alone.find((v) => v.policy === "clickstream-glue-pii-columns-tagged")!.message, /clickstream_dev\.sessions: column\(s\) anonymous_id, user_id/);
        const composed = await runUnderMocks({
            program: () => {
                const models = new ModelSchedule("models", ARGS);
                new aws.glue.DataCatalogEncryptionSettings("catalog", { dataCatalogEncryptionSettings: { encryptionAtRest: { catalogEncryptionMode: "SSE-KMS", sseAwsKmsKeyId: KEY }, connectionPasswordEncryption: { returnConnectionPasswordEncrypted: true, awsKmsKeyId: KEY } } });
                new LakeFormationGrants("grants", {
                    databaseName: "clickstream_dev", tableNames: ["events"], lakeBucketArn: ARGS.lakeBucketArn as string, manageDataLakeSettings: false,
                    additionalTables: MODEL_NAMES.map((m) => ({ name: models.tableNames[m], columns: modelTableColumns(m) })),
                });
            },
        });
        assert.deepEqual((await checkProgram(composed)).map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });

    it("rejects a bad schedule or model setting, naming the field", async () => {
        await assert.rejects(run({ scheduleExpression: "daily" }), /scheduleExpression "daily" is not a Scheduler expression/);
        await assert.rejects(run({ sessionGapMinutes: 0 }), /sessionGapMinutes is 0/);
        await assert.rejects(run({ maintenance: { snapshotRetentionDays: 60 } }), /iceberg\.snapshotRetentionDays/);
    });
});
