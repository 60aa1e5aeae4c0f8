/**
 * Helpers for stack policies: finding resources by type and the S3 "companion" resources
 * (encryption, policy, public access block, lifecycle, versioning) that belong to a bucket. In
 * @pulumi/aws 7 these are separate resources that name their bucket in a `bucket` property.
 */
import { PolicyResource, StackValidationArgs } from "@pulumi/policy";
import { configRegex } from "./config";
import { asString, stackOfUrn } from "./values";

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const LIFECYCLE_TYPES = ["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"];

/**
 * Ends the check as not applicable unless the stack's name matches the policy's `stackPattern`
 * config (the authentication policies apply to production stacks only by default).
 */
export function requireStackMatching(args: StackValidationArgs, policy: string, stackPattern: string): void {
    const pattern = configRegex(policy, "stackPattern", stackPattern);
    const stack = args.resources.length > 0 ? stackOfUrn(args.resources[0].urn) : "";
    if (!pattern.test(stack)) args.notApplicable(`Stack "${stack}" does not match stackPattern ${stackPattern}.`);
}

export function ofType(resources: PolicyResource[], ...types: string[]): PolicyResource[] {
    return resources.filter((r) => types.includes(r.type));
}

/** The Lambda function a function URL (or permission) names in `functionName`, by name or ARN, if it is in the stack. */
export function functionNamed(ref: unknown, resources: PolicyResource[]): PolicyResource | undefined {
    const name = asString(ref);
    if (name === undefined) return undefined;
    return ofType(resources, "aws:lambda/function:Function").find((f) => [asString(f.props.name), asString(f.props.arn)].includes(name));
}

/** The S3 bucket resources of a stack. */
export function bucketsOf(resources: PolicyResource[]): PolicyResource[] {
    return ofType(resources, ...BUCKET_TYPES);
}

/** Everything a companion resource may use to name its bucket: name, ARN or id. */
export function bucketIdentities(bucket: PolicyResource): string[] {
    const p = bucket.props;
    return [asString(p.bucket), asString(p.arn), asString(p.id)].filter((v): v is string => !!v);
}

/** The bucket's physical name (what `aws.s3.BucketPolicy.bucket` and friends hold). */
export function bucketName(bucket: PolicyResource): string {
    return asString(bucket.props.bucket) ?? bucket.name;
}

/**
 * Companion resources of `types` that refer to `bucket`: by name/ARN in their `bucket` property, or,
 * when the value is unknown to us, by a recorded dependency on the bucket.
 */
export function companionsOf(bucket: PolicyResource, resources: PolicyResource[], types: string[]): PolicyResource[] {
    const ids = bucketIdentities(bucket);
    return resources.filter((r) => {
        if (!types.includes(r.type)) return false;
        const ref = asString(r.props.bucket);
        if (ref !== undefined) return ids.includes(ref);
        return r.dependencies.some((d) => d.urn === bucket.urn);
    });
}

/** The bucket an S3 ARN (`arn:aws:s3:::name` or `arn:aws:s3:::name/prefix`) points at, if in the stack. */
export function bucketByArn(resources: PolicyResource[], arn: unknown): PolicyResource | undefined {
    const text = asString(arn);
    if (!text) return undefined;
    const name = text.replace(/^arn:[^:]+:s3:::/, "").split("/")[0];
    return bucketsOf(resources).find((b) => bucketIdentities(b).includes(text) || bucketName(b) === name);
}

/** "type::name", how violations name a resource when no URN is available. */
export function label(r: { type: string; name: string }): string {
    return `${r.type}::${r.name}`;
}

/** Type token of the clickstream-pipeline component that creates the lake's Glue resources. */
export const FIREHOSE_LAKE_TYPE = "clickstream:lake:FirehoseLake";

/**
 * The nearest ancestor component of `type` (through `parent`), so a violation can name the
 * component argument that fixes it rather than only the AWS resource.
 */
export function enclosingComponent(r: PolicyResource, type: string): PolicyResource | undefined {
    let guard = 0;
    for (let p = r.parent; p && guard++ < 64; p = p.parent) if (p.type === type) return p;
    return undefined;
}
