/**
 * Construction-time checks of FirehoseLake arguments: every value AWS would reject (or that would lose
 * data) fails here, before any resource is registered, with an error naming the field and the fix.
 */

/** Retention values CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

/** Athena's smallest per-query scan cutoff: 10 MB. */
export const ATHENA_MIN_BYTES_SCANNED_CUTOFF = 10 * 1024 * 1024;

/** Firehose buffering limits (S3 destination with record format conversion, which the lake always uses). */
export const FIREHOSE_LIMITS = {
    /** Destination buffer interval: 0-900 s in the API; the lake keeps >= 60 s (the article's floor: shorter buffers write many tiny Parquet files). */
    intervalSeconds: { min: 60, max: 900 },
    /** Destination buffer size: 1-128 MiB in general, at least 64 MiB with format conversion. */
    sizeMiB: { min: 64, max: 128 },
    /** Lambda processor buffer: 0.2-3 MB (Lambda's 6 MB payload limit, with room for the output). */
    processorSizeMB: { min: 0.2, max: 3 },
    processorIntervalSeconds: { min: 0, max: 900 },
    processorRetries: { min: 0, max: 300 },
} as const;

export function fail(component: string, field: string, problem: string, fix: string): never {
    throw new Error(`${component}: ${field} ${problem}; ${fix}.`);
}

/** An integer in [min, max] (max optional), else an error naming `field`. */
export function checkInteger(component: string, field: string, value: number, min: number, max?: number, why = ""): number {
    if (typeof value !== "number" || !Number.isInteger(value)) fail(component, field, `must be a whole number (got ${String(value)})`, `pass an integer${max === undefined ? ` >= ${min}` : ` from ${min} to ${max}`}`);
    if (value < min || (max !== undefined && value > max)) {
        fail(component, field, `is ${value}, out of range${why ? ` (${why})` : ""}`, `pass a value ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}`);
    }
    return value;
}

/** A number in [min, max], else an error naming `field`. */
export function checkNumber(component: string, field: string, value: number, min: number, max: number, why = ""): number {
    if (typeof value !== "number" || !Number.isFinite(value) || value < min || value > max) {
        fail(component, field, `is ${String(value)}, out of range${why ? ` (${why})` : ""}`, `pass a number from ${min} to ${max}`);
    }
    return value;
}

export function checkLogRetention(component: string, field: string, value: number): number {
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(value)) {
        fail(component, field, `is ${String(value)}, which CloudWatch Logs does not accept`, `use one of ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    return value;
}

/** A yyyy-MM-dd calendar date. */
export function checkDate(component: string, field: string, value: string): string {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    const valid = m !== null && (() => {
        const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
        return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
    })();
    if (!valid) fail(component, field, `is "${value}", not a yyyy-MM-dd date`, `pass a date like "2026-01-01"`);
    return value;
}

/** An IAM role ARN (plain strings only; Outputs are checked by AWS at deploy time). */
export function checkRoleArn(component: string, field: string, value: unknown): void {
    if (typeof value === "string" && !/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(value)) {
        fail(component, field, `contains "${value}", not an IAM role ARN`, `pass ARNs like "arn:aws:iam::123456789012:role/DataAdmin"`);
    }
}

/** A KMS key ARN (not an alias: IAM statements cannot name a key by alias). Plain strings only. */
export function checkKeyArn(component: string, field: string, value: unknown): void {
    if (typeof value === "string" && !/^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(value)) {
        fail(component, field, `is "${value}", not a KMS key ARN`, "pass the key ARN (arn:aws:kms:<region>:<account>:key/<id>); IAM policies cannot name a key by alias");
    }
}
