/**
 * Real labelled data for bench:anomaly: the NAB development set copied into bench/data/nab-dev
 * (MIT, see its LICENSE.txt and NOTICE), the alert-level scoring its README defines, and the rolling
 * z-score reference the detector is compared with.
 *
 * Scoring (simplified NAB, at the level of alerts): consecutive flags form one episode; a labelled
 * window is detected when an episode overlaps it; an episode that overlaps no labelled window is one
 * false positive, reported per 1,000 scored points; the first day of each series is warm-up: points,
 * episodes and windows that end within it are not scored.
 */
import * as fs from "fs";
import * as path from "path";
import { Episode, groupEpisodes, ScoredPoint } from "../dataplane/anomaly/episodes";
import { DetectedPoint, detectSeries, GridPoint, inferCadenceSeconds, parseSeriesCsv, SeriesDetectionOptions, SeriesRow, toGrid } from "../dataplane/anomaly/series";

export const NAB_DEV_DIR = path.join(__dirname, "data", "nab-dev");
const DAY_MS = 86_400_000;

export interface LabelledSeries {
    /** `category/file.csv`, as in the labels file. */
    name: string;
    category: string;
    rows: SeriesRow[];
    /** Labelled anomaly windows, [startMs, endMs]. */
    windows: Array<[number, number]>;
}

/** Every series of the development set with its labelled windows. */
export function loadLabelledSeries(dir = NAB_DEV_DIR): LabelledSeries[] {
    const labels = JSON.parse(fs.readFileSync(path.join(dir, "labels", "combined_windows.json"), "utf8")) as Record<string, [string, string][]>;
    return Object.keys(labels).sort().map((name) => {
        const rows = parseSeriesCsv(fs.readFileSync(path.join(dir, "data", name), "utf8"));
        const windows = labels[name].map(([a, b]) => [parseLabelTime(a), parseLabelTime(b)] as [number, number]);
        return { name, category: name.split("/")[0], rows, windows };
    });
}

/** NAB label times are `YYYY-MM-DD HH:MM:SS.ffffff`, UTC like the data. */
function parseLabelTime(text: string): number {
    const ms = Date.parse(`${text.replace(" ", "T").slice(0, 23)}Z`);
    if (Number.isNaN(ms)) throw new Error(`bad label time "${text}"`);
    return ms;
}

export interface SeriesScore {
    windows: number;
    detected: number;
    scoredPoints: number;
    falsePositives: number;
    episodes: number;
}

/** Scores episodes (their first and last point times) against a series' labelled windows. */
export function scoreEpisodes(series: LabelledSeries, episodes: ReadonlyArray<{ startMs: number; endMs: number }>, pointTimes: readonly number[]): SeriesScore {
    const warmupEnd = Math.min(...series.rows.map((r) => r.ms)) + DAY_MS;
    const scoredEpisodes = episodes.filter((e) => e.endMs >= warmupEnd);
    const windows = series.windows.filter(([, end]) => end >= warmupEnd);
    const overlaps = (e: { startMs: number; endMs: number }, [ws, we]: [number, number]) => e.startMs <= we && e.endMs >= ws;
    return {
        windows: windows.length,
        detected: windows.filter((w) => scoredEpisodes.some((e) => overlaps(e, w))).length,
        scoredPoints: pointTimes.filter((t) => t >= warmupEnd).length,
        falsePositives: scoredEpisodes.filter((e) => !series.windows.some((w) => overlaps(e, w))).length,
        episodes: scoredEpisodes.length,
    };
}

function episodeTimes<P extends ScoredPoint & { ms: number }>(episodes: Episode<P>[]) {
    return episodes.map((e) => ({ startMs: e.first.ms, endMs: e.last.ms }));
}

/** The local detector on one series, scored. */
export function scoreDetector(series: LabelledSeries, options: SeriesDetectionOptions = {}): SeriesScore & { detection: ReturnType<typeof detectSeries> } {
    const detection = detectSeries(series.rows, options);
    const times = detection.points.map((p: DetectedPoint) => p.ms);
    return { ...scoreEpisodes(series, episodeTimes(detection.episodes), times), detection };
}

/**
 * The reference: a rolling z-score, mean and standard deviation of the previous `window` points with
 * data (at least 30), flagged beyond `sigmas`; flags grouped into episodes the same way (a missing
 * point also separates flags, as it does for the detector).
 */
export function rollingZScorePoints(grid: readonly GridPoint[], window = 240, sigmas = 4): Array<ScoredPoint & { ms: number }> {
    const out: Array<ScoredPoint & { ms: number }> = [];
    let sum = 0;
    let sumSq = 0;
    for (let i = 0; i < grid.length; i++) {
        const n = Math.min(i, window);
        const mean = n ? sum / n : 0;
        const sd = n > 1 ? Math.sqrt(Math.max(0, (sumSq - n * mean * mean) / (n - 1))) : 0;
        const v = grid[i].value;
        const score = sd > 0 ? (v - mean) / sd : 0;
        out.push({ index: grid[i].slot, ms: grid[i].ms, value: v, expected: mean, score, anomalous: n >= 30 && Math.abs(score) > sigmas });
        sum += v; sumSq += v * v;
        if (i >= window) { const old = grid[i - window].value; sum -= old; sumSq -= old * old; }
    }
    return out;
}

export function scoreReference(series: LabelledSeries, window = 240, sigmas = 4): SeriesScore {
    const { points: grid } = toGrid(series.rows, inferCadenceSeconds(series.rows.map((r) => r.ms)));
    const points = rollingZScorePoints(grid, window, sigmas);
    return scoreEpisodes(series, episodeTimes(groupEpisodes(points)), points.map((p) => p.ms));
}

export function addScores(a: SeriesScore, b: SeriesScore): SeriesScore {
    return { windows: a.windows + b.windows, detected: a.detected + b.detected, scoredPoints: a.scoredPoints + b.scoredPoints, falsePositives: a.falsePositives + b.falsePositives, episodes: a.episodes + b.episodes };
}

export const EMPTY_SCORE: SeriesScore = { windows: 0, detected: 0, scoredPoints: 0, falsePositives: 0, episodes: 0 };

export function recall(s: SeriesScore): number {
    return s.windows ? s.detected / s.windows : 1;
}

export function fpPer1000(s: SeriesScore): number {
    return s.scoredPoints ? (s.falsePositives * 1000) / s.scoredPoints : 0;
}
