import { strict as assert } from "assert";
import { iamDataVersion } from "../../policies/lib/iamReference";
import { unknownIamProblems } from "../../policies/rules/iamKnownActions";
import { baselineResources, mutate, violationsOf } from "./baseline";

const P = "clickstream-iam-known-actions";
const RP = "aws:iam/rolePolicy:RolePolicy";
const LAKE = "arn:aws:s3:::lake-bucket";
const KEY = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";

/** The baseline's Firehose role policy with one statement changed. */
async function withFirehoseStatement(change: (statements: any[]) => void) {
    return mutate(await baselineResources(), RP, "firehose-role-policy", (i) => {
        const doc = JSON.parse(i.policy);
        change(doc.Statement);
        return { ...i, policy: JSON.stringify(doc) };
    });
}

describe("policies: clickstream-iam-known-actions (AWS service authorization data)", () => {
    it("uses a dated copy of AWS's reference data", async () => {
        assert.match(await iamDataVersion(), /^0\.\d+\.\d{9}$/);
    });

    it("flags a misspelled action in a role policy of the compliant baseline", async () => {
        const r = await withFirehoseStatement((s) => { s[0].Action = ["s3:PutObjects", "s3:GetBucketLocation"]; });
        const v = await violationsOf(P, r);
        assert.equal(v.length, 1);
        assert.equal(v[0].resource, `${RP}::firehose-role-policy`);
        assert.match(v[0].message, /action "s3:PutObjects" does not exist in s3/);
    });

    it("flags a misspelled condition key, an unknown service and an action pattern that matches nothing", async () => {
        const r = await withFirehoseStatement((s) => {
            s[1].Condition = { StringLike: { "kms:EncryptionContext:aws:s3:arn": `${LAKE}/*` }, StringEquals: { "kms:ViaServices": "s3.us-east-1.amazonaws.com" } };
            s.push({ Effect: "Allow", Action: ["s4:GetObject", "kms:GenerateDataKeys*"], Resource: KEY });
        });
        const messages = (await violationsOf(P, r)).map((v) => v.message).join("\n");
        assert.match(messages, /condition key "kms:ViaServices" does not exist/);
        assert.doesNotMatch(messages, /EncryptionContext/, "kms:EncryptionContext:${EncryptionContextKey} is a pattern key and must match");
        assert.match(messages, /"s4" is not an IAM service prefix/);
        assert.match(messages, /action pattern "kms:GenerateDataKeys\*" matches no kms action/);
    });

    it("flags Allow actions whose resources are of the wrong type, and ARNs of no resource type", async () => {
        const objectsOnBucket = await unknownIamProblems({ Statement: [{ Sid: "Objects", Effect: "Allow", Action: "s3:GetObject", Resource: LAKE }] });
        assert.equal(objectsOnBucket.length, 1);
        assert.match(objectsOnBucket[0], /^statement "Objects": s3:GetObject acts on .*object \(arn:\$\{Partition\}:s3:::\$\{BucketName\}\/\$\{ObjectName\}\), and none of the statement's resources has that shape/);
        // s3:ListBucket takes the bucket ARN: "bucket/*" names objects only.
        assert.equal((await unknownIamProblems({ Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: `${LAKE}/*` }] })).length, 1);
        assert.deepEqual(await unknownIamProblems({ Statement: [{ Effect: "Allow", Action: "s3:ListBucket", Resource: [LAKE, `${LAKE}/*`] }] }), []);
        // A wildcard log-group ARN covers its log streams (IAM matches "*" across ":").
        assert.deepEqual(await unknownIamProblems({ Statement: [{ Effect: "Allow", Action: "logs:PutLogEvents", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*" }] }), []);
        const [problem] = await unknownIamProblems({ Statement: [{ Effect: "Allow", Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:123456789012:keys/k" }] });
        assert.match(problem, /matches no kms resource type \(alias, key\)/);
    });

    it("flags actions without resource-level permissions on a specific ARN, and a service condition key the actions never carry", async () => {
        const [noScope] = await unknownIamProblems({ Statement: [{ Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "arn:aws:logs:us-east-1:123456789012:log-group:*" }] });
        assert.match(noScope, /supports no resource-level permissions/);
        const [unsupported] = await unknownIamProblems({ Statement: [{ Effect: "Allow", Action: "s3:PutObject", Resource: `${LAKE}/*`, Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } } }] });
        assert.match(unsupported, /condition key "kms:ViaService" is not supported by s3:PutObject/);
    });

    it("checks resource policies too: bucket, key and topic policies and role trust policies", async () => {
        const r = await baselineResources();
        mutate(r, "aws:s3/bucketPolicy:BucketPolicy", "raw-policy", (i) => {
            const doc = JSON.parse(i.policy);
            doc.Statement[0].Condition = { Bool: { "aws:SecureTransports": "false" } };
            return { ...i, policy: JSON.stringify(doc) };
        });
        mutate(r, "aws:iam/role:Role", "firehose-role", (i) => {
            const doc = JSON.parse(i.assumeRolePolicy);
            doc.Statement[0].Action = "sts:AssumeRoles";
            return { ...i, assumeRolePolicy: JSON.stringify(doc) };
        });
        const v = await violationsOf(P, r);
        assert.deepEqual(v.map((x) => x.resource).sort(), ["aws:iam/role:Role::firehose-role", "aws:s3/bucketPolicy:BucketPolicy::raw-policy"]);
        assert.match(v.find((x) => x.resource.endsWith("raw-policy"))!.message, /condition key "aws:SecureTransports" does not exist/);
        assert.match(v.find((x) => x.resource.endsWith("firehose-role"))!.message, /assumeRolePolicy: .*"sts:AssumeRoles" does not exist/);
    });
});
