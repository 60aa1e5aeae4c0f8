/**
 * Streaming anomaly detector for window metrics where CloudWatch anomaly detection is not
 * available (the local pipeline). A seasonal robust z-score:
 *
 *   expected_t = L_t + S(slot_t)
 *   L_t        = median of the last `levelWindow` de-seasonalized values (tracks level shifts)
 *   S(slot)    = median, over the last `seasonsKept` seasons and `seasonalHalfWidth` neighbouring
 *                slots, of the deviation x - L stored at that slot (the daily shape)
 *   z_t        = (x_t - expected_t) / (1.4826 * MAD of the last `residualWindow` residuals)
 *   anomaly    <=> |z_t| > threshold, once `warmupSeasons` seasons have been seen
 *
 * Sources: median/MAD robust z-score ("modified z-score", Iglewicz & Hoaglin 1993, "How to Detect
 * and Handle Outliers"; the Hampel identifier, Hampel 1974); median-based seasonal decomposition
 * with MAD scoring as in Twitter's Seasonal Hybrid ESD (Hochenbaum, Vallis & Kejariwal 2017,
 * "Automatic Anomaly Detection in the Cloud Via Statistical Learning"), made streaming here.
 *
 * Anomalous points are winsorized (clamped to the threshold) before they enter the seasonal and
 * residual history (whose median/MAD are refreshed every 15 points), so a spike neither teaches the seasonal profile nor inflates the scale; the
 * level median takes raw values, so after a genuine level shift the detector re-centres within
 * about levelWindow/2 points instead of alarming forever.
 *
 * Data-plane code: pure, no I/O, O(window sizes) per point.
 */

export interface DetectorOptions {
    /** Points per season, e.g. 1440 for one-minute windows with daily seasonality. Required. */
    seasonPeriod: number;
    /** Seasons of history kept for the seasonal profile. Defaults to 7. */
    seasonsKept?: number;
    /** Neighbouring slots on each side pooled into a slot's seasonal median. Defaults to 2. */
    seasonalHalfWidth?: number;
    /** Points in the level median. Defaults to 31. */
    levelWindow?: number;
    /** Residuals in the MAD scale estimate. Defaults to 240. */
    residualWindow?: number;
    /** |z| above which a point is anomalous. Defaults to 4 (see docs/analytics.md for the trade-off). */
    threshold?: number;
    /** Seasons observed before any alarm. Defaults to 1. */
    warmupSeasons?: number;
    /** Smallest scale, as a fraction of |expected| (avoids dividing by ~0 on flat series). Defaults to 0.01. */
    minRelativeScale?: number;
}

export interface DetectorResult {
    /** The value's position in the stream (0-based). */
    index: number;
    value: number;
    expected: number;
    /** Robust z-score of the residual. */
    score: number;
    anomalous: boolean;
    direction: "up" | "down" | null;
    /** False during warm-up, when no alarm is raised. */
    warm: boolean;
}

/** Points between recomputations of the residual median and MAD. */
const SCALE_REFRESH = 15;
/** MAD to standard deviation for normally distributed data. */
const MAD_TO_SIGMA = 1.4826;

function median(values: number[]): number {
    if (values.length === 0) return 0;
    const s = [...values].sort((a, b) => a - b);
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
    values(): number[] { return this.items; }
    get size(): number { return this.items.length; }
}

export class SeasonalRobustDetector {
    private readonly o: Required<DetectorOptions>;
    private readonly level: Ring;
    private readonly residuals: Ring;
    /** seasonal[slot] = deviations x - L at that slot, one per past season. */
    private readonly seasonal: Ring[];
    private index = 0;
    private scaleCache = { centre: 0, mad: 0, at: -Infinity };

    constructor(options: DetectorOptions) {
        const o: Required<DetectorOptions> = {
            seasonsKept: 7, seasonalHalfWidth: 2, levelWindow: 31, residualWindow: 240, threshold: 4, warmupSeasons: 1, minRelativeScale: 0.01,
            ...options,
        };
        if (!Number.isInteger(o.seasonPeriod) || o.seasonPeriod < 1) throw new Error(`seasonPeriod must be a positive integer (points per season, e.g. 1440 for minutes in a day), got ${o.seasonPeriod}`);
        for (const key of ["seasonsKept", "levelWindow", "residualWindow"] as const) {
            if (!Number.isInteger(o[key]) || o[key] < 1) throw new Error(`${key} must be a positive integer, got ${o[key]}`);
        }
        if (!(o.threshold > 0)) throw new Error(`threshold must be a positive number of robust standard deviations, got ${o.threshold}`);
        this.o = o;
        this.level = new Ring(o.levelWindow);
        this.residuals = new Ring(o.residualWindow);
        this.seasonal = Array.from({ length: o.seasonPeriod }, () => new Ring(o.seasonsKept));
    }

    private seasonalAt(slot: number): number {
        const pooled: number[] = [];
        const P = this.o.seasonPeriod;
        for (let d = -this.o.seasonalHalfWidth; d <= this.o.seasonalHalfWidth; d++) pooled.push(...this.seasonal[(((slot + d) % P) + P) % P].values());
        return median(pooled);
    }

    /** Scores the next value of the series and learns from it. */
    update(value: number): DetectorResult {
        const slot = this.index % this.o.seasonPeriod;
        const s = this.seasonalAt(slot);
        const level = this.level.size > 0 ? median(this.level.values()) : value - s;
        const expected = level + s;
        const residual = value - expected;
        // The residual median/MAD move slowly: refresh them every SCALE_REFRESH points (cost O(n log n)).
        if (this.index - this.scaleCache.at >= SCALE_REFRESH || this.residuals.size < this.o.residualWindow) {
            const res = this.residuals.values();
            const c = median(res);
            this.scaleCache = { centre: c, mad: median(res.map((r) => Math.abs(r - c))), at: this.index };
        }
        const { centre, mad } = this.scaleCache;
        const scale = Math.max(MAD_TO_SIGMA * mad, this.o.minRelativeScale * Math.abs(expected), 1e-9);
        const score = (residual - centre) / scale;
        const warm = this.index >= this.o.warmupSeasons * this.o.seasonPeriod && this.residuals.size >= Math.min(30, this.o.residualWindow);
        const anomalous = warm && Math.abs(score) > this.o.threshold;

        // Learn: winsorize anomalous points so they teach neither the shape nor the scale.
        const clampedResidual = centre + Math.max(-this.o.threshold, Math.min(this.o.threshold, score)) * scale;
        this.residuals.push(this.residuals.size >= 30 ? clampedResidual : residual);
        this.seasonal[slot].push(s + (anomalous ? clampedResidual : residual)); // = x - L, or its clamped version
        this.level.push(value - s);
        const result: DetectorResult = { index: this.index, value, expected, score, anomalous, direction: anomalous ? (score > 0 ? "up" : "down") : null, warm };
        this.index++;
        return result;
    }
}
