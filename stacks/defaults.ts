/**
 * Defaults of the dev stack's config keys (Pulumi.dev.yaml may override each). Kept apart from
 * dev.ts, which loads the Pulumi components, so the local pipeline (local/config.ts) starts from
 * exactly the dev stack's values without importing Pulumi.
 */
import { EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP, WindowSpec } from "../dataplane/analytics/spec";
import type { StackDefaults } from "./configRules";

export const DEV_DEFAULTS: StackDefaults = {
    ingestMode: "stream",
    ingestApi: "function-url",
    // docs/lake-format.md: Iceberg in dev, where its delivery (timestamps, JSON rows) is proven before prod switches.
    tableFormat: "iceberg",
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
};

/** The window specs every stack computes (stacks/pipeline.ts): the article's purchase example and traffic by event type. */
export const STACK_WINDOW_SPECS: WindowSpec[] = [EVENTS_PER_MINUTE_BY_TYPE, PURCHASE_PRICE_BY_GROUP];
