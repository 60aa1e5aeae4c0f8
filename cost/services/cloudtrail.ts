/**
 * CloudTrail data events: a trail whose advanced event selectors pick S3 object calls on the lake's
 * buckets (an access audit of PII reads) is billed per event delivered: every Athena GET of a selected
 * bucket, and every Firehose PUT when writes are selected too. Trails without data-event selectors
 * (management events, the first copy free) are not priced.
 */
import type { CapturedResource } from "../../offline/runUnderMocks";
import type { ModelContext } from "../context";
import { bucketRequests } from "./s3";

const TRAIL = "aws:cloudtrail/trail:Trail";

interface ObjectSelector {
    prefixes: string[];
    reads: boolean;
    writes: boolean;
}

/** The S3 object-level selectors of a trail: which ARN prefixes, reads and/or writes. */
export function s3ObjectSelectors(trail: CapturedResource): ObjectSelector[] {
    const out: ObjectSelector[] = [];
    for (const selector of trail.inputs.advancedEventSelectors ?? []) {
        const fields: Array<{ field: string; equals?: string[]; startsWiths?: string[] }> = selector.fieldSelectors ?? [];
        const equals = (field: string) => fields.find((f) => f.field === field)?.equals;
        if (!(equals("eventCategory") ?? []).includes("Data") || !(equals("resources.type") ?? []).includes("AWS::S3::Object")) continue;
        const readOnly = equals("readOnly");
        out.push({
            prefixes: fields.find((f) => f.field === "resources.ARN")?.startsWiths ?? [""],
            reads: !readOnly || readOnly.includes("true"),
            writes: !readOnly || readOnly.includes("false"),
        });
    }
    return out;
}

export function priceCloudTrail(ctx: ModelContext): void {
    const requests = bucketRequests(ctx);
    for (const trail of ctx.g.ofType(TRAIL)) {
        let events = 0;
        for (const sel of s3ObjectSelectors(trail)) {
            for (const r of requests) {
                const objects = `${r.bucket.state.arn}/`;
                if (!sel.prefixes.some((p) => objects.startsWith(p) || p.startsWith(objects))) continue;
                events += (sel.reads ? r.gets : 0) + (sel.writes ? r.puts : 0);
            }
        }
        ctx.priced(trail, "CloudTrail", "S3 data events (object calls the trail selects: Athena reads, Firehose writes if selected)", events, "events", "cloudtrail.dataEvents");
    }
}
