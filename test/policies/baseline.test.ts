import { strict as assert } from "assert";
import { ALL_POLICIES } from "../../policies/all";
import { evaluatePolicies } from "../../offline/policyHarness";
import { baselineResources } from "./baseline";

describe("policy pack: compliant baseline", () => {
    it("passes every policy of the pack", async () => {
        const violations = await evaluatePolicies(await baselineResources());
        assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });

    it("exercises every policy (each applies to something in the baseline)", async () => {
        const applied = new Set<string>();
        await evaluatePolicies(await baselineResources(), { trace: (policy, _r, outcome) => outcome === "applied" && applied.add(policy) });
        const idle = ALL_POLICIES.map((p) => p.name).filter((n) => !applied.has(n));
        assert.deepEqual(idle, []);
    });

    it("names, describes and rates every policy", () => {
        const names = new Set<string>();
        for (const p of ALL_POLICIES) {
            assert.match(p.name, /^clickstream-[a-z0-9]+-[a-z0-9-]+$/);
            assert.ok(!names.has(p.name), `duplicate ${p.name}`);
            names.add(p.name);
            assert.ok(p.description.length > 20, p.name);
            assert.ok(["low", "medium", "high", "critical"].includes(String(p.severity)), p.name);
            assert.ok(["advisory", "mandatory", "remediate"].includes(String(p.enforcementLevel)), p.name);
            assert.ok((p.remediationSteps ?? "").length > 20, p.name);
            for (const [key, schema] of Object.entries(p.configSchema?.properties ?? {})) {
                assert.notEqual((schema as any).default, undefined, `${p.name}.${key} has no default`);
            }
        }
    });
});
