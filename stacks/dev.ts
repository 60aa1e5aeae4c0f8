/**
 * dev: small and cheap. One provisioned Kinesis shard (about $11/month, against ~$29 for on-demand)
 * so the analytics window and alerts run as in prod; short retention; no API keys or WAF, since dev
 * trackers run on developers' machines.
 */
import { loadStackConfig } from "./config";
import { DEV_DEFAULTS } from "./defaults";
import type { StackOutputs } from "./index";
import { deployPipeline } from "./pipeline";

export function deployDev(): StackOutputs {
    const cfg = loadStackConfig("dev", DEV_DEFAULTS);
    return deployPipeline("dev", cfg);
}
