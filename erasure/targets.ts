/**
 * Where a deployed stack keeps its data: the names `pulumi stack output --json` prints, read and checked
 * here so `clickstream erase --stack` can say exactly which output is missing.
 */
import { execFile } from "child_process";
import { readFile } from "fs/promises";
import type { StackLake } from "./stack";

/** Reads a stack's outputs: from a file (`pulumi stack output --json > file`), else from the Pulumi CLI. */
export async function readStackOutputs(stack: string, outputsFile?: string): Promise<Record<string, unknown>> {
    let text: string;
    if (outputsFile !== undefined) {
        text = await readFile(outputsFile, "utf8");
    } else {
        text = await new Promise<string>((resolve, reject) => {
            execFile("pulumi", ["stack", "output", "--json", "--stack", stack], { maxBuffer: 16 * 1024 * 1024 }, (err, stdout) => {
                if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT") {
                    reject(new Error(`erase: the Pulumi CLI is not installed. Fix: run \`pulumi stack output --json --stack ${stack} > outputs.json\` where it is, and pass --outputs-file outputs.json`));
                } else if (err) reject(new Error(`erase: \`pulumi stack output --json --stack ${stack}\` failed: ${err.message}`));
                else resolve(stdout);
            });
        });
    }
    try {
        return JSON.parse(text) as Record<string, unknown>;
    } catch {
        throw new Error(`erase: the stack outputs are not JSON. Fix: produce them with \`pulumi stack output --json --stack ${stack}\``);
    }
}

/** The lake's names from the outputs; throws naming the missing output and the fix. */
export function stackLakeFromOutputs(stack: string, outputs: Record<string, unknown>): StackLake & { piiSecretArn: string } {
    const need = (key: string): string => {
        const v = outputs[key];
        if (typeof v !== "string" || v === "") {
            throw new Error(`erase: stack ${stack} has no output "${key}". Fix: deploy this version of the program (pulumi up --stack ${stack}), which exports it`);
        }
        return v;
    };
    const format = outputs.lakeTableFormat ?? "parquet";
    if (format !== "parquet" && format !== "iceberg") throw new Error(`erase: stack ${stack} output lakeTableFormat is ${JSON.stringify(format)}; expected parquet or iceberg`);
    return {
        stack,
        tableFormat: format,
        lakeBucket: need("lakeBucket"),
        rawBucket: need("rawBucket"),
        database: need("glueDatabase"),
        eventsTable: need("glueTable"),
        workgroup: need("athenaWorkgroup"),
        aggregatesTable: typeof outputs.aggregatesTable === "string" && outputs.aggregatesTable !== "" ? outputs.aggregatesTable : undefined,
        sessionsTable: typeof outputs.sessionsTable === "string" && outputs.sessionsTable !== "" ? outputs.sessionsTable : undefined,
        piiSecretArn: need("piiSecretArn"),
    };
}
