import { strict as assert } from "assert";
import { DEFAULT_RESOURCE_WILDCARD_ACTIONS, wildcardProblems } from "../../policies/rules/iamNoWildcards";
import { baselineResources, mutate, violationsOf } from "./baseline";

const RP = "aws:iam/rolePolicy:RolePolicy";
const cfg = { resourceWildcardActions: DEFAULT_RESOURCE_WILDCARD_ACTIONS, forbidPartialActionWildcards: false };

describe("policies: least privilege", () => {
    describe("clickstream-iam-no-wildcards", () => {
        const P = "clickstream-iam-no-wildcards";
        it("flags `*` and `service:*` actions in a role policy (string document)", async () => {
            const r = mutate(await baselineResources(), RP, "firehose-role-policy", (i) => {
                const doc = JSON.parse(i.policy);
                doc.Statement[0].Action = "s3:*";
                return { ...i, policy: JSON.stringify(doc) };
            });
            const v = await violationsOf(P, r);
            assert.equal(v.length, 1);
            assert.match(v[0].message, /wildcard action\(s\) s3:\*/);
        });
        it("flags data actions on Resource \"*\" but allows the unscopable allowlist", () => {
            const doc = { Statement: [
                { Effect: "Allow", Action: ["xray:PutTraceSegments", "cloudwatch:PutMetricData"], Resource: "*" },
                { Sid: "Data", Effect: "Allow", Action: ["s3:GetObject", "xray:PutTraceSegments"], Resource: ["*"] },
            ] };
            assert.deepEqual(wildcardProblems(doc, cfg), ['statement "Data" allows s3:GetObject on Resource "*"']);
        });
        it("flags NotAction/NotResource allows, ignores Deny statements, and optionally partial wildcards", () => {
            assert.deepEqual(wildcardProblems({ Statement: { Effect: "Allow", NotAction: "iam:*", Resource: "arn:aws:s3:::b" } }, cfg), ["statement 0 allows NotAction (everything except a list)"]);
            assert.deepEqual(wildcardProblems({ Statement: { Effect: "Allow", Action: "s3:GetObject", NotResource: "arn:aws:s3:::b/*" } }, cfg), ["statement 0 allows NotResource (everything except a list)"]);
            const doc = { Statement: [{ Effect: "Deny", Action: "*", Resource: "*" }, { Effect: "Allow", Action: "kms:GenerateDataKey*", Resource: "arn:aws:kms:us-east-1:123456789012:key/k" }] };
            assert.deepEqual(wildcardProblems(doc, cfg), []);
            assert.deepEqual(wildcardProblems(doc, { ...cfg, forbidPartialActionWildcards: true }), ["statement 1 allows wildcard action(s) kms:GenerateDataKey*"]);
            assert.deepEqual(wildcardProblems("not json", cfg), ["the policy document is not valid JSON"]);
        });
        it("checks Role.inlinePolicies and managed aws.iam.Policy documents given as objects", async () => {
            const r = await baselineResources();
            r.push({ type: "aws:iam/policy:Policy", name: "broad", urn: "urn:pulumi:prod::clickstream::aws:iam/policy:Policy::broad", custom: true, inputs: { policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] } }, state: {} });
            mutate(r, "aws:iam/role:Role", "firehose-role", (i) => ({ ...i, inlinePolicies: [{ name: "inline", policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "kinesis:PutRecord", Resource: "*" }] }) }] }));
            const v = await violationsOf(P, r);
            assert.deepEqual(v.map((x) => x.resource).sort(), ["aws:iam/policy:Policy::broad", "aws:iam/role:Role::firehose-role"]);
            assert.match(v.find((x) => x.resource.endsWith("firehose-role"))!.message, /inlinePolicies\[0\] \(inline\): .*kinesis:PutRecord on Resource "\*"/);
        });
    });

    it("clickstream-iam-no-broad-managed-policies flags AdministratorAccess and *FullAccess attachments", async () => {
        const P = "clickstream-iam-no-broad-managed-policies";
        const r = await baselineResources();
        const attach = (name: string, policyArn: string) =>
            r.push({ type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", name, urn: `urn:pulumi:prod::clickstream::aws:iam/rolePolicyAttachment:RolePolicyAttachment::${name}`, custom: true, inputs: { role: "r", policyArn }, state: {} });
        attach("admin", "arn:aws:iam::aws:policy/AdministratorAccess");
        attach("s3full", "arn:aws:iam::aws:policy/AmazonS3FullAccess");
        attach("basic", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole");
        const v = await violationsOf(P, r);
        assert.deepEqual(v.map((x) => x.resource.split("::")[1]).sort(), ["admin", "s3full"]);
    });
});
