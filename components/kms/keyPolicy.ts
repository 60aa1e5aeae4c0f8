/**
 * The statements every customer-managed key of this project starts from. The account principal
 * keeps administration (listed, not "kms:*") and delegates cryptographic use to IAM, so a role's IAM
 * policy decides who may decrypt; CloudWatch Logs, which encrypts as a service principal, may use
 * the key only for log groups of this account. In a key policy "Resource": "*" means "this key".
 */

/** Administration actions the account keeps on the key. */
export const KEY_ADMIN_ACTIONS = [
    "kms:Create*", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*", "kms:Revoke*",
    "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
    "kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:RotateKeyOnDemand",
];
/** Cryptographic actions, delegated to IAM so roles granted them in IAM (Firehose, Lambda, admins) can use the key. */
export const KEY_USE_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:CreateGrant", "kms:RetireGrant", "kms:ListGrants"];

// A type alias (not an interface) so it also fits documents typed as Record<string, unknown>.
export type KeyStatement = {
    Sid: string;
    Effect: "Allow";
    Principal: { AWS: string } | { Service: string };
    Action: string[];
    Resource: "*";
    Condition?: Record<string, Record<string, string>>;
};

/** Account administration, use delegated to IAM, and CloudWatch Logs for this account's log groups. */
export function baseKeyStatements(partition: string, accountId: string, region: string): KeyStatement[] {
    const account = `arn:${partition}:iam::${accountId}:root`;
    return [
        { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: account }, Action: KEY_ADMIN_ACTIONS, Resource: "*" },
        { Sid: "AccountDelegatesUseToIam", Effect: "Allow", Principal: { AWS: account }, Action: KEY_USE_ACTIONS, Resource: "*" },
        {
            Sid: "CloudWatchLogsEncryptsLogGroups",
            Effect: "Allow",
            Principal: { Service: `logs.${region}.amazonaws.com` },
            Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            Resource: "*",
            Condition: { ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` } },
        },
    ];
}
