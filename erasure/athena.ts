/**
 * Runs one Athena statement in the lake's workgroup and waits for it: StartQueryExecution, then
 * GetQueryExecution until it ends, then GetQueryResults (all pages) for SELECTs. The workgroup
 * enforces its encrypted result location and scan cutoff, so none is passed here.
 */
import {
    AthenaClient, GetQueryExecutionCommand, GetQueryResultsCommand, StartQueryExecutionCommand,
} from "@aws-sdk/client-athena";

export interface AthenaRunnerOptions {
    client: AthenaClient;
    workgroup: string;
    database: string;
    /** Wait between status polls. Defaults to 1 s; tests pass 0. */
    pollMs?: number;
    /** Give up after this long. Defaults to 30 minutes (a partition rewrite can take minutes). */
    timeoutMs?: number;
}

export class AthenaRunner {
    constructor(private readonly o: AthenaRunnerOptions) {}

    /** Runs `sql`; returns the data rows (header row dropped) as strings, or [] for DDL/DML. */
    async run(sql: string): Promise<string[][]> {
        const { client, workgroup, database } = this.o;
        const started = await client.send(new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: workgroup, QueryExecutionContext: { Database: database } }));
        const id = started.QueryExecutionId;
        if (!id) throw new Error("Athena returned no QueryExecutionId");
        const deadline = Date.now() + (this.o.timeoutMs ?? 30 * 60_000);
        for (;;) {
            const status = (await client.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status;
            const state = status?.State;
            if (state === "SUCCEEDED") break;
            if (state === "FAILED" || state === "CANCELLED") {
                // The reason names the statement's problem; the statement holds pseudonyms only, never a raw id.
                throw new Error(`Athena query ${id} ${state}: ${status?.StateChangeReason ?? "no reason given"}`);
            }
            if (Date.now() > deadline) throw new Error(`Athena query ${id} still ${state} after ${Math.round((this.o.timeoutMs ?? 1_800_000) / 1000)} s`);
            await new Promise((r) => setTimeout(r, this.o.pollMs ?? 1000));
        }
        if (!/^\s*(SELECT|WITH)\b/i.test(sql)) return [];
        const rows: string[][] = [];
        let token: string | undefined;
        let first = true;
        do {
            const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token }));
            const data = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? ""));
            rows.push(...(first ? data.slice(1) : data));
            first = false;
            token = page.NextToken;
        } while (token);
        return rows;
    }
}
