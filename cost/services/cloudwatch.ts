/**
 * CloudWatch: custom metrics (the windows' EMF metrics, API Gateway detailed metrics), alarms (an
 * anomaly-detection alarm bills three alarm metrics), log ingestion (access logs per request, Lambda
 * platform and EMF lines) by log class, and log storage.
 */
import type { CapturedResource } from "../../offline/runUnderMocks";
import type { ModelContext } from "../context";
import { T } from "../graph";
import { GIB } from "../traffic";

/** Bytes of one access-log line: the format with each $context variable replaced by a typical value. */
export function accessLogLineBytes(format: string, valueBytes: number): number {
    return format.replace(/\$context\.[A-Za-z.]+/g, "x".repeat(valueBytes)).length + 1;
}

function methodsOfRestApi(api: CapturedResource): number {
    try {
        const body = JSON.parse(String(api.inputs.body ?? "{}"));
        return Object.values(body.paths ?? {}).reduce((n: number, ops: any) => n + Object.keys(ops).filter((m) => ["get", "post", "put", "delete", "patch", "options"].includes(m)).length, 0);
    } catch {
        return 0;
    }
}

export function priceCloudWatch(ctx: ModelContext): void {
    const { g, t, a } = ctx;
    // EMF metrics: per spec and metric, the roll-up plus one series per group.
    for (const w of g.windowSpecs()) {
        const series = w.specs.reduce((n, spec) => n + (spec.metrics?.length ?? 1) * (1 + g.groupsPerWindow(spec, w.maxGroups)), 0);
        ctx.priced(w.fn, "CloudWatch", `custom metrics from the windows (EMF: roll-up + ${a.windowGroupsPerSpec} groups per spec)`, t.eventsPerSecond > 0 ? series : 0, "metrics", "cloudwatch.customMetric");
    }
    // API Gateway detailed (per-method) metrics are billed as custom metrics.
    for (const ms of g.ofType(T.methodSettings).filter((m) => m.inputs.settings?.metricsEnabled)) {
        const api = g.byRef(ms.inputs.restApi, T.restApi);
        const methods = api ? methodsOfRestApi(api) : 0;
        ctx.priced(ms, "CloudWatch", `API Gateway detailed metrics (${methods} methods x 7 metrics)`, t.requestsPerSecond > 0 ? methods * 7 : 0, "metrics", "cloudwatch.customMetric");
    }
    for (const stage of g.ofType(T.httpStage).filter((s) => s.inputs.defaultRouteSettings?.detailedMetricsEnabled)) {
        ctx.priced(stage, "CloudWatch", "HTTP API detailed metrics (per route: 6 metrics)", t.requestsPerSecond > 0 ? 6 * Math.max(1, g.resources.filter((r) => r.type === "aws:apigatewayv2/route:Route").length) : 0, "metrics", "cloudwatch.customMetric");
    }
    const anomaly = new Set(g.anomalyAlarms());
    for (const alarm of g.ofType(T.alarm)) {
        const metrics = anomaly.has(alarm) ? ctx.p.value("cloudwatch.anomalyAlarmMetrics") : 1;
        ctx.priced(alarm, "CloudWatch", anomaly.has(alarm) ? "anomaly-detection alarm (3 alarm metrics)" : "alarm", metrics, "alarm metric-months", "cloudwatch.alarmStandard");
    }
    // Log ingestion per log group.
    const daysPerMonth = ctx.hours / 24;
    for (const lg of g.ofType(T.logGroup)) {
        const { bytes, accessLog } = logBytesPerMonth(ctx, lg);
        if (bytes === 0) continue;
        const ia = lg.inputs.logGroupClass === "INFREQUENT_ACCESS";
        const gb = bytes / GIB;
        ctx.priced(lg, "CloudWatch", `log ingestion (${ia ? "Infrequent Access" : "Standard"} class${accessLog ? ", API access logs" : ""})`, gb, "GB", ia ? "cloudwatch.logIngestionInfrequentAccess" : "cloudwatch.logIngestion");
        const retentionMonths = Number(lg.inputs.retentionInDays ?? 3653) / daysPerMonth;
        const storedMonths = Math.min(retentionMonths, a.storageMonth - 0.5);
        ctx.priced(lg, "CloudWatch", `log storage (${lg.inputs.retentionInDays ?? "never-expire"} days retention, compressed)`, gb * a.logStorageCompression * storedMonths, "GB-months", "cloudwatch.logStorage");
    }
}

/** Bytes a log group ingests per month: API access-log lines per request, Lambda platform lines per invocation, EMF lines per window. */
export function logBytesPerMonth(ctx: ModelContext, lg: CapturedResource): { bytes: number; accessLog: boolean } {
    const { g, t, a } = ctx;
    let bytes = 0;
    const accessStages = [...g.ofType(T.restStage), ...g.ofType(T.httpStage)].filter((s) => g.byRef(s.inputs.accessLogSettings?.destinationArn, T.logGroup) === lg);
    for (const stage of accessStages) {
        const api = g.byRef(stage.inputs.restApi ?? stage.inputs.apiId);
        const requests = api ? g.apiRequests.get(api.urn) ?? 0 : 0;
        bytes += requests * accessLogLineBytes(String(stage.inputs.accessLogSettings.format ?? ""), a.accessLogValueBytes);
    }
    for (const w of g.functions.filter((f) => f.resource.inputs.loggingConfig?.logGroup === lg.state.name)) {
        // At system log level WARN Lambda sends no START/END/REPORT lines (only warnings).
        if (w.resource.inputs.loggingConfig?.systemLogLevel !== "WARN") bytes += w.invocations * a.lambdaPlatformLogBytesPerInvocation;
        const windows = g.windowSpecs().find((x) => x.fn === w.resource);
        if (windows && w.events > 0) {
            const perWindow = windows.specs.reduce((n, spec) => n + 1 + g.groupsPerWindow(spec, windows.maxGroups), 0);
            bytes += (t.secondsPerMonth / g.windowSecondsOf(w.resource)) * perWindow * a.emfLineBytes;
        }
    }
    return { bytes, accessLog: accessStages.length > 0 };
}
