/**
 * ISO-8601 UTC formatting with milliseconds ("2026-11-26T16:05:00.123Z"), the lake's timestamp format.
 * Rows of one batch fall within a few hours, so the "YYYY-MM-DDTHH:" prefix is reused for the whole hour
 * and only minutes, seconds and milliseconds are formatted per call: several times faster than
 * `new Date(ms).toISOString()` on the hot path, same output.
 */
const HOUR_MS = 3_600_000;
let hourStart = NaN;
let hourPrefix = "";

/** "00".."59" and "000".."999", built once: no number-to-string conversion per call. */
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/** Caller guarantees 0 <= ms <= 253402300799999 (years 1970..9999). */
export function isoTime(ms: number): string {
    const t = Math.floor(ms);
    const offset = t - hourStart;
    if (!(offset >= 0 && offset < HOUR_MS)) {
        hourStart = t - (t % HOUR_MS);
        hourPrefix = new Date(hourStart).toISOString().slice(0, 14);
        return isoTime(t);
    }
    const minutes = Math.floor(offset / 60_000);
    const seconds = Math.floor((offset % 60_000) / 1000);
    return hourPrefix + TWO_DIGITS[minutes] + ":" + TWO_DIGITS[seconds] + "." + THREE_DIGITS[offset % 1000] + "Z";
}
