/**
 * Records an alarm transition in the anomalies table exactly once and notifies people at least once.
 *
 * SNS delivers to Lambda at least once, and a failed invocation is retried, so the same transition
 * can arrive twice. The item key is (alarm ARN, StateChangeTime#NewState), written with a
 * conditional put; its `notified` flag is set only after the notification went out. On redelivery:
 * item exists and notified -> do nothing (the duplicate makes no second item and no second message);
 * item exists but not notified (the first attempt failed between put and notify) -> notify now.
 */
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from "@aws-sdk/client-dynamodb";
import { PublishCommand, SNSClient } from "@aws-sdk/client-sns";
import { AlarmTransition, renderNotification, shouldNotify, transitionKey } from "./alarm";

export interface RecorderDeps {
    ddb: DynamoDBClient;
    tableName: string;
    /** Days an item is kept before DynamoDB's TTL deletes it. */
    ttlDays: number;
    /** E-mail notification topic; omitted when there are no e-mail subscribers. */
    sns?: SNSClient;
    notificationTopicArn?: string;
    /** HTTPS webhook receiving { text, alarm } as JSON; omitted when not configured. */
    webhook?: { url: string; fetch: typeof fetch; timeoutMs?: number };
    now?: () => number;
}

export type RecordOutcome = "recorded" | "duplicate" | "renotified";

export const TTL_ATTRIBUTE = "expires_at";

async function notify(t: AlarmTransition, deps: RecorderDeps): Promise<string[]> {
    if (!shouldNotify(t)) return [];
    const { subject, text } = renderNotification(t);
    const channels: string[] = [];
    if (deps.sns && deps.notificationTopicArn) {
        await deps.sns.send(new PublishCommand({ TopicArn: deps.notificationTopicArn, Subject: subject, Message: text }));
        channels.push("email");
    }
    if (deps.webhook) {
        const res = await deps.webhook.fetch(deps.webhook.url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ text: `${subject}\n${text}`, alarm: { name: t.alarmName, arn: t.alarmArn, state: t.newState, previousState: t.oldState, at: t.stateChangeTime, metric: t.metric } }),
            signal: AbortSignal.timeout(deps.webhook.timeoutMs ?? 5000),
        });
        // Throwing makes Lambda retry; the item stays un-notified so the retry sends it.
        if (!res.ok) throw new Error(`webhook answered HTTP ${res.status}; will retry`);
        channels.push("webhook");
    }
    return channels;
}

export async function recordTransition(t: AlarmTransition, deps: RecorderDeps): Promise<RecordOutcome> {
    const key = transitionKey(t);
    const now = (deps.now ?? Date.now)();
    const Key = { alarm_arn: { S: key.alarm_arn }, transition: { S: key.transition } };
    let outcome: RecordOutcome = "recorded";
    try {
        await deps.ddb.send(new PutItemCommand({
            TableName: deps.tableName,
            Item: {
                ...Key,
                alarm_name: { S: t.alarmName },
                new_state: { S: t.newState },
                old_state: { S: t.oldState ?? "UNKNOWN" },
                state_change_time: { S: new Date(t.stateChangeMs).toISOString() },
                reason: { S: t.reason.slice(0, 4000) || "-" },
                metric: { S: JSON.stringify(t.metric) },
                recorded_at: { S: new Date(now).toISOString() },
                notified: { BOOL: false },
                [TTL_ATTRIBUTE]: { N: String(Math.floor(now / 1000) + deps.ttlDays * 86400) },
            },
            ConditionExpression: "attribute_not_exists(alarm_arn)",
        }));
    } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException) && (err as Error).name !== "ConditionalCheckFailedException") throw err;
        const existing = await deps.ddb.send(new GetItemCommand({ TableName: deps.tableName, Key, ConsistentRead: true }));
        if (existing.Item?.notified?.BOOL === true) return "duplicate";
        outcome = "renotified";
    }
    const channels = await notify(t, deps);
    await deps.ddb.send(new UpdateItemCommand({
        TableName: deps.tableName,
        Key,
        UpdateExpression: "SET notified = :t, notified_at = :at, channels = :ch",
        ExpressionAttributeValues: { ":t": { BOOL: true }, ":at": { S: new Date((deps.now ?? Date.now)()).toISOString() }, ":ch": { S: channels.join(",") || "none" } },
    }));
    return outcome;
}
