/**
 * IngestEndpoint composed with FirehoseLake the way the stacks do it (dev: firehose mode; prod:
 * stream mode), checked under mocks against the policy pack. The component itself never
 * imports the lake: it takes the lake's outputs as plain inputs, and this test shows they fit.
 */
import { strict as assert } from "assert";
import { FirehoseLake } from "../../components/lake/firehoseLake";
import { IngestEndpoint } from "../../components/ingest";
import { runUnderMocks } from "../../offline/runUnderMocks";
import { evaluatePolicies, Violation } from "../../offline/policyHarness";

/**
 * Violations this component is responsible for: on its resources, or from the API Gateway and
 * Kinesis policies. (The lake's stack-level catalog and LF-tag rules are met by the stacks, which
 * add governance; they are not this component's to satisfy.)
 */
function ingestViolations(violations: Violation[]): Violation[] {
    return violations.filter((v) => v.urn?.includes("clickstream:ingest:IngestEndpoint") || /^clickstream-(apigateway|kinesis|iam|kms|cloudwatch)/.test(v.policy));
}

describe("IngestEndpoint + FirehoseLake", () => {
    it("dev: firehose mode puts into the lake's delivery stream; no policy violation from the ingest side", async () => {
        const run = await runUnderMocks({
            stack: "dev",
            program: () => {
                const lake = new FirehoseLake("lake", { forceDestroy: true });
                const ingest = new IngestEndpoint("ingest", {
                    mode: "firehose",
                    deliveryStreamName: lake.deliveryStreamName,
                    deliveryStreamArn: lake.deliveryStreamArn,
                });
                return { url: ingest.url, deliveryStreamArn: lake.deliveryStreamArn };
            },
        });
        const policy = JSON.parse(run.resources.find((r) => r.name === "ingest-integration-policy")!.inputs.policy);
        assert.equal(policy.Statement[0].Resource, run.outputs.deliveryStreamArn);
        const delivery = run.resources.find((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")!;
        const body = JSON.parse(run.resources.find((r) => r.type === "aws:apigateway/restApi:RestApi")!.inputs.body);
        assert.match(body.paths["/v1/events"].post["x-amazon-apigateway-integration"].requestTemplates["application/json"], new RegExp(`"DeliveryStreamName":"${delivery.state.name}"`));
        assert.deepEqual(ingestViolations(await evaluatePolicies(run.resources)), []);
    });

    it("prod: stream mode feeds the lake from the ingest stream (with its key); no policy violation from the ingest side", async () => {
        const run = await runUnderMocks({
            stack: "prod",
            program: () => {
                const ingest = new IngestEndpoint("ingest", { mode: "stream", apiKeyNames: ["web"], acceptSegmentWriteKey: true });
                const lake = new FirehoseLake("lake", {
                    source: { kind: "kinesis", streamArn: ingest.streamArn!, streamKmsKeyArn: ingest.streamKmsKeyArn },
                });
                return { streamArn: ingest.streamArn, lakeStream: lake.deliveryStreamArn };
            },
        });
        const delivery = run.resources.find((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream")!;
        assert.equal(delivery.inputs.kinesisSourceConfiguration.kinesisStreamArn, run.outputs.streamArn);
        assert.deepEqual(ingestViolations(await evaluatePolicies(run.resources)), []);
    });
});
