/**
 * dev: small and cheap. One provisioned Kinesis shard (about $11/month, against ~$29 for on-demand)
 * so the analytics window and alerts run as in prod; short retention; no API keys or WAF, since dev
 * trackers run on developers' machines.
 */
import { loadStackConfig } from "./config";
import type { StackOutputs } from "./index";
import { deployPipeline } from "./pipeline";

export function deployDev(): StackOutputs {
    const cfg = loadStackConfig("dev", {
        ingestMode: "stream",
        streamShardCount: 1,
        manageAccountSettings: true,
        rawRetentionDays: 3,
        logRetentionDays: 7,
        auditPiiReads: true,
        auditRetentionDays: 90,
        throttleRateLimit: 50,
        throttleBurstLimit: 100,
        corsAllowedOrigins: ["http://localhost:3000"],
        requireApiKeys: false,
        apiKeyNames: [],
        wafEnabled: false,
        wafRateLimitPer5Min: 2000,
        athenaBytesScannedCutoff: 1024 ** 3,
        forceDestroy: true,
        adminRoleArns: [],
        analystPrincipals: [],
        engineerPrincipals: [],
        alertEmails: [],
    });
    return deployPipeline("dev", cfg);
}
