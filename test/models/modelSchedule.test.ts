import { strict as assert } from "assert";
import { ModelSchedule, ModelScheduleArgs } from "../../components/models/modelSchedule";
import { TEMPLATE_DAY } from "../../models/athenaSchedule";
import { checkProgram } from "../../offline/policyHarness";
import { runUnderMocks } from "../../offline/runUnderMocks";

const ARGS: ModelScheduleArgs = {
    workgroupName: "clickstream-dev-wg", eventsDatabaseName: "clickstream_dev", eventsTableName: "events",
    lakeBucketName: "clickstream-lake", lakeBucketArn: "arn:aws:s3:::clickstream-lake",
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake", funnels: [{ name: "checkout", steps: ["Product Viewed", "Order Completed"] }],
};
const run = (args: Partial<ModelScheduleArgs> = {}) => runUnderMocks({ program: () => void new ModelSchedule("models", { ...ARGS, ...args }) });

describe("ModelSchedule (under mocks)", () => {
    it("schedules the state machine daily in UTC; the scheduler may only start it", async () => {
        const { resources } = await run();
        const schedule = resources.find((r) => r.type === "aws:scheduler/schedule:Schedule")!;
        const machine = resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine")!;
        assert.equal(schedule.inputs.scheduleExpression, "cron(30 2 * * ? *)");
        assert.equal(schedule.inputs.scheduleExpressionTimezone, "UTC");
        assert.equal(schedule.inputs.target.arn, machine.state.arn);
        assert.equal(schedule.inputs.target.input, "{}");
        const schedulerPolicy = JSON.parse(resources.find((r) => r.name === "models-scheduler-policy")!.inputs.policy);
        assert.deepEqual(schedulerPolicy.Statement.map((s: any) => [s.Action, s.Resource]), [[["states:StartExecution"], machine.state.arn]]);
    });

    it("runs the model SQL against the lake's workgroup and tables, writing under models/", async () => {
        const { resources } = await run();
        const definition = JSON.parse(resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine")!.inputs.definition);
        const tasks = Object.values(definition.States).filter((s: any) => s.Type === "Task") as any[];
        assert.ok(tasks.every((t) => t.Arguments.WorkGroup === "clickstream-dev-wg"));
        const sql = tasks.map((t) => t.Arguments.QueryString).join("\n");
        assert.match(sql, /FROM clickstream_dev\.events e/);
        assert.match(sql, /LOCATION 's3:\/\/clickstream-lake\/models\/sessions\/'/);
        assert.match(sql, new RegExp(`DELETE FROM clickstream_dev\\.funnel_daily WHERE event_date = DATE '${TEMPLATE_DAY}' AND funnel = 'checkout'`));
        const runner = JSON.parse(resources.find((r) => r.name === "models-runner-policy")!.inputs.policy);
        const writes = runner.Statement.find((s: any) => s.Sid === "WriteModelsAndResults");
        assert.deepEqual(writes.Resource, ["arn:aws:s3:::clickstream-lake/models/*", "arn:aws:s3:::clickstream-lake/athena-results/*"]);
    });

    it("prunes an Iceberg events table by received_at (it has no dt column)", async () => {
        const { resources } = await run({ tableFormat: "iceberg" });
        const definition = resources.find((r) => r.type === "aws:sfn/stateMachine:StateMachine")!.inputs.definition;
        assert.ok(!definition.includes("e.dt BETWEEN"));
        assert.match(definition, /e\.received_at >= TIMESTAMP '1970-02-27 00:00:00' AND e\.received_at < TIMESTAMP '1970-03-11 00:00:00'/);
    });

    it("passes every policy of the pack", async () => {
        const violations = await checkProgram(await run());
        assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });

    it("rejects a bad schedule or model setting, naming the field", async () => {
        await assert.rejects(run({ scheduleExpression: "daily" }), /scheduleExpression "daily" is not a Scheduler expression/);
        await assert.rejects(run({ sessionGapMinutes: 0 }), /sessionGapMinutes is 0/);
    });
});
