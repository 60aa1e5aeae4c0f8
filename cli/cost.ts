/**
 * `clickstream cost --stack <dev|prod> | --program <dir> --events-per-second N [--events-per-request K]
 * [--event-bytes B] [--queries-per-day Q] [--json]`: what the stack, as its resources are configured,
 * costs per month at that traffic. The model lives in cost/; this only parses flags and prints.
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { loadAssumptions } from "../cost/assumptions";
import { formatCostTable } from "../cost/format";
import { CostReport, estimateCost } from "../cost/model";
import { runTarget } from "./resources";

function numberFlag(flag: string) {
    return (raw: string): number => {
        const value = Number(raw);
        if (raw.trim() === "" || !Number.isFinite(value)) throw new InvalidArgumentError(`${flag} must be a number (got ${JSON.stringify(raw)}).`);
        return value;
    };
}

export interface CostOptions {
    stack: string;
    program?: string;
    eventsPerSecond: number;
    eventsPerRequest?: number;
    eventBytes?: number;
    queriesPerDay?: number;
}

/** Runs the target under mocks and prices it; the tests call this, the same code path as the command. */
export async function costOf(opts: CostOptions): Promise<CostReport> {
    const a = loadAssumptions();
    const traffic = {
        eventsPerSecond: opts.eventsPerSecond,
        eventsPerRequest: opts.eventsPerRequest ?? a.defaultEventsPerRequest,
        eventBytes: opts.eventBytes ?? a.defaultEventBytes,
        queriesPerDay: opts.queriesPerDay ?? a.defaultQueriesPerDay,
    };
    // Check the flags before the (slower) offline run, so a typo fails fast.
    estimateCost([], traffic, { assumptions: a });
    const run = await runTarget({ stack: opts.stack, program: opts.program });
    return estimateCost(run.resources, traffic, { assumptions: a });
}

export function registerCost(program: Command): void {
    program
        .command("cost")
        .description("Monthly cost of a stack as its resources are configured, at a given traffic (offline: prices from cost/prices.us-east-1.json)")
        .addOption(new Option("--stack <name>", "stack to price: dev or prod (or a stack of --program)").default("prod"))
        .option("--program <dir>", "another Pulumi TypeScript program directory to price instead of the shipped stacks")
        .requiredOption("--events-per-second <n>", "average events per second (0 prices the idle stack)", numberFlag("--events-per-second"))
        .option("--events-per-request <k>", "events per HTTP request (tracker batching); default 10", numberFlag("--events-per-request"))
        .option("--event-bytes <b>", "bytes of one event's JSON; default 600 (cost/assumptions.json)", numberFlag("--event-bytes"))
        .option("--queries-per-day <q>", "Athena queries per day; default 100", numberFlag("--queries-per-day"))
        .option("--json", "print { total, lines: [{ service, item, quantity, unit, usd, component }], assumptions }")
        .action(async (opts: CostOptions & { json?: boolean }) => {
            let report: CostReport;
            try {
                report = await costOf(opts);
            } catch (err) {
                process.stderr.write(`clickstream cost: ${(err as Error).message}\n`);
                process.exitCode = 1;
                return;
            }
            process.stdout.write(opts.json ? JSON.stringify(report, null, 2) + "\n" : formatCostTable(report) + "\n");
        });
}
