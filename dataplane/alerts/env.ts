/**
 * Environment contract between the AnomalyAlerts component and the alert Lambda.
 */
export const ENV_ANOMALY_TABLE = "CLICKSTREAM_ANOMALY_TABLE";
export const ENV_ANOMALY_TTL_DAYS = "CLICKSTREAM_ANOMALY_TTL_DAYS";
export const ENV_NOTIFICATION_TOPIC_ARN = "CLICKSTREAM_NOTIFICATION_TOPIC_ARN";
/** Name of the SSM SecureString holding the webhook URL (URLs of chat webhooks embed a token). */
export const ENV_WEBHOOK_PARAMETER = "CLICKSTREAM_ALERT_WEBHOOK_PARAMETER";

export interface AlertSettings {
    tableName: string;
    ttlDays: number;
    notificationTopicArn?: string;
    webhookParameter?: string;
}

export function loadAlertSettings(env: Record<string, string | undefined> = process.env): AlertSettings {
    const tableName = env[ENV_ANOMALY_TABLE];
    if (!tableName) throw new Error(`${ENV_ANOMALY_TABLE} is not set: the AnomalyAlerts component writes the anomalies table name there`);
    const ttlDays = Number(env[ENV_ANOMALY_TTL_DAYS] ?? "90");
    if (!Number.isInteger(ttlDays) || ttlDays < 1) throw new Error(`${ENV_ANOMALY_TTL_DAYS} must be a positive integer of days, got ${JSON.stringify(env[ENV_ANOMALY_TTL_DAYS])}`);
    return { tableName, ttlDays, notificationTopicArn: env[ENV_NOTIFICATION_TOPIC_ARN] || undefined, webhookParameter: env[ENV_WEBHOOK_PARAMETER] || undefined };
}

/** Only HTTPS webhooks: the notification names metrics and alarms, so it travels encrypted. */
export function checkWebhookUrl(url: string, where = "webhookUrl"): string {
    let parsed: URL;
    try { parsed = new URL(url); } catch { throw new Error(`${where} is not a URL; pass an https:// URL`); }
    if (parsed.protocol !== "https:") throw new Error(`${where} must use https:// (got ${parsed.protocol}); notifications are sent over TLS only`);
    return url;
}
