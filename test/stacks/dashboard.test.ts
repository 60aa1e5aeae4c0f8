import { strict as assert } from "assert";
import { ENV_METRIC_NAMESPACE } from "../../dataplane/analytics/env";
import { checkProgram } from "../../offline/policyHarness";
import { runShippedStack } from "../../offline/programs";
import type { RunResult } from "../../offline/runUnderMocks";
import { dashboardBody, nameFromArnOrUrl } from "../../stacks/dashboard";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const namesOf = (run: RunResult, type: string, field = "name") => new Set(run.resources.filter((r) => r.type === type).map((r) => String(r.state[field] ?? r.inputs[field])));

/** A metric line of a widget: namespace, name, dimension pairs, then an options object. */
interface MetricRef { namespace: string; metricName: string; dimensions: Record<string, string>; widget: string }

function bodyOf(run: RunResult): any {
    const dashboards = run.resources.filter((r) => r.type === DASHBOARD);
    assert.equal(dashboards.length, 1, "one dashboard per stack");
    return JSON.parse(dashboards[0].inputs.dashboardBody);
}

function metricRefs(body: any): MetricRef[] {
    const refs: MetricRef[] = [];
    for (const w of body.widgets.filter((x: any) => x.type === "metric")) {
        for (const line of w.properties.metrics as any[]) {
            if (typeof line[0] !== "string") continue; // an expression
            const parts = line.filter((p: unknown) => typeof p === "string") as string[];
            const [namespace, metricName, ...dims] = parts;
            assert.equal(dims.length % 2, 0, `${w.properties.title}: dimension without a value in ${JSON.stringify(line)}`);
            const dimensions: Record<string, string> = {};
            for (let i = 0; i < dims.length; i += 2) dimensions[dims[i]] = dims[i + 1];
            refs.push({ namespace, metricName, dimensions, widget: w.properties.title });
        }
    }
    return refs;
}

/** Asserts each metric names a resource of the run (dimension value = that resource's name). */
function assertMetricsExist(run: RunResult): MetricRef[] {
    const refs = metricRefs(bodyOf(run));
    const byDimension: Record<string, Set<string>> = {
        ApiName: namesOf(run, "aws:apigateway/restApi:RestApi"),
        ApiId: new Set(run.resources.filter((r) => r.type === "aws:apigatewayv2/api:Api").map((r) => r.id!)),
        Stage: new Set([...namesOf(run, "aws:apigateway/stage:Stage", "stageName"), ...namesOf(run, "aws:apigatewayv2/stage:Stage")]),
        StreamName: namesOf(run, "aws:kinesis/stream:Stream"),
        DeliveryStreamName: namesOf(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream"),
        FunctionName: namesOf(run, "aws:lambda/function:Function"),
        QueueName: namesOf(run, "aws:sqs/queue:Queue"),
        TopicName: namesOf(run, "aws:sns/topic:Topic"),
    };
    const windowFns = run.resources.filter((r) => r.type === "aws:lambda/function:Function" && r.inputs.environment?.variables?.[ENV_METRIC_NAMESPACE]);
    const windowNamespaces = new Set(windowFns.map((f) => f.inputs.environment.variables[ENV_METRIC_NAMESPACE]));
    const windowMetricNames = new Set(Object.values((run.outputs.windowMetrics ?? {}) as Record<string, string[]>).flat());
    // An HTTP API publishes 4xx/5xx by ApiId; a REST API 4XXError/5XXError by ApiName; a function URL Url5xxCount by FunctionName.
    const http = run.resources.some((r) => r.type === "aws:apigatewayv2/api:Api");
    const functionUrl = run.resources.some((r) => r.type === "aws:lambda/functionUrl:FunctionUrl");
    const apiMetrics = refs.filter((r) => r.namespace === "AWS/ApiGateway");
    assert.deepEqual(apiMetrics.map((r) => (http ? "ApiId" : "ApiName") in r.dimensions), apiMetrics.map(() => true), "API metrics use the other API type's dimension");
    if (functionUrl) assert.ok(refs.some((r) => r.namespace === "AWS/Lambda" && r.metricName === "Url5xxCount"), "no 5xx metric of the function URL");
    else assert.ok(apiMetrics.some((r) => r.metricName === (http ? "5xx" : "5XXError")), "no 5xx metric of this API type");
    for (const ref of refs) {
        const where = `${ref.widget}: ${ref.namespace} ${ref.metricName} ${JSON.stringify(ref.dimensions)}`;
        if (ref.namespace.startsWith("AWS/")) {
            assert.ok(Object.keys(ref.dimensions).length > 0, `${where} has no dimension`);
            for (const [dim, value] of Object.entries(ref.dimensions)) {
                assert.ok(byDimension[dim], `${where}: unexpected dimension ${dim}`);
                assert.ok(byDimension[dim].has(value), `${where}: no resource named ${value} (have ${[...byDimension[dim]].join(", ")})`);
            }
        } else {
            assert.ok(windowNamespaces.has(ref.namespace), `${where}: no window function emits namespace ${ref.namespace}`);
            assert.ok(windowMetricNames.has(ref.metricName), `${where}: not a window metric (${[...windowMetricNames].join(", ")})`);
        }
    }
    return refs;
}

/** The delivery metrics Firehose publishes for the lake's destination (Iceberg tables, or S3 with Parquet conversion). */
function firehoseMetricsFor(run: RunResult): string[] {
    const lake = run.resources.find((r) => r.type === "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream" && r.name.endsWith("-lake-delivery"))!;
    return lake.inputs.destination === "iceberg"
        ? ["AWS/Firehose DeliveryToIceberg.DataFreshness", "AWS/Firehose DeliveryToIceberg.FailedRowCount"]
        : ["AWS/Firehose DeliveryToS3.DataFreshness", "AWS/Firehose FailedConversion.Records"];
}

describe("stack CloudWatch dashboard", function () {
    this.timeout(120_000);
    const runs: Record<string, RunResult> = {};
    before(async () => {
        runs.dev = await runShippedStack("dev");
        runs.prod = await runShippedStack("prod");
        runs.firehose = await runShippedStack("dev", { "clickstream:ingestMode": "firehose", "clickstream:tableFormat": "parquet" });
    });

    for (const stack of ["dev", "prod"]) {
        it(`${stack}: every metric it names exists on a resource of the stack`, () => {
            const refs = assertMetricsExist(runs[stack]);
            const shown = new Set(refs.map((r) => `${r.namespace.startsWith("AWS/") ? r.namespace : "window"} ${r.metricName}`));
            // An HTTP API (prod's default) publishes 4xx/5xx by ApiId; a REST API 4XXError/5XXError by ApiName.
            const http = runs[stack].resources.some((r) => r.type === "aws:apigatewayv2/api:Api");
            const functionUrl = runs[stack].resources.some((r) => r.type === "aws:lambda/functionUrl:FunctionUrl");
            const apiRefs = refs.filter((r) => r.namespace === "AWS/ApiGateway");
            assert.ok(apiRefs.every((r) => (http ? "ApiId" : "ApiName") in r.dimensions), `${stack}: API metrics use the wrong dimension`);
            const ingest = functionUrl
                ? ["AWS/Lambda UrlRequestCount", "AWS/Lambda Url4xxCount", "AWS/Lambda Url5xxCount", "AWS/Lambda Throttles", "AWS/Lambda UrlRequestLatency"]
                : ["AWS/ApiGateway Count", ...(http ? ["AWS/ApiGateway 4xx", "AWS/ApiGateway 5xx"] : ["AWS/ApiGateway 4XXError", "AWS/ApiGateway 5XXError"]), "AWS/ApiGateway Latency"];
            for (const m of [...ingest, "AWS/Kinesis GetRecords.IteratorAgeMilliseconds",
                ...firehoseMetricsFor(runs[stack]), "AWS/Lambda Errors", "AWS/SQS ApproximateNumberOfMessagesVisible",
                "AWS/SNS NumberOfMessagesPublished", "window events_per_minute_count", "window purchase_price_by_group_avg_price"]) {
                assert.ok(shown.has(m), `dashboard lacks ${m}`);
            }
            // Both DLQs (window and alert) are shown.
            assert.equal(refs.filter((r) => r.metricName === "ApproximateNumberOfMessagesVisible").length, 2);
        });

        it(`${stack}: window metrics carry the same anomaly band their alarms use`, () => {
            const run = runs[stack];
            const alarms = run.resources.filter((r) => r.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && r.inputs.metricQueries);
            const bandWidgets = bodyOf(run).widgets.filter((w: any) => w.properties.metrics?.some((l: any) => l[0]?.expression?.startsWith("ANOMALY_DETECTION_BAND")));
            assert.equal(bandWidgets.length, alarms.length);
            for (const alarm of alarms) {
                const m = alarm.inputs.metricQueries.find((q: any) => q.metric).metric;
                const band = alarm.inputs.metricQueries.find((q: any) => q.expression).expression;
                const widget = bandWidgets.find((w: any) => w.properties.metrics[0][1] === m.metricName);
                assert.ok(widget, `no band widget for ${m.metricName}`);
                assert.equal(widget.properties.metrics[0][0], m.namespace);
                assert.equal(widget.properties.metrics[0].at(-1).stat, m.stat);
                assert.equal(widget.properties.metrics[1][0].expression, band);
            }
        });
    }

    it("dev: the transform log widget reads the transform's own log group", () => {
        const run = runs.dev;
        const logWidgets = bodyOf(run).widgets.filter((w: any) => w.type === "log");
        assert.equal(logWidgets.length, 1);
        const source = /^SOURCE '([^']+)'/.exec(logWidgets[0].properties.query)?.[1];
        const transform = run.resources.find((r) => r.type === "aws:lambda/function:Function" && r.name.endsWith("-lake-transform"))!;
        assert.equal(source, transform.inputs.loggingConfig.logGroup);
        assert.ok(namesOf(run, "aws:cloudwatch/logGroup:LogGroup").has(source!));
    });

    it("firehose ingest mode with a Parquet lake: no Kinesis, window, DLQ or alert widgets; what it names exists; policies pass", async () => {
        const run = runs.firehose;
        const refs = assertMetricsExist(run);
        assert.deepEqual([...new Set(refs.map((r) => r.namespace))].sort(), ["AWS/ApiGateway", "AWS/Firehose", "AWS/Lambda"]);
        // A Parquet lake delivers to S3 with format conversion: its metrics, not the Iceberg ones.
        const firehoseMetrics = refs.filter((r) => r.namespace === "AWS/Firehose").map((r) => r.metricName).sort();
        assert.deepEqual(firehoseMetrics, ["DeliveryToS3.DataFreshness", "ExecuteProcessing.Success", "FailedConversion.Records"]);
        assert.ok(!JSON.stringify(bodyOf(run)).includes("ANOMALY_DETECTION_BAND"));
        const violations = await checkProgram(run);
        assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
    });

    it("lays widgets out on the 24-column grid without overlap, and expressions only use ids of their widget", () => {
        const body = bodyOf(runs.prod);
        const cells = new Set<string>();
        for (const w of body.widgets) {
            assert.ok(w.x + w.width <= 24);
            for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
                assert.ok(!cells.has(`${x},${y}`), `overlap at ${x},${y}`);
                cells.add(`${x},${y}`);
            }
            const lines: any[] = w.properties.metrics ?? [];
            const ids = new Set(lines.map((l) => l.at(-1)?.id).filter(Boolean));
            for (const l of lines.filter((x) => x[0]?.expression)) {
                for (const id of l[0].expression.match(/\b[a-z][a-z0-9]*\b/g).filter((t: string) => !["fill"].includes(t))) assert.ok(ids.has(id), `${w.properties.title}: ${id} undefined`);
            }
        }
    });
});

describe("dashboardBody", () => {
    it("names a queue or topic by the last segment of its URL or ARN, and rejects an empty one", () => {
        assert.equal(nameFromArnOrUrl("https://sqs.eu-west-1.amazonaws.com/123456789012/q-dlq"), "q-dlq");
        assert.equal(nameFromArnOrUrl("arn:aws:sns:eu-west-1:123456789012:alarms"), "alarms");
        assert.throws(() => nameFromArnOrUrl("arn:aws:sns:eu-west-1:1:"), /cannot take a resource name/);
    });

    it("omits the stream section when there is no stream", () => {
        const body = dashboardBody({ region: "eu-west-1", api: { type: "rest", id: "abc123", name: "a", stage: "v1" }, lake: { deliveryStreamName: "d", transformFunctionName: "t", transformLogGroupName: "/g", tableFormat: "parquet" } });
        assert.ok(!JSON.stringify(body).includes("AWS/Kinesis"));
        assert.ok(body.widgets.every((w) => (w.properties.region ?? "eu-west-1") === "eu-west-1"));
    });
});
