import { strict as assert } from "assert";
import { FirehoseClient, PutRecordBatchCommand } from "@aws-sdk/client-firehose";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { mockClient } from "aws-sdk-client-mock";
import { EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP } from "../../dataplane/analytics/spec";
import { clearPiiKeyCache } from "../../dataplane/transform";
import { kinesisRecord } from "./helpers";

describe("handlers/window (the deployed entry point, AWS SDK mocked)", () => {
    let firehose: ReturnType<typeof mockClient>;
    let secrets: ReturnType<typeof mockClient>;
    const saved = { ...process.env };
    before(() => {
        firehose = mockClient(FirehoseClient);
        secrets = mockClient(SecretsManagerClient);
        Object.assign(process.env, {
            CLICKSTREAM_WINDOW_SPECS: JSON.stringify([PURCHASE_PRICE_BY_GROUP, EVENTS_PER_MINUTE_BY_TYPE]),
            CLICKSTREAM_METRIC_NAMESPACE: "Clickstream/test",
            CLICKSTREAM_AGGREGATES_STREAM: "aggregates-stream",
            CLICKSTREAM_PII_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:pii-AbCdEf",
            AWS_REGION: "us-east-1",
        });
        clearPiiKeyCache();
        secrets.on(GetSecretValueCommand).resolves({ SecretString: "a-pseudonymization-key-of-32-bytes!" });
        firehose.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
    });
    after(() => { process.env = saved; firehose.restore(); secrets.restore(); clearPiiKeyCache(); });

    it("normalizes with the lake key, keeps state between invokes, and on the final invoke sends rows to Firehose and prints EMF", async () => {
        const { handler } = await import("../../dataplane/handlers/window");
        const window = { start: "2026-11-26T16:00:00Z", end: "2026-11-26T16:01:00Z" };
        const envelope = (events: unknown[], i: number) => ({ v: 1, receivedAt: Date.parse("2026-11-26T16:00:05Z"), sourceIp: "198.51.100.7", userAgent: "curl/8", path: "/v1/events", requestId: `r${i}`, body: { events } });
        const purchase = (id: string, group: string, price: number) => ({ eventId: id, type: "track", name: "purchase", anonymousId: `anon-${id}`, properties: { user_group: group, price } });
        const first = await handler({
            Records: [kinesisRecord(envelope([purchase("a", "gold", 10), purchase("b", "gold", 20)], 1), 1)], window, state: {}, shardId: "shardId-000000000007",
            isFinalInvokeForWindow: false, isWindowTerminatedEarly: false,
        });
        assert.deepEqual(first.batchItemFailures, []);
        assert.equal(firehose.commandCalls(PutRecordBatchCommand).length, 0, "nothing is emitted before the window closes");
        const printed: string[] = [];
        const write = process.stdout.write.bind(process.stdout);
        (process.stdout as any).write = (chunk: string) => { printed.push(String(chunk)); return true; };
        let final;
        try {
            final = await handler({ Records: [], window, state: JSON.parse(JSON.stringify(first.state)), shardId: "shardId-000000000007", isFinalInvokeForWindow: true, isWindowTerminatedEarly: false });
        } finally {
            (process.stdout as any).write = write;
        }
        assert.deepEqual(final.state, {});
        const calls = firehose.commandCalls(PutRecordBatchCommand);
        assert.equal(calls.length, 1);
        assert.equal(calls[0].args[0].input.DeliveryStreamName, "aggregates-stream");
        const rows = calls[0].args[0].input.Records!.map((r) => JSON.parse(Buffer.from(r.Data!).toString()));
        const gold = rows.find((r) => r.spec === "purchase_price_by_group")!;
        assert.deepEqual(gold.metric_values, { avg_price: 15, count: 2 });
        assert.equal(gold.shard_id, "shardId-000000000007");
        const emf = printed.flatMap((p) => p.split("\n")).filter((l) => l.startsWith("{\"_aws\"")).map((l) => JSON.parse(l));
        const goldDoc = emf.find((d) => d.user_group === "gold");
        assert.equal(goldDoc.purchase_price_by_group_avg_price, 15);
        assert.equal(goldDoc._aws.CloudWatchMetrics[0].Namespace, "Clickstream/test");
        assert.equal(secrets.commandCalls(GetSecretValueCommand).length, 1, "the PII key is loaded once and cached");
    });
});
