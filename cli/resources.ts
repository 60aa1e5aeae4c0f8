/**
 * `clickstream resources [--stack <name>] [--program <dir>] [--config key=value] [--json]`: runs a
 * Pulumi program offline under mocks and prints every resource it would register, as a reviewer
 * wants to see it before `pulumi up`. The tests call `listResources`, the same code path.
 */
import { Command } from "commander";
import type { CapturedResource } from "../offline/runUnderMocks";
import { addTargetOptions, describeTarget, runTarget, TargetOptions } from "./target";

export interface ListedResource {
    type: string;
    name: string;
    parent: string | null;
    inputs: Record<string, unknown>;
}

export function toListed(resources: CapturedResource[]): ListedResource[] {
    return resources.map((r) => ({ type: r.type, name: r.name, parent: r.parent ?? null, inputs: r.inputs }));
}

/** The resources a stack registers, in registration order. */
export async function listResources(target: TargetOptions): Promise<ListedResource[]> {
    return toListed((await runTarget(target)).result.resources);
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
    addTargetOptions(
        program.command("resources").description("List every resource a Pulumi program would register, offline under Pulumi mocks (no AWS account, no Pulumi CLI)"),
        "list",
    )
        .option("--json", "print an array of { type, name, parent, inputs }")
        .action(async (opts: TargetOptions & { json?: boolean }) => {
            const { target, result, log } = await runTarget(opts);
            if (log) process.stderr.write(log);
            const resources = toListed(result.resources);
            process.stdout.write(opts.json ? JSON.stringify(resources, null, 2) + "\n" : `Resources of ${describeTarget(target)}:\n\n${formatResourceTree(resources)}\n`);
        });
}
