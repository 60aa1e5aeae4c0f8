import { strict as assert } from "assert";
import jsonata from "jsonata";
import { PICK_DAY_EXPRESSION, SCHEDULE_INPUT, TEMPLATE_DAY, modelRunDefinition, shiftDaysExpression } from "../../models/athenaSchedule";
import { modelDayStatements, modelTableStatements } from "../../models/sql";

const CONFIG = { eventsTable: "clickstream_dev.events", funnels: [{ name: "checkout", steps: ["Product Viewed", "Order Completed"] }], athena: { database: "clickstream_dev_models", s3Prefix: "s3://lake/models/" } };

/** Evaluates a Step Functions "{% ... %}" JSONata field with the state machine's variables. */
async function evaluate(field: string, vars: Record<string, unknown>): Promise<unknown> {
    const m = /^\{%([\s\S]*)%\}$/.exec(field);
    assert.ok(m, `not a JSONata field: ${field.slice(0, 40)}`);
    return jsonata(m[1]).evaluate({}, vars);
}

describe("models: Athena run state machine", () => {
    const def = modelRunDefinition({ workGroup: "clickstream-dev-wg", config: CONFIG }) as any;
    const tasks = Object.entries(def.States).filter(([, s]: [string, any]) => s.Type === "Task") as [string, any][];

    it("runs every statement in order through the Athena .sync integration, ending after the last", () => {
        assert.equal(def.QueryLanguage, "JSONata");
        const expected = modelTableStatements("athena", CONFIG).length + 2 * modelDayStatements("athena", TEMPLATE_DAY, CONFIG).length;
        assert.equal(tasks.length, expected);
        let state = def.States[def.StartAt];
        const visited: string[] = [];
        while (state.Next) { visited.push(state.Next); state = def.States[state.Next]; }
        assert.equal(state.End, true);
        assert.deepEqual(visited, tasks.map(([name]) => name));
        for (const [, t] of tasks) {
            assert.equal(t.Resource, "arn:aws:states:::athena:startQueryExecution.sync");
            assert.equal(t.Arguments.WorkGroup, "clickstream-dev-wg");
        }
    });

    for (const day of ["2026-03-10", "2026-01-01", "2024-02-29"]) {
        it(`shifts every statement to the run's day (${day}) exactly as models/sql.ts writes that day`, async () => {
            const want = [...modelTableStatements("athena", CONFIG), ...modelDayStatements("athena", day, CONFIG).flatMap((s) => [s.delete, s.insert])];
            const got = await Promise.all(tasks.map(([, t]) => evaluate(t.Arguments.QueryString, { day })));
            assert.deepEqual(got, want);
        });
    }

    it("runs yesterday (UTC) without input and the given day with { day }", async () => {
        assert.equal(await evaluate(PICK_DAY_EXPRESSION, { states: { input: { day: "2026-03-10" } } }), "2026-03-10");
        const before = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
        const picked = await evaluate(PICK_DAY_EXPRESSION, { states: { input: {} } });
        const after = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
        assert.ok(picked === before || picked === after, `picked ${picked}`);
    });

    it("a scheduled invocation runs the day before its scheduled time, whatever the clock says when it runs (retries, redrives)", async () => {
        const input = (t: string) => JSON.parse(SCHEDULE_INPUT.replace("<aws.scheduler.scheduled-time>", t));
        assert.equal(await evaluate(PICK_DAY_EXPRESSION, { states: { input: input("2026-03-11T02:30:00Z") } }), "2026-03-10");
        assert.equal(await evaluate(PICK_DAY_EXPRESSION, { states: { input: input("2026-03-01T00:00:00Z") } }), "2026-02-28");
        // An explicit day wins over the scheduled time (a manual re-run).
        assert.equal(await evaluate(PICK_DAY_EXPRESSION, { states: { input: { ...input("2026-03-11T02:30:00Z"), day: "2026-01-05" } } }), "2026-01-05");
    });

    it("skips the CREATE TABLE statements when the deployment owns the tables (createTables: false)", () => {
        const own = modelRunDefinition({ workGroup: "wg", config: CONFIG, createTables: false }) as any;
        const names = Object.keys(own.States);
        assert.ok(!names.some((n) => n.startsWith("CreateTable")));
        assert.equal(own.States.PickDay.Next, "Delete1_sessions");
        assert.equal(names.length, 1 + 2 * modelDayStatements("athena", TEMPLATE_DAY, CONFIG).length);
    });

    it("never puts the caller's text into SQL: a day that is not a date fails the expression", async () => {
        await assert.rejects(evaluate(tasks[4][1].Arguments.QueryString, { day: "2026-03-10' OR 1=1 --" }));
        assert.throws(() => shiftDaysExpression("SELECT '%}'"), /would end the JSONata expression/);
        assert.throws(() => modelRunDefinition({ workGroup: "", config: CONFIG }), /workGroup is empty/);
    });
});
