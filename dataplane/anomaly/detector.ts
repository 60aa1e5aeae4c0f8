/**
 * Streaming anomaly detector for window metrics where CloudWatch anomaly detection is not
 * available (the local pipeline, `clickstream detect`). Per point:
 *
 *   expected_t = L_t + S(slot_t)          L = median of the last `levelWindow` de-seasonalized values
 *                                         S = median deviation at this slot over past seasons (+-2 slots)
 *   z_t        = (x_t - expected_t - c) / scale      c, scale from the last `residualWindow` residuals
 *   anomaly   <=> warm, |z_t| > threshold, and z_t is beyond the (1 - `rarity`) quantile of the last
 *                 `rarityWindow` scores on its side, extrapolated from their tail (peaks over threshold)
 *
 * What each part is for, on real series (docs/analytics.md has the sources and measurements):
 * - Seasonality: three candidate models run side by side, no season, daily (`seasonPeriod`) and
 *   weekly (7 x `seasonPeriod`); the one with the smallest recent mean absolute residual is used, a
 *   more complex one only when it is clearly (>= 5%) better. Most machine metrics have no season;
 *   traffic has daily and weekly ones.
 * - Slow changes: the level-change test compares the running level with the level `levelWindow` points
 *   earlier (two disjoint medians: sd sqrt(pi / levelWindow) x scale under noise) through the same z and
 *   rarity tests, so a rise the running median follows is still called; the reference restarts after an
 *   episode from points outside it, so one change is one episode.
 * - Level shifts: the level is a running median, so after a shift that persists the expected value
 *   re-baselines within about levelWindow/2 points (one episode, not an alarm forever).
 * - Scale that does not collapse: 1.4826 x MAD of residuals; when the MAD is 0 (sparse series, few
 *   distinct values) the mean absolute deviation x 1.2533 (the fallback of the modified z-score);
 *   for counts (every value so far a non-negative integer, or `counts: true`) at least the Poisson
 *   standard deviation sqrt(max(expected, 1)): a count's variance is at least its mean; and at
 *   least `minRelativeScale` x |expected|.
 * - Heavy tails: real residuals are not Gaussian, so a z-score beyond the threshold is not rare by
 *   itself. The rarity test asks that the score also be beyond the (1 - rarity) quantile of recent
 *   scores on its side, estimated by peaks over threshold (SPOT, Siffer et al. 2017; `tailQuantile`):
 *   an exponential tail fitted to the top 2% of scores with a median-based scale. Unlike the k-th
 *   most extreme score (used until issue 15), it is not set by one or two past spikes, so a big spike
 *   does not hold the band wide for a week and mask the next anomaly. An episode enters the history
 *   once, at its onset; its later points are clamped to the z threshold, so a level shift's
 *   transient does not fill the tail either. Only the fitted detector's scores (after warm-up) enter
 *   it, and alarms wait for 50 of them (MIN_CALIBRATION).
 * - Gaps: `skip(n)` or timestamps with `periodSeconds` advance the seasonal clock without learning;
 *   `missing: "zero"` instead scores the missing points as 0 (for counts of events only).
 *
 * Data-plane code: pure, no I/O, O(window sizes) per point.
 */

export type MissingPolicy = "skip" | "zero";

export interface DetectorOptions {
    /** Points per day (the daily season), e.g. 1440 for one-minute windows, 288 for five-minute ones. Required. */
    seasonPeriod: number;
    /** Days of history kept for the daily profile. Defaults to 7. */
    seasonsKept?: number;
    /** Weeks of history kept for the weekly profile. Defaults to 4. */
    weeksKept?: number;
    /** Also consider a weekly season (7 x seasonPeriod), used only when it fits better. Defaults to true. */
    weekly?: boolean;
    /** Neighbouring slots on each side pooled into a slot's seasonal median. Defaults to 2. */
    seasonalHalfWidth?: number;
    /** Points in the level median. Defaults to 31. */
    levelWindow?: number;
    /** Residuals in the MAD scale estimate. Defaults to 240. */
    residualWindow?: number;
    /** |z| above which a point can be anomalous (the mean of `sustainedPoints`: threshold / sqrt(n)). Defaults to 3. */
    threshold?: number;
    /** Points averaged by the sustained-change test (1 turns it off). Defaults to 12 (an hour of 5-minute points). */
    sustainedPoints?: number;
    /**
     * Probability per point and side, estimated from the tail of recent scores, that a score must be rarer than
     * (0-0.5; 0 turns the test off). Defaults to 0.00025: six one-sided tests (point, sustained and level change, up
     * and down) then allow about 1.5 false alarms per 1,000 points if the tail model holds; real tails are heavier than the
     * exponential one fitted, so the budget is set well under the 5 per 1,000 target.
     */
    rarity?: number;
    /** Scores kept for the rarity test. Defaults to 2016 (a week of 5-minute points). */
    rarityWindow?: number;
    /**
     * Also run the level-change test: the running level now against the level `levelWindow` points earlier (two
     * disjoint medians), through the same z and rarity tests, so a slow rise or fall the running median follows is
     * still called. Defaults to true.
     */
    levelChange?: boolean;
    /** Seasons (days) observed before any alarm. Defaults to 1. */
    warmupSeasons?: number;
    /** Smallest scale, as a fraction of |expected| (avoids dividing by ~0 on flat series). Defaults to 0.01. */
    minRelativeScale?: number;
    /**
     * Judge values as counts of events (Poisson variance floor): true, false, or "auto" (counts while every
     * value seen is a non-negative integer). Defaults to "auto".
     */
    counts?: boolean | "auto";
    /** Seconds between points; needed only when `update` is given timestamps. Defaults to none. */
    periodSeconds?: number;
    /**
     * What a missing point (a timestamp skipped) is: "skip" (unknown: nothing is learned or scored) or
     * "zero" (no events happened: scored as 0; for counts of events only). Defaults to "skip".
     */
    missing?: MissingPolicy;
}

export interface DetectorResult {
    /** The value's position in the stream (0-based; missing points count). */
    index: number;
    value: number;
    expected: number;
    /** Robust z-score of the residual. */
    score: number;
    anomalous: boolean;
    direction: "up" | "down" | null;
    /** False during warm-up, when no alarm is raised. */
    warm: boolean;
    /**
     * Why the point is flagged: "point" (the value is outside the band), "sustained" (the mean deviation of
     * the last `sustainedPoints` is; the value itself may be inside the band) or "level" (the running level moved
     * from where it was `levelWindow` points earlier, or at the end of the last episode if later, by more than
     * usual: a slow change). Null when not anomalous.
     */
    reason: "point" | "sustained" | "level" | null;
    /** The band of values that would not have been flagged at this point. */
    lower: number;
    upper: number;
    /** Which seasonal model produced `expected`. */
    season: SeasonModel;
    /** Results for missing points scored as 0 before this one (`missing: "zero"` with timestamps). */
    filled?: DetectorResult[];
}

export type SeasonModel = "none" | "daily" | "weekly";

/** Points between recomputations of the residual median/MAD and of the rarity bars. */
const REFRESH = 15;
/** MAD to standard deviation for normally distributed data. */
const MAD_TO_SIGMA = 1.4826;
/** Mean absolute deviation to standard deviation for normal data (sqrt(pi/2)), the MAD = 0 fallback. */
const MEANAD_TO_SIGMA = 1.2533;
/** A more complex seasonal model must lower the mean absolute residual by this fraction to be used. */
const MODEL_MARGIN = 0.05;
/**
 * Share of the recent scores, per side, that form the tail the rarity bar is extrapolated from (SPOT's
 * initial 98% quantile): large enough that a few past anomalies are a minority of it.
 */
const TAIL_FRACTION = 0.02;
/** Fewest scores in the tail extrapolated from; a history under 5x this uses the empirical quantile (its extreme). */
const MIN_TAIL = 10;
/** Scores of the fitted detector in the rarity history before it raises alarms (about 4 hours of 5-minute points). */
const MIN_CALIBRATION = 5 * MIN_TAIL;
/** Residuals before the scale is trusted. */
const MIN_RESIDUALS = 30;


function median(values: readonly number[]): number {
    if (values.length === 0) return 0;
    const s = Float64Array.from(values).sort(); // typed arrays sort numerically, without a comparator call
    const mid = s.length >> 1;
    return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Fixed-capacity FIFO of numbers. */
class Ring {
    private readonly items: number[] = [];
    private next = 0;
    constructor(private readonly capacity: number) {}
    push(v: number): void {
        if (this.items.length < this.capacity) this.items.push(v);
        else { this.items[this.next] = v; this.next = (this.next + 1) % this.capacity; }
    }
    values(): readonly number[] { return this.items; }
    get size(): number { return this.items.length; }
}

/** One seasonal model (none, daily or weekly): its level, profile, residual scale and recent fit. */
class SeasonalModel {
    private readonly level: Ring;
    private readonly residuals: Ring;
    private readonly profile: Ring[];
    private scaleCache = { centre: 0, mad: 0, meanAd: 0, at: -Infinity };
    /** Exponentially weighted mean |residual| (about a day's memory): how well this model fits lately. */
    fit = 0;
    fitted = 0;

    constructor(
        readonly name: SeasonModel,
        /** Points per season; 0 for no season. */
        readonly period: number,
        seasonsKept: number,
        private readonly halfWidth: number,
        levelWindow: number,
        residualWindow: number,
    ) {
        this.level = new Ring(levelWindow);
        this.residuals = new Ring(residualWindow);
        this.profile = period > 0 ? Array.from({ length: period }, () => new Ring(seasonsKept)) : [];
    }

    seasonal(index: number): number {
        if (this.period === 0) return 0;
        const pooled: number[] = [];
        const P = this.period;
        const slot = index % P;
        for (let d = -this.halfWidth; d <= this.halfWidth; d++) pooled.push(...this.profile[(((slot + d) % P) + P) % P].values());
        return median(pooled);
    }

    /** Expected value, residual centre and scale parts at `index`, before learning `value`. */
    predict(index: number, value: number): { seasonal: number; level: number; expected: number; centre: number; robustScale: number; residualCount: number } {
        const seasonal = this.seasonal(index);
        const level = this.level.size > 0 ? median(this.level.values()) : value - seasonal;
        if (index - this.scaleCache.at >= REFRESH || this.residuals.size < MIN_RESIDUALS) this.refreshScale(index);
        const { centre, mad, meanAd } = this.scaleCache;
        // MAD collapses to 0 when over half the residuals are equal (sparse or few-valued series): fall back
        // to the mean absolute deviation, which still sees the rarer values.
        const robustScale = mad > 0 ? MAD_TO_SIGMA * mad : MEANAD_TO_SIGMA * meanAd;
        return { seasonal, level, expected: level + seasonal, centre, robustScale, residualCount: this.residuals.size };
    }

    private refreshScale(index: number): void {
        const res = this.residuals.values();
        const centre = median(res);
        const dev = res.map((r) => Math.abs(r - centre));
        const meanAd = dev.length ? dev.reduce((s, d) => s + d, 0) / dev.length : 0;
        this.scaleCache = { centre, mad: median(dev), meanAd, at: index };
    }

    /** Learns `value` at `index`; `learnedResidual` is the residual clamped when the point was anomalous. */
    learn(index: number, value: number, seasonal: number, residual: number, learnedResidual: number, fitWeight: number): void {
        this.residuals.push(this.residuals.size >= MIN_RESIDUALS ? learnedResidual : residual);
        if (this.period > 0) this.profile[index % this.period].push(seasonal + learnedResidual); // = x - L, or its clamped version
        this.level.push(value - seasonal);
        // The fit counts only once the profile holds a full season (before that the model is not itself).
        if (index < this.period) return;
        this.fit = this.fitted === 0 ? Math.abs(learnedResidual) : this.fit + fitWeight * (Math.abs(learnedResidual) - this.fit);
        this.fitted++;
    }
}

export class SeasonalRobustDetector {
    private readonly o: Required<Omit<DetectorOptions, "periodSeconds">> & { periodSeconds?: number };
    private readonly models: SeasonalModel[];
    /** Recent z-scores for the rarity test; an episode enters once, at its onset. */
    private readonly history: Ring;
    /** Recent means of the last `sustainedPoints` deviations, for the sustained-change test; same rule. */
    private readonly sustainedHistory: Ring;
    private readonly recentDeviations: Ring;
    private sustainedBars = { up: Infinity, down: -Infinity };
    /** Recent level changes (level now minus the reference level) for the level-change test; same rule. */
    private readonly levelHistory: Ring;
    private levelBars = { up: Infinity, down: -Infinity };
    /**
     * Per model, the levels of the last `levelWindow` points (index, level), oldest first: the oldest is the
     * reference the level now is compared with. Emptied when an episode ends, so a change already reported is not
     * reported again once the running median has followed it.
     */
    private readonly levelTrails: Array<Array<{ index: number; level: number }>>;
    /** Index of the last anomalous point. */
    private lastFlag = -Infinity;
    private bars = { up: Infinity, down: -Infinity, at: -Infinity };
    private index = 0;
    private inEpisode = false;
    private allCounts = true;
    private originMs: number | null = null;

    constructor(options: DetectorOptions) {
        const o = {
            seasonsKept: 7, weeksKept: 4, weekly: true, seasonalHalfWidth: 2, levelWindow: 31, residualWindow: 240, threshold: 3,
            sustainedPoints: 12, rarity: 0.00025, rarityWindow: 2016, levelChange: true, warmupSeasons: 1, minRelativeScale: 0.01, counts: "auto" as const, missing: "skip" as const,
            // Options given as undefined keep their defaults (callers pass optional settings through).
            ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
        } as Required<Omit<DetectorOptions, "periodSeconds">> & { periodSeconds?: number };
        if (!Number.isInteger(o.seasonPeriod) || o.seasonPeriod < 1) throw new Error(`seasonPeriod must be a positive integer (points per season, e.g. 1440 for minutes in a day), got ${o.seasonPeriod}`);
        for (const key of ["seasonsKept", "weeksKept", "levelWindow", "residualWindow", "rarityWindow", "sustainedPoints"] as const) {
            if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`${key} must be a positive integer, got ${o[key]}`);
        }
        if (!Number.isInteger(o.seasonalHalfWidth) || o.seasonalHalfWidth < 0) throw new Error(`seasonalHalfWidth must be a non-negative integer, got ${o.seasonalHalfWidth}`);
        if (!(o.threshold > 0)) throw new Error(`threshold must be a positive number of robust standard deviations, got ${o.threshold}`);
        if (!(o.rarity >= 0 && o.rarity < 0.5)) throw new Error(`rarity must be in [0, 0.5) (fraction of recent scores a flag must be rarer than; 0 turns the test off), got ${o.rarity}`);
        if (!(o.warmupSeasons >= 0)) throw new Error(`warmupSeasons must be >= 0, got ${o.warmupSeasons}`);
        if (o.periodSeconds !== undefined && !(o.periodSeconds > 0)) throw new Error(`periodSeconds must be a positive number of seconds between points, got ${o.periodSeconds}`);
        if (o.missing !== "skip" && o.missing !== "zero") throw new Error(`missing must be "skip" or "zero" (zero only for counts of events), got ${String(o.missing)}`);
        if (o.counts !== true && o.counts !== false && o.counts !== "auto") throw new Error(`counts must be true, false or "auto", got ${String(o.counts)}`);
        this.o = o;
        const P = o.seasonPeriod;
        this.models = [
            new SeasonalModel("none", 0, 0, 0, o.levelWindow, o.residualWindow),
            new SeasonalModel("daily", P, o.seasonsKept, o.seasonalHalfWidth, o.levelWindow, o.residualWindow),
        ];
        if (o.weekly) this.models.push(new SeasonalModel("weekly", 7 * P, o.weeksKept, o.seasonalHalfWidth, o.levelWindow, o.residualWindow));
        this.history = new Ring(o.rarityWindow);
        this.sustainedHistory = new Ring(o.rarityWindow);
        this.recentDeviations = new Ring(o.sustainedPoints);
        this.levelHistory = new Ring(o.rarityWindow);
        this.levelTrails = this.models.map(() => []);
    }

    /** Points consumed so far (scored and missing): the index the next value gets. */
    get position(): number {
        return this.index;
    }

    /** Marks `count` points as missing: the seasonal clock advances, nothing is learned or scored. */
    skip(count = 1): void {
        if (!Number.isInteger(count) || count < 0) throw new Error(`skip count must be a non-negative integer, got ${count}`);
        this.index += count;
        if (count > 0 && this.inEpisode) for (const t of this.levelTrails) t.length = 0; // the episode ends here
        if (count > 0) this.inEpisode = false;
    }

    /**
     * Scores the next value of the series and learns from it. With `timestampMs` (and `periodSeconds`),
     * points missing since the previous value are skipped or, with `missing: "zero"`, scored as 0
     * (their results in `filled`).
     */
    update(value: number, timestampMs?: number): DetectorResult {
        if (!Number.isFinite(value)) throw new Error(`value must be a finite number, got ${value}; call skip() for a missing point`);
        let filled: DetectorResult[] | undefined;
        if (timestampMs !== undefined) {
            const periodMs = (this.o.periodSeconds ?? NaN) * 1000;
            if (!(periodMs > 0)) throw new Error("periodSeconds is required to pass timestamps to update() (seconds between points, e.g. 300)");
            if (!Number.isFinite(timestampMs)) throw new Error(`timestampMs must be a finite number of milliseconds, got ${timestampMs}`);
            if (this.originMs === null) this.originMs = timestampMs - this.index * periodMs;
            const at = Math.round((timestampMs - this.originMs) / periodMs);
            if (at < this.index) throw new Error(`timestamp ${new Date(timestampMs).toISOString()} is not after the previous point's; pass points in time order, one per period (merge duplicates first)`);
            const missing = at - this.index;
            if (missing > 0 && this.o.missing === "zero") {
                filled = [];
                for (let i = 0; i < missing; i++) filled.push(this.score(0));
            } else this.skip(missing);
        }
        const result = this.score(value);
        if (filled) result.filled = filled;
        return result;
    }

    private score(value: number): DetectorResult {
        const o = this.o;
        const index = this.index;
        if (o.counts === "auto" && !(value >= 0 && Number.isInteger(value))) this.allCounts = false;
        const counts = o.counts === true || (o.counts === "auto" && this.allCounts);

        const predictions = this.models.map((m) => m.predict(index, value));
        const chosen = this.chooseModel(index);
        const p = predictions[chosen];
        // A count is never negative: an additive profile on a count that fell to ~0 could expect less than 0.
        if (counts && p.expected < 0) p.expected = 0;
        const residual = value - p.expected;
        const scale = Math.max(p.robustScale, counts ? Math.sqrt(Math.max(p.expected, 1)) : 0, o.minRelativeScale * Math.abs(p.expected), 1e-9);
        const score = (residual - p.centre) / scale;

        if (index - this.bars.at >= REFRESH) this.refreshBars(index);
        // Bars in residual units: the z threshold, widened to the rarity bar of recent residuals on that side.
        const deviation = residual - p.centre;
        const upBar = Math.max(o.threshold * scale, this.bars.up);
        const downBar = Math.min(-o.threshold * scale, this.bars.down);
        // Fitted: past warm-up, the models' scores calibrate the bars. Warm (alarms allowed): also enough calibration.
        const fitted = index >= o.warmupSeasons * o.seasonPeriod + MIN_RESIDUALS && p.residualCount >= MIN_RESIDUALS;
        const warm = fitted && this.history.size >= MIN_CALIBRATION;
        // Sustained change: the mean of the last `sustainedPoints` deviations, same two tests (its standard
        // error is scale / sqrt(n)), so a shift of a few sigma that lasts is caught before the level absorbs it.
        // Each deviation enters the mean clamped to the point bars: one spike is the point test's to flag, and
        // must not keep the mean over its bar (and the points after it flagged) for `sustainedPoints` points.
        this.recentDeviations.push(Math.max(downBar, Math.min(upBar, deviation)));
        const n = this.recentDeviations.size;
        const mean = this.recentDeviations.values().reduce((a, b) => a + b, 0) / n;
        const meanUpBar = Math.max((o.threshold * scale) / Math.sqrt(n), this.sustainedBars.up);
        const meanDownBar = Math.min((-o.threshold * scale) / Math.sqrt(n), this.sustainedBars.down);
        const sustained = o.sustainedPoints > 1 && (mean > meanUpBar || mean < meanDownBar);
        // Level change: the running level now against the level `levelWindow` points ago (the oldest in the trail;
        // later if an episode ended since). Two medians of w disjoint points differ by sd sqrt(pi / w) x scale
        // under noise, so the z part of the test is threshold x that; the rarity part is the same tail fit.
        const trail = this.levelTrails[chosen];
        while (trail.length > 0 && trail[0].index < index - o.levelWindow) trail.shift();
        const levelChange = trail.length > 0 ? p.level - trail[0].level : 0;
        const levelCap = o.threshold * scale * Math.sqrt(Math.PI / o.levelWindow);
        const levelFlag = o.levelChange && trail.length > 0 && (levelChange > Math.max(levelCap, this.levelBars.up) || levelChange < Math.min(-levelCap, this.levelBars.down));
        const pointFlag = deviation > upBar || deviation < downBar;
        const anomalous = warm && (pointFlag || sustained || levelFlag);

        // Learn. Anomalous points are clamped to the band so they teach neither the profile nor the scale.
        const fitWeight = 4 / o.seasonPeriod; // about a quarter of a day's memory
        this.models.forEach((m, i) => {
            const q = predictions[i];
            const r = value - q.expected;
            const s = Math.max(q.robustScale, counts ? Math.sqrt(Math.max(q.expected, 1)) : 0, o.minRelativeScale * Math.abs(q.expected), 1e-9);
            const bound = o.threshold * s;
            const learned = anomalous ? q.centre + Math.max(-bound, Math.min(bound, r - q.centre)) : r;
            m.learn(index, value, q.seasonal, r, learned, fitWeight);
        });
        // Only a fitted detector's scores calibrate the bars: in warm-up the seasonal models are not fitted yet and
        // their large residuals would widen the extrapolated tail for a week.
        // An episode enters the rarity history once, at its onset; its later points enter clamped to the z threshold
        // (not to the bars: clamped there they would fill the tail the bars are extrapolated from and widen the
        // band step by step while a level shift settles, issue 15).
        if (fitted) {
            const pointCap = o.threshold * scale;
            const meanCap = pointCap / Math.sqrt(n);
            this.history.push(anomalous && this.inEpisode ? Math.max(-pointCap, Math.min(pointCap, deviation)) : deviation);
            this.sustainedHistory.push(anomalous && this.inEpisode ? Math.max(-meanCap, Math.min(meanCap, mean)) : mean);
            if (trail.length > 0) this.levelHistory.push(anomalous && this.inEpisode ? Math.max(-levelCap, Math.min(levelCap, levelChange)) : levelChange);
        }
        // An episode that ends has reported its change: the level after it is the new reference.
        // A reference is made of points outside episodes only (the level at `index` is the median of the `levelWindow`
        // points before it): just after a short episode, the running median may still be following the change the
        // episode reported, and compared with the level of those points it would report the change again.
        if (this.inEpisode && !anomalous) for (const t of this.levelTrails) t.length = 0;
        if (anomalous) this.lastFlag = index;
        if (index - o.levelWindow > this.lastFlag) this.levelTrails.forEach((t, i) => t.push({ index, level: predictions[i].level }));
        this.inEpisode = anomalous;

        const base = p.expected + p.centre;
        const result: DetectorResult = {
            index, value, expected: p.expected, score, anomalous,
            direction: anomalous ? ((pointFlag ? deviation : sustained ? mean : levelChange) > 0 ? "up" : "down") : null,
            reason: anomalous ? (pointFlag ? "point" : sustained ? "sustained" : "level") : null, warm,
            lower: base + downBar, upper: base + upBar, season: this.models[chosen].name,
        };
        this.index++;
        return result;
    }

    /** The simplest model unless a more complex one fits the last day clearly better. */
    private chooseModel(index: number): number {
        let best = 0;
        for (let i = 1; i < this.models.length; i++) {
            const m = this.models[i];
            // Eligible once a full season is stored and its fit has run on it for a while.
            if (m.fitted < MIN_RESIDUALS) continue;
            if (m.fit < this.models[best].fit * (1 - MODEL_MARGIN)) best = i;
        }
        return best;
    }

    private refreshBars(index: number): void {
        const h = this.history.values();
        if (this.o.rarity === 0 || h.length === 0) {
            this.bars = { up: -Infinity, down: Infinity, at: index };
            this.sustainedBars = { up: -Infinity, down: Infinity };
            this.levelBars = { up: -Infinity, down: Infinity };
            return;
        }
        const q = this.o.rarity;
        const s = Float64Array.from(h).sort();
        this.bars = { up: tailQuantile(s, q, 1), down: tailQuantile(s, q, -1), at: index };
        const t = Float64Array.from(this.sustainedHistory.values()).sort();
        this.sustainedBars = { up: tailQuantile(t, q, 1), down: tailQuantile(t, q, -1) };
        const l = Float64Array.from(this.levelHistory.values()).sort();
        this.levelBars = l.length ? { up: tailQuantile(l, q, 1), down: tailQuantile(l, q, -1) } : { up: Infinity, down: -Infinity };
    }
}

/**
 * The score exceeded with probability `q` on one side (`side` 1: the upper tail, -1: the lower) of the
 * recent scores `sorted` (ascending), by peaks over threshold (SPOT, Siffer et al., KDD 2017): the
 * threshold u is the (1 - TAIL_FRACTION) quantile of that side, the N scores beyond u are taken as
 * exponential excesses (a generalized Pareto tail with shape 0), and their scale is estimated from the
 * median excess (median / ln 2), not the mean, so one or two huge past spikes barely move the bar; the
 * quantile is then u + scale x ln(N / (q x history)).
 *
 * Why not the empirical quantile (the k-th most extreme score): at q = 0.001 that is the second most
 * extreme score of the last week, so one big spike holds the band wide for a week and masks the next
 * anomaly (issue 15). When the tail is too short to extrapolate from, the empirical quantile is used.
 */
export function tailQuantile(sorted: Float64Array, q: number, side: 1 | -1): number {
    const n = sorted.length;
    // A short history (the first days after warm-up) still has a tail of MIN_TAIL scores, up to a fifth of it.
    const tail = Math.max(MIN_TAIL, Math.floor(TAIL_FRACTION * n));
    const empirical = () => {
        const k = Math.min(n, Math.max(1, Math.floor(q * n)));
        return side > 0 ? sorted[n - k] : sorted[k - 1];
    };
    if (q * n >= tail || n < MIN_CALIBRATION) return empirical();
    const u = side > 0 ? sorted[n - 1 - tail] : sorted[tail];
    // Excesses of the scores strictly beyond u: with few distinct values many scores equal u, and their
    // zero excesses would say the tail has no width at all.
    const excess: number[] = [];
    for (let i = 0; i < tail; i++) {
        const e = side > 0 ? sorted[n - 1 - i] - u : u - sorted[i];
        if (e > 0) excess.push(e);
    }
    if (excess.length <= q * n) return empirical();
    const medianExcess = median(excess);
    return u + side * (medianExcess / Math.LN2) * Math.log(excess.length / (q * n));
}
