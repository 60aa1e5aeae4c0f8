/**
 * ModelSchedule: runs the modeled tables (models/sql.ts) on Athena once a day without servers. An
 * EventBridge Scheduler schedule starts a Step Functions state machine (models/athenaSchedule.ts) that
 * runs the day's DELETE + INSERT statements in order through Athena's `.sync` integration. The model
 * tables are Iceberg tables under `models/` in the lake bucket, created here (so Lake Formation can tag
 * them before the first run) and kept small by Glue's table optimizers, like the events table.
 *
 * Nothing fails silently: the schedule retries and then parks the invocation in an encrypted
 * dead-letter queue; the state machine retries each query, logs failed executions to an encrypted log
 * group with retention, and (with `alarmTopicArn`) a failed execution or a dead letter raises an alarm.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SCHEDULE_INPUT, modelRunDefinition } from "../../models/athenaSchedule";
import { FunnelConfig, MODEL_NAMES, ModelName, resolveModelConfig } from "../../models/sql";
import { anyOccurrenceAlarm, dlqNotEmptyAlarm } from "../alarms/dlqAlarm";
import { awsEnvironment } from "../aws/environment";
import { createTableOptimizers } from "../lake/icebergResources";
import { IcebergArgs, resolveIcebergSettings } from "../lake/icebergTable";
import { ATHENA_RESULTS_PREFIX, EVENTS_PREFIX } from "../lake/glueTable";
import { AwsEnvironment, PolicyDocument, PolicyStatement, glueTableArns } from "../lake/policies";
import { componentLogGroup } from "../logs/componentLogGroup";
import { MODELS_PREFIX, modelOpenTableFormatInput, modelTablePrefix } from "./modelTables";

export { MODELS_PREFIX } from "./modelTables";

const COMPONENT = "ModelSchedule";
/** The default schedule: 02:30 UTC, after the previous day's last Firehose buffers have landed. */
export const DEFAULT_MODELS_SCHEDULE = "cron(30 2 * * ? *)";
/** Days a dead-lettered schedule invocation is kept (SQS maximum): long enough to redrive after a holiday. */
const DLQ_RETENTION_SECONDS = 14 * 24 * 3600;

export interface ModelScheduleArgs {
    /** Athena workgroup the queries run in (FirehoseLake's `workgroupName`; its encrypted result location applies). */
    workgroupName: pulumi.Input<string>;
    /** Glue database of the events table (FirehoseLake's `databaseName`). */
    eventsDatabaseName: pulumi.Input<string>;
    /** Events table (FirehoseLake's `tableName`). */
    eventsTableName: pulumi.Input<string>;
    /** Glue database the model tables are created in. Defaults to the events database. */
    modelsDatabaseName?: pulumi.Input<string>;
    /** Lake bucket name and ARN: events are read from it, model tables and query results written to it. */
    lakeBucketName: pulumi.Input<string>;
    lakeBucketArn: pulumi.Input<string>;
    /**
     * KMS key of the lake: query results, model table files, the state machine's execution history, its
     * log group and the dead-letter queue. Its policy must let `delivery.logs.amazonaws.com` decrypt (the
     * state machine's log delivery reads its encrypted history; FirehoseLake `keyServicePrincipals`).
     */
    kmsKeyArn: pulumi.Input<string>;
    /** KMS key of the Glue Data Catalog, when it is encrypted with one. Defaults to none (not encrypted, or the lake key through `kmsKeyArn`). */
    catalogKmsKeyArn?: pulumi.Input<string | undefined>;
    /** When the day runs, in UTC; each run models the day before its scheduled time. Defaults to `cron(30 2 * * ? *)`. */
    scheduleExpression?: string;
    /** Minutes of inactivity that end a session. Defaults to 30. */
    sessionGapMinutes?: number;
    /** Days of late arrivals a day's run reads. Defaults to 7. */
    lateArrivalDays?: number;
    /** Funnels to compute. Defaults to none. */
    funnels?: FunnelConfig[];
    /** The events table's format (FirehoseLake's `tableFormat`): `iceberg` has no `dt` column to prune by. Defaults to `parquet`. */
    tableFormat?: "parquet" | "iceberg";
    /** Retention of the state machine's log group, in days. Defaults to 30. */
    logRetentionDays?: number;
    /**
     * Glue optimizer settings of the model tables (compaction, snapshot retention, orphan files), as
     * FirehoseLake's `iceberg`. Defaults to FirehoseLake's defaults. Set `manageOptimizerLogGroups` only
     * when no other stack or FirehoseLake in this account and region owns the `/aws-glue/iceberg-*` groups.
     */
    maintenance?: IcebergArgs;
    /** SNS topics notified when a run fails or an invocation is dead-lettered. Defaults to none (the alarms still show in CloudWatch). */
    alarmTopicArns?: pulumi.Input<string>[];
    tags?: Record<string, string>;
}

export class ModelSchedule extends pulumi.ComponentResource {
    readonly stateMachineArn: pulumi.Output<string>;
    readonly stateMachineName: pulumi.Output<string>;
    readonly scheduleName: pulumi.Output<string>;
    /** Glue database holding the model tables. */
    readonly modelsDatabaseName: pulumi.Output<string>;
    /** Glue table name per model. */
    readonly tableNames: Record<ModelName, pulumi.Output<string>>;
    /** Role the state machine runs the queries as (Lake Formation grants it SELECT on the events, and maintains the model tables). */
    readonly runnerRoleArn: pulumi.Output<string>;
    /** Role of each model table's Glue optimizers (a Lake Formation maintainer of that table). */
    readonly optimizerRoleArns: Record<ModelName, pulumi.Output<string>>;
    /** Dead-letter queue of the schedule. */
    readonly deadLetterQueueName: pulumi.Output<string>;
    readonly deadLetterQueueArn: pulumi.Output<string>;
    /** Log group of the state machine. */
    readonly logGroupName: pulumi.Output<string>;

    constructor(name: string, args: ModelScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`clickstream:models:${COMPONENT}`, name, {}, opts);
        const parent = { parent: this };
        const schedule = args.scheduleExpression ?? DEFAULT_MODELS_SCHEDULE;
        if (!/^(cron|rate)\(.+\)$/.test(schedule)) throw new Error(`${COMPONENT}: scheduleExpression "${schedule}" is not a Scheduler expression; use e.g. cron(30 2 * * ? *) (UTC)`);
        // Validate the model settings now, so a bad value fails the construction rather than an apply.
        if (args.tableFormat !== undefined && args.tableFormat !== "parquet" && args.tableFormat !== "iceberg") throw new Error(`${COMPONENT}: tableFormat "${args.tableFormat}" is unknown; pass the lake's tableFormat (parquet or iceberg)`);
        const logRetentionDays = args.logRetentionDays ?? 30;
        if (!Number.isInteger(logRetentionDays) || logRetentionDays < 1) throw new Error(`${COMPONENT}: logRetentionDays is ${logRetentionDays}; pass a CloudWatch retention such as 30`);
        const arrivalFilter = args.tableFormat === "iceberg" ? "received_at" as const : "dt" as const;
        resolveModelConfig({ sessionGapMinutes: args.sessionGapMinutes, lateArrivalDays: args.lateArrivalDays, funnels: args.funnels, arrivalFilter });
        const maintenance = resolveIcebergSettings(COMPONENT, "iceberg", args.maintenance);
        const env = awsEnvironment(this);
        const modelsDb = pulumi.output(args.modelsDatabaseName ?? args.eventsDatabaseName);
        const kmsKeyArn = pulumi.output(args.kmsKeyArn);
        const catalogKmsKeyArn = pulumi.output(args.catalogKmsKeyArn);

        // --- The model tables (Iceberg), each with its Glue optimizers (the first creates the account's optimizer log groups if asked).
        const tables = {} as Record<ModelName, aws.glue.CatalogTable>;
        const optimizerRoles = {} as Record<ModelName, pulumi.Output<string>>;
        const bucketName = pulumi.output(args.lakeBucketName);
        MODEL_NAMES.forEach((model, i) => {
            const table = new aws.glue.CatalogTable(`${name}-${model}-table`, {
                name: model,
                databaseName: modelsDb,
                description: `clickstream model ${model}: one event-time day per run, replaced by DELETE + INSERT (models/sql.ts)`,
                openTableFormatInput: bucketName.apply((b) => modelOpenTableFormatInput(b, model, maintenance)),
            }, parent);
            const settings = { ...maintenance, manageOptimizerLogGroups: maintenance.manageOptimizerLogGroups && i === 0 };
            const optimized = createTableOptimizers(`${name}-${model}`, this, {
                env, lakeBucketArn: pulumi.output(args.lakeBucketArn), lakeBucketName: bucketName, kmsKeyArn, catalogKmsKeyArn, table, settings,
                logRetentionDays, tags: args.tags, tablePrefix: modelTablePrefix(model),
            });
            tables[model] = table;
            optimizerRoles[model] = optimized.role.arn;
        });

        // --- The state machine: its log group (KMS, retention), role and definition.
        const logs = componentLogGroup(name, "runner", { retentionInDays: logRetentionDays, kmsKeyId: kmsKeyArn, tags: args.tags }, parent);
        // The role may not call logs:PutResourcePolicy (account-wide, unscopable): the stack grants log delivery on this one group itself.
        new aws.cloudwatch.LogResourcePolicy(`${name}-log-delivery`, {
            policyName: `${name}-states-log-delivery`,
            policyDocument: pulumi.jsonStringify(pulumi.all([env, logs.arn]).apply(([e, arn]) => logDeliveryResourcePolicy(e, arn))),
        }, parent);
        const machineName = name;
        const machineArn = env.apply((e) => `arn:${e.partition}:states:${e.region}:${e.accountId}:stateMachine:${machineName}`);
        const definition = pulumi.all([args.workgroupName, args.eventsDatabaseName, args.eventsTableName, modelsDb, bucketName]).apply(([workGroup, eventsDb, eventsTable, database, bucket]) =>
            JSON.stringify(modelRunDefinition({
                workGroup,
                // The tables exist (above): no CREATE TABLE, so the role needs no glue:CreateTable.
                createTables: false,
                config: { eventsTable: `${eventsDb}.${eventsTable}`, sessionGapMinutes: args.sessionGapMinutes, lateArrivalDays: args.lateArrivalDays, funnels: args.funnels, arrivalFilter, athena: { database, s3Prefix: `s3://${bucket}/${MODELS_PREFIX}` } },
            })));

        const machineRole = new aws.iam.Role(`${name}-runner-role`, {
            description: `Runs the clickstream model queries on Athena (${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => assumeRolePolicy("states.amazonaws.com", e.accountId))),
            tags: args.tags,
        }, parent);
        const runnerPolicy = new aws.iam.RolePolicy(`${name}-runner-policy`, {
            role: machineRole.id,
            policy: pulumi.jsonStringify(pulumi.output({
                env, workgroup: args.workgroupName, eventsDb: args.eventsDatabaseName, eventsTable: args.eventsTableName, modelsDatabase: modelsDb,
                bucketArn: args.lakeBucketArn, kmsKeyArn, catalogKmsKeyArn, stateMachineArn: machineArn,
            }).apply((v) => modelRunnerPolicyDocument({ ...v, catalogKmsKeyArn: v.catalogKmsKeyArn ?? undefined }))),
        }, parent);
        const machine = new aws.sfn.StateMachine(`${name}-runner`, {
            name: machineName,
            roleArn: machineRole.arn,
            definition,
            type: "STANDARD",
            // ERROR: failed executions with their input and error; the SQL and query ids are no personal data.
            loggingConfiguration: { level: "ERROR", includeExecutionData: true, logDestination: pulumi.interpolate`${logs.arn}:*` },
            encryptionConfiguration: { type: "CUSTOMER_MANAGED_KMS_KEY", kmsKeyId: kmsKeyArn, kmsDataKeyReusePeriodSeconds: 300 },
            tags: args.tags,
        }, { parent: this, dependsOn: [runnerPolicy, ...Object.values(tables)] }); // the role must reach the key and the log group at creation

        // --- The schedule: retries, then the dead-letter queue.
        const dlq = new aws.sqs.Queue(`${name}-schedule-dlq`, {
            kmsMasterKeyId: kmsKeyArn,
            kmsDataKeyReusePeriodSeconds: 300,
            messageRetentionSeconds: DLQ_RETENTION_SECONDS,
            tags: args.tags,
        }, parent);
        const schedulerRole = new aws.iam.Role(`${name}-scheduler-role`, {
            description: `Starts the clickstream model runs (${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => assumeRolePolicy("scheduler.amazonaws.com", e.accountId))),
            tags: args.tags,
        }, parent);
        const schedulerPolicy = new aws.iam.RolePolicy(`${name}-scheduler-policy`, {
            role: schedulerRole.id,
            policy: pulumi.jsonStringify(pulumi.all([env, machine.arn, dlq.arn, kmsKeyArn]).apply(([e, arn, dlqArn, key]) => schedulerPolicyDocument({ env: e, stateMachineArn: arn, deadLetterQueueArn: dlqArn, kmsKeyArn: key }))),
        }, parent);
        const scheduled = new aws.scheduler.Schedule(`${name}-daily`, {
            description: "Runs the modeled tables of the day before the scheduled time (UTC)",
            scheduleExpression: schedule,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            target: {
                arn: machine.arn,
                roleArn: schedulerRole.arn,
                input: SCHEDULE_INPUT,
                // A start that keeps failing for 6 hours goes to the DLQ (redrive it; the input names the day).
                retryPolicy: { maximumRetryAttempts: 10, maximumEventAgeInSeconds: 6 * 3600 },
                deadLetterConfig: { arn: dlq.arn },
            },
        }, { parent: this, dependsOn: [schedulerPolicy] });

        // --- Alarms: a failed run or a dead letter means a day of models is missing.
        const actions = args.alarmTopicArns ?? [];
        dlqNotEmptyAlarm(`${name}-schedule-dlq-not-empty`, {
            queueName: dlq.name,
            description: "A model run could not be started: redrive the message from the queue to the state machine once the cause is fixed (its input names the day)",
            actions,
            tags: args.tags,
        }, parent);
        anyOccurrenceAlarm(`${name}-run-failed`, {
            description: "A model run failed: start the state machine with { \"day\": \"YYYY-MM-DD\" } for that day once fixed (runs replace the day)",
            namespace: "AWS/States",
            metricName: "ExecutionsFailed",
            dimensions: { StateMachineArn: machine.arn },
            statistic: "Sum",
            periodSeconds: 3600,
            actions,
            tags: args.tags,
        }, parent);

        this.stateMachineArn = machine.arn;
        this.stateMachineName = machine.name;
        this.scheduleName = scheduled.name;
        this.modelsDatabaseName = modelsDb;
        this.tableNames = Object.fromEntries(MODEL_NAMES.map((m) => [m, tables[m].name])) as Record<ModelName, pulumi.Output<string>>;
        this.runnerRoleArn = machineRole.arn;
        this.optimizerRoleArns = optimizerRoles;
        this.deadLetterQueueName = dlq.name;
        this.deadLetterQueueArn = dlq.arn;
        this.logGroupName = logs.name;
        this.registerOutputs({
            stateMachineArn: this.stateMachineArn, stateMachineName: this.stateMachineName, scheduleName: this.scheduleName, modelsDatabaseName: this.modelsDatabaseName,
            runnerRoleArn: this.runnerRoleArn, deadLetterQueueName: this.deadLetterQueueName, logGroupName: this.logGroupName,
        });
    }
}

function assumeRolePolicy(service: "states.amazonaws.com" | "scheduler.amazonaws.com", accountId: string): PolicyDocument {
    return { Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": accountId } } }] };
}

export interface ModelRunnerPolicyInput {
    env: AwsEnvironment;
    workgroup: string;
    eventsDb: string;
    eventsTable: string;
    modelsDatabase: string;
    bucketArn: string;
    kmsKeyArn: string;
    /** KMS key of the Glue Data Catalog when it is not the lake key. */
    catalogKmsKeyArn?: string;
    /** The state machine (its history is encrypted with the lake key under this encryption context). */
    stateMachineArn: string;
}

/**
 * Log-delivery actions Step Functions needs on its execution role to log to CloudWatch Logs. AWS
 * offers no resource-level scoping for them (they configure delivery, they read or write no log data).
 * logs:PutResourcePolicy is left out on purpose: the stack writes the delivery resource policy.
 */
export const STATES_LOG_DELIVERY_ACTIONS = [
    "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
    "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
];

/**
 * What the state machine's queries touch: its workgroup; the events table (read: schema, objects under
 * `events/`); the model tables (read and commit: objects under `models/`); Athena results under
 * `athena-results/`; the lake key through S3 and Glue, and for its own execution history.
 */
export function modelRunnerPolicyDocument(p: ModelRunnerPolicyInput): PolicyDocument {
    const glue = `arn:${p.env.partition}:glue:${p.env.region}:${p.env.accountId}`;
    const readPrefixes = [EVENTS_PREFIX, MODELS_PREFIX, ATHENA_RESULTS_PREFIX];
    const statements: PolicyStatement[] = [
        { Sid: "RunQueries", Effect: "Allow", Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"], Resource: `arn:${p.env.partition}:athena:${p.env.region}:${p.env.accountId}:workgroup/${p.workgroup}` },
        { Sid: "ReadEventsSchema", Effect: "Allow", Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"], Resource: glueTableArns(p.env, p.eventsDb, p.eventsTable) },
        { Sid: "CommitModelTables", Effect: "Allow", Action: ["glue:GetDatabase", "glue:GetTable", "glue:UpdateTable"], Resource: [`${glue}:catalog`, `${glue}:database/${p.modelsDatabase}`, ...MODEL_NAMES.map((m) => `${glue}:table/${p.modelsDatabase}/${m}`)] },
        { Sid: "ReadLakePrefixes", Effect: "Allow", Action: ["s3:GetObject"], Resource: readPrefixes.map((prefix) => `${p.bucketArn}/${prefix}*`) },
        { Sid: "ListLakePrefixes", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: p.bucketArn, Condition: { StringLike: { "s3:prefix": readPrefixes.map((prefix) => `${prefix}*`) } } },
        { Sid: "WriteModelsAndResults", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: [`${p.bucketArn}/${MODELS_PREFIX}*`, `${p.bucketArn}/${ATHENA_RESULTS_PREFIX}*`] },
        {
            Sid: "UseLakeKeyThroughS3AndGlue", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: p.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": [`s3.${p.env.region}.amazonaws.com`, `glue.${p.env.region}.amazonaws.com`] } },
        },
        {
            Sid: "EncryptOwnExecutionHistory", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: p.kmsKeyArn,
            Condition: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": p.stateMachineArn } },
        },
        // Lake Formation vends the table's data credentials; AWS offers no resource scoping for it.
        { Sid: "LakeFormationData", Effect: "Allow", Action: ["lakeformation:GetDataAccess"], Resource: "*" },
        { Sid: "DeliverExecutionLogs", Effect: "Allow", Action: STATES_LOG_DELIVERY_ACTIONS, Resource: "*" },
    ];
    if (p.catalogKmsKeyArn !== undefined && p.catalogKmsKeyArn !== p.kmsKeyArn) {
        statements.push({ Sid: "ReadCatalogThroughGlue", Effect: "Allow", Action: ["kms:Decrypt"], Resource: p.catalogKmsKeyArn, Condition: { StringEquals: { "kms:ViaService": `glue.${p.env.region}.amazonaws.com` } } });
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** The scheduler may start this one state machine, dead-letter into its queue, and use the key for those two only. */
export function schedulerPolicyDocument(p: { env: AwsEnvironment; stateMachineArn: string; deadLetterQueueArn: string; kmsKeyArn: string }): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "StartModelRun", Effect: "Allow", Action: ["states:StartExecution"], Resource: p.stateMachineArn },
            { Sid: "DeadLetter", Effect: "Allow", Action: ["sqs:SendMessage"], Resource: p.deadLetterQueueArn },
            {
                Sid: "EncryptRunInput", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: p.kmsKeyArn,
                Condition: { StringEquals: { "kms:EncryptionContext:aws:states:stateMachineArn": p.stateMachineArn } },
            },
            {
                Sid: "EncryptDeadLetters", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: p.kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `sqs.${p.env.region}.amazonaws.com` } },
            },
        ],
    };
}

/** Lets CloudWatch Logs' delivery service write the state machine's logs into its one group, for this account only. */
export function logDeliveryResourcePolicy(env: AwsEnvironment, logGroupArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{
            Sid: "StatesLogDelivery",
            Effect: "Allow",
            Principal: { Service: "delivery.logs.amazonaws.com" },
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroupArn}:log-stream:*`,
            Condition: { StringEquals: { "aws:SourceAccount": env.accountId }, ArnLike: { "aws:SourceArn": `arn:${env.partition}:logs:${env.region}:${env.accountId}:*` } },
        }],
    };
}
