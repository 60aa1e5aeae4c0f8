/**
 * The cost model against hand-computed figures: one case per service term, each built from only the
 * resources and inputs that term reads, at 100 events/s sent 10 per request (10 requests/s,
 * 26,280,000 requests in a 730-hour month).
 */
import { strict as assert } from "assert";
import { loadAssumptions } from "../../cost/assumptions";
import { CostReport, estimateCost } from "../../cost/model";
import { PriceBook } from "../../cost/prices";
import { envelopeOverheadBytes, TrafficInput } from "../../cost/traffic";
import { accessLogLineBytes } from "../../cost/services/cloudwatch";
import { cloudFrontWafCost, CONTAINER_COLLECTOR, containerCollectorCost, functionUrlCollectorCost } from "../../cost/alternatives";
import { ENV_WINDOW_SPECS } from "../../dataplane/analytics/env";
import { GIB, res, SECONDS } from "./fixtures";

const a = loadAssumptions();
const prices = PriceBook.load();
const OVERHEAD = envelopeOverheadBytes(a);
const base: TrafficInput = { eventsPerSecond: 100, eventsPerRequest: 10, eventBytes: 500, queriesPerDay: 0 };
const REQUESTS = 10 * SECONDS; // 26,280,000
const RECORD = 10 * 500 + a.batchWrapperBytes + OVERHEAD;

function line(report: CostReport, service: string, item: RegExp) {
    const found = report.lines.filter((l) => l.service === service && item.test(l.item));
    assert.equal(found.length, 1, `expected one ${service} line matching ${item}, got ${JSON.stringify(report.lines.map((l) => `${l.service}: ${l.item}`))}`);
    return found[0];
}

function close(actual: number, expected: number, what: string) {
    assert.ok(Math.abs(actual - expected) <= Math.max(1e-4, Math.abs(expected) * 1e-6), `${what}: ${actual} != ${expected}`);
}

const restApi = () => res("aws:apigateway/restApi:RestApi", "api", { body: "{}" });
const restStage = (extra: Record<string, any> = {}) => res("aws:apigateway/stage:Stage", "stage", { restApi: "api", stageName: "live", ...extra });
const kinesisStream = (inputs: Record<string, any>) => res("aws:kinesis/stream:Stream", "stream", { encryptionType: "KMS", retentionPeriod: 24, ...inputs });
const fromStream = (extra: Record<string, any> = {}) => res("aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "delivery", {
    kinesisSourceConfiguration: { kinesisStreamArn: "arn:test:stream:stream" },
    extendedS3Configuration: { bucketArn: "arn:test:bucket:lake", bufferingInterval: 60, bufferingSize: 64, ...extra },
});

describe("cost model: hand-computed terms", () => {
    it("the envelope overhead is the representative envelope's JSON around the body", () => {
        assert.ok(OVERHEAD > 200 && OVERHEAD < 400, `overhead ${OVERHEAD}`);
        const r = estimateCost([], base);
        assert.match(r.assumptions.join("\n"), new RegExp(`${RECORD}-byte records`));
    });

    it("API Gateway REST: $3.50 per million requests, tiered above 333 million", () => {
        const r = estimateCost([restApi()], base);
        close(line(r, "API Gateway", /REST API requests/).usd, (REQUESTS / 1e6) * 3.5, "REST requests");
        close(prices.cost("apigateway.rest.requests", 400e6), 333 * 3.5 + 67 * 2.8, "REST tiers at 400M");
    });

    it("API Gateway HTTP: $1.00 per million, each request metered in 512 KB increments", () => {
        const http = res("aws:apigatewayv2/api:Api", "http", { protocolType: "HTTP" });
        close(line(estimateCost([http], base), "API Gateway", /HTTP API requests \(1 x/).usd, REQUESTS / 1e6, "HTTP requests");
        // 500 events of 1,100 bytes: a 550 KB body counts as two requests.
        const big = estimateCost([http], { ...base, eventsPerRequest: 500, eventBytes: 1100 });
        const requests = (100 / 500) * SECONDS;
        close(line(big, "API Gateway", /HTTP API requests \(2 x/).usd, ((requests * 2) / 1e6) * 1.0, "HTTP 2 increments");
        close(prices.cost("apigateway.http.requests", 400e6), 300 * 1.0 + 100 * 0.9, "HTTP tiers at 400M");
    });

    it("WAF: $5 per ACL, $1 per rule, $0.60 per million requests of the associated stage", () => {
        const acl = res("aws:wafv2/webAcl:WebAcl", "acl", { rules: [{}, {}, {}] });
        const assoc = res("aws:wafv2/webAclAssociation:WebAclAssociation", "assoc", { resourceArn: "arn:test:stage:stage", webAclArn: "arn:test:webAcl:acl" });
        const r = estimateCost([restApi(), restStage(), acl, assoc], base);
        close(line(r, "WAF", /web ACL/).usd, 5, "ACL");
        close(line(r, "WAF", /rules/).usd, 3, "rules");
        close(line(r, "WAF", /requests inspected/).usd, (REQUESTS / 1e6) * 0.6, "requests");
        // Not associated: the ACL and its rules still cost, no requests are inspected.
        const idle = estimateCost([restApi(), acl], base);
        assert.equal(idle.lines.filter((l) => l.service === "WAF").length, 2);
    });

    it("Kinesis on-demand: stream-hours, data in rounded to 1 KB per record, data out per consumer, extended retention", () => {
        const r = estimateCost([kinesisStream({ streamModeDetails: { streamMode: "ON_DEMAND" }, retentionPeriod: 48 }), fromStream()], base);
        close(line(r, "Kinesis", /stream-hours/).usd, 730 * 0.04, "stream-hours");
        close(line(r, "Kinesis", /data in/).usd, ((REQUESTS * Math.ceil(RECORD / 1024) * 1024) / GIB) * 0.08, "data in");
        close(line(r, "Kinesis", /data out \(1 consumer\)/).usd, ((REQUESTS * RECORD) / GIB) * 0.04, "data out");
        close(line(r, "Kinesis", /extended retention/).usd, ((REQUESTS * RECORD) / GIB / 730) * 24 * 0.1, "extended retention");
    });

    it("Kinesis provisioned: shard-hours, 25 KB PUT payload units, extended retention and enhanced fan-out per shard-hour", () => {
        const efo = res("aws:kinesis/streamConsumer:StreamConsumer", "efo", { streamArn: "arn:test:stream:stream" });
        const r = estimateCost([kinesisStream({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 2, retentionPeriod: 48 }), efo], base);
        close(line(r, "Kinesis", /shard-hours \(2 shards\)/).usd, 2 * 730 * 0.015, "shard-hours");
        close(line(r, "Kinesis", /PUT payload units/).usd, (REQUESTS / 1e6) * 0.014, "PUT units (one per record under 25 KB)");
        close(line(r, "Kinesis", /extended retention/).usd, 2 * 730 * 0.02, "extended retention");
        close(line(r, "Kinesis", /fan-out consumer-shard-hours/).usd, 1 * 2 * 730 * 0.015, "EFO hours");
        close(line(r, "Kinesis", /fan-out reads/).usd, ((REQUESTS * RECORD) / GIB) * 0.013, "EFO reads");
        // 30 KB records take two payload units each.
        const big = estimateCost([kinesisStream({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 2 })], { ...base, eventBytes: 3000 });
        close(line(big, "Kinesis", /PUT payload units/).usd, ((REQUESTS * 2) / 1e6) * 0.014, "two payload units");
    });

    it("Kinesis provisioned: says when the shards cannot take the traffic", () => {
        const r = estimateCost([kinesisStream({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 1 })], { ...base, eventsPerSecond: 20_000 });
        assert.match(r.assumptions.join("\n"), /1 provisioned shard\(s\).*needs 11\. Writes beyond that are throttled/);
    });

    it("Firehose: every record rounded up to 5 KB, with a Kinesis source too; format conversion on the same volume; dynamic partitioning", () => {
        const r = estimateCost([kinesisStream({}), fromStream({ dataFormatConversionConfiguration: { enabled: true }, dynamicPartitioningConfiguration: { enabled: true } })], base);
        const billedGb = (REQUESTS * 10240) / GIB; // a 5.3 KB record is billed as 10 KB
        close(line(r, "Firehose", /ingestion \(Kinesis source/).usd, billedGb * 0.029, "ingestion");
        close(line(r, "Firehose", /format conversion/).usd, billedGb * 0.018, "conversion");
        close(line(r, "Firehose", /^dynamic partitioning$/).usd, ((REQUESTS * RECORD) / GIB) * 0.02, "dynamic partitioning GB");
        close(line(r, "Firehose", /dynamic partitioning objects/).usd, (SECONDS / 60 / 1000) * 0.005, "dynamic partitioning objects");
    });

    it("Firehose rounding: a record just under 5 KB costs half of one just over it", () => {
        const cost = (eventBytes: number) => line(estimateCost([kinesisStream({}), fromStream()], { ...base, eventBytes }), "Firehose", /ingestion/).usd;
        const under = Math.floor((5120 - a.batchWrapperBytes - OVERHEAD) / 10);
        close(cost(under), ((REQUESTS * 5120) / GIB) * 0.029, "just under 5 KB");
        close(cost(under + 1), ((REQUESTS * 10240) / GIB) * 0.029, "just over 5 KB");
    });

    it("batching: 10 events per request cuts the per-request and per-record terms tenfold", () => {
        const resources = [restApi(), kinesisStream({ streamModeDetails: { streamMode: "PROVISIONED" }, shardCount: 4 }), fromStream()];
        const single = estimateCost(resources, { ...base, eventsPerRequest: 1, eventBytes: 400 });
        const ten = estimateCost(resources, { ...base, eventsPerRequest: 10, eventBytes: 400 });
        close(line(single, "API Gateway", /REST/).usd, line(ten, "API Gateway", /REST/).usd * 10, "API requests");
        close(line(single, "Kinesis", /PUT payload/).usd, line(ten, "Kinesis", /PUT payload/).usd * 10, "PUT units");
        // 743-byte and 4,343-byte records are both billed as 5 KB by Firehose: ten times the records, ten times the bill.
        close(line(single, "Firehose", /ingestion/).usd, line(ten, "Firehose", /ingestion/).usd * 10, "Firehose ingestion");
    });

    it("Lambda: requests and GB-seconds of the Firehose processor from the measured transform rate", () => {
        const fn = res("aws:lambda/function:Function", "transform", { memorySize: 512, architectures: ["arm64"] });
        const delivery = fromStream({ processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: "arn:test:function:transform:$LATEST" }, { parameterName: "BufferSizeInMBs", parameterValue: "3" }] }] } });
        const r = estimateCost([kinesisStream({}), delivery, fn], base);
        const invocations = Math.max((REQUESTS * RECORD) / (3 * 1024 * 1024), SECONDS / 60);
        const rate = a.transformBench.eventsPerSecond * (512 / 1769);
        const gbSeconds = ((100 * SECONDS) / rate + invocations * 0.005) * 0.5;
        close(line(r, "Lambda", /requests \(firehose-processor\)/).usd, (invocations / 1e6) * 0.2, "requests");
        close(line(r, "Lambda", /compute \(512 MB arm64/).usd, gbSeconds * 0.0000133334, "GB-seconds");
        // Above 1,769 MB the single-threaded transform gets no faster: GB-seconds grow with memory.
        const big = estimateCost([kinesisStream({}), delivery, { ...fn, inputs: { ...fn.inputs, memorySize: 3538 } }], base);
        const bigGbs = line(big, "Lambda", /compute/).quantity;
        close(bigGbs, ((100 * SECONDS) / a.transformBench.eventsPerSecond + invocations * 0.005) * (3538 / 1024), "GB-seconds at 3,538 MB");
    });

    it("Lambda behind a function URL: one request per ingest request, duration from the measured CPU at its memory's share plus the Kinesis wait, no API Gateway line; no platform logs at WARN", () => {
        const fn = res("aws:lambda/function:Function", "collector", { memorySize: 128, architectures: ["arm64"], loggingConfig: { logGroup: "collector-logs", systemLogLevel: "WARN" } });
        const url = res("aws:lambda/functionUrl:FunctionUrl", "collector-url", { functionName: "collector", authorizationType: "NONE" });
        const logs = res("aws:cloudwatch/logGroup:LogGroup", "collector-logs", { retentionInDays: 30 });
        const r = estimateCost([kinesisStream({ shardCount: 1, streamModeDetails: { streamMode: "PROVISIONED" } }), fn, url, logs], base);
        // 661.7 us of CPU at 128/1769 of a vCPU = 9.145 ms, + 20 ms for Kinesis, billed as 30 ms.
        const ms = Math.ceil(a.collectorBench.cpuMicrosPerRequest / 1000 / (128 / 1769) + a.kinesisPutLatencyMs);
        assert.equal(ms, 30);
        close(line(r, "Lambda", /requests \(collector\)/).usd, (REQUESTS / 1e6) * 0.2, "requests");
        const compute = line(r, "Lambda", /compute \(128 MB arm64, 30 ms per request\)/);
        close(compute.quantity, REQUESTS * 0.03 * 0.125, "GB-seconds");
        close(compute.usd, REQUESTS * 0.03 * 0.125 * 0.0000133334, "duration");
        assert.equal(line(r, "Lambda", /function URL requests/).usd, 0);
        assert.ok(!r.lines.some((l) => l.service === "API Gateway" || /log ingestion/.test(l.item)));
        // At the default system log level, START/REPORT lines are ingested for every request.
        const info = estimateCost([fn, url, logs].map((x) => (x === fn ? { ...fn, inputs: { ...fn.inputs, loggingConfig: { logGroup: "collector-logs" } } } : x)), base);
        close(line(info, "CloudWatch", /log ingestion/).usd, ((REQUESTS * a.lambdaPlatformLogBytesPerInvocation) / GIB) * 0.5, "platform logs at INFO");
        // 256 MB halves the CPU time (4.57 ms): 25 ms billed at twice the memory.
        const big = estimateCost([fn, url].map((x) => (x === fn ? { ...fn, inputs: { ...fn.inputs, memorySize: 256 } } : x)), base);
        close(line(big, "Lambda", /compute/).quantity, REQUESTS * 0.025 * 0.25, "GB-seconds at 256 MB");
    });

    it("the ingest alternatives the stacks do not build: ALB + Fargate collector, CloudFront + WAF in front", () => {
        const traffic = { ...base, eventsPerSecond: 1000 }; // 100 requests/s
        const lines = containerCollectorCost(traffic);
        // ALB: 730 h x $0.0225; LCUs: 100 new connections/s / 25 = 4 (bytes: 100 x 5,648 B x 3,600 / 2^30 = 1.89 GB/h).
        close(lines[0].usd, 730 * 0.0225, "ALB hours");
        close(lines[1].usd, 4 * 730 * 0.008, "LCUs");
        assert.match(lines[1].item, /4\.00: new connections/);
        close(lines[2].usd, 2 * 730 * (0.25 * 0.03238 + 0.5 * 0.00356), "Fargate");
        close(lines[3].usd, 4 * 730 * 0.005, "IPv4");
        const reused = containerCollectorCost(traffic, { ...CONTAINER_COLLECTOR, newConnectionShare: 0.1 });
        close(reused[1].usd, ((100 * (5048 + 600) * 3600) / GIB) * 730 * 0.008, "LCUs by bytes");
        const [cf, waf] = cloudFrontWafCost(traffic);
        close(cf.usd, 100 * SECONDS / 10_000 * 0.01, "CloudFront requests");
        close(waf.usd, 5 + 3 + 100 * SECONDS / 1e6 * 0.6, "WAF");
        const fnUrl = functionUrlCollectorCost(traffic);
        close(fnUrl[0].usd + fnUrl[1].usd, 100 * SECONDS * (0.2 / 1e6 + 0.03 * 0.125 * 0.0000133334), "function URL collector");
    });

    it("S3: lake storage (Standard, then IA after 30 days) and raw backup (expired after 7 days) in month 12, PUTs, transitions", () => {
        const lake = res("aws:s3/bucket:Bucket", "lake", {}, { bucket: "lake" });
        const raw = res("aws:s3/bucket:Bucket", "raw", {}, { bucket: "raw" });
        const lakeLc = res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "lake-lc", { bucket: "lake", rules: [{ status: "Enabled", filter: { prefix: "events/" }, transitions: [{ days: 30, storageClass: "STANDARD_IA" }] }, { status: "Enabled", filter: { prefix: "errors/" }, expiration: { days: 14 } }] });
        const rawLc = res("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "raw-lc", { bucket: "raw", rules: [{ status: "Enabled", expiration: { days: 7 } }] });
        const delivery = fromStream({ dataFormatConversionConfiguration: { enabled: true }, s3BackupMode: "Enabled", s3BackupConfiguration: { bucketArn: "arn:test:bucket:raw", compressionFormat: "GZIP", bufferingInterval: 60, bufferingSize: 64 } });
        const r = estimateCost([kinesisStream({}), delivery, lake, raw, lakeLc, rawLc], base);
        const elapsed = 11.5 * (730 / 24);
        const lakePerDay = 100 * 86400 * 500 * a.rowExpansion * a.parquetRatio;
        const rawPerDay = 10 * 86400 * RECORD * a.rawGzipRatio;
        close(r.lines.find((l) => l.component === "(stack)" && /Standard storage \(month 12: 30 days/.test(l.item))!.usd, ((lakePerDay * 30) / GIB) * 0.023, "lake Standard");
        close(line(r, "S3", /Standard-IA storage/).usd, ((lakePerDay * (elapsed - 30)) / GIB) * 0.0125, "lake IA");
        close(line(r, "S3", /Standard storage \(month 12: 7 days/).usd, ((rawPerDay * 7) / GIB) * 0.023, "raw Standard");
        close(line(r, "S3", /lifecycle transitions/).usd, (SECONDS / 60 / 1000) * 0.01, "transitions (one object a minute)");
        const puts = r.lines.filter((l) => l.service === "S3" && /PUT requests/.test(l.item));
        assert.equal(puts.length, 2);
        for (const p of puts) close(p.usd, (SECONDS / 60 / 1000) * 0.005, "PUTs: one object per 60 s buffer");
    });

    it("Athena: bytes of one day of Parquet times the column share per query, 10 MB minimum, capped by the workgroup cutoff; Glue inside its free tier", () => {
        const lake = res("aws:s3/bucket:Bucket", "lake", {}, { bucket: "lake" });
        const wg = (cutoff?: number) => res("aws:athena/workgroup:Workgroup", "wg", { configuration: { bytesScannedCutoffPerQuery: cutoff } });
        const glue = [res("aws:glue/catalogDatabase:CatalogDatabase", "db"), res("aws:glue/catalogTable:CatalogTable", "t1"), res("aws:glue/catalogTable:CatalogTable", "t2")];
        const traffic = { ...base, eventsPerSecond: 1000, queriesPerDay: 50 };
        const r = estimateCost([kinesisStream({}), fromStream({ dataFormatConversionConfiguration: { enabled: true } }), lake, wg(), ...glue], traffic);
        const perQuery = 1000 * 86400 * 500 * a.rowExpansion * a.parquetRatio * a.queryColumnFraction;
        const queries = 50 * (730 / 24);
        close(line(r, "Athena", /data scanned/).usd, ((queries * perQuery) / 1024 ** 4) * 5, "scanned");
        const glueObjects = line(r, "Glue", /objects/);
        assert.equal(glueObjects.quantity, 3);
        assert.equal(glueObjects.usd, 0);
        assert.equal(line(r, "Glue", /requests/).usd, 0);
        const capped = estimateCost([kinesisStream({}), fromStream({ dataFormatConversionConfiguration: { enabled: true } }), lake, wg(1024 ** 3)], traffic);
        close(line(capped, "Athena", /data scanned/).usd, ((queries * 1024 ** 3) / 1024 ** 4) * 5, "capped at 1 GiB");
        assert.match(capped.assumptions.join("\n"), /over the workgroup's 1\.0 GB cutoff/);
        const tiny = estimateCost([kinesisStream({}), fromStream({ dataFormatConversionConfiguration: { enabled: true } }), lake, wg()], { ...base, eventsPerSecond: 0.001, queriesPerDay: 50 });
        close(line(tiny, "Athena", /data scanned/).usd, ((queries * 10 * 1024 * 1024) / 1024 ** 4) * 5, "10 MB minimum");
    });

    it("CloudWatch: EMF metrics per spec and group, anomaly alarms as three metrics, access-log ingestion by log class", () => {
        const windowFn = res("aws:lambda/function:Function", "window", { memorySize: 512, architectures: ["arm64"], environment: { variables: { [ENV_WINDOW_SPECS]: JSON.stringify([{ name: "a", groupBy: ["event_type"], metrics: [{ kind: "count" }] }, { name: "b", metrics: [{ kind: "count" }, { kind: "sum" }] }]) } } });
        const anomaly = res("aws:cloudwatch/metricAlarm:MetricAlarm", "anomaly", { metricQueries: [{ id: "ad1", expression: "ANOMALY_DETECTION_BAND(m1, 2)" }, { id: "m1" }] });
        const plain = res("aws:cloudwatch/metricAlarm:MetricAlarm", "plain", { metricName: "IteratorAge" });
        const format = JSON.stringify({ requestId: "$context.requestId", status: "$context.status" });
        const logs = (cls?: string) => res("aws:cloudwatch/logGroup:LogGroup", "access", { retentionInDays: 30, logGroupClass: cls });
        const stage = restStage({ accessLogSettings: { destinationArn: "arn:test:logGroup:access", format } });
        const r = estimateCost([restApi(), stage, logs(), windowFn, anomaly, plain], base);
        // spec a: 1 metric x (roll-up + 10 groups); spec b: 2 metrics x roll-up.
        close(line(r, "CloudWatch", /custom metrics from the windows/).usd, (11 + 2) * 0.3, "EMF metrics");
        close(line(r, "CloudWatch", /anomaly-detection alarm/).usd, 0.3, "anomaly alarm");
        close(line(r, "CloudWatch", /^alarm$/).usd, 0.1, "plain alarm");
        const lineBytes = format.replace(/\$context\.[A-Za-z.]+/g, "x".repeat(a.accessLogValueBytes)).length + 1;
        assert.equal(accessLogLineBytes(format, a.accessLogValueBytes), lineBytes);
        close(line(r, "CloudWatch", /log ingestion \(Standard class, API access logs\)/).usd, ((REQUESTS * lineBytes) / GIB) * 0.5, "Standard ingestion");
        const ia = estimateCost([restApi(), stage, logs("INFREQUENT_ACCESS")], base);
        close(line(ia, "CloudWatch", /log ingestion \(Infrequent Access/).usd, ((REQUESTS * lineBytes) / GIB) * 0.25, "IA ingestion");
        close(line(ia, "CloudWatch", /log storage \(30 days/).usd, ((REQUESTS * lineBytes) / GIB) * a.logStorageCompression * (30 / (730 / 24)) * 0.03, "storage");
    });

    it("SNS, DynamoDB: per anomaly-alarm transition; SQS dead-letter queues idle", () => {
        const alarm = (n: string) => res("aws:cloudwatch/metricAlarm:MetricAlarm", n, { metricQueries: [{ expression: "ANOMALY_DETECTION_BAND(m1)" }] });
        const topic = res("aws:sns/topic:Topic", "topic");
        const email = res("aws:sns/topicSubscription:TopicSubscription", "email", { protocol: "email", topic: "arn:test:topic:topic" });
        const table = res("aws:dynamodb/table:Table", "anomalies", { billingMode: "PAY_PER_REQUEST" });
        const queue = res("aws:sqs/queue:Queue", "dlq");
        const r = estimateCost([alarm("a1"), alarm("a2"), topic, email, table, queue], base);
        const transitions = 2 * a.anomalyAlarmTransitionsPerMonth;
        close(line(r, "SNS", /publishes/).usd, (transitions / 1e6) * 0.5, "publishes");
        close(line(r, "SNS", /e-mail/).usd, (transitions / 1e5) * 2, "e-mail");
        close(line(r, "DynamoDB", /writes/).usd, (transitions / 1e6) * 0.625, "writes");
        assert.equal(r.lines.filter((l) => l.service === "SQS").length, 0);
        assert.match(r.assumptions.join("\n"), /SQS: 1 dead-letter queue\(s\), empty in normal operation/);
    });

    it("KMS: $1 per key; S3 requests cost 1% of a KMS request each with a Bucket Key, one each without", () => {
        const lake = res("aws:s3/bucket:Bucket", "lake", {}, { bucket: "lake" });
        const enc = (bucketKeyEnabled: boolean) => res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "enc", { bucket: "lake", rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled }] });
        const resources = (bk: boolean) => [res("aws:kms/key:Key", "k1"), res("aws:kms/key:Key", "k2"), kinesisStream({ encryptionType: "NONE" }), fromStream(), lake, enc(bk)];
        const puts = SECONDS / 60;
        const withKey = estimateCost(resources(true), base);
        assert.equal(withKey.lines.filter((l) => l.service === "KMS" && l.item === "customer-managed key").reduce((s, l) => s + l.usd, 0), 2);
        close(line(withKey, "KMS", /Bucket Key on/).usd, ((puts * 0.01) / 1e4) * 0.03, "with Bucket Key");
        close(line(estimateCost(resources(false), base), "KMS", /no Bucket Key/).usd, (puts / 1e4) * 0.03, "without Bucket Key");
    });

    it("Secrets Manager: $0.40 per secret, reads of each function that loads it (cached 300 s in 2 containers)", () => {
        const secret = res("aws:secretsmanager/secret:Secret", "pii");
        const fn = res("aws:lambda/function:Function", "transform", { memorySize: 512, architectures: ["arm64"], environment: { variables: { KEY: "arn:test:secret:pii" } } });
        const delivery = fromStream({ processingConfiguration: { enabled: true, processors: [{ type: "Lambda", parameters: [{ parameterName: "LambdaArn", parameterValue: "arn:test:function:transform" }] }] } });
        const r = estimateCost([kinesisStream({}), delivery, fn, secret], base);
        close(line(r, "Secrets Manager", /^secret$/).usd, 0.4, "secret");
        close(line(r, "Secrets Manager", /GetSecretValue/).usd, ((2 * SECONDS) / 300 / 1e4) * 0.05, "reads");
        // Idle: no function runs, nothing reads the secret.
        assert.equal(estimateCost([kinesisStream({}), delivery, fn, secret], { ...base, eventsPerSecond: 0 }).lines.filter((l) => /GetSecretValue/.test(l.item)).length, 0);
    });

    it("CloudTrail: $0.10 per 100,000 S3 data events of the selected buckets (reads only when readOnly is true)", () => {
        const lake = res("aws:s3/bucket:Bucket", "lake", {}, { bucket: "lake" });
        const other = res("aws:s3/bucket:Bucket", "other", {}, { bucket: "other" });
        const wg = res("aws:athena/workgroup:Workgroup", "wg", { configuration: {} });
        const trail = (readOnly: string[] | undefined) => res("aws:cloudtrail/trail:Trail", "audit", {
            advancedEventSelectors: [{ fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                { field: "resources.ARN", startsWiths: ["arn:test:bucket:lake/"] },
                ...(readOnly ? [{ field: "readOnly", equals: readOnly }] : []),
            ] }],
        });
        const traffic = { ...base, queriesPerDay: 10 };
        const objectsPerDay = 86400 / 60; // one Parquet object per 60 s buffer
        const gets = 10 * (730 / 24) * objectsPerDay * a.queryScanDays;
        const puts = SECONDS / 60;
        const reads = estimateCost([kinesisStream({}), fromStream(), lake, other, wg, trail(["true"])], traffic);
        close(line(reads, "CloudTrail", /S3 data events/).quantity, gets, "reads of the lake only");
        close(line(reads, "CloudTrail", /S3 data events/).usd, (gets / 1e5) * 0.1, "reads priced");
        const both = estimateCost([kinesisStream({}), fromStream(), lake, other, wg, trail(undefined)], traffic);
        close(line(both, "CloudTrail", /S3 data events/).quantity, gets + puts, "reads and writes");
    });

    it("every price the model uses names its source page, the date read and how it was verified", () => {
        for (const [key, e] of Object.entries(prices.file.prices)) {
            assert.match(e.source, /^https:\/\/aws\.amazon\.com\//, key);
            assert.match(e.read, /^\d{4}-\d{2}-\d{2}$/, key);
            assert.ok(["aws-page", "secondary", "not-verified"].includes(e.verified), key);
        }
    });

    it("bad traffic names the flag and the fix", () => {
        assert.throws(() => estimateCost([], { ...base, eventsPerSecond: -1 }), /--events-per-second must be a number >= 0 \(got -1\)\. Fix:/);
        assert.throws(() => estimateCost([], { ...base, eventsPerRequest: 2.5 }), /--events-per-request must be a whole number >= 1/);
        assert.throws(() => estimateCost([], { ...base, eventsPerRequest: 501 }), /--events-per-request must be at most 500/);
        assert.throws(() => estimateCost([], { ...base, eventBytes: 0 }), /--event-bytes must be a whole number >= 1/);
        assert.throws(() => estimateCost([], { ...base, eventBytes: 40_000 }), /--event-bytes must be at most 32768/);
        assert.throws(() => estimateCost([], { ...base, queriesPerDay: NaN }), /--queries-per-day must be a number/);
        assert.throws(() => estimateCost([], { ...base, eventsPerRequest: 500, eventBytes: 3000 }), /over Firehose's 1,000 KiB record limit/);
    });
});
