/**
 * prod: hardened. API keys (Segment write keys accepted), WAF, Kinesis on-demand in stream mode for
 * analytics and replay, 90-day logs, Lake Formation grants for analysts and engineers, alerts.
 */
import { listFix, loadStackConfig } from "./config";
import type { StackOutputs } from "./index";
import { deployPipeline } from "./pipeline";

export function deployProd(): StackOutputs {
    const cfg = loadStackConfig("prod", {
        ingestMode: "stream",
        ingestApi: "function-url",
        // docs/lake-format.md: Parquet until the Iceberg delivery is proven in dev (timestamps, JSON rows, cost).
        tableFormat: "parquet",
        streamShardCount: 2,
        manageAccountSettings: true,
        rawRetentionDays: 7,
        logRetentionDays: 90,
        auditPiiReads: true,
        auditRetentionDays: 365,
        throttleRateLimit: 400,
        throttleBurstLimit: 800,
        corsAllowedOrigins: [],
        requireApiKeys: true,
        apiKeyNames: ["web"],
        wafEnabled: false,
        wafRateLimitPer5Min: 20000,
        athenaBytesScannedCutoff: 100 * 1024 ** 3,
        forceDestroy: false,
        adminRoleArns: [],
        analystPrincipals: [],
        engineerPrincipals: [],
        alertEmails: [],
    });
    if (cfg.adminRoleArns.length === 0) {
        throw new Error(`Pulumi.prod.yaml: clickstream:adminRoleArns is empty; prod needs at least one Lake Formation admin (include the role that runs pulumi up). Fix, with your account and role: ${listFix("prod", "adminRoleArns", 0, "arn:aws:iam::123456789012:role/lake-admin")}`);
    }
    return deployPipeline("prod", cfg);
}
