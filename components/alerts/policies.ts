/**
 * IAM, KMS key and SNS topic policy documents of AnomalyAlerts, as plain functions so tests can check
 * them: concrete actions on concrete resources. In a key policy "Resource": "*" means "this key".
 */
import { baseKeyStatements } from "../kms/keyPolicy";
import { writeOwnLogsStatement, type AwsEnvironment, type PolicyDocument, type PolicyStatement } from "../lake/policies";

/**
 * Key policy of the alerts CMK: the account administers it and delegates use to IAM; CloudWatch Logs
 * may encrypt this account's log groups; CloudWatch (alarms) may encrypt messages it publishes to the
 * encrypted alarm topic. Without the last statement an alarm's SNS action fails silently.
 */
export function alertsKeyPolicyDocument(e: AwsEnvironment): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            ...baseKeyStatements(e.partition, e.accountId, e.region),
            {
                Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                Resource: "*",
            },
        ],
    };
}

/** Alarm topic policy: the account manages it, CloudWatch alarms of this account publish, TLS only. */
export function alarmTopicPolicyDocument(e: AwsEnvironment, topicArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "AccountManagesTopic",
                Effect: "Allow",
                Principal: { AWS: `arn:${e.partition}:iam::${e.accountId}:root` },
                Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish", "sns:DeleteTopic", "sns:AddPermission", "sns:RemovePermission"],
                Resource: topicArn,
            },
            {
                Sid: "CloudWatchAlarmsPublish",
                Effect: "Allow",
                Principal: { Service: "cloudwatch.amazonaws.com" },
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: {
                    ArnLike: { "aws:SourceArn": `arn:${e.partition}:cloudwatch:${e.region}:${e.accountId}:alarm:*` },
                    StringEquals: { "aws:SourceAccount": e.accountId },
                },
            },
            {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "sns:Publish",
                Resource: topicArn,
                Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
        ],
    };
}

export interface AlertFunctionPolicyInput extends AwsEnvironment {
    tableArn: string;
    notificationTopicArn: string;
    dlqArn: string;
    kmsKeyArn: string;
    logGroupArn: string;
    /** SSM parameter holding the webhook URL, when a webhook is configured. */
    webhookParameterArn?: string;
}

/** Permissions of the alert Lambda: its table items, the notification topic, its DLQ, its logs, the webhook parameter. */
export function alertFunctionPolicyDocument(p: AlertFunctionPolicyInput): PolicyDocument {
    const services = ["dynamodb", "sns", "sqs", "lambda", ...(p.webhookParameterArn ? ["ssm"] : [])].map((s) => `${s}.${p.region}.amazonaws.com`);
    const statements: PolicyStatement[] = [
        { Sid: "RecordAnomalies", Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: p.tableArn },
        { Sid: "Notify", Effect: "Allow", Action: "sns:Publish", Resource: p.notificationTopicArn },
        { Sid: "DeadLetterFailedEvents", Effect: "Allow", Action: "sqs:SendMessage", Resource: p.dlqArn },
        {
            Sid: "UseAlertsKeyThroughServices",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: p.kmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": services } },
        },
        writeOwnLogsStatement(p.logGroupArn),
    ];
    if (p.webhookParameterArn) statements.push({ Sid: "ReadWebhookUrl", Effect: "Allow", Action: "ssm:GetParameter", Resource: p.webhookParameterArn });
    return { Version: "2012-10-17", Statement: statements };
}
