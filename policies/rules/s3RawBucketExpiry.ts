import { StackValidationPolicy } from "@pulumi/policy";
import { configRegex, configWithDefaults } from "../lib/config";
import { bucketName, bucketsOf, companionsOf, LIFECYCLE_TYPES } from "../lib/stack";
import { asArray, tagsOf } from "../lib/values";

export interface RawBucketExpiryConfig {
    maxDays: number;
    rawBucketNamePattern: string;
    dataClassTagKey: string;
    rawTagValue: string;
}

const DEFAULTS: RawBucketExpiryConfig = {
    maxDays: 30,
    rawBucketNamePattern: "(^|[-_.])raw([-_.]|$)",
    dataClassTagKey: "clickstream:data-class",
    rawTagValue: "raw",
};

const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

/** A rule that applies to every object: no prefix, tag or size filter. */
function appliesToWholeBucket(rule: any): boolean {
    const filter = rule.filter ?? {};
    const prefix = filter.prefix ?? filter.and?.prefix ?? rule.prefix ?? "";
    return prefix === "" && !filter.tag && !filter.and?.tags && filter.objectSizeGreaterThan === undefined && filter.objectSizeLessThan === undefined;
}

/**
 * Raw (pre-transform) data holds un-pseudonymized PII: it must expire. Raw buckets are those tagged
 * `clickstream:data-class = raw` or whose name matches the configured pattern.
 */
export const s3RawBucketExpiry: StackValidationPolicy = {
    name: "clickstream-s3-raw-bucket-expiry",
    description: "Buckets holding raw (un-pseudonymized) events expire every object, and every noncurrent version, within the configured number of days.",
    enforcementLevel: "mandatory",
    severity: "high",
    tags: ["pii", "retention", "s3"],
    remediationSteps:
        "Add an aws.s3.BucketLifecycleConfiguration for the raw bucket with an Enabled rule, filter {} (whole bucket), expiration { days: N } " +
        "and, if the bucket is versioned, noncurrentVersionExpiration { noncurrentDays: N }, N at most maxDays.",
    configSchema: {
        properties: {
            maxDays: { type: "integer", minimum: 1, default: DEFAULTS.maxDays, description: "Longest allowed retention of raw objects, in days." },
            rawBucketNamePattern: { type: "string", default: DEFAULTS.rawBucketNamePattern, description: "Regex (case-insensitive) on the bucket name that marks a raw bucket." },
            dataClassTagKey: { type: "string", default: DEFAULTS.dataClassTagKey, description: "Bucket tag key holding the data class." },
            rawTagValue: { type: "string", default: DEFAULTS.rawTagValue, description: "Data-class tag value that marks a raw bucket." },
        },
    },
    validateStack: (args, reportViolation) => {
        const cfg = configWithDefaults(args, DEFAULTS);
        const namePattern = configRegex("clickstream-s3-raw-bucket-expiry", "rawBucketNamePattern", cfg.rawBucketNamePattern);
        const raw = bucketsOf(args.resources).filter((b) => tagsOf(b.props)[cfg.dataClassTagKey] === cfg.rawTagValue || namePattern.test(bucketName(b)));
        if (raw.length === 0) args.notApplicable("No raw bucket in this stack.");
        for (const bucket of raw) {
            const rules = companionsOf(bucket, args.resources, LIFECYCLE_TYPES)
                .flatMap((l) => asArray(l.props.rules))
                .filter((r: any) => r && r.status === "Enabled" && appliesToWholeBucket(r));
            const expiring = rules.filter((r: any) => typeof r.expiration?.days === "number" && r.expiration.days <= cfg.maxDays);
            if (expiring.length === 0) {
                reportViolation(`Raw bucket "${bucketName(bucket)}" has no enabled whole-bucket lifecycle rule expiring objects within ${cfg.maxDays} days.`, bucket.urn);
                continue;
            }
            const versioned = companionsOf(bucket, args.resources, VERSIONING_TYPES).some((v) => v.props.versioningConfiguration?.status === "Enabled");
            const noncurrentOk = rules.some((r: any) => typeof r.noncurrentVersionExpiration?.noncurrentDays === "number" && r.noncurrentVersionExpiration.noncurrentDays <= cfg.maxDays);
            if (versioned && !noncurrentOk) {
                reportViolation(`Raw bucket "${bucketName(bucket)}" is versioned but noncurrent versions are not expired within ${cfg.maxDays} days; deleted raw data would survive as old versions.`, bucket.urn);
            }
        }
    },
};
