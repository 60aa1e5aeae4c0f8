/**
 * Typed, validated stack configuration. Every key lives in the `clickstream` namespace of
 * Pulumi.<stack>.yaml; a missing or bad value fails with the key, what was wrong, and the
 * `pulumi config set` command that fixes it.
 *
 * No Pulumi import here: the values come from a getter (pulumi.Config in stacks/config.ts, the
 * stack file itself in the local pipeline, local/config.ts), so both read and check them alike.
 */

/**
 * Highest peak rate (the larger of the throttle's rate and burst) the function URL collector takes:
 * its reserved concurrency is peak x 0.1 s (components/ingest/functionUrl.ts reservedConcurrencyFor),
 * and an account can reserve at most 900 of its default 1,000 concurrent executions.
 */
export const MAX_FUNCTION_URL_PEAK_RPS = 9000;

/** Retention values CloudWatch Logs accepts. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export type IngestMode = "firehose" | "stream";

export type IngestApi = "rest" | "http" | "function-url";

/** Format of the lake's events table (docs/lake-format.md): Parquet under Hive prefixes, or Apache Iceberg. */
export type LakeTableFormat = "parquet" | "iceberg";

export interface StackConfig {
    /** "firehose": API Gateway -> Firehose. "stream": API Gateway -> Kinesis -> Firehose (+ analytics). */
    ingestMode: IngestMode;
    /**
     * "function-url": a Lambda collector behind a function URL (request models and write keys checked
     * in code, reserved concurrency as the throttle; no per-request API price, no WAF, no usage plans).
     * "http": API Gateway HTTP API with a Kinesis PutRecord integration and a write-key authorizer
     * (a third of the REST price; no WAF, no request validation, no usage plans). "rest": the REST API
     * (WAF, request models, usage plans and API keys). See docs/ingest.md.
     */
    ingestApi: IngestApi;
    /** Events table format: "parquet" (Firehose Parquet conversion, partition projection) or "iceberg" (Firehose Iceberg destination, Glue optimizers, row deletes). */
    tableFormat: LakeTableFormat;
    /** Kinesis shards in stream mode; 0 means on-demand capacity. */
    streamShardCount: number;
    /**
     * Manage the account/region-wide settings: Glue Data Catalog encryption, the API Gateway
     * CloudWatch role, Lake Formation admins and LF-tag keys. Exactly one stack per account and
     * region may do so; set false on the second stack when dev and prod share an account.
     */
    manageAccountSettings: boolean;
    /** Days the raw (untransformed, PII-bearing) backup is kept. */
    rawRetentionDays: number;
    /** Retention of every log group the stack creates. */
    logRetentionDays: number;
    /** Record every object read of the lake and raw buckets with CloudTrail data events (AccessAudit); false only when an organization trail already does. */
    auditPiiReads: boolean;
    /** Days the PII read audit's log files are kept. */
    auditRetentionDays: number;
    /** Steady-state requests per second the stage accepts. */
    throttleRateLimit: number;
    /** Burst of requests the stage accepts. */
    throttleBurstLimit: number;
    /** Origins allowed by CORS; empty disables browser cross-origin calls. */
    corsAllowedOrigins: string[];
    /** Require an API key (x-api-key header, or a Segment write key as Basic auth). */
    requireApiKeys: boolean;
    /** Names of the API keys to create for trackers (one per app). */
    apiKeyNames: string[];
    /** Create a WAF web ACL (managed common rules + per-IP rate limit) in front of the API. */
    wafEnabled: boolean;
    /** Requests per 5 minutes from one IP before WAF blocks it. */
    wafRateLimitPer5Min: number;
    /** Athena bytes-scanned cutoff per query. */
    athenaBytesScannedCutoff: number;
    /** Allow `pulumi destroy` to delete non-empty buckets (dev only). */
    forceDestroy: boolean;
    /** IAM role ARNs that administer the lake and may read raw data. */
    adminRoleArns: string[];
    /** IAM principals (role ARNs) of analysts: non-PII columns only. */
    analystPrincipals: string[];
    /** IAM principals (role ARNs) of data engineers. */
    engineerPrincipals: string[];
    /** E-mail addresses that receive anomaly notifications. */
    alertEmails: string[];
    /** HTTPS webhook that receives anomaly notifications. */
    alertWebhookUrl?: string;
}

/** Reads one `clickstream:<key>` value as Pulumi hands it to a program: text, lists and objects as JSON. */
export type ConfigGetter = (key: string) => string | undefined;

/** A config key's name and defaults as each shipped stack uses them. */
export type StackDefaults = Omit<StackConfig, "alertWebhookUrl">;

const ARN_PATTERN = /^arn:aws[a-z-]*:iam::\d{12}:(role|user|group)\/[\w+=,.@\/-]+$/;

class ConfigReader {
    private readonly cfg: { get: ConfigGetter };
    constructor(private readonly stack: string, get: ConfigGetter) {
        this.cfg = { get };
    }

    private fail(key: string, problem: string, example: string): never {
        throw new Error(`Pulumi.${this.stack}.yaml: clickstream:${key} ${problem}. Fix: pulumi config set clickstream:${key} ${example} --stack ${this.stack}`);
    }

    /** A list value's error; the fix sets one element, in the `--path` form `pulumi config set` accepts for lists. */
    private failList(key: string, index: number, problem: string, example: string): never {
        throw new Error(`Pulumi.${this.stack}.yaml: clickstream:${key}${index >= 0 ? `[${index}]` : ""} ${problem}. Fix: ${listFix(this.stack, key, Math.max(index, 0), example)}`);
    }

    int(key: string, fallback: number, min: number, max: number): number {
        const raw = this.cfg.get(key);
        if (raw === undefined) return fallback;
        const value = Number(raw);
        if (!Number.isInteger(value) || value < min || value > max) {
            this.fail(key, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(raw)})`, String(fallback));
        }
        return value;
    }

    oneOf<T extends string | number>(key: string, fallback: T, allowed: readonly T[]): T {
        const raw = this.cfg.get(key);
        if (raw === undefined) return fallback;
        const value = (typeof fallback === "number" ? Number(raw) : raw) as T;
        if (!allowed.includes(value)) {
            this.fail(key, `must be one of ${allowed.join(", ")} (got ${JSON.stringify(raw)})`, String(fallback));
        }
        return value;
    }

    bool(key: string, fallback: boolean): boolean {
        const raw = this.cfg.get(key);
        if (raw === undefined) return fallback;
        if (raw !== "true" && raw !== "false") this.fail(key, `must be true or false (got ${JSON.stringify(raw)})`, String(fallback));
        return raw === "true";
    }

    /** A list of strings; `example` is a valid element, for the suggested fix. */
    strings(key: string, fallback: string[], example: string, check?: (v: string) => string | undefined): string[] {
        const raw = this.cfg.get(key);
        if (raw === undefined) return fallback;
        let value: unknown;
        try {
            value = JSON.parse(raw);
        } catch {
            value = undefined;
        }
        if (!Array.isArray(value) || value.some((v) => typeof v !== "string")) {
            this.failList(key, -1, `must be a list of strings (got ${JSON.stringify(raw)})`, example);
        }
        for (const [i, v] of (value as string[]).entries()) {
            const problem = check?.(v);
            if (problem) this.failList(key, i, problem, example);
        }
        return value as string[];
    }

    url(key: string): string | undefined {
        const raw = this.cfg.get(key);
        if (raw === undefined || raw === "") return undefined;
        let url: URL | undefined;
        try {
            url = new URL(raw);
        } catch {
            url = undefined;
        }
        if (!url || url.protocol !== "https:") this.fail(key, `must be an https:// URL (got ${JSON.stringify(raw)})`, "https://hooks.example.com/clickstream");
        return raw;
    }
}

const arnCheck = (v: string) => (ARN_PATTERN.test(v) ? undefined : `must be an IAM role, user or group ARN like arn:aws:iam::123456789012:role/analyst (got ${JSON.stringify(v)})`);
const originCheck = (v: string) => {
    if (v === "*") return `must list origins explicitly; "*" would let any site post events with a visitor's browser`;
    try {
        const u = new URL(v);
        return (u.protocol === "https:" || u.hostname === "localhost") && u.pathname === "/" && !v.endsWith("/") ? undefined : `must be an origin like https://www.example.com (scheme and host, no path)`;
    } catch {
        return `must be an origin like https://www.example.com (got ${JSON.stringify(v)})`;
    }
};
const emailCheck = (v: string) => (/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v) ? undefined : `must be an e-mail address (got ${JSON.stringify(v)})`);
const keyNameCheck = (v: string) => (/^[A-Za-z0-9_-]{1,64}$/.test(v) ? undefined : `must be 1-64 letters, digits, "-" or "_" (got ${JSON.stringify(v)})`);

/** Reads and validates the stack config from `get`, with the given stack's defaults for keys not set. */
export function readStackConfig(stack: string, defaults: StackDefaults, get: ConfigGetter): StackConfig {
    const r = new ConfigReader(stack, get);
    const ingestMode = r.oneOf<IngestMode>("ingestMode", defaults.ingestMode, ["firehose", "stream"]);
    const cfg: StackConfig = {
        ingestMode,
        // Firehose mode has only the REST API (HTTP APIs cannot put into Firehose): default to it there.
        ingestApi: r.oneOf<IngestApi>("ingestApi", ingestMode === "stream" ? defaults.ingestApi : "rest", ["function-url", "http", "rest"]),
        tableFormat: r.oneOf<LakeTableFormat>("tableFormat", defaults.tableFormat, ["parquet", "iceberg"]),
        streamShardCount: r.int("streamShardCount", defaults.streamShardCount, 0, 500),
        manageAccountSettings: r.bool("manageAccountSettings", defaults.manageAccountSettings),
        rawRetentionDays: r.int("rawRetentionDays", defaults.rawRetentionDays, 1, 3650),
        logRetentionDays: r.oneOf("logRetentionDays", defaults.logRetentionDays, LOG_RETENTION_DAYS as readonly number[]),
        auditPiiReads: r.bool("auditPiiReads", defaults.auditPiiReads),
        auditRetentionDays: r.int("auditRetentionDays", defaults.auditRetentionDays, 1, 3650),
        throttleRateLimit: r.int("throttleRateLimit", defaults.throttleRateLimit, 1, 10000),
        throttleBurstLimit: r.int("throttleBurstLimit", defaults.throttleBurstLimit, 1, 5000),
        corsAllowedOrigins: r.strings("corsAllowedOrigins", defaults.corsAllowedOrigins, "https://www.example.com", originCheck),
        requireApiKeys: r.bool("requireApiKeys", defaults.requireApiKeys),
        apiKeyNames: r.strings("apiKeyNames", defaults.apiKeyNames, "web", keyNameCheck),
        wafEnabled: r.bool("wafEnabled", defaults.wafEnabled),
        wafRateLimitPer5Min: r.int("wafRateLimitPer5Min", defaults.wafRateLimitPer5Min, 10, 2_000_000_000),
        athenaBytesScannedCutoff: r.int("athenaBytesScannedCutoff", defaults.athenaBytesScannedCutoff, 10_485_760, Number.MAX_SAFE_INTEGER),
        forceDestroy: r.bool("forceDestroy", defaults.forceDestroy),
        adminRoleArns: r.strings("adminRoleArns", defaults.adminRoleArns, "arn:aws:iam::123456789012:role/lake-admin", arnCheck),
        analystPrincipals: r.strings("analystPrincipals", defaults.analystPrincipals, "arn:aws:iam::123456789012:role/analyst", arnCheck),
        engineerPrincipals: r.strings("engineerPrincipals", defaults.engineerPrincipals, "arn:aws:iam::123456789012:role/data-engineer", arnCheck),
        alertEmails: r.strings("alertEmails", defaults.alertEmails, "alerts@example.com", emailCheck),
        alertWebhookUrl: r.url("alertWebhookUrl"),
    };
    const notRest = cfg.ingestApi === "http" ? "HTTP APIs put" : "the function URL collector puts";
    if (cfg.ingestApi !== "rest" && cfg.ingestMode !== "stream") {
        throw new Error(`Pulumi.${stack}.yaml: clickstream:ingestApi is ${cfg.ingestApi} but clickstream:ingestMode is ${cfg.ingestMode}; ${notRest} records into Kinesis, not Firehose. Fix: pulumi config set clickstream:ingestApi rest --stack ${stack} (or set clickstream:ingestMode stream)`);
    }
    if (cfg.ingestApi !== "rest" && cfg.wafEnabled) {
        const what = cfg.ingestApi === "http" ? "an HTTP API" : "a Lambda function URL";
        throw new Error(`Pulumi.${stack}.yaml: clickstream:wafEnabled is true but clickstream:ingestApi is ${cfg.ingestApi}, and WAF cannot front ${what}. Fix: pulumi config set clickstream:ingestApi rest --stack ${stack} (WAF, request validation, usage plans), or pulumi config set clickstream:wafEnabled false --stack ${stack}`);
    }
    if (cfg.ingestApi === "function-url" && Math.max(cfg.throttleRateLimit, cfg.throttleBurstLimit) > MAX_FUNCTION_URL_PEAK_RPS) {
        throw new Error(`Pulumi.${stack}.yaml: clickstream:throttleRateLimit/throttleBurstLimit (${cfg.throttleRateLimit}/${cfg.throttleBurstLimit}) with clickstream:ingestApi function-url would reserve over 900 concurrent Lambda executions (peak requests/s x 0.1 s), more than an account can reserve by default. Fix: pulumi config set clickstream:throttleBurstLimit ${MAX_FUNCTION_URL_PEAK_RPS} --stack ${stack} (and a rate at most that), or raise the account's Lambda concurrency quota and use ingestApi http`);
    }
    if (cfg.requireApiKeys && cfg.apiKeyNames.length === 0) {
        throw new Error(`Pulumi.${stack}.yaml: clickstream:apiKeyNames is empty but clickstream:requireApiKeys is true, so no tracker could send events. Fix: ${listFix(stack, "apiKeyNames", 0, "web")}`);
    }
    if (cfg.throttleBurstLimit < cfg.throttleRateLimit / 10) {
        throw new Error(`Pulumi.${stack}.yaml: clickstream:throttleBurstLimit (${cfg.throttleBurstLimit}) is under a tenth of clickstream:throttleRateLimit (${cfg.throttleRateLimit}); trackers that flush together would be throttled. Fix: pulumi config set clickstream:throttleBurstLimit ${Math.min(5000, cfg.throttleRateLimit * 2)} --stack ${stack}`);
    }
    if (cfg.forceDestroy && stack === "prod") {
        throw new Error(`Pulumi.prod.yaml: clickstream:forceDestroy is true; prod buckets hold the lake and must not be deleted with their data. Fix: pulumi config rm clickstream:forceDestroy --stack prod`);
    }
    return cfg;
}

/**
 * The fix for a list-valued key, as a command that works when pasted: `pulumi config set --path`
 * sets one element of a list (plain `pulumi config set` stores a top-level value as a string), or
 * the same list written in the stack file.
 */
export function listFix(stack: string, key: string, index: number, example: string): string {
    return `pulumi config set --path 'clickstream:${key}[${index}]' ${example} --stack ${stack} (or in Pulumi.${stack}.yaml: "clickstream:${key}: [${example}]")`;
}
