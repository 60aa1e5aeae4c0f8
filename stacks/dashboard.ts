/**
 * The CloudWatch dashboard body of a stack, built only from what the components already publish:
 * AWS service metrics of the resources they created (dimension values are those resources' names) and
 * the window metrics AnalyticsWindow emits (with the anomaly bands AnomalyAlerts alarms on).
 * A plain function over resolved names, so the body can be tested without Pulumi.
 */

/** One window metric with the anomaly band its alarm uses. */
export interface DashboardWindowMetric {
    namespace: string;
    metricName: string;
    dimensions: Record<string, string>;
    statistic: string;
    periodSeconds: number;
    /** Standard deviations of the band (AnomalyAlerts' bandWidth). */
    bandWidth: number;
}

/** Resolved names of the resources whose metrics the dashboard shows. */
export interface DashboardSources {
    region: string;
    /**
     * The ingest API and stage. A REST API's metrics are `4XXError`/`5XXError` by `ApiName`; an HTTP
     * API's are `4xx`/`5xx` by `ApiId` (both with `Stage`). A function URL's are AWS/Lambda `Url4xxCount`/
     * `Url5xxCount` by `FunctionName` (`name` is the collector function's name), plus its `Throttles`.
     */
    api: { type: "rest" | "http" | "function-url"; id: string; name: string; stage: string };
    /** The lake's Firehose delivery stream and its transform function (plus the function's log group). */
    lake: { deliveryStreamName: string; transformFunctionName: string; transformLogGroupName: string; tableFormat: "parquet" | "iceberg" };
    /** Present in stream mode only: the Kinesis stream, windows and alerts. */
    stream?: {
        streamName: string;
        windowFunctionName: string;
        windowDlqName: string;
        /** Namespace and name of the `count` metric grouped by event_type (bad-row rate = bad_row / all). */
        eventCount: { namespace: string; metricName: string; dimension: string };
        windowMetrics: DashboardWindowMetric[];
        alertTopicName: string;
        alertFunctionName: string;
        alertDlqName: string;
    };
}

type MetricLine = (string | Record<string, unknown>)[];
interface Widget { type: "metric" | "log" | "text"; x: number; y: number; width: number; height: number; properties: Record<string, unknown> }
export interface DashboardBody { start: string; periodOverride: string; widgets: Widget[] }

/** The event_type value of rows the transform could not accept (dataplane/transform BAD_ROW_TYPE). */
const BAD_ROW = "bad_row";
const WIDTH = 12;
const HEIGHT = 6;

/** The dashboard body (serialize with JSON.stringify for aws.cloudwatch.Dashboard). */
export function dashboardBody(s: DashboardSources): DashboardBody {
    const widgets: Omit<Widget, "x" | "y" | "width" | "height">[] = [];
    const metric = (title: string, metrics: MetricLine[], extra: Record<string, unknown> = {}) =>
        widgets.push({ type: "metric", properties: { title, region: s.region, view: "timeSeries", stacked: false, period: 60, metrics, ...extra } });
    const lambda = (fn: string, name: string, stat = "Sum") => ["AWS/Lambda", name, "FunctionName", fn, { stat }];
    const queueDepth = (queue: string) => ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue, { stat: "Maximum", label: queue }];
    const firehose = ["DeliveryStreamName", s.lake.deliveryStreamName];

    if (s.api.type === "function-url") {
        const fn = s.api.name;
        metric("Ingest requests", [lambda(fn, "UrlRequestCount")]);
        metric("Ingest 4xx / 5xx / throttled", [lambda(fn, "Url4xxCount"), lambda(fn, "Url5xxCount"), lambda(fn, "Throttles")]);
        metric("Ingest latency (ms)", [lambda(fn, "UrlRequestLatency", "p50"), lambda(fn, "UrlRequestLatency", "p99")]);
    } else {
        const http = s.api.type === "http";
        const api = http ? ["ApiId", s.api.id, "Stage", s.api.stage] : ["ApiName", s.api.name, "Stage", s.api.stage];
        metric("Ingest requests", [["AWS/ApiGateway", "Count", ...api, { stat: "Sum" }]]);
        metric("Ingest 4xx / 5xx", [["AWS/ApiGateway", http ? "4xx" : "4XXError", ...api, { stat: "Sum" }], ["AWS/ApiGateway", http ? "5xx" : "5XXError", ...api, { stat: "Sum" }]]);
        metric("Ingest latency (ms)", [["AWS/ApiGateway", "Latency", ...api, { stat: "p50" }], ["AWS/ApiGateway", "Latency", ...api, { stat: "p99" }]]);
    }
    if (s.stream) {
        metric("Kinesis iterator age (ms)", [
            ["AWS/Kinesis", "GetRecords.IteratorAgeMilliseconds", "StreamName", s.stream.streamName, { stat: "Maximum" }],
            [...lambda(s.stream.windowFunctionName, "IteratorAge", "Maximum")],
        ]);
    }
    // Firehose names its delivery metrics by destination: S3 with Parquet conversion, or Iceberg tables.
    const iceberg = s.lake.tableFormat === "iceberg";
    metric("Firehose delivery freshness (s)", [["AWS/Firehose", iceberg ? "DeliveryToIceberg.DataFreshness" : "DeliveryToS3.DataFreshness", ...firehose, { stat: "Maximum" }]]);
    metric(iceberg ? "Firehose failed rows / processing" : "Firehose failed conversions / processing", [
        ["AWS/Firehose", iceberg ? "DeliveryToIceberg.FailedRowCount" : "FailedConversion.Records", ...firehose, { stat: "Sum" }],
        ["AWS/Firehose", "ExecuteProcessing.Success", ...firehose, { stat: "Average" }],
    ]);
    metric("Transform errors / throttles", [lambda(s.lake.transformFunctionName, "Errors"), lambda(s.lake.transformFunctionName, "Throttles")]);
    // The transform logs one structured line per invocation with per-result counts (dataplane/handlers/transform.ts).
    widgets.push({
        type: "log",
        properties: {
            title: "Transform results per 5 min (Ok / Dropped / ProcessingFailed)",
            region: s.region,
            view: "timeSeries",
            // The function logs in JSON format, so the line may arrive escaped inside `message`: \W+ skips either form.
            query: `SOURCE '${s.lake.transformLogGroupName}' | parse @message /Ok\\W+(?<ok>\\d+)\\W+Dropped\\W+(?<dropped>\\d+)\\W+ProcessingFailed\\W+(?<failed>\\d+)/ | filter ispresent(ok) | stats sum(ok) as okRecords, sum(dropped) as droppedRecords, sum(failed) as failedRecords by bin(5m)`,
        },
    });
    if (s.stream) {
        const c = s.stream.eventCount;
        metric("Bad-row rate (%)", [
            [c.namespace, c.metricName, c.dimension, BAD_ROW, { id: "bad", stat: "Sum", visible: false }],
            [c.namespace, c.metricName, { id: "all", stat: "Sum", visible: false }],
            [{ expression: "100 * FILL(bad, 0) / all", id: "rate", label: "bad rows / all rows (%)" }],
        ]);
        for (const w of s.stream.windowMetrics) {
            const dims = Object.entries(w.dimensions).flat();
            metric(`${w.metricName}${dims.length ? ` ${dims.join("=")}` : ""} with anomaly band`, [
                [w.namespace, w.metricName, ...dims, { id: "m1", stat: w.statistic, period: w.periodSeconds }],
                [{ expression: `ANOMALY_DETECTION_BAND(m1, ${w.bandWidth})`, id: "ad1", label: `${w.metricName} (expected)` }],
            ], { period: w.periodSeconds });
        }
        metric("DLQ depths", [queueDepth(s.stream.windowDlqName), queueDepth(s.stream.alertDlqName)]);
        metric("Alerts (anomaly alarm transitions)", [
            ["AWS/SNS", "NumberOfMessagesPublished", "TopicName", s.stream.alertTopicName, { stat: "Sum", label: "alarm transitions" }],
            lambda(s.stream.alertFunctionName, "Invocations"),
        ], { period: 300 });
    }
    return {
        start: "-PT6H",
        periodOverride: "inherit",
        widgets: widgets.map((w, i) => ({ ...w, x: (i % 2) * WIDTH, y: Math.floor(i / 2) * HEIGHT, width: WIDTH, height: HEIGHT })),
    };
}

/** The last path segment of an ARN or queue URL: an SQS queue's or SNS topic's name. */
export function nameFromArnOrUrl(arnOrUrl: string): string {
    const name = arnOrUrl.split(/[:/]/).pop();
    if (!name) throw new Error(`dashboard: cannot take a resource name from "${arnOrUrl}"; pass an ARN or queue URL`);
    return name;
}
