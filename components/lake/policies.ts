/**
 * IAM documents of the FirehoseLake, as plain functions of ARNs so tests can call them directly and
 * check their scope. Every Allow names concrete actions on concrete resources: no "*" action and no
 * "*" resource on data. The one exception is the KMS key policy, where "Resource": "*" is how a key
 * policy says "this key" (it is attached to exactly one key).
 */
import { baseKeyStatements } from "../kms/keyPolicy";

export type PolicyValue = string | string[];

export interface PolicyStatement {
    Sid?: string;
    Effect: "Allow" | "Deny";
    Principal?: "*" | Record<string, PolicyValue>;
    Action: PolicyValue;
    Resource?: PolicyValue;
    Condition?: Record<string, Record<string, PolicyValue>>;
}

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: PolicyStatement[];
}

/** Where the policies live: partition, region and account the ARNs are built in. */
export interface AwsEnvironment {
    partition: string;
    region: string;
    accountId: string;
}

/** A Lambda function writing to its own log group, and no other (the group is created by the component). */
export function writeOwnLogsStatement(logGroupArn: string): PolicyStatement {
    return { Sid: "WriteOwnLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` };
}

/** Trust policy letting one AWS service assume a role, limited to calls on behalf of this account. */
export function serviceAssumeRolePolicy(service: "firehose.amazonaws.com" | "lambda.amazonaws.com", accountId: string): PolicyDocument {
    // Firehose passes the account id as sts:ExternalId (AWS's documented confused-deputy guard);
    // Lambda does not, so its role is bound with aws:SourceAccount instead.
    const condition: PolicyStatement["Condition"] = service === "firehose.amazonaws.com"
        ? { StringEquals: { "sts:ExternalId": accountId } }
        : { StringEquals: { "aws:SourceAccount": accountId } };
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: "sts:AssumeRole", Condition: condition }],
    };
}

/** S3 actions Firehose needs on a destination bucket (AWS's documented list for S3 destinations). */
export const FIREHOSE_S3_ACTIONS = [
    "s3:AbortMultipartUpload",
    "s3:GetBucketLocation",
    "s3:GetObject",
    "s3:ListBucket",
    "s3:ListBucketMultipartUploads",
    "s3:PutObject",
];

export interface FirehosePolicyInput extends AwsEnvironment {
    /** Lake (curated Parquet + error output) bucket ARN. */
    lakeBucketArn: string;
    /** Raw backup bucket ARN. */
    rawBucketArn: string;
    /** The CMK the buckets and the stream are encrypted with. */
    kmsKeyArn: string;
    databaseName: string;
    tableName: string;
    /** Unqualified ARN of the transform function. */
    functionArn: string;
    /** Firehose's CloudWatch log group ARN (without a trailing ":*"). */
    logGroupArn: string;
    /** Log streams Firehose writes (e.g. DestinationDelivery, BackupDelivery). */
    logStreamNames: string[];
    /** Kinesis data stream the delivery stream reads, when the source is Kinesis. */
    sourceStreamArn?: string;
    /** KMS key of that stream, when it is encrypted with a customer-managed key. */
    sourceStreamKmsKeyArn?: string;
    /** KMS key the Glue Data Catalog is encrypted with, when catalog encryption is on (reading the table decrypts with it). */
    catalogKmsKeyArn?: string;
}

/** The Glue catalog, database and table ARNs a table read needs (Glue authorizes on all three). */
export function glueTableArns(env: AwsEnvironment, databaseName: string, tableName: string): string[] {
    const base = `arn:${env.partition}:glue:${env.region}:${env.accountId}`;
    return [`${base}:catalog`, `${base}:database/${databaseName}`, `${base}:table/${databaseName}/${tableName}`];
}

/**
 * What Parquet conversion needs to read a table's schema: the Glue table (with its catalog and
 * database), and kms:Decrypt through Glue when the Data Catalog is encrypted with a CMK.
 */
export function glueSchemaReadStatements(env: AwsEnvironment, databaseName: string, tableName: string, catalogKmsKeyArn?: string): PolicyStatement[] {
    const statements: PolicyStatement[] = [{
        Sid: "ReadSchemaFromGlueTable",
        Effect: "Allow",
        Action: ["glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"],
        Resource: glueTableArns(env, databaseName, tableName),
    }];
    if (catalogKmsKeyArn !== undefined) {
        statements.push({
            Sid: "DecryptCatalogMetadata",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: catalogKmsKeyArn,
            Condition: { StringEquals: { "kms:ViaService": `glue.${env.region}.amazonaws.com` } },
        });
    }
    return statements;
}

/** Least-privilege permissions of the Firehose delivery role. */
export function firehosePolicyDocument(p: FirehosePolicyInput): PolicyDocument {
    const buckets = [p.lakeBucketArn, `${p.lakeBucketArn}/*`, p.rawBucketArn, `${p.rawBucketArn}/*`];
    const statements: PolicyStatement[] = [
        { Sid: "WriteLakeAndRawBuckets", Effect: "Allow", Action: FIREHOSE_S3_ACTIONS, Resource: buckets },
        {
            Sid: "EncryptObjectsThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:GenerateDataKey"],
            Resource: p.kmsKeyArn,
            // Only for S3 on these two buckets. With an S3 Bucket Key the encryption context is the
            // bucket ARN, without it the object ARN: allow both forms.
            Condition: {
                StringEquals: { "kms:ViaService": `s3.${p.region}.amazonaws.com` },
                StringLike: { "kms:EncryptionContext:aws:s3:arn": buckets },
            },
        },
        ...glueSchemaReadStatements(p, p.databaseName, p.tableName, p.catalogKmsKeyArn),
        {
            Sid: "InvokeTransform",
            Effect: "Allow",
            Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
            Resource: [p.functionArn, `${p.functionArn}:*`],
        },
        {
            Sid: "WriteDeliveryLogs",
            Effect: "Allow",
            Action: "logs:PutLogEvents",
            Resource: p.logStreamNames.map((s) => `${p.logGroupArn}:log-stream:${s}`),
        },
    ];
    if (p.sourceStreamArn !== undefined) {
        statements.push({
            Sid: "ReadSourceStream",
            Effect: "Allow",
            Action: ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards"],
            Resource: p.sourceStreamArn,
        });
        if (p.sourceStreamKmsKeyArn !== undefined) {
            statements.push({
                Sid: "DecryptSourceStream",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: p.sourceStreamKmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `kinesis.${p.region}.amazonaws.com` } },
            });
        }
    }
    return { Version: "2012-10-17", Statement: statements };
}

/** Where the transform reads its pseudonymization key. */
export type PiiSecretRef =
    | { kind: "secretsmanager"; secretArn: string; kmsKeyArn: string }
    | { kind: "ssm"; parameterArn: string; kmsKeyArn?: string };

export interface TransformPolicyInput {
    /** The transform's own log group ARN (without a trailing ":*"). */
    logGroupArn: string;
    piiSecret: PiiSecretRef;
    /** Key the function's environment variables are encrypted with (the lake key). */
    environmentKmsKeyArn: string;
}

/** Least-privilege permissions of the transform Lambda: its log group, its one secret, and decrypt on the keys of both. */
export function transformPolicyDocument(p: TransformPolicyInput): PolicyDocument {
    const statements: PolicyStatement[] = [writeOwnLogsStatement(p.logGroupArn)];
    const secret = p.piiSecret;
    if (secret.kind === "secretsmanager") {
        statements.push({ Sid: "ReadPseudonymizationKey", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secret.secretArn });
    } else {
        statements.push({ Sid: "ReadPseudonymizationKey", Effect: "Allow", Action: "ssm:GetParameter", Resource: secret.parameterArn });
    }
    // The secret's key (to read the key) and the environment key (Lambda decrypts the variables with the
    // function's role, as SAM also grants): usually both are the lake key, granted once.
    const keys = [...new Set([secret.kmsKeyArn, p.environmentKmsKeyArn].filter((k): k is string => k !== undefined))];
    statements.push({ Sid: "DecryptSecretAndEnvironment", Effect: "Allow", Action: "kms:Decrypt", Resource: keys.length === 1 ? keys[0] : keys });
    return { Version: "2012-10-17", Statement: statements };
}

/** ARN of an SSM parameter from its name ("/a/b" or "a/b"); a full ARN is returned unchanged. */
export function ssmParameterArn(env: AwsEnvironment, parameterName: string): string {
    if (parameterName.startsWith("arn:")) return parameterName;
    return `arn:${env.partition}:ssm:${env.region}:${env.accountId}:parameter/${parameterName.replace(/^\//, "")}`;
}

export interface KeyPolicyInput extends AwsEnvironment {
    /** Extra service principals that may use the key for encryption (e.g. "sns.amazonaws.com"). */
    servicePrincipals?: string[];
}

export { KEY_ADMIN_ACTIONS, KEY_USE_ACTIONS } from "../kms/keyPolicy";

/**
 * Key policy of the lake CMK. The account principal keeps administration and delegates use to IAM
 * (without it, no IAM policy could grant kms:Decrypt). CloudWatch Logs, which encrypts as a service
 * principal, may use the key only for log groups of this account.
 */
export function lakeKeyPolicyDocument(p: KeyPolicyInput): PolicyDocument {
    const statements: PolicyStatement[] = baseKeyStatements(p.partition, p.accountId, p.region);
    for (const service of p.servicePrincipals ?? []) {
        statements.push({
            Sid: `ServiceUse${service.split(".")[0].replace(/[^A-Za-z0-9]/g, "")}`,
            Effect: "Allow",
            Principal: { Service: service },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: { StringEquals: { "aws:SourceAccount": p.accountId } },
        });
    }
    return { Version: "2012-10-17", Statement: statements };
}
