/**
 * One request through a real IAM policy simulator, @cloud-copilot/iam-simulate (AGPL-3.0: a
 * devDependency, used only here in the tests; nothing in the shipped library or pack imports it).
 * It evaluates identity policies, resource policies and KMS key policies with AWS's rules (explicit
 * deny, same- vs cross-account, key policies that delegate to IAM) and validates each request:
 * the action exists, the resource has a type the action takes, the context keys apply.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";

export type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

export interface AccessRequest {
    /** Role ARN, an assumed-role session ARN, or a service principal ("cloudwatch.amazonaws.com"). */
    principal: string;
    action: string;
    resource: string;
    /** Account that owns the resource. */
    resourceAccount: string;
    context: Record<string, string | string[]>;
    identityPolicies: { name: string; policy: unknown }[];
    resourcePolicy?: unknown;
}

/** iam-simulate 0.1.x matches a variable context key only after a "/" (aws:PrincipalTag/x), so it drops `kms:EncryptionContext:<key>`. */
const PATTERN_KEYS_THE_SIMULATOR_DROPS = /^kms:EncryptionContext:/i;

export async function simulate(req: AccessRequest): Promise<Decision> {
    const simulation: Simulation = {
        request: { principal: req.principal, action: req.action, resource: { resource: req.resource, accountId: req.resourceAccount }, contextVariables: req.context },
        identityPolicies: req.identityPolicies,
        serviceControlPolicies: [],
        resourceControlPolicies: [],
        resourcePolicy: req.resourcePolicy,
    };
    const result = await runSimulation(simulation, {});
    if (result.resultType === "error") throw new Error(`${req.action} on ${req.resource}: the simulator rejected the request: ${JSON.stringify(result.errors)}`);
    if (result.resultType !== "single") throw new Error(`${req.action} on ${req.resource}: expected one resource, got a wildcard result`);
    const ignored = result.result.ignoredContextKeys ?? [];
    const wrong = ignored.filter((k) => !PATTERN_KEYS_THE_SIMULATOR_DROPS.test(k));
    if (wrong.length > 0) throw new Error(`${req.action} on ${req.resource}: context keys ${wrong.join(", ")} do not apply to this request; fix the test case`);
    if (ignored.length === 0) return result.overallResult;
    // The request passed validation above; evaluate it again with every context key. The resource
    // policy goes in pre-validated with a name, which the unsafe entry point needs to report on it.
    const unsafe = runUnsafeSimulation({
        ...simulation,
        resourcePolicy: req.resourcePolicy === undefined ? undefined : { __validated: true, policyDocument: req.resourcePolicy, metadata: { name: "resource policy" }, errors: [] },
    }, {});
    return unsafe as Decision;
}
