/**
 * `clickstream resources --stack <dev|prod> [--json] [--program <dir>]`: runs a stack offline under
 * mocks and prints every resource it would register, as a reviewer wants to see it before
 * `pulumi up`. The tests call `listResources`, the same code path.
 */
import { Command, Option } from "commander";
import type { CapturedResource, RunResult } from "../offline/runUnderMocks";
import { runProgramDir, runShippedStack } from "../offline/programs";

export interface ListedResource {
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
}

export interface ResourceTarget {
    stack: string;
    /** Another Pulumi program directory; the shipped stacks when absent. */
    program?: string;
}

/** Runs the target under mocks. */
export function runTarget(target: ResourceTarget): Promise<RunResult> {
    return target.program ? runProgramDir(target.program, target.stack) : runShippedStack(target.stack);
}

export function toListed(resources: CapturedResource[]): ListedResource[] {
    return resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs }));
}

/** The resources a stack registers, in registration order. */
export async function listResources(target: ResourceTarget): Promise<ListedResource[]> {
    return toListed((await runTarget(target)).resources);
}

/** A tree: components first, their children indented below them, with a count per type. */
export function formatResourceTree(resources: ListedResource[]): string {
    const children = new Map<string | null, ListedResource[]>();
    for (const r of resources) {
        const key = r.parent;
        if (!children.has(key)) children.set(key, []);
        children.get(key)!.push(r);
    }
    const lines: string[] = [];
    const depthOf = (r: ListedResource): number => {
        let depth = 0;
        for (let p = r.parent; p && depth < 64; depth++) p = resources.find((c) => `${c.type}::${c.name}` === p)?.parent ?? null;
        return depth;
    };
    const label = (r: ListedResource, depth: number) => `${"  ".repeat(Math.max(0, depth - 1))}${depth > 0 ? "└─ " : ""}${r.type}`;
    const width = Math.max(0, ...resources.map((r) => label(r, depthOf(r)).length)) + 2;
    const walk = (parent: string | null, depth: number) => {
        for (const r of children.get(parent) ?? []) {
            lines.push(`${label(r, depth).padEnd(width)}${r.name}`);
            walk(`${r.type}::${r.name}`, depth + 1);
        }
    };
    walk(null, 0);
    const byType = new Map<string, number>();
    for (const r of resources) byType.set(r.type, (byType.get(r.type) ?? 0) + 1);
    const custom = resources.filter((r) => !r.type.startsWith("clickstream:")).length;
    lines.push("", `${resources.length} resources (${custom} AWS/provider resources, ${resources.length - custom} components)`);
    return lines.join("\n");
}

export function registerResources(program: Command): void {
    program
        .command("resources")
        .description("List every resource a stack would register, offline under Pulumi mocks (no AWS account, no Pulumi CLI)")
        .addOption(new Option("--stack <name>", "stack to list: dev or prod (or a stack of --program)").default("dev"))
        .option("--program <dir>", "another Pulumi TypeScript program directory to list instead of the shipped stacks")
        .option("--json", "print an array of { type, name, parent, inputs }")
        .action(async (opts: { stack: string; program?: string; json?: boolean }) => {
            const resources = await listResources({ stack: opts.stack, program: opts.program });
            process.stdout.write(opts.json ? JSON.stringify(resources, null, 2) + "\n" : formatResourceTree(resources) + "\n");
        });
}
