/**
 * A metric history as `timestamp,value` CSV (NAB's format; what a CloudWatch metric export becomes),
 * put on a regular time grid and run through the detector: the engine of `clickstream detect` and of
 * the benchmark on real data.
 *
 * - Parsing: an optional header (columns named timestamp/time/date and value, else the first two),
 *   timestamps as `YYYY-MM-DD HH:MM:SS[.ffffff]` (UTC), ISO 8601 with `T` and `Z`/offset, or epoch
 *   seconds/milliseconds; bad rows are errors naming the line, what is wrong and the fix.
 * - Cadence: the most common gap between consecutive distinct timestamps, so gaps and a few
 *   irregular rows do not change it. Rows are placed on the grid at the nearest slot; rows that
 *   land on one slot (duplicates, jitter) are averaged; slots with no row are missing points.
 *
 * Data-plane code: pure, no I/O.
 */
import { DetectorOptions, DetectorResult, MissingPolicy, SeasonalRobustDetector } from "./detector";
import { Episode, EpisodeTrackerOptions, groupEpisodes } from "./episodes";

export interface SeriesRow {
    /** 1-based line number in the CSV. */
    line: number;
    /** The timestamp exactly as written. */
    timestamp: string;
    ms: number;
    value: number;
}

export class SeriesCsvError extends Error {
    constructor(readonly line: number, problem: string, fix: string) {
        super(`line ${line}: ${problem}; ${fix}`);
        this.name = "SeriesCsvError";
    }
}

const TIMESTAMP_COLUMNS = /^(timestamp|time|date|datetime|ts)$/i;
const VALUE_COLUMNS = /^(value|values|sum|average|avg|count|maximum|minimum|samplecount)$/i;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

/** Milliseconds since the epoch, or NaN. A timestamp without a zone is UTC (NAB's and CloudWatch's convention). */
export function parseTimestamp(text: string): number {
    const t = text.trim();
    if (/^\d{9,11}(\.\d+)?$/.test(t)) return Number(t) * 1000; // epoch seconds
    if (/^\d{12,14}$/.test(t)) return Number(t); // epoch milliseconds
    const m = DATE_TIME.exec(t);
    if (!m) return NaN;
    const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
    const ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Math.round(Number(`0.${frac || "0"}`) * 1000));
    const check = new Date(ms);
    if (check.getUTCMonth() !== +mo - 1 || check.getUTCDate() !== +d || +h > 23 || +mi > 59 || +s > 59) return NaN;
    if (!zone || zone.toUpperCase() === "Z") return ms;
    const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
    return ms - (z[1] === "-" ? -1 : 1) * (+z[2] * 60 + +z[3]) * 60_000;
}

/** Splits one CSV line (RFC 4180 quoting, no line breaks inside fields). */
function splitCsvLine(line: string): string[] {
    const out: string[] = [];
    let field = "";
    let quoted = false;
    for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (quoted) {
            if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
            else if (ch === '"') quoted = false;
            else field += ch;
        } else if (ch === '"') quoted = true;
        else if (ch === ",") { out.push(field.trim()); field = ""; }
        else field += ch;
    }
    out.push(field.trim());
    return out;
}

/** Parses `timestamp,value` CSV text into rows in file order; throws SeriesCsvError on the first bad row. */
export function parseSeriesCsv(text: string): SeriesRow[] {
    const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
    let tsCol = 0;
    let valueCol = 1;
    let headerSeen = false;
    const rows: SeriesRow[] = [];
    for (let i = 0; i < lines.length; i++) {
        const lineNo = i + 1;
        if (lines[i].trim() === "") continue;
        const fields = splitCsvLine(lines[i]);
        if (!headerSeen && rows.length === 0) {
            headerSeen = true;
            // A header names its columns: no field is a timestamp or a number (a first row with a bad timestamp
            // but a numeric value is data, reported below, not skipped as a header).
            if (fields.every((f) => Number.isNaN(parseTimestamp(f)) && !(f !== "" && Number.isFinite(Number(f)))) && fields.some((f) => /[a-z]/i.test(f))) {
                const ts = fields.findIndex((f) => TIMESTAMP_COLUMNS.test(f));
                const val = fields.findIndex((f) => VALUE_COLUMNS.test(f));
                if (fields.length < 2) throw new SeriesCsvError(lineNo, `header "${lines[i].trim()}" has one column`, "the file needs two columns: timestamp,value");
                tsCol = ts >= 0 ? ts : 0;
                valueCol = val >= 0 ? val : tsCol === 0 ? 1 : 0;
                continue;
            }
        }
        if (fields.length <= Math.max(tsCol, valueCol)) {
            throw new SeriesCsvError(lineNo, `${fields.length} column(s) where ${Math.max(tsCol, valueCol) + 1} are expected`, "write each row as timestamp,value (e.g. 2026-11-26 10:05:00,42)");
        }
        const rawTs = fields[tsCol];
        const ms = parseTimestamp(rawTs);
        if (Number.isNaN(ms)) {
            throw new SeriesCsvError(lineNo, `timestamp "${rawTs}" is not a date-time`, "use YYYY-MM-DD HH:MM:SS (UTC), ISO 8601 (2026-11-26T10:05:00Z) or epoch seconds");
        }
        const rawValue = fields[valueCol];
        const value = rawValue === "" ? NaN : Number(rawValue);
        if (!Number.isFinite(value)) {
            throw new SeriesCsvError(lineNo, rawValue === "" ? "the value is empty" : `value "${rawValue}" is not a number`, "give a decimal number (e.g. 12.5), or delete the row: a missing row is treated as a gap");
        }
        rows.push({ line: lineNo, timestamp: rawTs, ms, value });
    }
    if (rows.length < 3) throw new SeriesCsvError(lines.length, `${rows.length} data row(s)`, "give at least 3 rows of timestamp,value (a useful history is at least a few days)");
    return rows;
}

/** The most common gap, in seconds, between consecutive distinct timestamps (ties: the shorter). */
export function inferCadenceSeconds(msValues: readonly number[]): number {
    const sorted = [...new Set(msValues)].sort((a, b) => a - b);
    if (sorted.length < 2) throw new Error("cannot infer the cadence from fewer than 2 distinct timestamps; pass --period-seconds");
    const counts = new Map<number, number>();
    for (let i = 1; i < sorted.length; i++) {
        const gap = Math.round((sorted[i] - sorted[i - 1]) / 1000);
        if (gap > 0) counts.set(gap, (counts.get(gap) ?? 0) + 1);
    }
    let best = 0;
    let bestCount = 0;
    for (const [gap, count] of counts) if (count > bestCount || (count === bestCount && gap < best)) { best = gap; bestCount = count; }
    if (best <= 0) throw new Error("timestamps less than a second apart: pass --period-seconds");
    return best;
}

/** One slot of the regular grid that has data. */
export interface GridPoint {
    /** Slot number from the first timestamp (missing slots are skipped numbers). */
    slot: number;
    ms: number;
    /** The first row's timestamp as written. */
    timestamp: string;
    line: number;
    /** Mean of the rows in the slot. */
    value: number;
    rows: number;
}

export interface GridStats {
    rows: number;
    points: number;
    /** Rows merged into a slot that already had one (duplicates, jitter). */
    merged: number;
    /** Rows more than a tenth of the period off the grid. */
    offGrid: number;
    /** Rows not in time order in the file (sorted before use). */
    outOfOrder: number;
    gaps: number;
    missingPoints: number;
}

/** Places rows on a grid of `periodSeconds` from the first timestamp. */
export function toGrid(rows: readonly SeriesRow[], periodSeconds: number): { points: GridPoint[]; stats: GridStats } {
    const periodMs = periodSeconds * 1000;
    let outOfOrder = 0;
    for (let i = 1; i < rows.length; i++) if (rows[i].ms < rows[i - 1].ms) outOfOrder++;
    const sorted = [...rows].sort((a, b) => a.ms - b.ms || a.line - b.line);
    const origin = sorted[0].ms;
    const points: GridPoint[] = [];
    let merged = 0;
    let offGrid = 0;
    for (const r of sorted) {
        const exact = (r.ms - origin) / periodMs;
        const slot = Math.round(exact);
        if (Math.abs(exact - slot) > 0.1) offGrid++;
        const last = points[points.length - 1];
        if (last && last.slot === slot) {
            last.value = (last.value * last.rows + r.value) / (last.rows + 1);
            last.rows++;
            merged++;
        } else points.push({ slot, ms: origin + slot * periodMs, timestamp: r.timestamp, line: r.line, value: r.value, rows: 1 });
    }
    let gaps = 0;
    let missingPoints = 0;
    for (let i = 1; i < points.length; i++) {
        const missing = points[i].slot - points[i - 1].slot - 1;
        if (missing > 0) { gaps++; missingPoints += missing; }
    }
    return { points, stats: { rows: rows.length, points: points.length, merged, offGrid, outOfOrder, gaps, missingPoints } };
}

/** A scored point with its time: `timestamp` as in the input (ISO for a missing point scored as 0). */
export type DetectedPoint = DetectorResult & { timestamp: string; ms: number };

export interface SeriesDetectionOptions extends Omit<DetectorOptions, "seasonPeriod" | "periodSeconds"> {
    /** Seconds between points. Defaults to the cadence inferred from the timestamps. */
    periodSeconds?: number;
    /** Points per day. Defaults to round(86,400 / periodSeconds). */
    seasonPeriod?: number;
    /** How episodes are grouped. Defaults to EpisodeTracker's defaults. */
    episodes?: EpisodeTrackerOptions;
}

export interface SeriesDetection {
    periodSeconds: number;
    /** Whether the period was inferred from the timestamps. */
    inferred: boolean;
    seasonPeriod: number;
    missing: MissingPolicy;
    stats: GridStats;
    /** Every scored point, missing ones scored as 0 included when `missing` is "zero". */
    points: DetectedPoint[];
    episodes: Episode<DetectedPoint>[];
}

/** Runs the detector over a whole parsed series and groups its flags into episodes. */
export function detectSeries(rows: readonly SeriesRow[], options: SeriesDetectionOptions = {}): SeriesDetection {
    const { periodSeconds: given, seasonPeriod: givenSeason, episodes: episodeOptions, ...detectorOptions } = options;
    if (given !== undefined && !(given > 0)) throw new Error(`periodSeconds must be a positive number of seconds, got ${given}`);
    const periodSeconds = given ?? inferCadenceSeconds(rows.map((r) => r.ms));
    const seasonPeriod = givenSeason ?? Math.max(1, Math.round(86_400 / periodSeconds));
    const { points: grid, stats } = toGrid(rows, periodSeconds);
    const detector = new SeasonalRobustDetector({ ...detectorOptions, seasonPeriod, periodSeconds });
    const points: DetectedPoint[] = [];
    for (const g of grid) {
        const r = detector.update(g.value, g.ms);
        for (const f of r.filled ?? []) {
            const ms = g.ms - (r.index - f.index) * periodSeconds * 1000;
            points.push({ ...f, timestamp: new Date(ms).toISOString(), ms });
        }
        delete r.filled;
        points.push({ ...r, timestamp: g.timestamp, ms: g.ms });
    }
    return { periodSeconds, inferred: given === undefined, seasonPeriod, missing: detectorOptions.missing ?? "skip", stats, points, episodes: groupEpisodes(points, episodeOptions) };
}

/** An episode as `clickstream detect --json` prints it: timestamps as in the input. */
export interface EpisodeSummary {
    start: string;
    end: string;
    peak: { at: string; value: number };
    expected: { value: number; lower: number; upper: number };
    score: number;
}

export function summarizeEpisode(e: Episode<DetectedPoint>): EpisodeSummary {
    return {
        start: e.first.timestamp,
        end: e.last.timestamp,
        peak: { at: e.peak.timestamp, value: e.peak.value },
        expected: { value: e.peak.expected, lower: e.peak.lower, upper: e.peak.upper },
        score: e.peak.score,
    };
}
