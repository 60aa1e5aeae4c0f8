/**
 * Construction-time check of the transform configuration the component writes into the Lambda's
 * environment: a bad value must fail `pulumi preview`, not every batch at run time.
 */
import type { TransformConfig } from "../../dataplane/transform/config";
import { checkInteger, fail } from "./validate";

const C = "FirehoseLake";

/** Throws an Error naming the `transform.*` field that is invalid. */
export function validateTransformConfig(config: TransformConfig): void {
    if (config === null || typeof config !== "object" || Array.isArray(config)) fail(C, "transform", "is not an object", "pass a TransformConfig object or omit it");
    const sizes: [keyof TransformConfig, number][] = [["maxBodyBytes", 1], ["maxEventBytes", 1], ["maxEventsPerRequest", 1], ["badPayloadMaxChars", 0]];
    for (const [field, min] of sizes) {
        const v = config[field];
        if (v !== undefined) checkInteger(C, `transform.${field}`, v as number, min);
    }
    if (config.maxBodyBytes !== undefined && config.maxEventBytes !== undefined && config.maxEventBytes > config.maxBodyBytes) {
        fail(C, "transform.maxEventBytes", `(${config.maxEventBytes}) exceeds transform.maxBodyBytes (${config.maxBodyBytes})`, "make an event no larger than a request");
    }
    const pii = config.pii;
    if (pii === undefined) return;
    if (pii === null || typeof pii !== "object") fail(C, "transform.pii", "is not an object", "pass a PiiConfig object or omit it");
    for (const field of ["pseudonymize", "drop", "pseudonymizeKeyPatterns", "redactPatterns"] as const) {
        const list = pii[field];
        if (list === undefined) continue;
        if (!Array.isArray(list) || list.some((x) => typeof x !== "string" || x.length === 0)) fail(C, `transform.pii.${field}`, "is not a list of non-empty strings", "pass an array of strings");
    }
    for (const field of ["pseudonymizeKeyPatterns", "redactPatterns"] as const) {
        for (const pattern of pii[field] ?? []) {
            try {
                new RegExp(pattern, "i");
            } catch (e) {
                fail(C, `transform.pii.${field}`, `contains an invalid regular expression "${pattern}" (${(e as Error).message})`, "fix or remove the pattern");
            }
        }
    }
    for (const field of ["redactEmails", "redactPhones", "truncateIp"] as const) {
        if (pii[field] !== undefined && typeof pii[field] !== "boolean") fail(C, `transform.pii.${field}`, "is not a boolean", "pass true or false");
    }
}
