/**
 * Configuration of `clickstream local`: the dev stack's config (Pulumi.dev.yaml, read and checked
 * by the same rules as `pulumi up`: stacks/configRules.ts), then environment variables, then flags.
 * A bad value fails with the key (or variable, or flag), what is wrong, and the fix.
 */
import { existsSync, readFileSync } from "fs";
import * as path from "path";
import { parse as parseYaml } from "yaml";
import { WindowSpec } from "../dataplane/analytics/spec";
import { MIN_WRITE_KEY_CHARS, MAX_WRITE_KEY_CHARS } from "../dataplane/auth/writeKey";
import { assertCorsOrigins } from "../dataplane/ingest/http";
import { FIREHOSE_BUFFERING_DEFAULTS } from "../dataplane/lake/buffering";
import type { TransformConfig } from "../dataplane/transform/config";
import { resolveTransformConfig } from "../dataplane/transform/resolve";
import { readStackConfig, StackConfig } from "../stacks/configRules";
import { DEV_DEFAULTS, STACK_WINDOW_SPECS } from "../stacks/defaults";

/** The stack whose config the local pipeline mirrors. */
export const LOCAL_STACK = "dev";
/** Most events per batch request: IngestEndpoint's maxBatchEvents default. */
export const LOCAL_MAX_BATCH_EVENTS = 500;
/** Local buffering bounds: Firehose's API range (0-900 s, 1-128 MiB), without the lake's 60 s / 64 MiB floor, which only matters for S3 costs. */
export const LOCAL_BUFFER_LIMITS = { intervalSeconds: { min: 0.05, max: 900 }, sizeMiB: { min: 1, max: 128 } } as const;

export interface LocalConfig {
    /** Interface the server listens on: loopback only. */
    host: "127.0.0.1";
    port: number;
    /** Absolute path of the lake. */
    lakeDir: string;
    /** Browser origins allowed by CORS (the dev stack's corsAllowedOrigins). */
    corsAllowedOrigins: string[];
    /** API key values accepted (x-api-key, or a Segment write key); empty: no key check. */
    apiKeys: string[];
    maxBatchEvents: number;
    bufferIntervalSeconds: number;
    bufferSizeMiB: number;
    /** Transform (PII) config; undefined: the transform's defaults, as FirehoseLake uses them. */
    transformConfig: TransformConfig | undefined;
    /** Window specs: the dev stack's (none when its ingestMode is "firehose", which has no windows). */
    windowSpecs: WindowSpec[];
    alertWebhookUrl: string | undefined;
    /** The stack file read, and the stack config it held. */
    stackFile: string | undefined;
    stack: StackConfig;
}

/** Command-line flags (cli/local.ts); each overrides its environment variable. */
export interface LocalFlags {
    port?: string;
    lakeDir?: string;
    bufferInterval?: string;
    bufferSize?: string;
    stackFile?: string;
    transformConfig?: string;
    apiKeys?: string;
    corsOrigins?: string;
}

export class LocalConfigError extends Error {}

function fail(key: string, problem: string, fix: string): never {
    throw new LocalConfigError(`${key} ${problem}. Fix: ${fix}`);
}

/** Reads a stack file's `clickstream:*` values the way Pulumi hands them to a program: text, with lists and objects as JSON. */
export function stackFileGetter(file: string): (key: string) => string | undefined {
    let doc: unknown;
    try {
        doc = parseYaml(readFileSync(file, "utf8"));
    } catch (e) {
        fail(file, `is not valid YAML (${(e as Error).message.split("\n")[0]})`, "correct the file, or pass --stack-file <file>");
    }
    const config = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
    if (typeof config !== "object" || Array.isArray(config)) fail(`${file}: config`, "must be a mapping of keys to values", "see Pulumi.dev.yaml in the repository");
    return (key) => {
        const value = config[`clickstream:${key}`];
        if (value === undefined || value === null) return undefined;
        return typeof value === "string" ? value : JSON.stringify(value);
    };
}

function number(key: string, raw: string, min: number, max: number, example: string, integer: boolean): number {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isFinite(value) || (integer && !Number.isInteger(value)) || value < min || value > max) {
        fail(key, `must be ${integer ? "a whole number" : "a number"} from ${min} to ${max} (got ${JSON.stringify(raw)})`, example);
    }
    return value;
}

function list(raw: string): string[] {
    return raw.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** Picks a flag, else an environment variable: returns the value and the name to blame. */
function pick(flag: string | undefined, flagName: string, env: NodeJS.ProcessEnv, envName: string): { raw: string; key: string } | undefined {
    if (flag !== undefined) return { raw: flag, key: flagName };
    const value = env[envName];
    return value === undefined || value === "" ? undefined : { raw: value, key: envName };
}

/** The repository's Pulumi.dev.yaml, found from this module (so `npm start` works from any folder). */
export function defaultStackFile(): string {
    return path.resolve(__dirname, "..", `Pulumi.${LOCAL_STACK}.yaml`);
}

/**
 * The stack config the local pipeline mirrors (--stack-file, STACK_FILE, else the repository's
 * Pulumi.dev.yaml), checked by the stacks' rules; only that, for commands that need no server settings.
 */
export function loadLocalStackConfig(flags: Pick<LocalFlags, "stackFile"> = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): { stackFile: string; stack: StackConfig } {
    const stackPick = pick(flags.stackFile, "--stack-file", env, "STACK_FILE");
    const stackFile = stackPick ? path.resolve(cwd, stackPick.raw) : defaultStackFile();
    if (stackPick && !existsSync(stackFile)) fail(stackPick.key, `names ${stackFile}, which does not exist`, "pass the path of a Pulumi.<stack>.yaml");
    const get = existsSync(stackFile) ? stackFileGetter(stackFile) : () => undefined;
    try {
        return { stackFile, stack: readStackConfig(LOCAL_STACK, DEV_DEFAULTS, get) };
    } catch (e) {
        throw new LocalConfigError(`${(e as Error).message.replace(`Pulumi.${LOCAL_STACK}.yaml`, stackFile)}`);
    }
}

export function loadLocalConfig(flags: LocalFlags = {}, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LocalConfig {
    const { stackFile, stack } = loadLocalStackConfig(flags, env, cwd);

    const portPick = pick(flags.port, "--port", env, "PORT");
    const port = portPick ? number(portPick.key, portPick.raw, 1, 65535, `${portPick.key === "PORT" ? "PORT=8080 npm start" : "--port 8080"}`, true) : 8080;

    const lakePick = pick(flags.lakeDir, "--lake-dir", env, "LAKE_DIR");
    const lakeDir = path.resolve(cwd, lakePick?.raw ?? "lake");

    const intervalPick = pick(flags.bufferInterval, "--buffer-interval", env, "BUFFER_INTERVAL_SECONDS");
    const L = LOCAL_BUFFER_LIMITS;
    const bufferIntervalSeconds = intervalPick
        ? number(intervalPick.key, intervalPick.raw, L.intervalSeconds.min, L.intervalSeconds.max, `${intervalPick.key}${intervalPick.key.startsWith("-") ? " " : "="}5 (seconds)`, false)
        : FIREHOSE_BUFFERING_DEFAULTS.intervalSeconds;
    const sizePick = pick(flags.bufferSize, "--buffer-size", env, "BUFFER_SIZE_MIB");
    const bufferSizeMiB = sizePick
        ? number(sizePick.key, sizePick.raw, L.sizeMiB.min, L.sizeMiB.max, `${sizePick.key}${sizePick.key.startsWith("-") ? " " : "="}64 (MiB)`, false)
        : FIREHOSE_BUFFERING_DEFAULTS.sizeMiB;

    const corsPick = pick(flags.corsOrigins, "--cors-origins", env, "CORS_ALLOWED_ORIGINS");
    const corsAllowedOrigins = corsPick ? list(corsPick.raw) : stack.corsAllowedOrigins;
    try {
        assertCorsOrigins(corsAllowedOrigins);
    } catch (e) {
        fail(corsPick?.key ?? `${stackFile}: clickstream:corsAllowedOrigins`, (e as Error).message.replace(/^corsAllowedOrigins: /, ""), "list origins like http://localhost:3000, comma-separated");
    }

    const keysPick = pick(flags.apiKeys, "--api-keys", env, "API_KEYS");
    const apiKeys = keysPick ? list(keysPick.raw) : [];
    for (const key of apiKeys) {
        if (key.length < MIN_WRITE_KEY_CHARS || key.length > MAX_WRITE_KEY_CHARS || !/^[\x21-\x7e]+$/.test(key)) {
            fail(keysPick!.key, `holds a key of ${key.length} characters; API Gateway keys (and Segment write keys used as them) are ${MIN_WRITE_KEY_CHARS}-${MAX_WRITE_KEY_CHARS} printable ASCII characters`, `${keysPick!.key}=<key of 20+ characters>[,<another>]`);
        }
    }
    if (stack.requireApiKeys && apiKeys.length === 0) {
        fail(`${stackFile}: clickstream:requireApiKeys`, `is true (keys ${stack.apiKeyNames.join(", ")}), but the local pipeline has no key values to check`, "set API_KEYS=<key of 20+ characters>[,<another>] (or --api-keys), one value per tracker");
    }

    const transformPick = pick(flags.transformConfig, "--transform-config", env, "TRANSFORM_CONFIG");
    let transformConfig: TransformConfig | undefined;
    if (transformPick) {
        const file = path.resolve(cwd, transformPick.raw);
        let text: string;
        try {
            text = readFileSync(file, "utf8");
        } catch (e) {
            fail(transformPick.key, `names ${file}, which cannot be read (${(e as NodeJS.ErrnoException).code})`, "pass a JSON file with the transform config (docs/transform.md)");
        }
        try {
            transformConfig = JSON.parse(text) as TransformConfig;
        } catch (e) {
            fail(`${transformPick.key} ${file}`, `is not JSON (${(e as Error).message})`, "write the transform config as a JSON object");
        }
        try {
            resolveTransformConfig(transformConfig);
        } catch (e) {
            fail(`${transformPick.key} ${file}:`, (e as Error).message, "correct that field (docs/transform.md lists them)");
        }
    }

    const webhookPick = pick(undefined, "", env, "ALERT_WEBHOOK_URL");
    let alertWebhookUrl = stack.alertWebhookUrl;
    if (webhookPick) {
        let url: URL | undefined;
        try {
            url = new URL(webhookPick.raw);
        } catch {
            url = undefined;
        }
        if (!url || !/^https?:$/.test(url.protocol)) fail("ALERT_WEBHOOK_URL", `must be an http(s):// URL (got ${JSON.stringify(webhookPick.raw)})`, "ALERT_WEBHOOK_URL=http://localhost:9000/alerts");
        alertWebhookUrl = webhookPick.raw;
    }

    return {
        host: "127.0.0.1",
        port,
        lakeDir,
        corsAllowedOrigins,
        apiKeys,
        maxBatchEvents: LOCAL_MAX_BATCH_EVENTS,
        bufferIntervalSeconds,
        bufferSizeMiB,
        transformConfig,
        // Windows need a stream in the path (stacks/pipeline.ts): a firehose-mode stack has none.
        windowSpecs: stack.ingestMode === "stream" ? STACK_WINDOW_SPECS : [],
        alertWebhookUrl,
        stackFile: existsSync(stackFile) ? stackFile : undefined,
        stack,
    };
}
