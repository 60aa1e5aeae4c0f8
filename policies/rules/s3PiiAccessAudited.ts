import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { TRAIL_TYPE, trailRecordsObjectReads } from "../lib/cloudTrail";
import { configRegex, configWithDefaults } from "../lib/config";
import { bucketByArn, bucketName, bucketsOf, companionsOf, LIFECYCLE_TYPES, ofType } from "../lib/stack";
import { asArray, asString, isCustomerManagedKey, tagsOf } from "../lib/values";

export interface PiiAccessAuditedConfig {
    managedOutsideStack: boolean;
    piiTagKey: string;
    piiTagValue: string;
    rawTagKey: string;
    rawTagValue: string;
    piiBucketNamePattern: string;
    firehoseDestinationsHoldPii: boolean;
    acceptServerAccessLogs: boolean;
}

const DEFAULTS: PiiAccessAuditedConfig = {
    managedOutsideStack: false,
    piiTagKey: "clickstream:data-classification",
    piiTagValue: "pii",
    rawTagKey: "clickstream:data-class",
    rawTagValue: "raw",
    piiBucketNamePattern: "(^|[-_.])raw([-_.]|$)",
    firehoseDestinationsHoldPii: true,
    acceptServerAccessLogs: false,
};

const FIREHOSE_TYPE = "aws:kinesis/firehoseDeliveryStream:FirehoseDeliveryStream";
const LOGGING_TYPES = ["aws:s3/bucketLogging:BucketLogging", "aws:s3/bucketLoggingV2:BucketLoggingV2"];

/** Buckets a Firehose stream of the stack delivers click events into (destination or backup). */
function firehoseDestinations(resources: PolicyResource[]): PolicyResource[] {
    return ofType(resources, FIREHOSE_TYPE).flatMap((s) => {
        const ext = s.props.extendedS3Configuration;
        const arns = [ext?.bucketArn, ext?.s3BackupConfiguration?.bucketArn, s.props.s3Configuration?.bucketArn];
        return arns.map((a) => bucketByArn(resources, a)).filter((b): b is PolicyResource => !!b);
    });
}

/**
 * Every bucket holding personal data has its object reads recorded: by a CloudTrail trail of the
 * stack (data events, logging on, log files encrypted with a CMK and validated, log bucket with an
 * expiry), or, when allowed by config, by S3 server access logs.
 */
export const s3PiiAccessAudited: StackValidationPolicy = {
    name: "clickstream-s3-pii-access-audited",
    description: "Buckets holding personal data (tagged clickstream:data-classification=pii or data-class=raw, named *-raw-*, or a Firehose destination) have every object read recorded by a CloudTrail trail with CMK-encrypted, validated, expiring log files.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["pii", "audit", "s3"],
    remediationSteps:
        "Keep FirehoseLake's default accessAudit, or add an AccessAudit (clickstream:audit:AccessAudit) with the bucket's ARN: an aws.cloudtrail.Trail with an advanced event selector " +
        "{ eventCategory = Data, resources.type = AWS::S3::Object, resources.ARN startsWith arn:aws:s3:::<bucket>/ }, kmsKeyId (a CMK), enableLogFileValidation: true, and a lifecycle expiry on its log bucket. " +
        "If an organization trail records these data events, set managedOutsideStack: true.",
    configSchema: {
        properties: {
            managedOutsideStack: { type: "boolean", default: DEFAULTS.managedOutsideStack, description: "An organization or account trail outside this stack records the PII buckets' data events." },
            piiTagKey: { type: "string", default: DEFAULTS.piiTagKey, description: "Bucket tag key marking personal data." },
            piiTagValue: { type: "string", default: DEFAULTS.piiTagValue, description: "Value of piiTagKey that marks personal data." },
            rawTagKey: { type: "string", default: DEFAULTS.rawTagKey, description: "Bucket tag key of the data class (raw buckets hold PII)." },
            rawTagValue: { type: "string", default: DEFAULTS.rawTagValue, description: "Value of rawTagKey that marks a raw bucket." },
            piiBucketNamePattern: { type: "string", default: DEFAULTS.piiBucketNamePattern, description: "Regex (case-insensitive) on bucket names that hold personal data." },
            firehoseDestinationsHoldPii: { type: "boolean", default: DEFAULTS.firehoseDestinationsHoldPii, description: "Treat buckets a Firehose stream delivers into as holding personal data." },
            acceptServerAccessLogs: { type: "boolean", default: DEFAULTS.acceptServerAccessLogs, description: "Also accept S3 server access logging (best-effort delivery, SSE-S3 log target, no integrity validation) as the record." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        if (cfg.managedOutsideStack) args.notApplicable("Data events are recorded by a trail outside this stack (managedOutsideStack).");
        const namePattern = configRegex("clickstream-s3-pii-access-audited", "piiBucketNamePattern", cfg.piiBucketNamePattern);
        const destinations = cfg.firehoseDestinationsHoldPii ? firehoseDestinations(args.resources) : [];
        const pii = bucketsOf(args.resources).filter((b) => {
            const tags = tagsOf(b.props);
            return tags[cfg.piiTagKey] === cfg.piiTagValue || tags[cfg.rawTagKey] === cfg.rawTagValue || namePattern.test(bucketName(b)) || destinations.includes(b);
        });
        if (pii.length === 0) args.notApplicable("No bucket holding personal data in this stack.");
        const trails = ofType(args.resources, TRAIL_TYPE);
        for (const bucket of pii) {
            const arn = asString(bucket.props.arn) ?? `arn:aws:s3:::${bucketName(bucket)}`;
            const recording = trails.filter((t) => trailRecordsObjectReads(t.props, arn));
            if (recording.length === 0) {
                if (cfg.acceptServerAccessLogs && companionsOf(bucket, args.resources, LOGGING_TYPES).some((l) => asString(l.props.targetBucket))) continue;
                reportViolation(`Bucket "${bucketName(bucket)}" holds personal data but no CloudTrail trail of this stack records its object reads (S3 data events): nobody could tell who read it.`, bucket.urn);
                continue;
            }
            const problems = recording.map((t) => trailProblems(t, args.resources));
            if (problems.every((p) => p.length > 0)) {
                reportViolation(`Bucket "${bucketName(bucket)}": the trail recording its object reads ${problems[0].join("; ")}.`, bucket.urn);
            }
        }
    },
};

/** What makes a trail's record untrustworthy: readable without the CMK, alterable undetected, or kept forever. */
function trailProblems(trail: PolicyResource, resources: PolicyResource[]): string[] {
    const problems: string[] = [];
    const name = asString(trail.props.name) ?? trail.name;
    if (!isCustomerManagedKey(trail.props.kmsKeyId)) problems.push(`("${name}") does not encrypt its log files with a customer-managed key (kmsKeyId)`);
    if (trail.props.enableLogFileValidation !== true) problems.push(`("${name}") has no log file validation (enableLogFileValidation), so edited or deleted log files go unnoticed`);
    const logBucket = bucketsOf(resources).find((b) => bucketName(b) === asString(trail.props.s3BucketName));
    if (logBucket) {
        const expiring = companionsOf(logBucket, resources, LIFECYCLE_TYPES)
            .flatMap((l) => asArray(l.props.rules))
            .some((r: any) => r?.status === "Enabled" && typeof r.expiration?.days === "number");
        if (!expiring) problems.push(`("${name}") writes to bucket "${bucketName(logBucket)}", which has no lifecycle rule expiring log files (retention)`);
    }
    return problems;
}
