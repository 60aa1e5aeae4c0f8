/**
 * Runs the CrossGuard policies against resources captured under mocks, without the Pulumi CLI:
 * the same `ResourceValidationArgs` / `StackValidationArgs` the policy SDK's analyzer server builds
 * (props through `unknownCheckingProxy`, `isType`/`asType`, `getConfig` with schema defaults,
 * `notApplicable`, stack tags, parents and dependencies), so a policy that passes here passes under
 * `pulumi preview --policy-pack policies` on the same resources.
 *
 * Resource policies see a resource's inputs (what the engine analyzes before an update); stack
 * policies see its state (inputs plus what the mock provider computed), as after a preview.
 */
import {
    EnforcementLevel,
    Policies,
    Policy,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
    StackValidationArgs,
    StackValidationPolicy,
    unknownCheckingProxy,
} from "@pulumi/policy";
import type { CapturedResource, RunResult } from "./runUnderMocks";

export interface Violation {
    /** Policy name, e.g. "clickstream-s3-bucket-sse-kms". */
    policy: string;
    severity: Severity | "unspecified";
    /** Enforcement the violation is reported with ("remediate" policies report as "mandatory", as the CLI does). */
    enforcement: Exclude<EnforcementLevel, "disabled" | "remediate">;
    /** "type::name" of the resource, or "(stack)" for a stack-wide violation. */
    resource: string;
    /** Resource type token, empty for a stack-wide violation. */
    type: string;
    message: string;
    /** URN of the resource, when the violation names one. */
    urn?: string;
}

/** Per-policy config as in a policy pack config file: `{ "<policy>": { enforcementLevel?, ...props } }` or a level. */
export type PolicyConfigMap = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface HarnessOptions {
    /** Policies to run. Defaults to the whole pack (policies/all.ts ALL_POLICIES). */
    policies?: Policies;
    /** Policy config (enforcement overrides and config properties), as `pulumi preview --policy-pack-config` takes it. */
    config?: PolicyConfigMap;
    /** Stack tags. Defaults to pulumi:project and pulumi:stack read from the URNs. */
    stackTags?: Record<string, string>;
    /** Pack-wide enforcement for policies that set none. Defaults to "mandatory", as policies/index.ts. */
    packEnforcementLevel?: EnforcementLevel;
    /**
     * Run the remediations of policies whose enforcement is "remediate" before validating (the CLI
     * does this on `pulumi up`). Defaults to false. The remediated props are what is validated.
     */
    remediate?: boolean;
    /** Called once per policy evaluation: whether the policy applied to the resource (or the stack, resource undefined). */
    trace?: (policy: string, resource: string | undefined, outcome: "applied" | "notApplicable") => void;
}

export interface Remediation {
    policy: string;
    resource: string;
    before: Record<string, any>;
    after: Record<string, any>;
}

/** Thrown by `notApplicable`; the harness records the policy as not applicable for that resource. */
export class PolicyNotApplicable extends Error {
    constructor(readonly reason?: string) {
        super(reason ?? "Policy does not apply");
    }
}

const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/** Secrets arrive as signature objects from the mocks; policies see the plain value, as in the analyzer. */
function unwrapSecrets(value: any): any {
    if (Array.isArray(value)) return value.map(unwrapSecrets);
    if (value && typeof value === "object") {
        if (value[SECRET_SIG] === SECRET_VALUE) return unwrapSecrets(value.value);
        const out: Record<string, any> = {};
        for (const [k, v] of Object.entries(value)) out[k] = unwrapSecrets(v);
        return out;
    }
    return value;
}

function isTypeOf(type: string, resourceClass: any): boolean {
    const token = resourceClass?.__pulumiType;
    if (typeof token === "string") return token === type;
    return typeof resourceClass?.isInstance === "function" && resourceClass.isInstance({ __pulumiType: type }) === true;
}

function isStackPolicy(p: Policy): p is StackValidationPolicy {
    return typeof (p as StackValidationPolicy).validateStack === "function";
}

/** `getConfig` for a policy: its schema defaults, overlaid by the given config (without enforcementLevel). */
export function policyConfig(policy: Policy, config: PolicyConfigMap = {}): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, schema] of Object.entries(policy.configSchema?.properties ?? {})) {
        if ((schema as any).default !== undefined) out[key] = structuredClone((schema as any).default);
    }
    const given = config[policy.name];
    if (given && typeof given === "object") {
        for (const [key, value] of Object.entries(given)) if (key !== "enforcementLevel") out[key] = value;
    }
    for (const required of policy.configSchema?.required ?? []) {
        if (out[required] === undefined) throw new Error(`Policy ${policy.name} requires config "${required}". Add it under "${policy.name}" in the policy config.`);
    }
    return out;
}

export function enforcementOf(policy: Policy, config: PolicyConfigMap = {}, packLevel: EnforcementLevel = "mandatory"): EnforcementLevel {
    const given = config[policy.name];
    const fromConfig = typeof given === "string" ? given : given?.enforcementLevel;
    // "all" sets every policy's level, as in a Pulumi policy pack config file; a policy's own entry wins.
    const all = config.all;
    const fromAll = typeof all === "string" ? all : all?.enforcementLevel;
    return fromConfig ?? fromAll ?? policy.enforcementLevel ?? packLevel;
}

function label(r: { type: string; name: string }): string {
    return `${r.type}::${r.name}`;
}

function stackTagsFor(resources: CapturedResource[], given?: Record<string, string>): ReadonlyMap<string, string> {
    const map = new Map<string, string>();
    const urn = resources[0]?.urn ?? "";
    const m = /^urn:pulumi:([^:]+)::([^:]+)::/.exec(urn);
    if (m) {
        map.set("pulumi:stack", m[1]);
        map.set("pulumi:project", m[2]);
    }
    for (const [k, v] of Object.entries(given ?? {})) map.set(k, v);
    return map;
}

function optionsOf(r: CapturedResource): PolicyResourceOptions {
    const opts: PolicyResourceOptions = {
        protect: false,
        ignoreChanges: [],
        aliases: [],
        customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
        additionalSecretOutputs: [],
    };
    if (r.parentUrn) opts.parent = r.parentUrn;
    return opts;
}

/** Strings inside a value (deep), to find which resources a resource refers to. */
function stringsIn(value: any, out: string[] = []): string[] {
    if (typeof value === "string") out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => stringsIn(v, out));
    else if (value && typeof value === "object") Object.values(value).forEach((v) => stringsIn(v, out));
    return out;
}

/**
 * Builds the PolicyResource graph stack policies receive. The engine knows each resource's
 * dependencies; under mocks we derive them from the inputs: a resource depends on another when an
 * input holds that resource's id, ARN or bucket name (exactly, or as an "<arn>/..." prefix).
 */
export function toPolicyResources(resources: CapturedResource[]): PolicyResource[] {
    const identities = new Map<string, CapturedResource>();
    for (const r of resources) {
        if (!r.custom) continue;
        for (const id of [r.id, r.state.arn, r.type === "aws:s3/bucket:Bucket" ? r.state.bucket : undefined]) {
            if (typeof id === "string" && id.length > 3) identities.set(id, r);
        }
    }
    const byUrn = new Map<string, PolicyResource>();
    const byLabel = new Map<string, PolicyResource>();
    const policyResources = resources.map((r) => {
        const props = unknownCheckingProxy(unwrapSecrets(r.state));
        const pr: PolicyResource = {
            type: r.type,
            name: r.name,
            urn: r.urn,
            props,
            opts: optionsOf(r),
            dependencies: [],
            propertyDependencies: {},
            isType: (cls: any) => isTypeOf(r.type, cls),
            asType: (cls: any) => (isTypeOf(r.type, cls) ? (props as any) : undefined),
        };
        byUrn.set(r.urn, pr);
        byLabel.set(label(r), pr);
        return pr;
    });
    resources.forEach((r, i) => {
        const pr = policyResources[i];
        const parent = (r.parentUrn && byUrn.get(r.parentUrn)) || (r.parent && byLabel.get(r.parent));
        if (parent) pr.parent = parent;
        for (const [key, value] of Object.entries(r.inputs ?? {})) {
            const deps = new Set<PolicyResource>();
            for (const s of stringsIn(value)) {
                const target = identities.get(s) ?? identities.get(s.split("/")[0]) ?? identities.get(s.replace(/\/.*$/, ""));
                if (target && target !== r) deps.add(byUrn.get(target.urn)!);
            }
            if (deps.size > 0) pr.propertyDependencies[key] = [...deps];
        }
        pr.dependencies = [...new Set(Object.values(pr.propertyDependencies).flat())];
    });
    return policyResources;
}

/**
 * Rejects a policy config that names a policy the pack does not have: a misspelled name would
 * otherwise leave that policy at its default without a word. "all" (every policy) is allowed.
 */
export function checkPolicyConfigNames(config: PolicyConfigMap = {}, policies: Policies = loadAllPolicies()): void {
    const known = policies.map((p) => p.name);
    const unknown = Object.keys(config).filter((name) => name !== "all" && !known.includes(name));
    if (unknown.length > 0) {
        throw new Error(`Policy config names ${unknown.length === 1 ? "a policy" : "policies"} the pack does not have: ${unknown.join(", ")}. Known policies (and "all"): ${[...known].sort().join(", ")}.`);
    }
}

/** Names of the policies the config turns off (enforcement "disabled"), in pack order. */
export function disabledPolicies(config: PolicyConfigMap = {}, policies: Policies = loadAllPolicies(), packLevel?: EnforcementLevel): string[] {
    return policies.filter((p) => enforcementOf(p, config, packLevel) === "disabled").map((p) => p.name);
}

function loadAllPolicies(): Policies {
    // Loaded lazily: the pack pulls in @pulumi/aws, which a caller passing its own policies may not need.
    return require("../policies/all").ALL_POLICIES as Policies;
}

function reportFor(policy: Policy, enforcement: EnforcementLevel, out: Violation[], resources: CapturedResource[], fixedUrn?: string) {
    const level = (enforcement === "remediate" ? "mandatory" : enforcement) as Violation["enforcement"];
    return (message: string, urn?: string) => {
        const target = fixedUrn ?? urn;
        const r = target ? resources.find((c) => c.urn === target) : undefined;
        out.push({
            policy: policy.name,
            severity: policy.severity ?? "unspecified",
            enforcement: level,
            resource: r ? label(r) : target ? target : "(stack)",
            type: r?.type ?? "",
            message,
            ...(target ? { urn: target } : {}),
        });
    };
}

function resourceArgs(r: CapturedResource, props: Record<string, any>, policy: Policy, opts: HarnessOptions, stackTags: ReadonlyMap<string, string>): ResourceValidationArgs {
    const proxied = unknownCheckingProxy(props);
    return {
        type: r.type,
        props: proxied,
        urn: r.urn,
        name: r.name,
        opts: optionsOf(r),
        stackTags,
        isType: (cls: any) => isTypeOf(r.type, cls),
        asType: (cls: any) => (isTypeOf(r.type, cls) ? (proxied as any) : undefined),
        getConfig: <T extends object>() => policyConfig(policy, opts.config) as T,
        notApplicable: (reason?: string): never => {
            throw new PolicyNotApplicable(reason);
        },
    };
}

async function runGuarded(fn: () => unknown, trace?: (outcome: "applied" | "notApplicable") => void): Promise<void> {
    try {
        await fn();
        trace?.("applied");
    } catch (err) {
        if (err instanceof PolicyNotApplicable) {
            trace?.("notApplicable");
            return;
        }
        throw err;
    }
}

/**
 * Applies the remediations of "remediate"-level policies to each resource's inputs, in pack order,
 * as the CLI does on `pulumi up`. Returns the remediated resources (copies) and what changed.
 */
export async function applyRemediations(resources: CapturedResource[], opts: HarnessOptions = {}): Promise<{ resources: CapturedResource[]; remediations: Remediation[] }> {
    const policies = opts.policies ?? loadAllPolicies();
    const stackTags = stackTagsFor(resources, opts.stackTags);
    const remediations: Remediation[] = [];
    const out: CapturedResource[] = [];
    for (const r of resources) {
        let inputs = unwrapSecrets(r.inputs);
        for (const policy of policies) {
            const p = policy as ResourceValidationPolicy;
            if (isStackPolicy(policy) || !p.remediateResource) continue;
            if (enforcementOf(policy, opts.config, opts.packEnforcementLevel) !== "remediate") continue;
            let result: Record<string, any> | void | undefined;
            await runGuarded(async () => {
                result = await p.remediateResource!(resourceArgs(r, inputs, policy, opts, stackTags));
            });
            if (result) {
                const after = JSON.parse(JSON.stringify(result));
                remediations.push({ policy: policy.name, resource: label(r), before: inputs, after });
                inputs = after;
            }
        }
        out.push(inputs === r.inputs ? r : { ...r, inputs, state: { ...r.state, ...inputs } });
    }
    return { resources: out, remediations };
}

/** Evaluates the policies against captured resources and returns every violation. */
export async function evaluatePolicies(resources: CapturedResource[], opts: HarnessOptions = {}): Promise<Violation[]> {
    const policies = opts.policies ?? loadAllPolicies();
    checkPolicyConfigNames(opts.config, policies);
    let subject = resources;
    if (opts.remediate) subject = (await applyRemediations(resources, opts)).resources;
    const stackTags = stackTagsFor(subject, opts.stackTags);
    const violations: Violation[] = [];
    for (const policy of policies) {
        const enforcement = enforcementOf(policy, opts.config, opts.packEnforcementLevel);
        if (enforcement === "disabled") continue;
        if (isStackPolicy(policy)) {
            const args: StackValidationArgs = {
                resources: toPolicyResources(subject),
                stackTags,
                getConfig: <T extends object>() => policyConfig(policy, opts.config) as T,
                notApplicable: (reason?: string): never => {
                    throw new PolicyNotApplicable(reason);
                },
            };
            await runGuarded(
                () => policy.validateStack(args, reportFor(policy, enforcement, violations, subject)),
                opts.trace && ((outcome) => opts.trace!(policy.name, undefined, outcome)),
            );
            continue;
        }
        const validations = policy.validateResource === undefined ? [] : Array.isArray(policy.validateResource) ? policy.validateResource : [policy.validateResource];
        for (const r of subject) {
            for (const validate of validations) {
                const token = (validate as any).__pulumiType;
                if (typeof token === "string" && token !== r.type) continue;
                const args = resourceArgs(r, unwrapSecrets(r.inputs), policy, opts, stackTags);
                await runGuarded(
                    () => validate(args, reportFor(policy, enforcement, violations, subject, r.urn)),
                    opts.trace && ((outcome) => opts.trace!(policy.name, label(r), outcome)),
                );
            }
        }
    }
    return violations;
}

/**
 * The check a stack must pass: every policy of the pack against what a program registered under
 * mocks (`runShippedStack`, `runProgramDir` or `runUnderMocks`).
 */
export function checkProgram(result: RunResult, opts: HarnessOptions = {}): Promise<Violation[]> {
    return evaluatePolicies(result.resources, opts);
}

/** Violations that block a deployment. */
export function mandatoryViolations(violations: Violation[]): Violation[] {
    return violations.filter((v) => v.enforcement === "mandatory");
}
