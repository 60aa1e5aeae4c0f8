/**
 * Synthetic window-metric series with labelled anomalies, for the detector benchmark and tests:
 * events per window with daily seasonality, Gaussian noise (overdispersed-Poisson-like, sigma =
 * noiseFactor * sqrt(level)) and injected spikes, drops and level shifts. Deterministic per seed.
 */

/** Mulberry32: small, fast, seedable PRNG (public domain, Tommy Ettinger). */
export function mulberry32(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export function gaussian(rand: () => number): number {
    const u = Math.max(rand(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

export type AnomalyKind = "spike" | "drop" | "level_shift";

export interface InjectedAnomaly {
    kind: AnomalyKind;
    /** First affected point. */
    start: number;
    /** Affected points (level shifts persist to the end of the series; `length` is their scoring window). */
    length: number;
    /** Size in noise standard deviations (signed). */
    sigmas: number;
}

export interface SyntheticSeries {
    values: number[];
    anomalies: InjectedAnomaly[];
    /** Points at the start that carry no anomaly (detector warm-up), excluded from scoring. */
    warmup: number;
    period: number;
}

export interface SyntheticOptions {
    seed: number;
    /** Points per day. Defaults to 1440 (one-minute windows). */
    period?: number;
    /** Days generated. Defaults to 14. */
    days?: number;
    /** Days without anomalies at the start. Defaults to 2. */
    warmupDays?: number;
    /** Anomalies injected per day after warm-up. Defaults to 3. */
    anomaliesPerDay?: number;
    /** Noise sigma = noiseFactor * sqrt(level). Defaults to 1.5. */
    noiseFactor?: number;
    /** Anomaly size range in noise sigmas. Defaults to [6, 12]. */
    sigmaRange?: [number, number];
}

export function syntheticSeries(options: SyntheticOptions): SyntheticSeries {
    const rand = mulberry32(options.seed);
    const period = options.period ?? 1440;
    const days = options.days ?? 14;
    const warmup = (options.warmupDays ?? 2) * period;
    const n = period * days;
    const noiseFactor = options.noiseFactor ?? 1.5;
    const [lo, hi] = options.sigmaRange ?? [6, 12];
    const base = 300 + rand() * 1200;
    const amplitude = base * (0.3 + rand() * 0.3);
    const phase = rand() * 2 * Math.PI;
    const sigmaAt = (level: number) => noiseFactor * Math.sqrt(Math.max(level, 1));

    // Place anomalies at least 180 points apart so each one's scoring window is unambiguous.
    const count = Math.round((options.anomaliesPerDay ?? 3) * (days - warmup / period));
    const anomalies: InjectedAnomaly[] = [];
    const gap = 180;
    const slots = Math.floor((n - warmup - 120) / gap);
    const chosen = new Set<number>();
    while (chosen.size < Math.min(count, slots)) chosen.add(Math.floor(rand() * slots));
    for (const s of [...chosen].sort((a, b) => a - b)) {
        const kindRoll = rand();
        const kind: AnomalyKind = kindRoll < 0.4 ? "spike" : kindRoll < 0.75 ? "drop" : "level_shift";
        const size = lo + rand() * (hi - lo);
        const start = warmup + s * gap + Math.floor(rand() * (gap - 60));
        if (kind === "spike") anomalies.push({ kind, start, length: 1, sigmas: size });
        else if (kind === "drop") anomalies.push({ kind, start, length: 1 + Math.floor(rand() * 5), sigmas: -size });
        else anomalies.push({ kind, start, length: 60, sigmas: size }); // sign set below, towards the base level
    }

    const values: number[] = [];
    let shift = 0;
    let nextShift = 0;
    const shifts = anomalies.filter((a) => a.kind === "level_shift");
    for (let t = 0; t < n; t++) {
        const seasonal = base + amplitude * Math.sin((2 * Math.PI * t) / period + phase);
        while (nextShift < shifts.length && shifts[nextShift].start === t) {
            // Shifts alternate around the base level (down after up), so the level stays positive.
            const a = shifts[nextShift];
            if (shift > 0) a.sigmas = -a.sigmas;
            shift += a.sigmas * sigmaAt(seasonal + shift);
            nextShift++;
        }
        const level = Math.max(seasonal + shift, 5);
        const sigma = sigmaAt(level);
        let v = level + sigma * gaussian(rand);
        for (const a of anomalies) {
            if (a.kind === "level_shift" || t < a.start || t >= a.start + a.length) continue;
            // A drop can't go below zero events: cap it at 90% of the level and record the size used.
            if (a.kind === "drop" && -a.sigmas * sigma > 0.9 * level) a.sigmas = -(0.9 * level) / sigma;
            v += a.sigmas * sigma;
        }
        values.push(Math.max(0, Math.round(v)));
    }
    return { values, anomalies, warmup, period };
}

export interface Score {
    anomalies: number;
    detected: number;
    recall: number;
    scoredPoints: number;
    falsePositives: number;
    falsePositivesPer1000: number;
    byKind: Record<AnomalyKind, { anomalies: number; detected: number }>;
}

/**
 * Scores alarms against the injected anomalies. An anomaly is detected if an alarm falls in
 * [start, start + length + 2) for spikes/drops, or in its first `length` points for level shifts.
 * An alarm is a false positive unless it falls within an anomaly's span plus 5 points (the
 * detector re-centring after a level shift is part of that anomaly's span). Warm-up is not scored.
 */
export function scoreAlarms(series: SyntheticSeries, alarms: ReadonlySet<number>): Score {
    const byKind: Score["byKind"] = { spike: { anomalies: 0, detected: 0 }, drop: { anomalies: 0, detected: 0 }, level_shift: { anomalies: 0, detected: 0 } };
    const explained = new Set<number>();
    let detected = 0;
    for (const a of series.anomalies) {
        const detectEnd = a.kind === "level_shift" ? a.start + a.length : a.start + a.length + 2;
        let hit = false;
        for (let t = a.start; t < detectEnd; t++) if (alarms.has(t)) hit = true;
        for (let t = a.start; t < a.start + a.length + 5; t++) explained.add(t);
        byKind[a.kind].anomalies++;
        if (hit) { byKind[a.kind].detected++; detected++; }
    }
    let falsePositives = 0;
    for (const t of alarms) if (t >= series.warmup && !explained.has(t)) falsePositives++;
    const scoredPoints = series.values.length - series.warmup;
    return {
        anomalies: series.anomalies.length, detected, recall: series.anomalies.length ? detected / series.anomalies.length : 1,
        scoredPoints, falsePositives, falsePositivesPer1000: (falsePositives * 1000) / scoredPoints, byKind,
    };
}
