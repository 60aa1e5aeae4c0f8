import { strict as assert } from "assert";
import { baselineResources, mutate, violationsOf } from "./baseline";

const SCHEDULE = "aws:scheduler/schedule:Schedule";
const MACHINE = "aws:sfn/stateMachine:StateMachine";

async function only(policy: string, resources: Parameters<typeof violationsOf>[1]) {
    return (await violationsOf(policy, resources)).map((v) => `${v.resource}: ${v.message}`);
}

describe("policies: scheduled runs (EventBridge Scheduler, Step Functions)", () => {
    describe("clickstream-scheduler-dead-letter", () => {
        const P = "clickstream-scheduler-dead-letter";
        it("passes the baseline's schedule", async () => {
            assert.deepEqual(await only(P, await baselineResources()), []);
        });
        it("flags a schedule without a dead-letter queue", async () => {
            const r = mutate(await baselineResources(), SCHEDULE, "daily", (i) => { delete i.target.deadLetterConfig; return i; });
            assert.deepEqual(await only(P, r), [`${SCHEDULE}::daily: target.deadLetterConfig is not set: an invocation that cannot reach its target is dropped after the retries, without a trace.`]);
        });
        it("flags a retry policy of zero attempts", async () => {
            const r = mutate(await baselineResources(), SCHEDULE, "daily", (i) => ({ ...i, target: { ...i.target, retryPolicy: { maximumRetryAttempts: 0 } } }));
            assert.match((await only(P, r))[0], /maximumRetryAttempts is 0/);
        });
    });

    describe("clickstream-sfn-logging", () => {
        const P = "clickstream-sfn-logging";
        it("flags a state machine without logging", async () => {
            const r = mutate(await baselineResources(), MACHINE, "runner", (i) => { delete i.loggingConfiguration; return i; });
            assert.deepEqual(await only(P, r), [`${MACHINE}::runner: loggingConfiguration.level is OFF: failed executions leave no log to alarm on or read after the console's history expires.`]);
        });
        it("flags a level without a destination", async () => {
            const r = mutate(await baselineResources(), MACHINE, "runner", (i) => ({ ...i, loggingConfiguration: { level: "ALL" } }));
            assert.match((await only(P, r))[0], /level is ALL but logDestination is not set/);
        });
    });

    describe("clickstream-sfn-encryption", () => {
        const P = "clickstream-sfn-encryption";
        it("flags the AWS-owned key (the default)", async () => {
            const r = mutate(await baselineResources(), MACHINE, "runner", (i) => { delete i.encryptionConfiguration; return i; });
            assert.match((await only(P, r))[0], /encryptionConfiguration\.type is unset \(AWS_OWNED_KEY\); use CUSTOMER_MANAGED_KMS_KEY/);
        });
        it("flags an AWS-managed alias in place of a customer-managed key", async () => {
            const r = mutate(await baselineResources(), MACHINE, "runner", (i) => ({ ...i, encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: "alias/aws/states" } }));
            assert.match((await only(P, r))[0], /kmsKeyId is alias\/aws\/states/);
        });
    });
});
