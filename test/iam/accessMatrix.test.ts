import { strict as assert } from "assert";
import { SHIPPED_STACKS } from "../../offline/programs";
import type { CapturedResource } from "../../offline/runUnderMocks";
import { deepCopy } from "../policies/baseline";
import { cell, evaluateRow, MATRIX, renderAccessMatrix, type RowResult } from "./accessMatrix";
import { documentedMatrix, evaluateMatrixColumns, MATRIX_COLUMNS } from "./accessMatrixDoc";
import { StackIam } from "./stackIam";

/** Evaluates one row of the matrix on a (possibly changed) copy of a stack's resources. */
async function row(resources: CapturedResource[], stack: string, who: string, what: string): Promise<string> {
    const matrixRow = MATRIX.find((r) => r.who === who && r.what === what);
    assert.ok(matrixRow, `${who} ${what}`);
    return cell(await evaluateRow(matrixRow, new StackIam(resources, stack)));
}

/** Rewrites the JSON policy document of the resource named `clickstream-<stack>-<suffix>`. */
function editPolicy(resources: CapturedResource[], stack: string, type: string, suffix: string, change: (doc: any) => void): CapturedResource[] {
    const copy = deepCopy(resources);
    const r = copy.find((x) => x.type === type && x.name === `clickstream-${stack}-${suffix}`)!;
    const doc = JSON.parse(r.inputs.policy);
    change(doc);
    r.inputs.policy = JSON.stringify(doc);
    return copy;
}

describe("IAM access matrix (iam-simulate over the stacks' own policies)", function () {
    this.timeout(180000);
    let results: Record<string, RowResult[]> = {};
    let iam: Record<string, StackIam> = {};
    const resources: Record<string, CapturedResource[]> = {};
    before(async () => {
        ({ results, iam } = await evaluateMatrixColumns());
        for (const stack of SHIPPED_STACKS) resources[stack] = iam[stack].resources;
    });

    for (const { column } of MATRIX_COLUMNS) {
        it(`${column}: every integration AWS documents is allowed, and every forbidden access is denied`, () => {
            const wrong = results[column].flatMap((r) => r.decisions.filter((d) => d.decision !== r.row.expected).map((d) => `${r.row.who} ${r.row.what}: ${d.action} on ${d.resource} is ${d.decision}, expected ${r.row.expected}`));
            assert.deepEqual(wrong, []);
            // A row is skipped only for another ingest mode, or for the data admin where the stack has none.
            const mode = iam[column].ingestMode;
            const skipped = results[column].filter((r) => r.decisions.length === 0).map((r) => r.row);
            const expectedSkips = MATRIX.filter((r) => (r.mode !== undefined && r.mode !== mode) || (iam[column].stack === "dev" && r.who.startsWith("data admin")));
            assert.deepEqual(skipped, expectedSkips);
        });
    }

    it("docs/access-matrix.md is the table of exactly these results (regenerate: npx tsx test/iam/accessMatrixDoc.ts)", () => {
        assert.equal(documentedMatrix(), renderAccessMatrix(results));
    });

    it("notices when a policy changes: no raw-bucket deny lets the analyst in; no KMS statement locks Firehose out", async () => {
        const noDeny = editPolicy(resources.prod, "prod", "aws:s3/bucketPolicy:BucketPolicy", "lake-raw-policy", (doc) => {
            doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "DenyReadsExceptListedPrincipals");
        });
        assert.equal(await row(noDeny, "prod", "analyst with s3:GetObject on * in IAM", "reads a raw object"), "Allowed");
        const noKms = editPolicy(resources.prod, "prod", "aws:iam/rolePolicy:RolePolicy", "lake-firehose-policy", (doc) => {
            doc.Statement = doc.Statement.filter((s: any) => s.Sid !== "EncryptObjectsThroughS3");
        });
        assert.equal(await row(noKms, "prod", "Firehose role (lake)", "encrypts them with SSE-KMS and an S3 Bucket Key (context = bucket ARN)"), "ImplicitlyDenied");
        const anyAccount = editPolicy(resources.prod, "prod", "aws:sns/topicPolicy:TopicPolicy", "alerts-alarms-policy", (doc) => {
            for (const s of doc.Statement) if (s.Sid === "CloudWatchAlarmsPublish") delete s.Condition;
        });
        assert.equal(await row(anyAccount, "prod", "cloudwatch.amazonaws.com (an alarm of another account)", "publishes to the alarm topic (confused deputy)"), "Allowed");
    });
});
