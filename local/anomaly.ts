/**
 * The one place the local pipeline calls the anomaly detector (dataplane/anomaly/detector.ts) and the
 * episode grouping (dataplane/anomaly/episodes.ts). The windows (local/windows.ts) only see
 * `createMetricScorer`, `AnomalyVerdict` and `AnomalyEpisode`, so a change of the detector's API
 * touches this file alone.
 *
 * One alert per anomaly: consecutive flagged windows form one episode (EpisodeTracker, closed by the
 * first window that is not flagged); the alert is raised when the episode closes, with its start, end,
 * peak and the expected band at the peak.
 */
import { DetectorOptions, SeasonalRobustDetector } from "../dataplane/anomaly/detector";
import { Episode, EpisodeTracker, ScoredPoint } from "../dataplane/anomaly/episodes";

export type ScorerOptions = DetectorOptions;

export interface AnomalyVerdict {
    anomalous: boolean;
    /** What the detector expected for this point. */
    expected: number;
    /** Robust z-score of the deviation (signed). */
    score: number;
    direction: "up" | "down" | null;
    /** The band of values that would not have been flagged (the dashboard draws it). */
    lower: number;
    upper: number;
    /** False during warm-up (no alarm is raised; the band means little yet). */
    warm: boolean;
}

/** A run of consecutive flagged windows: what one alert reports. */
export interface AnomalyEpisode {
    /** Start of the first flagged window and of the last one (ms since the epoch). */
    firstStartMs: number;
    lastStartMs: number;
    /** Flagged windows in the episode. */
    windows: number;
    direction: "up" | "down";
    /** The window with the largest |score|: its start, value, expected value and band. */
    peak: { startMs: number; value: number; expected: number; score: number; lower: number; upper: number };
}

export interface ScoredWindow {
    verdict: AnomalyVerdict;
    /** True when this window starts a new episode. */
    opened: boolean;
    /** The episode this window closed (the window itself is not flagged, or starts a new episode). */
    closed: AnomalyEpisode | null;
}

/** Scores one metric series, one window value at a time, in window order, and groups flags into episodes. */
export interface MetricScorer {
    score(value: number, windowStartMs: number): ScoredWindow;
    /** Closes the open episode (shutdown, end of a replay, a series restart), if any. */
    flush(): AnomalyEpisode | null;
}

type Point = ScoredPoint & { startMs: number; lower: number; upper: number };

function toEpisode(e: Episode<Point>): AnomalyEpisode {
    const p = e.peak;
    return {
        firstStartMs: e.first.startMs, lastStartMs: e.last.startMs, windows: e.points, direction: e.direction,
        peak: { startMs: p.startMs, value: p.value, expected: p.expected, score: p.score, lower: p.lower, upper: p.upper },
    };
}

/** A scorer over a fresh detector (it warms up for `warmupSeasons` seasons before flagging anything). */
export function createMetricScorer(options: ScorerOptions): MetricScorer {
    const detector = new SeasonalRobustDetector(options);
    const episodes = new EpisodeTracker<Point>();
    return {
        score(value: number, windowStartMs: number): ScoredWindow {
            const r = detector.update(value);
            const verdict: AnomalyVerdict = { anomalous: r.anomalous && r.direction !== null, expected: r.expected, score: r.score, direction: r.direction, lower: r.lower, upper: r.upper, warm: r.warm };
            const openBefore = episodes.current;
            const closed = episodes.push({ index: r.index, value: r.value, expected: r.expected, score: r.score, anomalous: verdict.anomalous, lower: r.lower, upper: r.upper, startMs: windowStartMs });
            const openNow = episodes.current;
            return { verdict, opened: openNow !== null && (openBefore === null || closed !== null), closed: closed ? toEpisode(closed) : null };
        },
        flush(): AnomalyEpisode | null {
            const e = episodes.flush();
            return e ? toEpisode(e) : null;
        },
    };
}
