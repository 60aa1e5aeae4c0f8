/**
 * The Step Functions state machine (Amazon States Language, JSONata mode) that runs one day of the
 * modeled tables on Athena, statement by statement, through the optimized Athena integration
 * (`startQueryExecution.sync` waits for each query). A schedule (EventBridge Scheduler) starts it with
 * `{}` to run yesterday (UTC), or `{ "day": "YYYY-MM-DD" }` to re-run a day.
 *
 * The statements are those of models/sql.ts, generated for a fixed reference day; every date literal
 * in them is that day plus an offset, so the state machine shifts each one to the run's day with
 * JSONata date arithmetic. The run's day only ever reaches the SQL as a date JSONata formatted, never
 * as the caller's text.
 */
import { AthenaTableLocation } from "./dialect";
import { ModelConfig, modelDayStatements, modelTableStatements } from "./sql";

/** The day the statement templates are generated for; all their date literals fall in 1970. */
export const TEMPLATE_DAY = "1970-03-01";
const TEMPLATE_DAY_MS = Date.parse(`${TEMPLATE_DAY}T00:00:00Z`);
const DATE_FORMAT = "'[Y0001]-[M01]-[D01]'";

export interface ModelRunDefinitionArgs {
    /** Athena workgroup the queries run in (its result location and encryption apply). */
    workGroup: string;
    /** Model configuration; `athena` (database, s3Prefix) is required here. */
    config: ModelConfig & { athena: AthenaTableLocation };
    /**
     * Run the CREATE TABLE IF NOT EXISTS statements first. Defaults to true. False when the deployment
     * creates the model tables itself (ModelSchedule does, so Lake Formation can tag them before the first run).
     */
    createTables?: boolean;
}

/** JSONata that turns a template statement into the statement for `$day`. */
export function shiftDaysExpression(template: string): string {
    if (template.includes("%}")) throw new Error("model SQL contains '%}', which would end the JSONata expression; rename the literal");
    const shifted = `$fromMillis($toMillis($day & 'T00:00:00Z') + $toMillis($m.match & 'T00:00:00Z') - ${TEMPLATE_DAY_MS}, ${DATE_FORMAT})`;
    return `{% $replace(${JSON.stringify(template)}, /1970-\\d\\d-\\d\\d/, function($m) { ${shifted} }) %}`;
}

/** The target input a schedule passes: Scheduler replaces the placeholder with the invocation's scheduled time (ISO-8601, UTC). */
export const SCHEDULE_INPUT = JSON.stringify({ scheduledTime: "<aws.scheduler.scheduled-time>" });

const RUN_TIME = "($exists($states.input.scheduledTime) ? $toMillis($states.input.scheduledTime) : $millis())";
/** The day to run: the input's `day`; else the day before the input's `scheduledTime`; else yesterday (UTC) by the clock. */
export const PICK_DAY_EXPRESSION = `{% $exists($states.input.day) ? $states.input.day : $fromMillis(${RUN_TIME} - 86400000, ${DATE_FORMAT}) %}`;

/** The ASL definition: pick the day, create the tables if missing, then DELETE + INSERT per model in order. */
export function modelRunDefinition(args: ModelRunDefinitionArgs): Record<string, unknown> {
    if (!args.workGroup) throw new Error("modelRunDefinition: workGroup is empty; pass the lake's Athena workgroup name");
    if (!args.config?.athena?.database || !args.config.athena.s3Prefix) throw new Error("modelRunDefinition: config.athena needs database and s3Prefix (where the model tables live)");
    const steps: Array<{ name: string; sql: string }> = [
        ...(args.createTables ?? true ? modelTableStatements("athena", args.config) : []).map((sql, i) => ({ name: `CreateTable${i + 1}`, sql })),
        ...modelDayStatements("athena", TEMPLATE_DAY, args.config).flatMap((s, i) => [
            { name: `Delete${i + 1}_${s.model}`, sql: s.delete },
            { name: `Insert${i + 1}_${s.model}`, sql: s.insert },
        ]),
    ];
    const states: Record<string, unknown> = {
        PickDay: { Type: "Pass", Assign: { day: PICK_DAY_EXPRESSION }, Next: steps[0].name },
    };
    steps.forEach((step, i) => {
        states[step.name] = {
            Type: "Task",
            Resource: "arn:aws:states:::athena:startQueryExecution.sync",
            Arguments: { QueryString: shiftDaysExpression(step.sql), WorkGroup: args.workGroup },
            // Iceberg commits can conflict with a concurrent writer; Athena may throttle.
            Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }],
            ...(i + 1 < steps.length ? { Next: steps[i + 1].name } : { End: true }),
        };
    });
    return { Comment: "clickstream modeled tables: one event-time day (input { day } or yesterday, UTC)", QueryLanguage: "JSONata", StartAt: "PickDay", States: states };
}
