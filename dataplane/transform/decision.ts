/** What the PII rules do with one value: keep it (free text still redacted), pseudonymize it, or drop it. */
export const KEEP = 0;
export const PSEUDONYMIZE = 1;
export const DROP = 2;
export type Decision = typeof KEEP | typeof PSEUDONYMIZE | typeof DROP;
