/**
 * SecureBucket: one S3 bucket with the hardening every clickstream store needs, as separate
 * @pulumi/aws 7 resources (encryption, versioning, public access block, ownership, lifecycle, policy).
 *
 * The bucket policy is built by `secureBucketPolicyDocument` (a plain function, tested directly):
 * TLS-only, and optionally "only these principals may read objects" for stores holding PII.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument, PolicyStatement } from "../lake/policies";

export interface SecureBucketArgs {
    /** ARN of the KMS key objects are encrypted with (SSE-KMS with an S3 Bucket Key). Required. */
    kmsKeyArn: pulumi.Input<string>;
    /** Delete all objects (and versions) when the bucket is destroyed. Defaults to false: data outlives the stack. */
    forceDestroy?: boolean;
    /** Lifecycle rules, as S3 takes them. Defaults to none (no BucketLifecycleConfiguration is created). */
    lifecycleRules?: pulumi.Input<aws.types.input.s3.BucketLifecycleConfigurationRule>[];
    /**
     * When set, only these principal ARNs (roles) may read objects: the bucket policy denies object reads
     * to every other principal, whatever their IAM policies say. For stores holding personal data.
     * Defaults to undefined (no read restriction beyond IAM).
     */
    restrictReadsTo?: pulumi.Input<string>[];
    /** Extra bucket policy statements (e.g. a service principal's write access). Defaults to none. */
    additionalPolicyStatements?: pulumi.Input<PolicyStatement>[];
    /** Extra bucket policy statements that name this bucket, built from its ARN (e.g. CloudTrail writing under its prefix). Defaults to none. */
    policyStatementsFor?: (bucketArn: string) => pulumi.Input<PolicyStatement[]>;
    /** Tags for the bucket. Defaults to none. */
    tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
}

/** Object-read actions denied to everyone but `restrictReadsTo`. */
export const OBJECT_READ_ACTIONS = ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes", "s3:GetObjectVersionAttributes"];

/**
 * The bucket policy: deny any request over plain HTTP, and (when `readers` is given) deny object reads
 * to every principal whose ARN is not listed. Deny statements win over any Allow in IAM.
 */
export function secureBucketPolicyDocument(bucketArn: string, readers?: readonly string[], extra: readonly PolicyStatement[] = []): PolicyDocument {
    const statements: PolicyStatement[] = [
        {
            Sid: "DenyInsecureTransport",
            Effect: "Deny",
            Principal: "*",
            Action: "s3:*",
            Resource: [bucketArn, `${bucketArn}/*`],
            Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
    ];
    if (readers !== undefined) {
        if (readers.length === 0) throw new Error("SecureBucket: restrictReadsTo is empty, which would deny every read; list at least one principal ARN.");
        statements.push({
            Sid: "DenyReadsExceptListedPrincipals",
            Effect: "Deny",
            Principal: "*",
            Action: OBJECT_READ_ACTIONS,
            Resource: `${bucketArn}/*`,
            Condition: { ArnNotEquals: { "aws:PrincipalArn": [...readers] } },
        });
    }
    return { Version: "2012-10-17", Statement: [...statements, ...extra] };
}

export class SecureBucket extends pulumi.ComponentResource {
    /** The bucket itself, for callers that need more than its name and ARN. */
    readonly bucket: aws.s3.Bucket;
    readonly bucketName: pulumi.Output<string>;
    readonly bucketArn: pulumi.Output<string>;

    constructor(name: string, args: SecureBucketArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:storage:SecureBucket", name, {}, opts);
        const parent = { parent: this };

        this.bucket = new aws.s3.Bucket(name, { forceDestroy: args.forceDestroy ?? false, tags: args.tags }, parent);
        const bucketId = this.bucket.id;

        new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
            bucket: bucketId,
            rules: [{
                applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn },
                // One data key per bucket instead of one KMS call per object: cuts KMS cost and throttling.
                bucketKeyEnabled: true,
            }],
        }, parent);

        const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
            bucket: bucketId,
            versioningConfiguration: { status: "Enabled" },
        }, parent);

        const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
            bucket: bucketId,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        }, parent);

        // ACLs disabled: the bucket owner owns every object, whoever wrote it.
        const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
            bucket: bucketId,
            rule: { objectOwnership: "BucketOwnerEnforced" },
        }, parent);

        if (args.lifecycleRules && args.lifecycleRules.length > 0) {
            // Noncurrent-version rules only mean something once versioning is on.
            new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, { bucket: bucketId, rules: args.lifecycleRules }, { parent: this, dependsOn: [versioning] });
        }

        const readers = args.restrictReadsTo ? pulumi.all(args.restrictReadsTo) : pulumi.output(undefined);
        const ownStatements = args.policyStatementsFor;
        const named = ownStatements ? this.bucket.arn.apply((arn) => pulumi.output(ownStatements(arn))) : pulumi.output([] as PolicyStatement[]);
        const extra = pulumi.all([pulumi.all(args.additionalPolicyStatements ?? []), named]).apply(([given, own]) => [...given, ...own] as PolicyStatement[]);
        new aws.s3.BucketPolicy(`${name}-policy`, {
            bucket: bucketId,
            policy: pulumi.jsonStringify(pulumi.all([this.bucket.arn, readers, extra]).apply(([arn, r, x]) => secureBucketPolicyDocument(arn, r, x))),
        }, { parent: this, dependsOn: [publicAccess, ownership] }); // S3 rejects policy writes racing the access block.

        this.bucketName = this.bucket.bucket;
        this.bucketArn = this.bucket.arn;
        this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn });
    }
}
