import { strict as assert } from "assert";
import { CapturedResource } from "../../offline/runUnderMocks";
import { baselineResources, mutate, violationsOf, without } from "./baseline";

const P = "clickstream-s3-pii-access-audited";
const TRAIL = "aws:cloudtrail/trail:Trail";
const TRAIL_NAME = "pii-reads-trail";

/** The baseline with the audit trail's field selectors changed. */
async function withSelectors(change: (fields: any[]) => any[]): Promise<CapturedResource[]> {
    return mutate(await baselineResources(), TRAIL, TRAIL_NAME, (i) => ({
        ...i,
        advancedEventSelectors: [{ ...i.advancedEventSelectors[0], fieldSelectors: change(i.advancedEventSelectors[0].fieldSelectors) }],
    }));
}
const flagged = async (r: CapturedResource[], opts = {}) => (await violationsOf(P, r, opts)).map((v) => v.resource.split("::")[1]).sort();

describe("policies: clickstream-s3-pii-access-audited", () => {
    it("flags both PII buckets when the trail is gone, and says why it matters", async () => {
        const v = await violationsOf(P, without(await baselineResources(), TRAIL, TRAIL_NAME));
        assert.deepEqual(v.map((x) => x.resource.split("::")[1]).sort(), ["lake", "raw"]);
        assert.match(v[0].message, /holds personal data but no CloudTrail trail of this stack records its object reads/);
    });

    it("flags a selector that records only writes, only another bucket, only a key prefix, or excludes the bucket", async () => {
        const setField = (name: string, value: Record<string, unknown>) => (fields: any[]) => fields.map((f) => (f.field === name ? { field: name, ...value } : f));
        assert.deepEqual(await flagged(await withSelectors(setField("readOnly", { equals: ["false"] }))), ["lake", "raw"]);
        const [lakeArn, rawArn] = (await baselineResources()).filter((r) => r.type === "aws:s3/bucket:Bucket" && ["lake", "raw"].includes(r.name)).map((r) => r.state.arn);
        assert.deepEqual(await flagged(await withSelectors(setField("resources.ARN", { startsWiths: [`${lakeArn}/`] }))), ["raw"]);
        assert.deepEqual(await flagged(await withSelectors(setField("resources.ARN", { startsWiths: [`${lakeArn}/events/`, `${rawArn}/`] }))), ["lake"]);
        assert.deepEqual(await flagged(await withSelectors((f) => [...f.filter((x) => x.field !== "resources.ARN"), { field: "resources.ARN", notStartsWiths: [`${rawArn}/`] }])), ["raw"]);
        assert.deepEqual(await flagged(await withSelectors((f) => f.filter((x) => x.field !== "eventCategory"))), ["lake", "raw"]);
        // No ARN filter at all records every bucket's object reads: accepted.
        assert.deepEqual(await flagged(await withSelectors((f) => f.filter((x) => x.field !== "resources.ARN"))), []);
    });

    it("flags a trail that is off, unencrypted, unvalidated or writing to a bucket without expiry", async () => {
        const trailWith = async (change: Record<string, unknown>) => mutate(await baselineResources(), TRAIL, TRAIL_NAME, (i) => ({ ...i, ...change }));
        assert.deepEqual(await flagged(await trailWith({ enableLogging: false })), ["lake", "raw"]);
        const unencrypted = await violationsOf(P, mutate(await baselineResources(), TRAIL, TRAIL_NAME, (i) => { const { kmsKeyId: _k, ...rest } = i; return rest; }));
        assert.match(unencrypted[0].message, /does not encrypt its log files with a customer-managed key/);
        assert.match((await violationsOf(P, await trailWith({ enableLogFileValidation: false })))[0].message, /no log file validation/);
        const noExpiry = without(await baselineResources(), "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "pii-reads-logs-lifecycle");
        assert.match((await violationsOf(P, noExpiry))[0].message, /no lifecycle rule expiring log files/);
    });

    it("accepts legacy event selectors that cover the buckets' objects", async () => {
        const r = mutate(await baselineResources(), TRAIL, TRAIL_NAME, (i) => {
            const { advancedEventSelectors: _a, ...rest } = i;
            return { ...rest, eventSelectors: [{ readWriteType: "ReadOnly", includeManagementEvents: false, dataResources: [{ type: "AWS::S3::Object", values: ["arn:aws:s3"] }] }] };
        });
        assert.deepEqual(await flagged(r), []);
        const writesOnly = mutate(r, TRAIL, TRAIL_NAME, (i) => ({ ...i, eventSelectors: [{ ...i.eventSelectors[0], readWriteType: "WriteOnly" }] }));
        assert.deepEqual(await flagged(writesOnly), ["lake", "raw"]);
    });

    it("finds PII buckets by tag, raw name or Firehose destination; honours managedOutsideStack and acceptServerAccessLogs", async () => {
        const base = without(await baselineResources(), TRAIL, TRAIL_NAME);
        // Untag the lake bucket: it is still the Firehose destination, so still PII.
        const untagged = mutate(base, "aws:s3/bucket:Bucket", "lake", (i) => ({ ...i, tags: {} }));
        assert.deepEqual(await flagged(untagged), ["lake", "raw"]);
        assert.deepEqual(await flagged(untagged, { config: { [P]: { firehoseDestinationsHoldPii: false } } }), ["raw"]);
        assert.deepEqual(await flagged(base, { config: { [P]: { managedOutsideStack: true } } }), []);
        const raw = base.find((r) => r.type === "aws:s3/bucket:Bucket" && r.name === "raw")!;
        base.push({ type: "aws:s3/bucketLogging:BucketLogging", name: "raw-logging", urn: "urn:pulumi:prod::clickstream::aws:s3/bucketLogging:BucketLogging::raw-logging", custom: true, inputs: { bucket: raw.state.bucket, targetBucket: "access-logs", targetPrefix: "raw/" }, state: { bucket: raw.state.bucket, targetBucket: "access-logs", targetPrefix: "raw/" } });
        assert.deepEqual(await flagged(base), ["lake", "raw"]);
        assert.deepEqual(await flagged(base, { config: { [P]: { acceptServerAccessLogs: true } } }), ["lake"]);
    });
});
