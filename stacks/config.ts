/**
 * Typed, validated stack configuration read from the Pulumi config (`clickstream:*` keys of
 * Pulumi.<stack>.yaml). The rules themselves are in configRules.ts, shared with the local pipeline.
 */
import * as pulumi from "@pulumi/pulumi";
import { readStackConfig, StackConfig, StackDefaults } from "./configRules";

export * from "./configRules";

/** Reads and validates the stack config, with the given stack's defaults for keys not set. */
export function loadStackConfig(stack: string, defaults: StackDefaults): StackConfig {
    const cfg = new pulumi.Config("clickstream");
    return readStackConfig(stack, defaults, (key) => cfg.get(key));
}
