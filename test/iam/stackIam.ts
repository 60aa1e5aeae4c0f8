/**
 * The IAM picture of a program run under mocks: each role's identity policies, and the resource
 * policy AWS would consult for a resource ARN (bucket policy for a bucket or object, key policy,
 * topic policy, the Lambda function policy that aws.lambda.Permission resources add up to).
 */
import { documentsIn } from "../../policies/lib/iamDocument";
import type { CapturedResource, RunResult } from "../../offline/runUnderMocks";

export interface RoleIam {
    arn: string;
    policies: { name: string; policy: unknown }[];
}

const parse = (doc: unknown) => (typeof doc === "string" ? JSON.parse(doc) : doc);

export class StackIam {
    constructor(readonly resources: CapturedResource[], readonly stack: string) {}

    static of(result: RunResult, stack: string): StackIam {
        return new StackIam(result.resources, stack);
    }

    /** "stream" when the API writes to a Kinesis stream (dev, prod), "firehose" when it writes to Firehose directly. */
    get ingestMode(): "stream" | "firehose" {
        return this.resources.some((r) => r.type === "aws:kinesis/stream:Stream") ? "stream" : "firehose";
    }

    /** The resource of a type whose logical name is `clickstream-<stack>-<suffix>`. */
    find(type: string, suffix: string): CapturedResource {
        const name = `clickstream-${this.stack}-${suffix}`;
        const found = this.resources.find((r) => r.type === type && r.name === name);
        if (!found) throw new Error(`No ${type} named ${name} in stack ${this.stack}`);
        return found;
    }

    arn(type: string, suffix: string): string {
        return String(this.find(type, suffix).state.arn);
    }

    /** A role with every identity policy the stack attaches to it (inline RolePolicy resources and Role.inlinePolicies). */
    role(suffix: string): RoleIam {
        const role = this.find("aws:iam/role:Role", suffix);
        const attached = this.resources
            .filter((r) => r.type === "aws:iam/rolePolicy:RolePolicy" && (r.inputs.role === role.id || r.inputs.role === role.state.name))
            .map((r) => ({ name: r.name, policy: parse(r.inputs.policy) }));
        const inline = documentsIn(role.type, role.inputs).filter((d) => d.kind === "identity").map((d) => ({ name: `${role.name} ${d.where}`, policy: parse(d.doc) }));
        if (attached.length + inline.length === 0) throw new Error(`Role ${role.name} has no identity policy in stack ${this.stack}`);
        return { arn: String(role.state.arn), policies: [...attached, ...inline] };
    }

    /** The resource policy AWS evaluates for a request on `arn`, if the stack defines one. */
    resourcePolicyFor(arn: string): unknown | undefined {
        const s3 = /^arn:aws:s3:::([^/]+)/.exec(arn);
        if (s3) return parse(this.resources.find((r) => r.type === "aws:s3/bucketPolicy:BucketPolicy" && r.inputs.bucket === s3[1])?.inputs.policy);
        if (arn.includes(":kms:")) {
            const key = this.resources.find((r) => r.type === "aws:kms/key:Key" && r.state.arn === arn);
            if (!key) return undefined;
            // A key created without a policy gets AWS's default key policy: the account, i.e. IAM, decides
            // (KMS developer guide, "Default key policy").
            return key.inputs.policy !== undefined ? parse(key.inputs.policy) : {
                Version: "2012-10-17",
                Statement: [{ Sid: "Enable IAM User Permissions", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${arn.split(":")[4]}:root` }, Action: "kms:*", Resource: "*" }],
            };
        }
        if (arn.includes(":sns:")) return parse(this.resources.find((r) => r.type === "aws:sns/topicPolicy:TopicPolicy" && r.inputs.arn === arn)?.inputs.policy);
        const fn = /^(arn:aws:lambda:[^:]+:\d+:function:[^:]+)/.exec(arn)?.[1];
        if (fn) {
            const fnResource = this.resources.find((r) => r.type === "aws:lambda/function:Function" && r.state.arn === fn);
            const permissions = this.resources.filter((r) => r.type === "aws:lambda/permission:Permission" && [fn, fnResource?.state.name, fnResource?.id].includes(r.inputs.function));
            if (permissions.length === 0) return undefined;
            // What lambda:AddPermission stores in the function policy (Lambda developer guide, "Viewing resource-based IAM policies").
            return {
                Version: "2012-10-17",
                Statement: permissions.map((p) => ({
                    Sid: p.name,
                    Effect: "Allow",
                    Principal: { Service: p.inputs.principal },
                    Action: p.inputs.action,
                    Resource: fn,
                    ...(p.inputs.sourceArn ? { Condition: { ArnLike: { "AWS:SourceArn": p.inputs.sourceArn } } } : {}),
                })),
            };
        }
        return undefined;
    }
}
