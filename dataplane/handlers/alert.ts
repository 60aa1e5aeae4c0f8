/**
 * Alert Lambda: subscribed to the alarm SNS topic; records each CloudWatch alarm transition in the
 * anomalies table (idempotently) and forwards a readable notification to e-mail and/or a webhook.
 * Throws on any failure, so Lambda's async retries (and then the function's dead-letter queue) keep it.
 */
import type { SNSEvent } from "aws-lambda";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SNSClient } from "@aws-sdk/client-sns";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { parseAlarmMessage } from "../alerts/alarm";
import { checkWebhookUrl, loadAlertSettings } from "../alerts/env";
import { RecorderDeps, recordTransition } from "../alerts/recorder";

let depsPromise: Promise<RecorderDeps> | undefined;

async function buildDeps(): Promise<RecorderDeps> {
    const settings = loadAlertSettings();
    const deps: RecorderDeps = { ddb: new DynamoDBClient({}), tableName: settings.tableName, ttlDays: settings.ttlDays };
    if (settings.notificationTopicArn) {
        deps.sns = new SNSClient({});
        deps.notificationTopicArn = settings.notificationTopicArn;
    }
    if (settings.webhookParameter) {
        const out = await new SSMClient({}).send(new GetParameterCommand({ Name: settings.webhookParameter, WithDecryption: true }));
        const url = out.Parameter?.Value;
        if (!url) throw new Error(`SSM parameter ${settings.webhookParameter} has no value`);
        deps.webhook = { url: checkWebhookUrl(url, settings.webhookParameter), fetch };
    }
    return deps;
}

export async function handler(event: SNSEvent): Promise<void> {
    depsPromise ??= buildDeps().catch((err) => { depsPromise = undefined; throw err; });
    const deps = await depsPromise;
    for (const record of event.Records) {
        const transition = parseAlarmMessage(record.Sns.Message);
        const outcome = await recordTransition(transition, deps);
        console.log(JSON.stringify({ msg: "alarm transition", outcome, alarm: transition.alarmName, state: transition.newState, at: transition.stateChangeTime, sns_message_id: record.Sns.MessageId }));
    }
}
