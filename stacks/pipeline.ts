/**
 * The pipeline every shipped stack deploys, composed from the components. dev.ts and prod.ts differ
 * only in config defaults (stacks/config.ts), so both stacks exercise the same wiring:
 *
 *   IngestEndpoint ─(firehose mode)─────────────────────────► FirehoseLake ─► LakeFormationGrants
 *   IngestEndpoint ─(stream mode)─► Kinesis ─┬──────────────► FirehoseLake
 *                                            └► AnalyticsWindow ─► AnomalyAlerts
 */
import { AGGREGATE_COLUMNS, AnalyticsWindow, EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP, windowMetric } from "../components/analytics";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AnomalyAlerts } from "../components/alerts";
import { LakeFormationGrants } from "../components/governance";
import { IngestEndpoint } from "../components/ingest";
import { FirehoseLake } from "../components/lake/firehoseLake";
import { ModelSchedule } from "../components/models/modelSchedule";
import { modelTableColumns } from "../components/models/modelTables";
import { MODEL_NAMES } from "../models/sql";
import { ERASURES_TABLE_COLUMNS } from "../components/lake/erasuresTable";
import { EVENT_COLUMNS } from "../dataplane/schema";
import type { StackConfig } from "./config";
import { STACK_WINDOW_SPECS } from "./defaults";
import type { StackOutputs } from "./index";
import { DashboardSources, dashboardBody, nameFromArnOrUrl } from "./dashboard";
import { createIngestWebAcl } from "./waf";

/** Creates the pipeline's resources for one stack and returns the stack outputs. */
export function deployPipeline(stack: string, cfg: StackConfig): StackOutputs {
    const name = `clickstream-${stack}`;
    const tags = { "clickstream:stack": stack, "clickstream:managed-by": "pulumi" };

    const webAcl = cfg.wafEnabled ? createIngestWebAcl(`${name}-waf`, { rateLimitPer5Min: cfg.wafRateLimitPer5Min }) : undefined;
    const ingestCommon = {
        throttleRateLimit: cfg.throttleRateLimit,
        throttleBurstLimit: cfg.throttleBurstLimit,
        corsAllowedOrigins: cfg.corsAllowedOrigins,
        requireApiKeys: cfg.requireApiKeys,
        apiKeyNames: cfg.apiKeyNames,
        // Segment and RudderStack SDKs send their write key as Basic auth; accept it wherever keys are required.
        acceptSegmentWriteKey: cfg.requireApiKeys,
        webAclArn: webAcl?.arn,
        logRetentionDays: cfg.logRetentionDays,
        manageAccountLogging: cfg.manageAccountSettings,
        tags,
    };
    const lakeCommon = {
        tableFormat: cfg.tableFormat,
        // One stack per account and region owns the account-wide optimizer log groups, as it owns catalog encryption.
        iceberg: cfg.tableFormat === "iceberg" ? { manageOptimizerLogGroups: cfg.manageAccountSettings } : undefined,
        forceDestroy: cfg.forceDestroy,
        adminRoleArns: cfg.adminRoleArns,
        rawRetentionDays: cfg.rawRetentionDays,
        logRetentionDays: cfg.logRetentionDays,
        athenaBytesScannedCutoff: cfg.athenaBytesScannedCutoff,
        manageCatalogEncryption: cfg.manageAccountSettings,
        // Who reads the PII buckets: CloudTrail data events, unless an organization trail records them.
        accessAudit: cfg.auditPiiReads ? { retentionDays: cfg.auditRetentionDays } : (false as const),
        databaseName: `clickstream_${stack}`,
        // The model runs' state machine history is encrypted with the lake key; its log delivery decrypts it.
        keyServicePrincipals: cfg.models.enabled ? ["delivery.logs.amazonaws.com"] : undefined,
        tags,
    };

    // Stream mode creates the Kinesis stream in the ingest endpoint first; the lake reads from it.
    // Firehose mode creates the lake first; the endpoint writes into its delivery stream.
    let ingest: IngestEndpoint;
    let lake: FirehoseLake;
    // Stream mode has alerts: created first so the ingest collector's alarms notify the same people.
    const alerts = cfg.ingestMode === "stream" ? deployAlerts(name, stack, cfg, tags) : undefined;
    if (cfg.ingestMode === "stream") {
        ingest = new IngestEndpoint(`${name}-ingest`, {
            ...ingestCommon,
            api: cfg.ingestApi,
            alarmTopicArn: cfg.ingestApi === "function-url" ? alerts!.notificationTopicArn : undefined,
            mode: "stream",
            stream: cfg.streamShardCount > 0 ? { shardCount: cfg.streamShardCount } : {},
        });
        lake = new FirehoseLake(`${name}-lake`, {
            ...lakeCommon,
            source: { kind: "kinesis", streamArn: ingest.streamArn!, streamKmsKeyArn: ingest.streamKmsKeyArn },
        });
    } else {
        lake = new FirehoseLake(`${name}-lake`, { ...lakeCommon, source: { kind: "direct" } });
        ingest = new IngestEndpoint(`${name}-ingest`, {
            ...ingestCommon,
            api: "rest",
            mode: "firehose",
            deliveryStreamName: lake.deliveryStreamName,
            deliveryStreamArn: lake.deliveryStreamArn,
            deliveryStreamKmsKeyArn: lake.kmsKeyArn,
        });
    }

    const outputs: StackOutputs = {
        ingestUrl: ingest.url,
        ingestEndpoints: ingest.endpoints,
        apiKeyIds: ingest.apiKeyIds,
        lakeBucket: lake.lakeBucketName,
        rawBucket: lake.rawBucketName,
        deliveryStream: lake.deliveryStreamName,
        glueDatabase: lake.databaseName,
        glueTable: lake.tableName,
        lakeTableFormat: lake.tableFormat,
        // clickstream erase reads the pseudonymization key from here (to compute the pseudonym it deletes by).
        piiSecretArn: lake.piiSecretArn,
        athenaWorkgroup: lake.workgroupName,
        kmsKeyArn: lake.kmsKeyArn,
    };

    // Windows need a Kinesis stream in the path: Firehose cannot be a Lambda event source.
    const windows = alerts ? deployWindows(name, stack, cfg, ingest, lake, alerts, tags) : undefined;
    const models = cfg.models.enabled ? deployModels(name, cfg, lake, windows, tags) : undefined;

    new LakeFormationGrants(`${name}-grants`, {
        databaseName: lake.databaseName,
        tableNames: [lake.tableName],
        additionalTables: [
            ...(windows ? [{ name: windows.analytics.aggregatesTableName, columns: AGGREGATE_COLUMNS }] : []),
            // The erasure audit: subjects (pseudonyms) tagged pii.
            { name: lake.erasuresTableName, columns: ERASURES_TABLE_COLUMNS },
            // The model tables: sessions' ids (pseudonyms) tagged pii, like the events columns they come from.
            ...(models ? MODEL_NAMES.map((m) => ({ name: models.tableNames[m], columns: modelTableColumns(m) })) : []),
        ],
        lakeBucketArn: lake.lakeBucketArn,
        manageDataLakeSettings: cfg.manageAccountSettings && cfg.adminRoleArns.length > 0,
        admins: cfg.adminRoleArns,
        analystPrincipals: cfg.analystPrincipals,
        engineerPrincipals: cfg.engineerPrincipals,
        // The Firehose streams read their table's schema for Parquet conversion.
        writerPrincipals: [lake.firehoseRoleArn, ...(windows ? [windows.analytics.aggregatesFirehoseRoleArn] : [])],
        // An Iceberg table has no dt/hour columns (hidden partitioning); Firehose and the optimizers commit snapshots to it.
        columns: lake.tableFormat === "iceberg" ? EVENT_COLUMNS : undefined,
        tableMaintainers: [
            ...(lake.optimizerRoleArn ? [{ principal: lake.firehoseRoleArn, tableName: lake.tableName }, { principal: lake.optimizerRoleArn, tableName: lake.tableName }] : []),
            // The model runs replace days of their tables; each table's optimizers compact and expire it.
            ...(models ? MODEL_NAMES.flatMap((m) => [{ principal: models.runnerRoleArn, tableName: models.tableNames[m] }, { principal: models.optimizerRoleArns[m], tableName: models.tableNames[m] }]) : []),
        ],
        // The model runs read every events column (sessions are per anonymous_id); their tables keep the pii tag.
        tableReaders: models ? [{ principal: models.runnerRoleArn, tableName: lake.tableName }] : undefined,
        createTags: cfg.manageAccountSettings,
    });

    deployDashboard(name, cfg.tableFormat, ingest, lake, windows, models);

    // sessionsTable: `clickstream erase --stack` deletes the person's sessions (pseudonyms) from it.
    const modelOutputs = models ? { modelsStateMachine: models.stateMachineArn, modelsSchedule: models.scheduleName, sessionsTable: models.tableNames.sessions } : {};
    if (!windows) return { ...outputs, ...modelOutputs };
    return {
        ...outputs,
        ...modelOutputs,
        ingestStream: ingest.streamName,
        windowMetrics: windows.analytics.metricNames,
        aggregatesTable: windows.analytics.aggregatesTableName,
        alertTopicArn: windows.alerts.topicArn,
        anomaliesTable: windows.alerts.tableName,
    };
}

/** The window specs every stack computes (shared with the local pipeline). */
const WINDOW_SPECS = STACK_WINDOW_SPECS;

/** The window metric definitions every stack computes (the alarms name them before the window exists). */
const WINDOW = { specs: WINDOW_SPECS, metricNamespace: (stack: string) => `Clickstream/${stack}` };

/** AnomalyAlerts on the window metrics; its notification topic also takes the stack's operational alarms. */
function deployAlerts(name: string, stack: string, cfg: StackConfig, tags: Record<string, string>): AnomalyAlerts {
    const window = { specs: WINDOW.specs, metricNamespace: WINDOW.metricNamespace(stack) };
    // Alarm on the roll-ups (all groups together): per-group series are too sparse to train a band.
    return new AnomalyAlerts(`${name}-alerts`, {
        alarms: [
            { metric: windowMetric(window, EVENTS_PER_MINUTE_BY_TYPE.name, "count"), description: "Events per minute left their usual band: tracker outage, bot traffic or a broken release" },
            { metric: windowMetric(window, PURCHASE_PRICE_BY_GROUP.name, "avg_price"), description: "Average purchase price per minute left its usual band (the article's example)" },
        ],
        emails: cfg.alertEmails,
        webhookUrl: cfg.alertWebhookUrl,
        alarmNamePrefix: name,
        logRetentionDays: cfg.logRetentionDays,
        deletionProtection: stack === "prod",
        tags,
    });
}

/**
 * AnalyticsWindow on the ingest stream; its operational alarms (DLQ not empty, iterator age) notify
 * the alerts' topic.
 */
function deployWindows(name: string, stack: string, cfg: StackConfig, ingest: IngestEndpoint, lake: FirehoseLake, alerts: AnomalyAlerts, tags: Record<string, string>) {
    const metricNamespace = WINDOW.metricNamespace(stack);
    const analytics = new AnalyticsWindow(`${name}-analytics`, {
        streamArn: ingest.streamArn!,
        streamKmsKeyArn: ingest.streamKmsKeyArn,
        specs: WINDOW.specs,
        metricNamespace,
        lakeBucketArn: lake.lakeBucketArn,
        lakeBucketName: lake.lakeBucketName,
        kmsKeyArn: lake.kmsKeyArn,
        databaseName: lake.databaseName,
        // The lake encrypts the Glue catalog with its key when it manages catalog encryption.
        catalogKmsKeyArn: cfg.manageAccountSettings ? lake.kmsKeyArn : undefined,
        // Same key and defaults as the lake's transform, so windows count the rows the lake stores.
        piiSecret: { secretArn: lake.piiSecretArn, kmsKeyArn: lake.kmsKeyArn },
        alarmTopicArn: alerts.notificationTopicArn,
        logRetentionDays: cfg.logRetentionDays,
        tags,
    });
    return { analytics, alerts };
}

/**
 * The modeled tables on Athena (docs/models.md): a daily schedule runs the previous day through a Step
 * Functions state machine in the lake's workgroup; a failed run alarms on the alert topic (stream mode).
 */
function deployModels(name: string, cfg: StackConfig, lake: FirehoseLake, windows: ReturnType<typeof deployWindows> | undefined, tags: Record<string, string>): ModelSchedule {
    return new ModelSchedule(`${name}-models`, {
        workgroupName: lake.workgroupName,
        eventsDatabaseName: lake.databaseName,
        eventsTableName: lake.tableName,
        lakeBucketName: lake.lakeBucketName,
        lakeBucketArn: lake.lakeBucketArn,
        kmsKeyArn: lake.kmsKeyArn,
        // The lake encrypts the Glue catalog with its key when it manages catalog encryption.
        catalogKmsKeyArn: cfg.manageAccountSettings ? lake.kmsKeyArn : undefined,
        tableFormat: cfg.tableFormat,
        scheduleExpression: cfg.models.schedule,
        sessionGapMinutes: cfg.models.sessionTimeoutMinutes,
        lateArrivalDays: cfg.models.lateArrivalDays,
        funnels: cfg.models.funnels,
        logRetentionDays: cfg.logRetentionDays,
        // An Iceberg lake already owns the account's optimizer log groups (FirehoseLake); a Parquet one does not.
        maintenance: { manageOptimizerLogGroups: cfg.manageAccountSettings && cfg.tableFormat !== "iceberg" },
        alarmTopicArns: windows ? [windows.alerts.notificationTopicArn] : [],
        tags,
    });
}

/** One CloudWatch dashboard per stack over the components' own metrics (stacks/dashboard.ts builds the body). */
function deployDashboard(name: string, tableFormat: StackConfig["tableFormat"], ingest: IngestEndpoint, lake: FirehoseLake, windows: ReturnType<typeof deployWindows> | undefined, models: ModelSchedule | undefined): aws.cloudwatch.Dashboard {
    const stream = windows
        ? pulumi.all([ingest.streamName!, windows.analytics.functionName, windows.analytics.dlqUrl, windows.alerts.topicArn, windows.alerts.functionName, windows.alerts.dlqUrl]).apply(
              ([streamName, windowFunctionName, windowDlqUrl, alertTopicArn, alertFunctionName, alertDlqUrl]): DashboardSources["stream"] => ({
                  streamName,
                  windowFunctionName,
                  windowDlqName: nameFromArnOrUrl(windowDlqUrl),
                  eventCount: eventCountRef(windows.analytics),
                  windowMetrics: windows.alerts.settings.alarms.map((a) => ({ ...a.metric, bandWidth: a.bandWidth })),
                  alertTopicName: nameFromArnOrUrl(alertTopicArn),
                  alertFunctionName,
                  alertDlqName: nameFromArnOrUrl(alertDlqUrl),
              }),
          )
        : pulumi.output(undefined);
    const modelRuns = models
        ? pulumi.all([models.stateMachineArn, models.deadLetterQueueName]).apply(([stateMachineArn, scheduleDlqName]): DashboardSources["models"] => ({ stateMachineArn, scheduleDlqName }))
        : pulumi.output(undefined);
    const sources = pulumi
        .all([aws.getRegionOutput({}, { parent: ingest }).region, ingest.restApiId, ingest.restApiName, ingest.stageName, lake.deliveryStreamName, lake.transformFunctionName, lake.transformLogGroupName, stream])
        .apply(([region, apiId, apiName, stage, deliveryStreamName, transformFunctionName, transformLogGroupName, s]): DashboardSources => ({
            region,
            api: { type: ingest.apiType, id: apiId, name: apiName, stage },
            lake: { deliveryStreamName, transformFunctionName, transformLogGroupName, tableFormat },
            stream: s,
        }))
        .apply((base) => modelRuns.apply((m) => ({ ...base, models: m })));
    return new aws.cloudwatch.Dashboard(`${name}-dashboard`, {
        dashboardName: name,
        dashboardBody: sources.apply((s) => JSON.stringify(dashboardBody(s))),
    });
}

/** The events-per-minute count metric and its event-type dimension, for the bad-row rate. */
function eventCountRef(analytics: AnalyticsWindow): { namespace: string; metricName: string; dimension: string } {
    const ref = analytics.metricRefs.find((r) => r.spec === EVENTS_PER_MINUTE_BY_TYPE.name && r.kind === "count");
    const dimension = ref?.groupDimensions[EVENTS_PER_MINUTE_BY_TYPE.groupBy!.indexOf("event_type")];
    if (!ref || !dimension) throw new Error(`dashboard: window spec ${EVENTS_PER_MINUTE_BY_TYPE.name} has no count grouped by event_type; the bad-row rate needs it`);
    return { namespace: ref.namespace, metricName: ref.metricName, dimension };
}
