/**
 * AccessAudit: who read which object of the buckets holding personal data, when and from where.
 *
 * A CloudTrail trail records S3 data events (object reads; writes too if asked) of exactly the given
 * buckets into its own log bucket, encrypted with its own key, with log file integrity validation
 * (signed digest files) and a retention lifecycle. Why CloudTrail and not S3 server access logs:
 * docs/policies.md#pii-access-audit.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { awsEnvironment } from "../aws/environment";
import { checkInteger, checkRoleArn, fail } from "../lake/validate";
import { SecureBucket } from "../storage/secureBucket";
import { auditKeyPolicyDocument, objectReadSelector, trailBucketStatements } from "./policies";

const COMPONENT = "AccessAudit";

export interface AccessAuditArgs {
    /** ARNs of the buckets whose object-level reads are recorded. Required, at least one. */
    bucketArns: pulumi.Input<string>[];
    /** Also record object writes and deletes (Firehose's deliveries, lifecycle-free deletes). Defaults to false: reads only, which is what a PII audit asks and keeps the event count low. */
    includeWrites?: boolean;
    /** Days the log files (and their noncurrent versions) are kept. Defaults to 365 (>= 1). */
    retentionDays?: number;
    /** Role ARNs that alone may read the log files (the bucket policy denies object reads to everyone else). Defaults to none: IAM and the audit key's IAM delegation decide. */
    readerRoleArns?: pulumi.Input<string>[];
    /** Name of the trail (unique per account and region). Defaults to the component name. */
    trailName?: string;
    /** Delete the log files with the bucket on destroy. Defaults to false: the audit record outlives the stack. */
    forceDestroy?: boolean;
    /** Tags for every taggable child resource. Defaults to none. */
    tags?: Record<string, string>;
}

/** Resolved settings. Throws an Error naming the field and the fix. Exported for tests. */
export function resolveAccessAuditSettings(name: string, args: AccessAuditArgs) {
    const c = COMPONENT;
    if (!Array.isArray(args.bucketArns) || args.bucketArns.length === 0) fail(c, "bucketArns", "is empty", "pass the ARNs of the buckets whose object reads must be recorded");
    for (const arn of args.bucketArns) {
        if (typeof arn === "string" && !/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(arn)) fail(c, "bucketArns", `contains "${arn}", not a bucket ARN`, "pass arn:aws:s3:::<bucket> (no key, no trailing /)");
    }
    (args.readerRoleArns ?? []).forEach((arn) => checkRoleArn(c, "readerRoleArns", arn));
    const trailName = args.trailName ?? name;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{2,127}$/.test(trailName) || /[._-]{2}/.test(trailName)) {
        fail(c, "trailName", `is "${trailName}"`, "use 3-128 letters, digits, periods, underscores and dashes, starting with a letter or digit, without adjacent separators");
    }
    return {
        trailName,
        includeWrites: args.includeWrites ?? false,
        retentionDays: checkInteger(c, "retentionDays", args.retentionDays ?? 365, 1),
    };
}

/**
 * Records object-level reads of PII buckets in CloudTrail.
 *
 *     new AccessAudit("pii-reads", { bucketArns: [lake.lakeBucketArn, lake.rawBucketArn] });
 *
 * FirehoseLake creates one for its lake and raw buckets by default (`accessAudit`).
 */
export class AccessAudit extends pulumi.ComponentResource {
    readonly trailArn: pulumi.Output<string>;
    readonly logBucketName: pulumi.Output<string>;
    readonly logBucketArn: pulumi.Output<string>;
    /** Key the log files are encrypted with: reading them needs kms:Decrypt on it. */
    readonly kmsKeyArn: pulumi.Output<string>;

    constructor(name: string, args: AccessAuditArgs, opts?: pulumi.ComponentResourceOptions) {
        super("clickstream:audit:AccessAudit", name, {}, opts);
        const s = resolveAccessAuditSettings(name, args);
        const parent = { parent: this };
        const tags = args.tags;
        const env = awsEnvironment(this);

        // Its own key: lake readers (who decrypt with the lake key) cannot read the audit record.
        const key = new aws.kms.Key(`${name}-key`, {
            description: `clickstream access audit ${name}: CloudTrail log files`,
            enableKeyRotation: true,
            deletionWindowInDays: 30,
            policy: pulumi.jsonStringify(env.apply((e) => auditKeyPolicyDocument(e, s.trailName))),
            tags,
        }, parent);
        new aws.kms.Alias(`${name}-key-alias`, { namePrefix: `alias/clickstream-${name}-`, targetKeyId: key.keyId }, parent);

        const bucket = new SecureBucket(`${name}-logs`, {
            kmsKeyArn: key.arn,
            forceDestroy: args.forceDestroy ?? false,
            tags: { ...tags, "clickstream:data-class": "audit" },
            restrictReadsTo: args.readerRoleArns && args.readerRoleArns.length > 0 ? args.readerRoleArns : undefined,
            lifecycleRules: [{
                id: "expire-audit-logs",
                status: "Enabled",
                filter: {},
                expiration: { days: s.retentionDays },
                // An overwritten or deleted log file stays recoverable for the whole retention (versioning is on).
                noncurrentVersionExpiration: { noncurrentDays: s.retentionDays },
                abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
            }],
            policyStatementsFor: (bucketArn) => env.apply((e) => trailBucketStatements(e, bucketArn, s.trailName)),
        }, parent);

        const trail = new aws.cloudtrail.Trail(`${name}-trail`, {
            name: s.trailName,
            s3BucketName: bucket.bucketName,
            kmsKeyId: key.arn,
            // Signed hourly digest files: `aws cloudtrail validate-logs` proves a log file was not changed or deleted.
            enableLogFileValidation: true,
            enableLogging: true,
            // Data events only (the account's own trail, if any, keeps management events): S3 data events
            // are recorded by a trail in the bucket's region.
            includeGlobalServiceEvents: false,
            isMultiRegionTrail: false,
            advancedEventSelectors: pulumi.all(args.bucketArns).apply((arns) => [objectReadSelector(arns, s.includeWrites)]),
            tags,
        }, { parent: this, dependsOn: [bucket] }); // CloudTrail checks the bucket policy when the trail is created.

        this.trailArn = trail.arn;
        this.logBucketName = bucket.bucketName;
        this.logBucketArn = bucket.bucketArn;
        this.kmsKeyArn = key.arn;
        this.registerOutputs({ trailArn: this.trailArn, logBucketName: this.logBucketName, logBucketArn: this.logBucketArn, kmsKeyArn: this.kmsKeyArn });
    }
}
