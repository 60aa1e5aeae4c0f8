/**
 * Runs a Pulumi program in-process under mocks and captures every resource it registers: the code
 * path behind `clickstream resources`, `clickstream policy-check` and the component/stack tests.
 *
 * Pulumi's runtime is a process-wide singleton, so runs are serialized; each run resets the mocks,
 * the config and the stack resource before it starts.
 */
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import { mockCall, mockResource } from "./mocks";

export interface CapturedResource {
    /** Pulumi type token, e.g. "aws:s3/bucket:Bucket" or "clickstream:lake:FirehoseLake". */
    type: string;
    /** Logical name. */
    name: string;
    urn: string;
    /** URN of the parent resource (its `urn`), absent for the stack's direct children. */
    parentUrn?: string;
    /** "type::name" of the parent, for display; absent for the stack's direct children. */
    parent?: string;
    /** True for custom (provider) resources, false for components. */
    custom: boolean;
    /** Inputs exactly as the program passed them (Outputs resolved). */
    inputs: Record<string, any>;
    /** Inputs plus the computed attributes the mock provider returned. */
    state: Record<string, any>;
    id?: string;
}

export interface RunOptions {
    /** The program: registers resources and may return stack outputs. */
    program: () => unknown | Promise<unknown>;
    /** Stack name given to `pulumi.getStack()`. Defaults to "dev". */
    stack?: string;
    /** Project name given to `pulumi.getProject()`. Defaults to "clickstream". */
    project?: string;
    /** Stack config, keys as in Pulumi.<stack>.yaml ("clickstream:foo" or "aws:region"); values as strings or JSON-able values. */
    config?: Record<string, unknown>;
}

export interface RunResult {
    resources: CapturedResource[];
    outputs: Record<string, unknown>;
}

let queue: Promise<unknown> = Promise.resolve();
let pendingParent: string | undefined;
let patched = false;

/** Captures the parent URN of each registration, which `Mocks.newResource` is not told. */
function patchMonitorOnce(): void {
    if (patched) return;
    patched = true;
    const original = MockMonitor.prototype.registerResource;
    MockMonitor.prototype.registerResource = function (this: MockMonitor, req: any, callback: any) {
        // `original` calls mocks.newResource synchronously, before its first await, so the
        // value set here is the one newResource reads.
        pendingParent = req.getParent() || undefined;
        return original.call(this, req, callback);
    };
}

function describeUrn(urn: string): string {
    const parts = urn.split("::");
    const name = parts[parts.length - 1];
    const qualifiedType = parts[parts.length - 2] ?? "";
    const type = qualifiedType.split("$").pop() ?? qualifiedType;
    return `${type}::${name}`;
}

function toConfigMap(project: string, config: Record<string, unknown>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(config)) {
        const fullKey = key.includes(":") ? key : `${project}:${key}`;
        out[fullKey] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return out;
}

async function runOnce(opts: RunOptions): Promise<RunResult> {
    patchMonitorOnce();
    const project = opts.project ?? "clickstream";
    const stack = opts.stack ?? "dev";
    const resources: CapturedResource[] = [];
    const mocks: pulumi.runtime.Mocks = {
        call: (args) => mockCall(args),
        newResource: (args) => {
            const parentUrn = pendingParent;
            pendingParent = undefined;
            const result = mockResource(args);
            // The stack resource is every top-level resource's parent; it is not shown as one. (Every
            // URN's type chain starts with the stack's type, so match the stack's own URN exactly.)
            const underStack = !parentUrn || parentUrn.endsWith(`::pulumi:pulumi:Stack::${project}-${stack}`);
            const captured: CapturedResource = {
                type: args.type,
                name: args.name,
                urn: "",
                parent: underStack ? undefined : describeUrn(parentUrn),
                custom: args.custom !== false,
                inputs: args.inputs ?? {},
                state: result.state,
                id: result.id,
            };
            resources.push(captured);
            return result;
        },
    };
    await pulumi.runtime.setMocks(mocks, project, stack, false);
    pulumi.runtime.setAllConfig(toConfigMap(project, opts.config ?? {}), []);
    let outputs: Record<string, unknown> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
        const result = await opts.program();
        outputs = (result && typeof result === "object" ? (result as Record<string, unknown>) : {}) ?? {};
        return outputs;
    });
    // Wait until every registration (and every apply) has landed.
    await pulumi.runtime.disconnect();
    const resolved = await resolveOutputs(outputs);
    // Fill in URNs the way the engine forms them, for display and for stack policies.
    for (const r of resources) r.urn = urnOf(project, stack, r, resources);
    // The mock monitor's URNs put the stack's type in every chain, the engine's (and urnOf's) do not:
    // point parentUrn at the parent's engine-form URN so it matches that resource's `urn`.
    for (const r of resources) {
        if (r.parent) r.parentUrn = resources.find((p) => `${p.type}::${p.name}` === r.parent)?.urn;
    }
    return { resources: resources.filter((r) => r.type !== "pulumi:pulumi:Stack"), outputs: resolved };
}

function urnOf(project: string, stack: string, r: CapturedResource, all: CapturedResource[]): string {
    const chain: string[] = [r.type];
    let parentDesc = r.parent;
    let guard = 0;
    while (parentDesc && guard++ < 64) {
        const [ptype, pname] = parentDesc.split("::");
        chain.unshift(ptype);
        const parent = all.find((c) => c.type === ptype && c.name === pname);
        parentDesc = parent?.parent;
    }
    return `urn:pulumi:${stack}::${project}::${chain.join("$")}::${r.name}`;
}

async function resolveOutputs(outputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(outputs)) {
        out[k] = pulumi.Output.isInstance(v) ? await promiseOf(v as pulumi.Output<unknown>) : v;
    }
    return out;
}

/** Value of an Output under mocks (tests use this to assert on computed values). */
export function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply((v) => { resolve(v); return v; }));
}

/**
 * Runs `opts.program` under mocks and returns what it registered. Concurrent calls are queued:
 * the Pulumi runtime holds one program at a time.
 */
export function runUnderMocks(opts: RunOptions): Promise<RunResult> {
    const run = queue.then(() => runOnce(opts));
    queue = run.catch(() => undefined);
    return run;
}
