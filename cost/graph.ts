/**
 * Reads a stack's registered resources (types and inputs, from the same offline run as
 * `clickstream resources`) into the flows the prices apply to: which API receives the requests,
 * which stream and delivery streams carry the records, which functions process them, which buckets
 * store them. Nothing here is priced; the service modules in cost/services/ price these flows.
 */
import type { CapturedResource } from "../offline/runUnderMocks";
import type { Assumptions } from "./assumptions";
import type { Traffic } from "./traffic";
import { ENV_AGGREGATES_STREAM, ENV_MAX_DIMENSION_VALUES, ENV_WINDOW_SPECS } from "../dataplane/analytics/env";

export const T = {
    restApi: "aws:apigateway/restApi:RestApi",
    restStage: "aws:apigateway/stage:Stage",
    apiKey: "aws:apigateway/apiKey:ApiKey",
    httpApi: "aws:apigatewayv2/api:Api",
    httpStage: "aws:apigatewayv2/stage:Stage",
    httpAuthorizer: "aws:apigatewayv2/authorizer:Authorizer",
    webAcl: "aws:wafv2/webAcl:WebAcl",
    webAclAssociation: "aws:wafv2/webAclAssociation:WebAclAssociation",
    stream: "aws:kinesis/stream:Stream",
    streamConsumer: "aws:kinesis/streamConsumer:StreamConsumer",
    delivery: "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream",
    fn: "aws:lambda/function:Function",
    functionUrl: "aws:lambda/functionUrl:FunctionUrl",
    esm: "aws:lambda/eventSourceMapping:EventSourceMapping",
    bucket: "aws:s3/bucket:Bucket",
    bucketEncryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    bucketLifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    glueDatabase: "aws:glue/catalogDatabase:CatalogDatabase",
    glueTable: "aws:glue/catalogTable:CatalogTable",
    workgroup: "aws:athena/workgroup:Workgroup",
    alarm: "aws:cloudwatch/metricAlarm:MetricAlarm",
    logGroup: "aws:cloudwatch/logGroup:LogGroup",
    methodSettings: "aws:apigateway/methodSettings:MethodSettings",
    topic: "aws:sns/topic:Topic",
    subscription: "aws:sns/topicSubscription:TopicSubscription",
    queue: "aws:sqs/queue:Queue",
    table: "aws:dynamodb/table:Table",
    key: "aws:kms/key:Key",
    secret: "aws:secretsmanager/secret:Secret",
} as const;

export interface DeliveryFlow {
    resource: CapturedResource;
    source: "kinesis" | "direct-put" | "function";
    /** Records put into the delivery stream per month, and their size. */
    records: number;
    recordBytes: number;
    /** Events inside those records. */
    events: number;
}

export interface FunctionWork {
    resource: CapturedResource;
    role: "firehose-processor" | "stream-consumer" | "authorizer" | "collector" | "sns-subscriber" | "other";
    invocations: number;
    /** Events the function processes per month (priced at the transform's measured rate). */
    events: number;
    /** Fixed milliseconds per invocation, for functions not priced per event. */
    msPerInvocation: number;
}

export interface BucketWrites {
    bucket: CapturedResource;
    /** Bytes written per day at this traffic. */
    bytesPerDay: number;
    /** Objects written per month. */
    objectsPerMonth: number;
    kind: "lake" | "aggregates" | "raw";
}

/**
 * Billed milliseconds of one collector invocation: the measured CPU per request (bench:collector) at the
 * CPU share Lambda gives `memoryMb` (a full vCPU at lambdaFullVcpuMb), plus the stated wait for
 * Kinesis, rounded up to Lambda's 1 ms billing step.
 */
export function collectorMsPerInvocation(a: Assumptions, memoryMb: number): number {
    const cpuShare = Math.min(1, memoryMb / a.lambdaFullVcpuMb);
    return Math.ceil(a.collectorBench.cpuMicrosPerRequest / 1000 / cpuShare + a.kinesisPutLatencyMs);
}

/** The stack's resources with lookups and the traffic flows through them. */
export class PipelineGraph {
    readonly apis: CapturedResource[];
    readonly streams: CapturedResource[];
    readonly deliveries: DeliveryFlow[] = [];
    readonly functions: FunctionWork[] = [];
    readonly bucketWrites: BucketWrites[] = [];
    /** Records per month written into each Kinesis stream (by URN). */
    readonly streamRecords = new Map<string, number>();
    /** Requests per month reaching each API (by URN). */
    readonly apiRequests = new Map<string, number>();

    constructor(readonly resources: CapturedResource[], readonly traffic: Traffic, readonly a: Assumptions) {
        this.apis = [...this.ofType(T.restApi), ...this.ofType(T.httpApi).filter((r) => (r.inputs.protocolType ?? "HTTP") === "HTTP")];
        this.streams = this.ofType(T.stream);
        for (const api of this.apis) this.apiRequests.set(api.urn, this.apis.length ? traffic.requestsPerMonth / this.apis.length : 0);
        // Every request becomes one record in the ingest stream (stream mode) or delivery stream (firehose mode).
        for (const s of this.streams) this.streamRecords.set(s.urn, traffic.requestsPerMonth / this.streams.length);
        this.buildDeliveries();
        this.buildFunctions();
        this.buildBucketWrites();
    }

    ofType(type: string): CapturedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The resource whose ARN (or name/id) is `ref`, if any. */
    byRef(ref: unknown, type?: string): CapturedResource | undefined {
        if (typeof ref !== "string" || ref === "") return undefined;
        return this.resources.find((r) => (!type || r.type === type) && (r.state.arn === ref || r.state.name === ref || r.id === ref || r.state.bucket === ref || ref.startsWith(`${r.state.arn}:`)));
    }

    /** The top-level component a resource belongs to (its outermost clickstream:* ancestor), or "(stack)". */
    componentOf(r: CapturedResource): string {
        let current: CapturedResource | undefined = r;
        let top: string | undefined = r.type.startsWith("clickstream:") ? r.name : undefined;
        for (let guard = 0; current?.parent && guard < 64; guard++) {
            const parentDesc: string = current.parent;
            current = this.resources.find((p) => `${p.type}::${p.name}` === parentDesc);
            if (current?.type.startsWith("clickstream:")) top = current.name;
        }
        return top ?? "(stack)";
    }

    streamOf(delivery: CapturedResource): CapturedResource | undefined {
        return this.byRef(delivery.inputs.kinesisSourceConfiguration?.kinesisStreamArn, T.stream);
    }

    /** Shards a stream has, or (on-demand) the write capacity it starts with, for polling consumers. */
    shardsOf(stream: CapturedResource): number {
        const mode = stream.inputs.streamModeDetails?.streamMode ?? (stream.inputs.shardCount ? "PROVISIONED" : "ON_DEMAND");
        return mode === "PROVISIONED" ? Number(stream.inputs.shardCount ?? 1) : 4;
    }

    private buildDeliveries(): void {
        const t = this.traffic;
        const all = this.ofType(T.delivery);
        const fedByFunction = (d: CapturedResource) => this.ofType(T.fn).some((fn) => fn.inputs.environment?.variables?.[ENV_AGGREGATES_STREAM] === d.state.name);
        const directIngest = all.filter((d) => !d.inputs.kinesisSourceConfiguration && !fedByFunction(d));
        // Without a stream, the endpoint puts each request straight into the delivery stream(s).
        const ingestShare = this.streams.length === 0 && directIngest.length > 0 ? t.requestsPerMonth / directIngest.length : 0;
        for (const d of all) {
            if (d.inputs.kinesisSourceConfiguration) {
                const stream = this.streamOf(d);
                const records = stream ? this.streamRecords.get(stream.urn) ?? 0 : 0;
                this.deliveries.push({ resource: d, source: "kinesis", records, recordBytes: t.recordBytes, events: records * t.eventsPerRequest });
            } else if (fedByFunction(d)) {
                const rows = this.aggregateRowsPerMonth();
                this.deliveries.push({ resource: d, source: "function", records: rows, recordBytes: this.a.aggregateRowBytes, events: 0 });
            } else {
                this.deliveries.push({ resource: d, source: "direct-put", records: ingestShare, recordBytes: t.recordBytes, events: ingestShare * t.eventsPerRequest });
            }
        }
    }

    /** Window specs of the analytics functions (from their environment), for metrics and aggregate rows. */
    windowSpecs(): Array<{ fn: CapturedResource; specs: Array<{ name: string; groupBy?: string[]; metrics?: unknown[] }>; maxGroups: number }> {
        const out = [];
        for (const fn of this.ofType(T.fn)) {
            const raw = fn.inputs.environment?.variables?.[ENV_WINDOW_SPECS];
            if (typeof raw !== "string") continue;
            const specs = JSON.parse(raw);
            const maxGroups = Number(fn.inputs.environment?.variables?.[ENV_MAX_DIMENSION_VALUES] ?? 50);
            out.push({ fn, specs, maxGroups });
        }
        return out;
    }

    /** Groups per window and spec (capped by the window's dimension-value limit); 0 without a group-by. */
    groupsPerWindow(spec: { groupBy?: string[] }, maxGroups: number): number {
        return spec.groupBy && spec.groupBy.length > 0 ? Math.min(this.a.windowGroupsPerSpec, maxGroups) : 0;
    }

    windowSecondsOf(fn: CapturedResource): number {
        const esm = this.ofType(T.esm).find((m) => this.byRef(m.inputs.functionName, T.fn) === fn);
        return Number(esm?.inputs.tumblingWindowInSeconds ?? 60);
    }

    /** Aggregate rows the window functions write per month: one per group (and roll-up) per spec per window. */
    aggregateRowsPerMonth(): number {
        if (this.traffic.eventsPerSecond === 0) return 0;
        let rows = 0;
        for (const w of this.windowSpecs()) {
            const windows = this.traffic.secondsPerMonth / this.windowSecondsOf(w.fn);
            for (const spec of w.specs) rows += windows * (1 + this.groupsPerWindow(spec, w.maxGroups));
        }
        return rows;
    }

    private processorParameter(d: CapturedResource, name: string): string | undefined {
        const processors = d.inputs.extendedS3Configuration?.processingConfiguration?.processors ?? [];
        for (const p of processors) {
            const found = (p.parameters ?? []).find((x: any) => x.parameterName === name);
            if (found) return String(found.parameterValue);
        }
        return undefined;
    }

    private buildFunctions(): void {
        const t = this.traffic;
        const a = this.a;
        const apiBodies = this.ofType(T.restApi).map((api) => String(api.inputs.body ?? ""));
        for (const fn of this.ofType(T.fn)) {
            const processorOf = this.deliveries.find((d) => {
                const arn = this.processorParameter(d.resource, "LambdaArn");
                return arn !== undefined && (arn === fn.state.arn || arn.startsWith(`${fn.state.arn}:`));
            });
            const esms = this.ofType(T.esm).filter((m) => this.byRef(m.inputs.functionName, T.fn) === fn);
            const httpAuthorizer = this.ofType(T.httpAuthorizer).find((z) => String(z.inputs.authorizerUri ?? "") === fn.state.invokeArn);
            const restAuthorizer = typeof fn.state.invokeArn === "string" && apiBodies.some((b) => b.includes(fn.state.invokeArn));
            const collectorUrl = this.ofType(T.functionUrl).some((u) => this.byRef(u.inputs.functionName, T.fn) === fn);
            const snsSubscribed = this.ofType(T.subscription).some((s) => s.inputs.protocol === "lambda" && this.byRef(s.inputs.endpoint, T.fn) === fn);
            if (processorOf) {
                // Firehose calls the processor per buffer: BufferSizeInMBs (default 1) or BufferIntervalInSeconds (default 60), whichever fills first.
                const sizeMb = Number(this.processorParameter(processorOf.resource, "BufferSizeInMBs") ?? 1);
                const intervalS = Number(this.processorParameter(processorOf.resource, "BufferIntervalInSeconds") ?? 60);
                const bytes = processorOf.records * processorOf.recordBytes;
                const invocations = processorOf.records === 0 ? 0 : Math.max(bytes / (sizeMb * 1024 * 1024), t.secondsPerMonth / intervalS);
                this.functions.push({ resource: fn, role: "firehose-processor", invocations, events: processorOf.events, msPerInvocation: 0 });
            } else if (esms.length > 0) {
                let invocations = 0;
                let events = 0;
                for (const m of esms) {
                    const stream = this.byRef(m.inputs.eventSourceArn, T.stream);
                    const records = stream ? this.streamRecords.get(stream.urn) ?? 0 : 0;
                    if (records === 0 || !stream) continue;
                    // A Kinesis mapping invokes per batch (batchSize records), and each shard closes every tumbling window once.
                    const batch = Number(m.inputs.batchSize ?? 100);
                    const windowS = Number(m.inputs.tumblingWindowInSeconds ?? 0);
                    const perShardWindows = windowS > 0 ? this.shardsOf(stream) * (t.secondsPerMonth / windowS) : 0;
                    invocations += Math.max(records / batch, perShardWindows);
                    events += records * t.eventsPerRequest;
                }
                this.functions.push({ resource: fn, role: "stream-consumer", invocations, events, msPerInvocation: 0 });
            } else if (collectorUrl) {
                // A function behind a function URL takes every ingest request: one invocation each.
                const collectors = this.ofType(T.functionUrl).length;
                this.functions.push({ resource: fn, role: "collector", invocations: t.requestsPerMonth / collectors, events: 0, msPerInvocation: collectorMsPerInvocation(a, Number(fn.inputs.memorySize ?? 128)) });
            } else if (httpAuthorizer || restAuthorizer) {
                // The authorizer's Allow is cached per key for its TTL: one call per key per TTL while traffic flows.
                const ttl = Number(httpAuthorizer?.inputs.authorizerResultTtlInSeconds ?? this.restAuthorizerTtl() ?? 300);
                const keys = this.ofType(T.apiKey).length || a.apiKeysWhenUnknown;
                const invocations = t.requestsPerMonth === 0 ? 0 : Math.min(t.requestsPerMonth, ttl > 0 ? keys * (t.secondsPerMonth / ttl) : t.requestsPerMonth);
                this.functions.push({ resource: fn, role: "authorizer", invocations, events: 0, msPerInvocation: a.authorizerInvocationMs });
            } else if (snsSubscribed) {
                const alarms = this.anomalyAlarms().length;
                this.functions.push({ resource: fn, role: "sns-subscriber", invocations: t.eventsPerSecond > 0 ? alarms * a.anomalyAlarmTransitionsPerMonth : 0, events: 0, msPerInvocation: a.alertInvocationMs });
            } else {
                this.functions.push({ resource: fn, role: "other", invocations: 0, events: 0, msPerInvocation: 0 });
            }
        }
    }

    private restAuthorizerTtl(): number | undefined {
        for (const api of this.ofType(T.restApi)) {
            const m = /"authorizerResultTtlInSeconds":\s*(\d+)/.exec(String(api.inputs.body ?? ""));
            if (m) return Number(m[1]);
        }
        return undefined;
    }

    /** Alarms with an anomaly-detection band (billed as three alarm metrics each). */
    anomalyAlarms(): CapturedResource[] {
        return this.ofType(T.alarm).filter((al) => (al.inputs.metricQueries ?? []).some((q: any) => /ANOMALY_DETECTION_BAND/.test(String(q.expression ?? ""))));
    }

    private buildBucketWrites(): void {
        const t = this.traffic;
        const a = this.a;
        const perDay = (monthly: number) => monthly / (t.secondsPerMonth / 86_400);
        for (const d of this.deliveries) {
            const s3 = d.resource.inputs.extendedS3Configuration;
            if (!s3) continue;
            const lake = this.byRef(s3.bucketArn, T.bucket);
            const parquet = s3.dataFormatConversionConfiguration?.enabled === true;
            const inputBytes = d.records * d.recordBytes;
            // Rows the transform emits (1.36x the events' JSON) become Parquet; aggregates are rows already.
            const rowBytes = d.events > 0 ? d.events * t.eventBytes * a.rowExpansion : inputBytes;
            const stored = parquet ? rowBytes * a.parquetRatio : rowBytes;
            const objects = (bytes: number, cfg: any) => (d.records === 0 ? 0 : Math.max(bytes / (Number(cfg.bufferingSize ?? 5) * 1024 * 1024), t.secondsPerMonth / Number(cfg.bufferingInterval ?? 300)));
            if (lake) this.bucketWrites.push({ bucket: lake, bytesPerDay: perDay(stored), objectsPerMonth: objects(rowBytes, s3), kind: d.source === "function" ? "aggregates" : "lake" });
            const backup = s3.s3BackupMode === "Enabled" ? s3.s3BackupConfiguration : undefined;
            const raw = backup ? this.byRef(backup.bucketArn, T.bucket) : undefined;
            if (backup && raw) {
                const rawStored = backup.compressionFormat === "GZIP" ? inputBytes * a.rawGzipRatio : inputBytes;
                this.bucketWrites.push({ bucket: raw, bytesPerDay: perDay(rawStored), objectsPerMonth: objects(inputBytes, backup), kind: "raw" });
            }
        }
    }
}
