import { strict as assert } from "assert";
import * as path from "path";
import { checkProgram } from "../../offline/policyHarness";
import { PROJECT_ROOT, runProgramDir } from "../../offline/programs";
import type { RunResult } from "../../offline/runUnderMocks";

describe("examples/team-stack (a team imports the components by package name)", function () {
    this.timeout(120_000);
    let run: RunResult;
    before(async () => {
        run = await runProgramDir(path.join(PROJECT_ROOT, "examples", "team-stack"), "dev");
    });

    it("composes the lake, a firehose-mode endpoint and grants, with no analytics", () => {
        const components = run.resources.filter((r) => r.type.startsWith("clickstream:") && r.type !== "clickstream:storage:SecureBucket");
        assert.deepEqual(components.map((r) => `${r.type}::${r.name}`).sort(), [
            "clickstream:audit:AccessAudit::checkout-access-audit",
            "clickstream:governance:LakeFormationGrants::checkout",
            "clickstream:ingest:IngestEndpoint::checkout",
            "clickstream:lake:FirehoseLake::checkout",
        ]);
        assert.equal(run.resources.filter((r) => r.type === "aws:kinesis/stream:Stream").length, 0);
        const firehose = run.resources.find((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")!;
        assert.equal(firehose.inputs.kinesisSourceConfiguration, undefined);
        assert.equal(firehose.inputs.extendedS3Configuration.bufferingInterval, 300);
        assert.equal(firehose.inputs.extendedS3Configuration.bufferingSize, 128);
    });

    it("uses the team's one key everywhere instead of creating more (the PII access audit keeps its own)", () => {
        // The audit log key is separate by design: whoever decrypts lake data must not read the audit record.
        const keys = run.resources.filter((r) => r.type === "aws:kms/key:Key" && r.parent !== "clickstream:audit:AccessAudit::checkout-access-audit");
        assert.deepEqual(keys.map((k) => k.name), ["checkout-key"]);
        const keyArn = keys[0].state.arn;
        for (const group of run.resources.filter((r) => r.type === "aws:cloudwatch/logGroup:LogGroup")) {
            assert.equal(group.inputs.kmsKeyId, keyArn, group.name);
            assert.equal(group.inputs.retentionInDays, 14, group.name);
        }
    });

    it("hands its PII rules to the transform Lambda", () => {
        const fn = run.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name.startsWith("checkout") && r.inputs.environment?.variables?.CLICKSTREAM_TRANSFORM_CONFIG)!;
        const cfg = JSON.parse(fn.inputs.environment.variables.CLICKSTREAM_TRANSFORM_CONFIG);
        assert.ok(cfg.pii.pseudonymize.includes("properties.shipping_email"));
        assert.deepEqual(cfg.pii.drop, ["properties.delivery_note"]);
        assert.equal(cfg.maxEventsPerRequest, 100);
    });

    it("reads its own stack config (the CORS origin) and exports its outputs", () => {
        const api = run.resources.find((r) => r.type === "aws:apigateway/restApi:RestApi")!;
        assert.match(api.inputs.body, /https:\/\/checkout\.example\.com/);
        assert.match(String(run.outputs.ingestUrl), /^https:\/\//);
        assert.ok(run.outputs.lakeBucket);
    });

    it("passes every policy of the pack", async () => {
        assert.deepEqual((await checkProgram(run)).map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });
});
