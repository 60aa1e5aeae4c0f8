/**
 * Policy configuration with the schema defaults applied. The Pulumi CLI fills defaults from a
 * policy's configSchema before it calls the pack; the defaults are repeated here so a policy also
 * behaves when a caller (an older CLI, a hand-built harness) passes no config at all.
 */
export interface ConfigSource {
    getConfig<T extends object>(): T;
}

export function configWithDefaults<T extends object>(args: ConfigSource, defaults: T): T {
    const given = (args.getConfig<Partial<T>>() ?? {}) as Partial<T>;
    const out = { ...defaults } as T;
    for (const [key, value] of Object.entries(given)) {
        if (value !== undefined && key !== "enforcementLevel") (out as any)[key] = value;
    }
    return out;
}

/** Builds a case-insensitive RegExp from a config string, with a clear error if it is invalid. */
export function configRegex(policy: string, field: string, pattern: string): RegExp {
    try {
        return new RegExp(pattern, "i");
    } catch (err: any) {
        throw new Error(`${policy}: config "${field}" is not a valid regular expression (${err.message}). Fix the pattern in the policy pack config.`);
    }
}
