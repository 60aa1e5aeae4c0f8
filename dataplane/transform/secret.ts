/**
 * Loads the pseudonymization key from SSM Parameter Store (SecureString, decrypted) or Secrets Manager,
 * and caches it in the Lambda container for a TTL: one API call per container per TTL instead of one per
 * invocation, while a rotated key is still picked up within the TTL.
 */
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { ENV_PII_SECRET_ARN, ENV_PII_SECRET_PARAMETER } from "./config";

/** Default cache lifetime of a loaded key. */
export const PII_KEY_TTL_MS = 5 * 60 * 1000;

export interface LoadPiiKeyOptions {
    /** Where the source names are read. Defaults to process.env. */
    env?: Record<string, string | undefined>;
    /** Cache lifetime in milliseconds. Defaults to `PII_KEY_TTL_MS` (5 minutes). */
    ttlMs?: number;
    /** Clients to use. Default to clients built from the Lambda environment (region, credentials). */
    ssm?: SSMClient;
    secretsManager?: SecretsManagerClient;
    /** Clock, for tests. Defaults to Date.now. */
    now?: () => number;
}

interface CacheEntry {
    value: Promise<string>;
    expiresAt: number;
}

const cache = new Map<string, CacheEntry>();
let defaultSsm: SSMClient | undefined;
let defaultSecretsManager: SecretsManagerClient | undefined;

/** Forgets cached keys (tests; or to force a reload after a known rotation). */
export function clearPiiKeyCache(): void {
    cache.clear();
}

/**
 * The pseudonymization key named by exactly one of CLICKSTREAM_PII_SECRET_PARAMETER (SSM parameter name)
 * or CLICKSTREAM_PII_SECRET_ARN (Secrets Manager ARN). Concurrent callers share one in-flight request;
 * a failed load is not cached.
 */
export async function loadPiiKey(options: LoadPiiKeyOptions = {}): Promise<string> {
    const env = options.env ?? process.env;
    const now = options.now ?? Date.now;
    const parameter = env[ENV_PII_SECRET_PARAMETER] || undefined;
    const arn = env[ENV_PII_SECRET_ARN] || undefined;
    if ((parameter === undefined) === (arn === undefined)) {
        throw new Error(
            `pseudonymization key source: ${parameter ? "both" : "neither"} of ${ENV_PII_SECRET_PARAMETER} and ${ENV_PII_SECRET_ARN} set. ` +
                "Fix: set exactly one (the FirehoseLake component sets it; locally pass the key to createTransformer directly)",
        );
    }
    const source = parameter !== undefined ? `ssm:${parameter}` : `secretsmanager:${arn}`;
    const hit = cache.get(source);
    if (hit && hit.expiresAt > now()) return hit.value;

    const value = parameter !== undefined ? fromSsm(parameter, options.ssm) : fromSecretsManager(arn!, options.secretsManager);
    cache.set(source, { value, expiresAt: now() + (options.ttlMs ?? PII_KEY_TTL_MS) });
    value.catch(() => {
        if (cache.get(source)?.value === value) cache.delete(source);
    });
    return value;
}

async function fromSsm(name: string, client?: SSMClient): Promise<string> {
    const ssm = client ?? (defaultSsm ??= new SSMClient({}));
    const out = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    const value = out.Parameter?.Value;
    if (!value) throw new Error(`SSM parameter ${name} has no value. Fix: store the key as a SecureString in ${name}`);
    return value;
}

async function fromSecretsManager(arn: string, client?: SecretsManagerClient): Promise<string> {
    const sm = client ?? (defaultSecretsManager ??= new SecretsManagerClient({}));
    const out = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
    const value = out.SecretString ?? (out.SecretBinary ? Buffer.from(out.SecretBinary).toString("utf8") : undefined);
    if (!value) throw new Error(`secret ${arn} has no value. Fix: put the key in the secret's SecretString`);
    return value;
}
