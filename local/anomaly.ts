/**
 * The one place the local pipeline calls the anomaly detector (dataplane/anomaly/detector.ts). The
 * windows (local/windows.ts) only see `createMetricScorer` and `AnomalyVerdict`, so a change of the
 * detector's API touches this file alone.
 */
import { DetectorOptions, SeasonalRobustDetector } from "../dataplane/anomaly/detector";

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

/** Scores one metric series, one window value at a time, in window order. */
export interface MetricScorer {
    score(value: number): AnomalyVerdict;
}

/** A scorer over a fresh detector (it warms up for `warmupSeasons` seasons before flagging anything). */
export function createMetricScorer(options: ScorerOptions): MetricScorer {
    const detector = new SeasonalRobustDetector(options);
    return {
        score(value: number): AnomalyVerdict {
            const r = detector.update(value);
            return { anomalous: r.anomalous, expected: r.expected, score: r.score, direction: r.direction, lower: r.lower, upper: r.upper, warm: r.warm };
        },
    };
}
