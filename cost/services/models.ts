/**
 * The modeled tables' runs (ModelSchedule): EventBridge Scheduler invocations (from the schedule
 * expression), Step Functions standard state transitions (one per state of the definition per run),
 * and the Athena scans of each run, read from the SQL the state machine runs: an INSERT scans the
 * arrival days its WHERE clause prunes to (lake bytes per day x days x the column share), a DELETE
 * touches one day of a small model table; every query is billed at least 10 MB. Retries are not priced.
 */
import type { ModelContext } from "../context";
import { T } from "../graph";

const SCHEDULE = "aws:scheduler/schedule:Schedule";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const DAY_MS = 86_400_000;

export function priceModels(ctx: ModelContext): void {
    const { g, a } = ctx;
    const daysPerMonth = ctx.hours / 24;
    const lakeBytesPerDay = g.bucketWrites.filter((w) => w.kind === "lake").reduce((s, w) => s + w.bytesPerDay, 0);
    const workgroup = g.ofType(T.workgroup)[0];
    const cutoff = Number(workgroup?.inputs.configuration?.bytesScannedCutoffPerQuery ?? 0);
    const minimum = ctx.p.figure("athena.scanned", "minimumBytesPerQuery");
    for (const schedule of g.ofType(SCHEDULE)) {
        const runsPerMonth = runsPerDay(String(schedule.inputs.scheduleExpression)) * daysPerMonth;
        ctx.priced(schedule, "EventBridge Scheduler", `invocations (${schedule.inputs.scheduleExpression})`, runsPerMonth, "invocations", "scheduler.invocations");
        const machine = g.ofType(STATE_MACHINE).find((m) => m.state.arn === schedule.inputs.target?.arn);
        if (!machine) continue;
        const states = Object.values(JSON.parse(String(machine.inputs.definition)).States ?? {}) as Record<string, any>[];
        ctx.priced(machine, "Step Functions", `state transitions (${states.length} states per run, standard workflow)`, runsPerMonth * states.length, "state transitions", "stepfunctions.stateTransitions");
        const scanned = states.filter((s) => s.Type === "Task").map((s) => {
            const days = arrivalDaysRead(String(s.Arguments?.QueryString ?? ""));
            const bytes = Math.max(minimum, lakeBytesPerDay * days * a.queryColumnFraction);
            return cutoff > 0 ? Math.min(bytes, cutoff) : bytes;
        });
        const perRun = scanned.reduce((s, b) => s + b, 0);
        ctx.priced(machine, "Athena", `model runs: data scanned (${scanned.length} queries per run over the arrival days each prunes to, ${a.queryColumnFraction * 100}% of columns, 10 MB minimum)`, (runsPerMonth * perRun) / 1024 ** 4, "TB", "athena.scanned");
    }
}

/** Runs per day of a Scheduler expression: rate(n unit), or cron(minutes hours day-of-month month day-of-week year). */
export function runsPerDay(expression: string): number {
    const rate = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
    if (rate) return { minute: 1440, hour: 24, day: 1 }[rate[2].replace(/s$/, "") as "minute" | "hour" | "day"] / Number(rate[1]);
    const cron = /^cron\((.+)\)$/.exec(expression);
    if (!cron) throw new Error(`cost: schedule expression "${expression}" is neither rate(...) nor cron(...)`);
    const [minutes, hours, dom, , dow] = cron[1].trim().split(/\s+/);
    const dayShare = dow !== "?" && dow !== "*" ? countOf(dow, 7) / 7 : dom !== "?" && dom !== "*" ? countOf(dom, 31) / (365.25 / 12) : 1;
    return countOf(minutes, 60) * countOf(hours, 24) * dayShare;
}

const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];
const fieldValue = (x: string) => (DAY_NAMES.includes(x.toUpperCase()) ? DAY_NAMES.indexOf(x.toUpperCase()) + 1 : Number(x) || 0);

/** How many values a cron field selects out of `range`: *, a, a,b, a-b (numbers or day names), x/n. */
function countOf(field: string, range: number): number {
    return field.split(",").reduce((sum, part) => {
        const [span, step] = part.split("/");
        const [lo, hi] = span === "*" ? [0, range - 1] : span.includes("-") ? span.split("-").map(fieldValue) : [0, 0];
        const width = span === "*" || span.includes("-") ? hi - lo + 1 : 1;
        return sum + Math.max(1, Math.ceil(width / Number(step ?? 1)));
    }, 0);
}

/** Arrival days a model statement reads from the events: its `dt BETWEEN` or `received_at` window; 0 for statements on model tables only. */
export function arrivalDaysRead(sql: string): number {
    const dt = /e\.dt BETWEEN '(\d{4}-\d\d-\d\d)' AND '(\d{4}-\d\d-\d\d)'/.exec(sql);
    if (dt) return (Date.parse(dt[2]) - Date.parse(dt[1])) / DAY_MS + 1;
    const received = /e\.received_at >= TIMESTAMP '(\d{4}-\d\d-\d\d) 00:00:00' AND e\.received_at < TIMESTAMP '(\d{4}-\d\d-\d\d) 00:00:00'/.exec(sql);
    if (received) return (Date.parse(received[2]) - Date.parse(received[1])) / DAY_MS;
    return 0;
}
