/**
 * The CrossGuard policy pack: `pulumi preview --policy-pack policies` (run from the project root)
 * or `pulumi policy publish` (run in this directory). Creating the PolicyPack starts the gRPC server
 * the Pulumi CLI talks to, so nothing else may import this module: tests and the offline check use
 * `ALL_POLICIES` from ./all.
 */
import { PolicyPack } from "@pulumi/policy";
import { ALL_POLICIES, POLICY_PACK_NAME } from "./all";

new PolicyPack(POLICY_PACK_NAME, {
    description: "Click-stream pipeline guardrails: encryption at rest with customer-managed keys, TLS-only and private storage, PII pseudonymization and Lake Formation rules, retention, least-privilege IAM.",
    displayName: "Clickstream pipeline security",
    provider: "aws",
    tags: ["aws", "security", "pii", "lakeformation"],
    enforcementLevel: "mandatory",
    policies: ALL_POLICIES,
});
