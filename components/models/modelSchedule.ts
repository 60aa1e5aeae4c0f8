/**
 * ModelSchedule: runs the modeled tables (models/sql.ts) on Athena once a day without servers. An
 * EventBridge Scheduler schedule starts a Step Functions state machine (models/athenaSchedule.ts) that
 * runs the day's statements in order through Athena's `.sync` integration; the model tables are Iceberg
 * tables under `models/` in the lake bucket.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { modelRunDefinition } from "../../models/athenaSchedule";
import { FunnelConfig, MODEL_NAMES, resolveModelConfig } from "../../models/sql";
import { awsEnvironment } from "../aws/environment";
import { ATHENA_RESULTS_PREFIX } from "../lake/glueTable";
import { AwsEnvironment, PolicyDocument } from "../lake/policies";

const COMPONENT = "ModelSchedule";
/** Folder of the lake bucket that holds the model tables. */
export const MODELS_PREFIX = "models/";

export interface ModelScheduleArgs {
    /** Athena workgroup the queries run in (FirehoseLake's `workgroupName`). */
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
    /** KMS key of the lake (objects, query results). */
    kmsKeyArn: pulumi.Input<string>;
    /** When the day runs, in UTC (it runs the previous day). Defaults to `cron(30 2 * * ? *)`. */
    scheduleExpression?: string;
    /** Minutes of inactivity that end a session. Defaults to 30. */
    sessionGapMinutes?: number;
    /** Days of late arrivals a day's run reads. Defaults to 7. */
    lateArrivalDays?: number;
    /** Funnels to compute. Defaults to none. */
    funnels?: FunnelConfig[];
    /** The events table's format (FirehoseLake's `tableFormat`): `iceberg` has no `dt` column to prune by. Defaults to `parquet`. */
    tableFormat?: "parquet" | "iceberg";
    tags?: Record<string, string>;
}

export class ModelSchedule extends pulumi.ComponentResource {
    readonly stateMachineArn: pulumi.Output<string>;
    readonly scheduleName: pulumi.Output<string>;
    /** Glue database holding the model tables. */
    readonly modelsDatabaseName: pulumi.Output<string>;

    constructor(name: string, args: ModelScheduleArgs, opts?: pulumi.ComponentResourceOptions) {
        super(`clickstream:models:${COMPONENT}`, name, {}, opts);
        const parent = { parent: this };
        const schedule = args.scheduleExpression ?? "cron(30 2 * * ? *)";
        if (!/^(cron|rate)\(.+\)$/.test(schedule)) throw new Error(`${COMPONENT}: scheduleExpression "${schedule}" is not a Scheduler expression; use e.g. cron(30 2 * * ? *) (UTC)`);
        // Validate the model settings now, so a bad value fails the construction rather than an apply.
        if (args.tableFormat !== undefined && args.tableFormat !== "parquet" && args.tableFormat !== "iceberg") throw new Error(`${COMPONENT}: tableFormat "${args.tableFormat}" is unknown; pass the lake's tableFormat (parquet or iceberg)`);
        const arrivalFilter = args.tableFormat === "iceberg" ? "received_at" as const : "dt" as const;
        resolveModelConfig({ sessionGapMinutes: args.sessionGapMinutes, lateArrivalDays: args.lateArrivalDays, funnels: args.funnels, arrivalFilter });
        const env = awsEnvironment(this);
        const modelsDb = pulumi.output(args.modelsDatabaseName ?? args.eventsDatabaseName);

        const definition = pulumi.all([args.workgroupName, args.eventsDatabaseName, args.eventsTableName, modelsDb, args.lakeBucketName]).apply(([workGroup, eventsDb, eventsTable, database, bucket]) =>
            JSON.stringify(modelRunDefinition({
                workGroup,
                config: { eventsTable: `${eventsDb}.${eventsTable}`, sessionGapMinutes: args.sessionGapMinutes, lateArrivalDays: args.lateArrivalDays, funnels: args.funnels, arrivalFilter, athena: { database, s3Prefix: `s3://${bucket}/${MODELS_PREFIX}` } },
            })));

        const machineRole = new aws.iam.Role(`${name}-runner-role`, {
            description: `Runs the clickstream model queries on Athena (${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => assumeRolePolicy("states.amazonaws.com", e.accountId))),
            tags: args.tags,
        }, parent);
        new aws.iam.RolePolicy(`${name}-runner-policy`, {
            role: machineRole.id,
            policy: pulumi.jsonStringify(pulumi.all([env, args.workgroupName, args.eventsDatabaseName, args.eventsTableName, modelsDb, args.lakeBucketArn, args.kmsKeyArn]).apply(
                ([e, workgroup, eventsDb, eventsTable, modelsDatabase, bucketArn, kmsKeyArn]) => modelRunnerPolicyDocument({ env: e, workgroup, eventsDb, eventsTable, modelsDatabase, bucketArn, kmsKeyArn }))),
        }, parent);
        const machine = new aws.sfn.StateMachine(`${name}-runner`, { roleArn: machineRole.arn, definition, type: "STANDARD", tags: args.tags }, parent);

        const schedulerRole = new aws.iam.Role(`${name}-scheduler-role`, {
            description: `Starts the clickstream model runs (${name})`,
            assumeRolePolicy: pulumi.jsonStringify(env.apply((e) => assumeRolePolicy("scheduler.amazonaws.com", e.accountId))),
            tags: args.tags,
        }, parent);
        new aws.iam.RolePolicy(`${name}-scheduler-policy`, {
            role: schedulerRole.id,
            policy: pulumi.jsonStringify(machine.arn.apply((arn) => ({ Version: "2012-10-17", Statement: [{ Sid: "StartModelRun", Effect: "Allow", Action: ["states:StartExecution"], Resource: arn }] }))),
        }, parent);
        const scheduled = new aws.scheduler.Schedule(`${name}-daily`, {
            description: "Runs yesterday's modeled tables (UTC)",
            scheduleExpression: schedule,
            scheduleExpressionTimezone: "UTC",
            flexibleTimeWindow: { mode: "OFF" },
            target: { arn: machine.arn, roleArn: schedulerRole.arn, input: "{}", retryPolicy: { maximumRetryAttempts: 2 } },
        }, parent);

        this.stateMachineArn = machine.arn;
        this.scheduleName = scheduled.name;
        this.modelsDatabaseName = modelsDb;
        this.registerOutputs({ stateMachineArn: this.stateMachineArn, scheduleName: this.scheduleName, modelsDatabaseName: this.modelsDatabaseName });
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
}

/** What the state machine's queries touch: its workgroup, the events table (read), the model tables (read/write). */
export function modelRunnerPolicyDocument(p: ModelRunnerPolicyInput): PolicyDocument {
    const glue = `arn:${p.env.partition}:glue:${p.env.region}:${p.env.accountId}`;
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "RunQueries", Effect: "Allow", Action: ["athena:StartQueryExecution", "athena:GetQueryExecution", "athena:GetQueryResults", "athena:StopQueryExecution", "athena:GetWorkGroup"], Resource: `arn:${p.env.partition}:athena:${p.env.region}:${p.env.accountId}:workgroup/${p.workgroup}` },
            { Sid: "ReadEventsSchema", Effect: "Allow", Action: ["glue:GetDatabase", "glue:GetTable", "glue:GetPartitions"], Resource: [`${glue}:catalog`, `${glue}:database/${p.eventsDb}`, `${glue}:table/${p.eventsDb}/${p.eventsTable}`] },
            { Sid: "ManageModelTables", Effect: "Allow", Action: ["glue:GetDatabase", "glue:GetTable", "glue:CreateTable", "glue:UpdateTable"], Resource: [`${glue}:catalog`, `${glue}:database/${p.modelsDatabase}`, ...MODEL_NAMES.map((m) => `${glue}:table/${p.modelsDatabase}/${m}`)] },
            { Sid: "ReadLake", Effect: "Allow", Action: ["s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation"], Resource: [p.bucketArn, `${p.bucketArn}/*`] },
            { Sid: "WriteModelsAndResults", Effect: "Allow", Action: ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: [`${p.bucketArn}/${MODELS_PREFIX}*`, `${p.bucketArn}/${ATHENA_RESULTS_PREFIX}*`] },
            { Sid: "UseLakeKey", Effect: "Allow", Action: ["kms:Decrypt", "kms:GenerateDataKey"], Resource: p.kmsKeyArn },
            // Lake Formation vends the table's data credentials; AWS offers no resource scoping for it.
            { Sid: "LakeFormationData", Effect: "Allow", Action: ["lakeformation:GetDataAccess"], Resource: "*" },
        ],
    };
}
