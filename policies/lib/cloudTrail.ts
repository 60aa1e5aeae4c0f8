/**
 * Which S3 object reads a CloudTrail trail records, read from its event selectors the way CloudTrail
 * applies them: advanced event selectors (every field selector of one selector must match) or the
 * legacy basic event selectors (data resources by ARN prefix, read/write type).
 */
import { asArray } from "./values";

export const TRAIL_TYPE = "aws:cloudtrail/trail:Trail";

const S3_OBJECT = "AWS::S3::Object";

/** Whether one field selector lets a value through (all its conditions must hold, as in CloudTrail). */
function fieldAdmits(selector: any, value: string): boolean {
    const list = (k: string) => asArray(selector?.[k]).map(String);
    if (selector?.equals !== undefined && !list("equals").includes(value)) return false;
    if (selector?.startsWiths !== undefined && !list("startsWiths").some((p) => value.startsWith(p))) return false;
    if (selector?.endsWiths !== undefined && !list("endsWiths").some((p) => value.endsWith(p))) return false;
    if (list("notEquals").includes(value)) return false;
    if (list("notStartsWiths").some((p) => value.startsWith(p))) return false;
    if (list("notEndsWiths").some((p) => value.endsWith(p))) return false;
    return true;
}

/**
 * Whether an advanced event selector records GetObject on every object of the bucket. The object
 * stands for all objects: "arn:aws:s3:::bucket/" followed by a key the selector cannot single out
 * (a key prefix or suffix filter leaves other objects unrecorded, so it does not count).
 */
function advancedSelectorRecordsReads(selector: any, bucketArn: string): boolean {
    const fields = asArray(selector?.fieldSelectors) as any[];
    const field = (name: string) => fields.filter((f) => f?.field === name);
    const admitsAll = (name: string, value: string) => field(name).every((f) => fieldAdmits(f, value));
    if (!field("eventCategory").length || !admitsAll("eventCategory", "Data")) return false;
    if (!field("resources.type").length || !admitsAll("resources.type", S3_OBJECT)) return false;
    if (!admitsAll("readOnly", "true") || !admitsAll("eventName", "GetObject")) return false;
    // Two different object ARNs of the bucket must both pass: then the ARN filter is whole-bucket.
    const objects = [`${bucketArn}/`, `${bucketArn}/a`, `${bucketArn}/z.parquet`];
    return objects.every((arn) => admitsAll("resources.ARN", arn));
}

/** Whether a legacy (basic) event selector records object reads of the bucket. */
function basicSelectorRecordsReads(selector: any, bucketArn: string): boolean {
    const rw = selector?.readWriteType ?? "All";
    if (rw !== "All" && rw !== "ReadOnly") return false;
    return asArray(selector?.dataResources).some((d: any) =>
        d?.type === S3_OBJECT && asArray(d?.values).map(String).some((v) => v === "arn:aws:s3" || v === "arn:aws:s3:::" || v === `${bucketArn}/`),
    );
}

/** Whether a trail's props record every object read of the bucket (logging on). */
export function trailRecordsObjectReads(trail: Record<string, any>, bucketArn: string): boolean {
    if (trail.enableLogging === false) return false;
    const advanced = asArray(trail.advancedEventSelectors);
    if (advanced.length > 0) return advanced.some((s) => advancedSelectorRecordsReads(s, bucketArn));
    return asArray(trail.eventSelectors).some((s) => basicSelectorRecordsReads(s, bucketArn));
}
