import { strict as assert } from "assert";
import { checkProgram } from "../../offline/policyHarness";
import { PROJECT_ROOT, readStackConfig, runShippedStack } from "../../offline/programs";
import { type CapturedResource, type RunResult, runUnderMocks } from "../../offline/runUnderMocks";
import { MODEL_COLUMN_CLASSIFICATIONS } from "../../components/models/modelTables";
import { MODEL_COLUMNS, MODEL_NAMES } from "../../models/sql";

const byType = (run: RunResult, type: string) => run.resources.filter((r) => r.type === type);
const one = (run: RunResult, type: string, nameSuffix = ""): CapturedResource => {
    const found = byType(run, type).filter((r) => r.name.endsWith(nameSuffix));
    assert.equal(found.length, 1, `expected one ${type} named *${nameSuffix}, found ${found.map((r) => r.name).join(", ") || "none"}`);
    return found[0];
};

describe("shipped stacks", function () {
    // Each stack bundles four Lambda handlers with esbuild on its first run.
    this.timeout(120_000);
    const runs: Record<string, RunResult> = {};
    before(async () => {
        runs.dev = await runShippedStack("dev");
        runs.prod = await runShippedStack("prod");
    });

    for (const stack of ["dev", "prod"]) {
        describe(stack, () => {
            it("composes every component once, each child parented to its component", () => {
                const components = runs[stack].resources.filter((r) => r.type.startsWith("clickstream:") && r.type !== "clickstream:storage:SecureBucket");
                assert.deepEqual(components.map((r) => r.type).sort(), [
                    "clickstream:alerts:AnomalyAlerts",
                    "clickstream:analytics:AnalyticsWindow",
                    "clickstream:audit:AccessAudit",
                    "clickstream:governance:LakeFormationGrants",
                    "clickstream:ingest:IngestEndpoint",
                    "clickstream:lake:FirehoseLake",
                    "clickstream:models:ModelSchedule",
                ]);
                const orphans = runs[stack].resources.filter((r) => !r.parent && !r.type.startsWith("clickstream:") && r.type !== "aws:wafv2/webAcl:WebAcl" && r.type !== "aws:cloudwatch/dashboard:Dashboard");
                assert.deepEqual(orphans.map((r) => `${r.type}::${r.name}`), []);
            });

            it("wires ingest stream -> lake and analytics, analytics metrics -> anomaly alarms", () => {
                const run = runs[stack];
                const stream = one(run, "aws:kinesis/stream:Stream");
                const firehose = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "-lake-delivery");
                // dev runs the Iceberg lake, prod the Parquet one (docs/lake-format.md).
                assert.equal(firehose.inputs.destination, stack === "dev" ? "iceberg" : "extended_s3");
                assert.equal(firehose.inputs.kinesisSourceConfiguration.kinesisStreamArn, stream.state.arn);
                const mapping = one(run, "aws:lambda/eventSourceMapping:EventSourceMapping");
                assert.equal(mapping.inputs.eventSourceArn, stream.state.arn);
                assert.equal(mapping.inputs.tumblingWindowInSeconds, 60);
                // Operational alarms (DLQ depth, iterator age) use a plain metric; the anomaly alarms use metric queries.
                const alarms = byType(run, "aws:cloudwatch/metricAlarm:MetricAlarm").filter((a) => a.inputs.metricQueries);
                const watched = alarms.map((a) => a.inputs.metricQueries.find((q: any) => q.metric)?.metric.metricName).sort();
                assert.deepEqual(watched, ["events_per_minute_count", "purchase_price_by_group_avg_price"]);
                // The window's own DLQ alarm notifies the alert subscribers.
                const notifications = one(run, "aws:sns/topic:Topic", "-alerts-notifications");
                assert.deepEqual(one(run, "aws:cloudwatch/metricAlarm:MetricAlarm", "-analytics-dlq-not-empty").inputs.alarmActions, [notifications.state.arn]);
                for (const alarm of alarms) assert.match(alarm.inputs.metricQueries.find((q: any) => q.expression)?.expression, /^ANOMALY_DETECTION_BAND\(m1, \d+(\.\d+)?\)$/);
            });

            it("puts the aggregates table under Lake Formation: tagged by its own columns, described by its Firehose role", () => {
                const run = runs[stack];
                const aggregatesRole = one(run, "aws:iam/role:Role", "-analytics-aggregates-firehose-role");
                const tagged = byType(run, "aws:lakeformation/resourceLfTags:ResourceLfTags").filter((t) => (t.inputs.table ?? t.inputs.tableWithColumns)?.name === "aggregates");
                assert.deepEqual(tagged.map((t) => t.name.replace(/^.*-grants-/, "")).sort(), ["extra-table-0-internal-columns", "extra-table-0-public-columns", "extra-table-0-tags"]);
                const describe = byType(run, "aws:lakeformation/permissions:Permissions").filter((p) => p.inputs.principal === aggregatesRole.state.arn && p.inputs.table?.name === "aggregates");
                assert.deepEqual(describe.map((p) => p.inputs.permissions), [["DESCRIBE"]]);
                const aggregatesStream = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "-analytics-aggregates");
                assert.equal(aggregatesStream.inputs.extendedS3Configuration.dataFormatConversionConfiguration.schemaConfiguration.tableName, "aggregates");
            });

            it("runs the models daily in the lake's workgroup; their tables are in the lake database under Lake Formation's tags", () => {
                const run = runs[stack];
                const schedule = one(run, "aws:scheduler/schedule:Schedule", "-models-daily");
                const machine = one(run, "aws:sfn/stateMachine:StateMachine", "-models-runner");
                assert.equal(schedule.inputs.scheduleExpression, "cron(30 2 * * ? *)");
                assert.equal(schedule.inputs.target.arn, machine.state.arn);
                const workgroup = one(run, "aws:athena/workgroup:Workgroup");
                const definition = JSON.parse(machine.inputs.definition);
                const tasks = Object.values(definition.States).filter((s: any) => s.Type === "Task") as any[];
                assert.ok(tasks.length > 0 && tasks.every((t) => t.Arguments.WorkGroup === workgroup.state.name), "queries run in the stack's encrypted workgroup");
                // dev reads 3 late-arrival days past the day, prod 7 (stacks/defaults.ts, stacks/prod.ts): up to D+2+late for sessions.
                // dev's Iceberg events are pruned by received_at (exclusive end), prod's Parquet by dt (inclusive end).
                const ends = [...JSON.stringify(definition).matchAll(/e\.dt BETWEEN '[\d-]+' AND '([\d-]+)'|e\.received_at < TIMESTAMP '([\d-]+) 00:00:00'/g)].map((m) => m[1] ?? m[2]).sort();
                assert.equal(ends.at(-1), stack === "dev" ? "1970-03-07" : "1970-03-10", "last arrival day read (template day 1970-03-01)");
                const db = one(run, "aws:glue/catalogDatabase:CatalogDatabase");
                const modelTables = byType(run, "aws:glue/catalogTable:CatalogTable").filter((t) => t.parent?.endsWith("-models"));
                assert.deepEqual(modelTables.map((t) => [t.inputs.databaseName, t.inputs.name]).sort(), MODEL_NAMES.map((m) => [db.state.name, m]).sort());
                const lfTags = byType(run, "aws:lakeformation/resourceLfTags:ResourceLfTags");
                const tagOf = (table: string, column: string) => lfTags.find((t) => t.inputs.tableWithColumns?.name === table && t.inputs.tableWithColumns.columnNames.includes(column))?.inputs.lfTags[0].value;
                const tableTag = (table: string) => lfTags.find((t) => t.inputs.table?.name === table)?.inputs.lfTags;
                for (const m of MODEL_NAMES) {
                    // Fail closed like the events table: the table is pii, each known column carries its own class.
                    assert.deepEqual(tableTag(m), [{ key: "classification", value: "pii" }], `${m} table tag`);
                    for (const c of MODEL_COLUMNS[m]) assert.equal(tagOf(m, c.name), MODEL_COLUMN_CLASSIFICATIONS[m][c.name], `${m}.${c.name}`);
                }
                // The pseudonymized ids of sessions are pii for analysts exactly as the events' anonymous_id and user_id are.
                assert.deepEqual(["session_id", "anonymous_id", "user_id"].map((c) => tagOf("sessions", c)), ["pii", "pii", "pii"]);
                assert.equal(tagOf("events", "anonymous_id"), "pii");
                // The runner reads the events (SELECT, DESCRIBE) and maintains each model table; each table's optimizer role maintains it.
                const runner = one(run, "aws:iam/role:Role", "-models-runner-role").state.arn;
                const grants = byType(run, "aws:lakeformation/permissions:Permissions");
                const grantsOf = (principal: string) => grants.filter((g) => g.inputs.principal === principal).map((g) => `${g.inputs.table?.name ?? `database ${g.inputs.database?.name}`}: ${g.inputs.permissions.join(",")}`).sort();
                assert.deepEqual(grantsOf(runner), [
                    ...MODEL_NAMES.map((m) => `${m}: SELECT,INSERT,DELETE,ALTER,DESCRIBE`), `database ${db.state.name}: DESCRIBE`, "events: SELECT,DESCRIBE",
                ].sort());
                for (const m of MODEL_NAMES) {
                    assert.deepEqual(grantsOf(one(run, "aws:iam/role:Role", `-models-${m}-optimizer-role`).state.arn), [`${m}: SELECT,INSERT,DELETE,ALTER,DESCRIBE`]);
                }
                // Analysts read by tag only (public, internal): no grant names a model table for them.
                const analysts = grants.filter((g) => /analyst/.test(String(g.inputs.principal)));
                assert.ok(analysts.every((g) => g.inputs.lfTagPolicy && !JSON.stringify(g.inputs.lfTagPolicy).includes("pii")));
            });

            it("passes every policy of the pack (mandatory and advisory)", async () => {
                const violations = await checkProgram(runs[stack]);
                assert.deepEqual(violations.map((v) => `${v.policy} ${v.resource}: ${v.message}`), []);
            });

            it("keeps every log group and raw store bounded", () => {
                const run = runs[stack];
                for (const group of byType(run, "aws:cloudwatch/logGroup:LogGroup")) {
                    assert.equal(group.inputs.retentionInDays, stack === "prod" ? 90 : 7, group.name);
                    assert.ok(group.inputs.kmsKeyId, `${group.name} has no KMS key`);
                }
                const rawLifecycle = one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "-lake-raw-lifecycle");
                const expiry = rawLifecycle.inputs.rules.map((r: any) => r.expiration?.days).filter(Boolean);
                assert.deepEqual(expiry, [stack === "prod" ? 7 : 3]);
                // The policy pack recognises raw stores by this tag, not only by name.
                assert.equal(one(run, "aws:s3/bucket:Bucket", "-lake-raw").inputs.tags["clickstream:data-class"], "raw");
            });
        });
    }

    it("dev is the cheap one: one provisioned shard, no keys, no WAF, buckets destroyable", () => {
        const stream = one(runs.dev, "aws:kinesis/stream:Stream");
        assert.equal(stream.inputs.shardCount, 1);
        assert.equal(stream.inputs.streamModeDetails?.streamMode ?? "PROVISIONED", "PROVISIONED");
        assert.equal(byType(runs.dev, "aws:apigateway/apiKey:ApiKey").length, 0);
        assert.equal(byType(runs.dev, "aws:wafv2/webAcl:WebAcl").length, 0);
        assert.ok(byType(runs.dev, "aws:s3/bucket:Bucket").every((b) => b.inputs.forceDestroy === true));
    });

    it("prod is hardened and cheap: function URL collector checking write keys, reserved concurrency from the throttle, 2 provisioned shards, buckets kept", () => {
        const stream = one(runs.prod, "aws:kinesis/stream:Stream");
        assert.equal(stream.inputs.streamModeDetails.streamMode, "PROVISIONED");
        assert.equal(stream.inputs.shardCount, 2);
        assert.deepEqual(byType(runs.prod, "random:index/randomPassword:RandomPassword").map((k) => k.name).filter((n) => /-ingest-key-/.test(n)).sort(), ["clickstream-prod-ingest-key-android", "clickstream-prod-ingest-key-ios", "clickstream-prod-ingest-key-web"]);
        const url = one(runs.prod, "aws:lambda/functionUrl:FunctionUrl");
        assert.equal(url.inputs.authorizationType, "NONE");
        assert.deepEqual(url.inputs.cors.allowOrigins, ["https://www.example.com"]);
        const collector = one(runs.prod, "aws:lambda/function:Function", "-ingest-collector");
        assert.equal(url.inputs.functionName, collector.state.name);
        assert.equal(collector.inputs.environment.variables.CLICKSTREAM_AUTH, "write-keys");
        assert.equal(Object.keys(JSON.parse(collector.inputs.environment.variables.CLICKSTREAM_WRITE_KEY_HASHES)).length, 3);
        // Throttle 400/s, burst 800 -> 800 x 0.1 s in flight.
        assert.equal(collector.inputs.reservedConcurrentExecutions, 80);
        assert.equal(byType(runs.prod, "aws:apigatewayv2/api:Api").length, 0);
        assert.equal(byType(runs.prod, "aws:apigateway/restApi:RestApi").length, 0);
        assert.equal(byType(runs.prod, "aws:wafv2/webAcl:WebAcl").length, 0, "WAF cannot front a function URL");
        // The collector's throttle and error alarms notify the alerts' topic.
        const topic = one(runs.prod, "aws:sns/topic:Topic", "-alerts-notifications");
        for (const alarm of ["-ingest-collector-throttles", "-ingest-collector-errors"]) assert.deepEqual(one(runs.prod, "aws:cloudwatch/metricAlarm:MetricAlarm", alarm).inputs.alarmActions, [topic.state.arn]);
        assert.ok(byType(runs.prod, "aws:s3/bucket:Bucket").every((b) => !b.inputs.forceDestroy));
        const analystGrants = byType(runs.prod, "aws:lakeformation/permissions:Permissions").filter((p) => String(p.inputs.principal).endsWith("role/clickstream-analyst"));
        assert.ok(analystGrants.length > 0);
        for (const grant of analystGrants) {
            const classification = grant.inputs.lfTagPolicy.expressions.find((e: any) => e.key === "classification");
            assert.ok(classification.values.every((v: string) => v === "public" || v === "internal"), `${grant.name} reaches ${classification.values}`);
        }
        const tableGrant = analystGrants.find((g) => g.inputs.lfTagPolicy.resourceType === "TABLE");
        assert.deepEqual(tableGrant?.inputs.permissions, ["SELECT", "DESCRIBE"]);
    });

    it("audits PII reads by default for auditRetentionDays; auditPiiReads=false leaves it to an organization trail the policy must be told about", async () => {
        const run = await runShippedStack("dev", { auditRetentionDays: 30 });
        const trail = one(run, "aws:cloudtrail/trail:Trail", "-lake-access-audit-trail");
        assert.equal(trail.inputs.advancedEventSelectors[0].fieldSelectors[2].startsWiths.length, 2);
        assert.equal(one(run, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "-lake-access-audit-logs-lifecycle").inputs.rules[0].expiration.days, 30);
        const off = await runShippedStack("dev", { auditPiiReads: false });
        assert.equal(byType(off, "aws:cloudtrail/trail:Trail").length, 0);
        assert.deepEqual([...new Set((await checkProgram(off)).map((v) => v.policy))], ["clickstream-s3-pii-access-audited"]);
        assert.deepEqual(await checkProgram(off, { config: { "clickstream-s3-pii-access-audited": { managedOutsideStack: true } } }), []);
    });

    it("the REST variant is one config key away (ingestApi=rest, wafEnabled=true): API keys on every POST, WAF attached, policy-clean", async () => {
        const run = await runShippedStack("prod", { ingestApi: "rest", wafEnabled: true });
        assert.deepEqual(byType(run, "aws:apigateway/apiKey:ApiKey").map((k) => k.name).sort(), ["clickstream-prod-ingest-key-android", "clickstream-prod-ingest-key-ios", "clickstream-prod-ingest-key-web"]);
        const api = one(run, "aws:apigateway/restApi:RestApi");
        const doc = JSON.parse(api.inputs.body);
        const posts = Object.entries<any>(doc.paths).filter(([, ops]) => ops.post);
        assert.equal(posts.length, 8);
        for (const [route, ops] of posts) assert.ok((ops.post.security ?? doc.security ?? []).length > 0, `${route} has no security requirement`);
        const acl = one(run, "aws:wafv2/webAcl:WebAcl");
        assert.equal(one(run, "aws:wafv2/webAclAssociation:WebAclAssociation").inputs.webAclArn, acl.state.arn);
        assert.equal(byType(run, "aws:apigatewayv2/api:Api").length, 0);
        assert.deepEqual(await checkProgram(run), []);
    });

    it("the HTTP API variant is one config key away (ingestApi=http): write keys on every route, stage throttling, policy-clean", async () => {
        const run = await runShippedStack("prod", { ingestApi: "http" });
        const routes = byType(run, "aws:apigatewayv2/route:Route");
        assert.equal(routes.length, 8);
        for (const route of routes) assert.equal(route.inputs.authorizationType, "CUSTOM", `${route.inputs.routeKey} is open`);
        const stage = one(run, "aws:apigatewayv2/stage:Stage");
        assert.deepEqual([stage.inputs.defaultRouteSettings.throttlingRateLimit, stage.inputs.defaultRouteSettings.throttlingBurstLimit], [400, 800]);
        assert.equal(byType(run, "aws:lambda/functionUrl:FunctionUrl").length, 0);
        assert.deepEqual(await checkProgram(run), []);
    });

    it("ingestApi is validated like the other keys", async () => {
        await assert.rejects(runShippedStack("prod", { ingestApi: "graphql" }), /clickstream:ingestApi must be one of function-url, http, rest \(got "graphql"\)\. Fix: pulumi config set clickstream:ingestApi function-url --stack prod/);
        await assert.rejects(runShippedStack("prod", { wafEnabled: true }), /clickstream:wafEnabled is true but clickstream:ingestApi is function-url, and WAF cannot front a Lambda function URL\. Fix: pulumi config set clickstream:ingestApi rest --stack prod/);
        await assert.rejects(runShippedStack("prod", { ingestApi: "http", wafEnabled: true }), /WAF cannot front an HTTP API/);
        await assert.rejects(runShippedStack("dev", { ingestMode: "firehose", ingestApi: "http" }), /clickstream:ingestApi is http but clickstream:ingestMode is firehose/);
        await assert.rejects(runShippedStack("dev", { ingestMode: "firehose", ingestApi: "function-url" }), /clickstream:ingestApi is function-url but clickstream:ingestMode is firehose; the function URL collector puts records into Kinesis/);
        await assert.rejects(runShippedStack("prod", { throttleRateLimit: 10000, throttleBurstLimit: 5000 }), /would reserve over 900 concurrent Lambda executions.*Fix: pulumi config set clickstream:throttleBurstLimit 9000 --stack prod/);
    });

    it("firehose mode (config ingestMode=firehose): API -> Firehose direct, no stream, windows or alerts, still policy-clean", async () => {
        const run = await runShippedStack("dev", { ingestMode: "firehose" });
        assert.equal(byType(run, "aws:kinesis/stream:Stream").length, 0);
        assert.equal(byType(run, "clickstream:analytics:AnalyticsWindow").length + byType(run, "clickstream:alerts:AnomalyAlerts").length, 0);
        const firehose = one(run, "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream", "-lake-delivery");
        assert.equal(firehose.inputs.kinesisSourceConfiguration, undefined);
        const role = one(run, "aws:iam/rolePolicy:RolePolicy", "-ingest-integration-policy");
        const statements = JSON.parse(role.inputs.policy).Statement;
        assert.deepEqual(statements.flatMap((st: any) => st.Resource), [firehose.state.arn, ...statements.slice(1).flatMap((st: any) => st.Resource)]);
        assert.deepEqual(Object.keys(run.outputs).filter((k) => run.outputs[k] !== undefined).sort(), ["apiKeyIds", "athenaWorkgroup", "deliveryStream", "glueDatabase", "glueTable", "ingestEndpoints", "ingestUrl", "kmsKeyArn", "lakeBucket", "lakeTableFormat", "modelsSchedule", "modelsStateMachine", "piiSecretArn", "rawBucket", "sessionsTable"]);
        assert.deepEqual(await checkProgram(run), []);
    });

    it("index.ts, the program the Pulumi CLI runs, exports the stack outputs", async () => {
        // In-process (the stacks' modules are loaded already); programs/CLI tests cover the child-process path.
        const run = await runUnderMocks({ project: "clickstream", stack: "prod", config: readStackConfig(PROJECT_ROOT, "prod"), program: () => ({ ...require("../../index") }) });
        for (const key of ["ingestUrl", "ingestEndpoints", "lakeBucket", "rawBucket", "glueDatabase", "glueTable", "athenaWorkgroup", "kmsKeyArn", "ingestStream", "alertTopicArn", "anomaliesTable", "windowMetrics"]) {
            assert.ok(run.outputs[key] !== undefined && run.outputs[key] !== null, `output ${key} is missing`);
        }
        assert.match(String(run.outputs.ingestUrl), /^https:\/\/.+\.lambda-url\.us-east-1\.on\.aws$/);
        assert.equal(run.resources.length, runs.prod.resources.length);
    });

    it("rejects prod without a Lake Formation admin, naming the key and the fix", async () => {
        await assert.rejects(runShippedStack("prod", { adminRoleArns: [] }), /clickstream:adminRoleArns is empty.*pulumi config set --path 'clickstream:adminRoleArns\[0\]' arn:aws:iam::123456789012:role\/lake-admin --stack prod/);
    });

    it("rejects an unknown stack with the stacks it knows", async () => {
        await assert.rejects(runShippedStack("staging"), /Unknown stack "staging"\. This project ships: dev, prod/);
    });
});
