import { strict as assert } from "assert";
import { sortViolations } from "../../cli/policyCheck";
import { checkProgram, mandatoryViolations } from "../../offline/policyHarness";
import type { RunResult } from "../../offline/runUnderMocks";
import { insecureExampleRun } from "../support/insecureExample";

/** Exactly what the pack must say about examples/insecure: (policy, resource) pairs. */
const EXPECTED = [
    ["clickstream-s3-bucket-sse-kms", "aws:s3/bucket:Bucket::events"],
    ["clickstream-s3-tls-only", "aws:s3/bucket:Bucket::events"],
    ["clickstream-s3-public-access-block", "aws:s3/bucket:Bucket::events"],
    ["clickstream-firehose-sse-cmk", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::events"],
    ["clickstream-firehose-s3-destination-kms", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::events"],
    ["clickstream-firehose-pii-transform", "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream::events"],
    ["clickstream-iam-no-wildcards", "aws:iam/rolePolicy:RolePolicy::firehose-policy"],
    ["clickstream-cloudwatch-log-group-retention", "aws:cloudwatch/logGroup:LogGroup::app-logs"],
    ["clickstream-cloudwatch-log-group-kms", "aws:cloudwatch/logGroup:LogGroup::app-logs"],
    ["clickstream-glue-catalog-encryption", "(stack)"],
    ["clickstream-glue-pii-columns-tagged", "aws:glue/catalogTable:CatalogTable::events"],
    ["clickstream-lakeformation-no-pii-to-analysts", "aws:lakeformation/permissions:Permissions::analyst-grant"],
    // The Firehose destination holds click events (PII) and nobody records who reads it.
    ["clickstream-s3-pii-access-audited", "aws:s3/bucket:Bucket::events"],
].map(([p, r]) => `${p} ${r}`);

describe("examples/insecure: the careless program", () => {
    let result: RunResult;
    before(async () => {
        result = await insecureExampleRun();
    });

    it("is flagged with exactly the expected violations, all mandatory", async () => {
        const violations = await checkProgram(result);
        assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}`).sort(), [...EXPECTED].sort());
        assert.equal(mandatoryViolations(violations).length, EXPECTED.length);
    });

    it("names the PII columns and the wildcard in the messages", async () => {
        const violations = sortViolations(await checkProgram(result));
        const message = (policy: string) => violations.find((v) => v.policy === policy)!.message;
        assert.match(message("clickstream-lakeformation-no-pii-to-analysts"), /user_id, email/);
        assert.match(message("clickstream-glue-pii-columns-tagged"), /user_id, email/);
        assert.match(message("clickstream-iam-no-wildcards"), /s3:\*/);
        // most serious first: mandatory criticals lead the report
        assert.equal(violations[0].severity, "critical");
    });

    it("reports nothing once exactly those policies are disabled (policy config reaches the harness)", async () => {
        const config = Object.fromEntries(EXPECTED.map((e) => [e.split(" ")[0], "disabled" as const]));
        assert.deepEqual(await checkProgram(result, { config }), []);
    });
});
