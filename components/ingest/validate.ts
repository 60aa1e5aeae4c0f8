/**
 * Construction-time checks of IngestEndpointArgs: every invalid value or combination fails with
 * the field's name and the fix, before any resource is registered.
 */
import { assertCorsOrigins } from "./templates";

/** Retention values CloudWatch Logs accepts. */
export const CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** API Gateway's default account-level throttle per region: a stage cannot exceed it. */
export const ACCOUNT_RATE_LIMIT = 10_000;
export const ACCOUNT_BURST_LIMIT = 5_000;

/** Kinesis data retention bounds, hours. */
export const MIN_STREAM_RETENTION_HOURS = 24;
export const MAX_STREAM_RETENTION_HOURS = 8_760;

/** Upper bound of events per batch the gateway model allows (Segment caps a batch at 500 KB). */
export const MAX_BATCH_EVENTS_LIMIT = 10_000;

export function fail(field: string, problem: string, fix: string): never {
    throw new Error(`IngestEndpoint: ${field} ${problem}. Fix: ${fix}`);
}

export function checkPositiveInt(field: string, value: number | undefined, max: number, fix: string): void {
    if (value === undefined) return;
    if (!Number.isInteger(value) || value <= 0) fail(field, `must be a whole number > 0 (got ${value})`, fix);
    if (value > max) fail(field, `must be at most ${max} (got ${value})`, fix);
}

export function checkRetentionDays(field: string, value: number | undefined): void {
    if (value === undefined) return;
    if (!(CLOUDWATCH_RETENTION_DAYS as readonly number[]).includes(value)) {
        fail(field, `must be one of CloudWatch Logs' retention values ${CLOUDWATCH_RETENTION_DAYS.join(", ")} (got ${value})`, "pick the nearest allowed value, e.g. 30");
    }
}

export function checkThrottle(rate: number | undefined, burst: number | undefined): void {
    checkPositiveInt("throttleRateLimit", rate, ACCOUNT_RATE_LIMIT,
        `use 1-${ACCOUNT_RATE_LIMIT} requests/s (API Gateway's default account limit per region; ask AWS for a quota increase first to go higher)`);
    checkPositiveInt("throttleBurstLimit", burst, ACCOUNT_BURST_LIMIT,
        `use 1-${ACCOUNT_BURST_LIMIT} requests (API Gateway's default account burst per region; ask AWS for a quota increase first to go higher)`);
}

export function checkCorsOrigins(origins: readonly string[] | undefined): void {
    if (origins === undefined) return;
    if (!Array.isArray(origins)) fail("corsAllowedOrigins", "must be a list of origins", `pass e.g. ["https://www.example.com"]`);
    try {
        assertCorsOrigins(origins);
    } catch (e) {
        fail("corsAllowedOrigins", (e as Error).message.replace(/^corsAllowedOrigins: /, ""), `pass e.g. ["https://www.example.com"], or ["*"]`);
    }
}

export function checkApiKeyNames(names: readonly string[] | undefined): void {
    if (names === undefined) return;
    const seen = new Set<string>();
    for (const [i, n] of names.entries()) {
        if (typeof n !== "string" || !/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/.test(n)) {
            fail(`apiKeyNames[${i}]`, `must be 1-63 letters, digits, "-" or "_" (got ${JSON.stringify(n)})`, `rename it, e.g. "web-app"`);
        }
        if (seen.has(n)) fail(`apiKeyNames[${i}]`, `repeats "${n}"`, "give each key a unique name");
        seen.add(n);
    }
}

export function checkStageName(stageName: string | undefined): void {
    if (stageName === undefined) return;
    if (!/^[a-zA-Z0-9_]{1,128}$/.test(stageName)) fail("stageName", `must be letters, digits and "_" (got ${JSON.stringify(stageName)})`, `use e.g. "live"`);
}

export function checkDomainName(domainName: string): void {
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
        fail("customDomain.domainName", `is not a lower-case DNS name (got ${JSON.stringify(domainName)})`, `use e.g. "ingest.example.com"`);
    }
}

export function checkBasePath(basePath: string | undefined): void {
    if (basePath === undefined) return;
    if (!/^[a-zA-Z0-9._-]+$/.test(basePath)) fail("customDomain.basePath", `must be one path segment without "/" (got ${JSON.stringify(basePath)})`, `use e.g. "collect", or leave it unset to serve at the domain root`);
}
