/**
 * Benchmark of the local-pipeline anomaly detector (dataplane/anomaly/detector.ts) on synthetic
 * one-minute window series: daily seasonality, noise, injected spikes, drops and level shifts,
 * seeded so every run prints the same figures. Target: recall >= 0.9 at <= 5 false positives per
 * 1,000 windows.
 *
 *     npm run bench:anomaly            # 20 series x 14 days
 *     npx tsx bench/anomaly.ts --min-sigma 4 --max-sigma 8 --threshold 3.5   # harder anomalies
 */
import { SeasonalRobustDetector } from "../dataplane/anomaly/detector";
import { AnomalyKind, scoreAlarms, syntheticSeries } from "../dataplane/anomaly/synthetic";

function arg(name: string, fallback: number): number {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const seriesCount = arg("series", 20);
const threshold = arg("threshold", 4);
const days = arg("days", 14);
const sigmaLo = arg("min-sigma", 6);
const sigmaHi = arg("max-sigma", 12);

let anomalies = 0, detected = 0, fps = 0, points = 0;
const kinds: Record<AnomalyKind, { anomalies: number; detected: number }> = { spike: { anomalies: 0, detected: 0 }, drop: { anomalies: 0, detected: 0 }, level_shift: { anomalies: 0, detected: 0 } };
const started = process.hrtime.bigint();
for (let s = 1; s <= seriesCount; s++) {
    const series = syntheticSeries({ seed: s, days, sigmaRange: [sigmaLo, sigmaHi] });
    const detector = new SeasonalRobustDetector({ seasonPeriod: series.period, threshold });
    const alarms = new Set<number>();
    for (const v of series.values) {
        const r = detector.update(v);
        if (r.anomalous) alarms.add(r.index);
    }
    const score = scoreAlarms(series, alarms);
    anomalies += score.anomalies; detected += score.detected; fps += score.falsePositives; points += score.scoredPoints;
    for (const k of Object.keys(kinds) as AnomalyKind[]) { kinds[k].anomalies += score.byKind[k].anomalies; kinds[k].detected += score.byKind[k].detected; }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const recall = detected / anomalies;
const fpPer1000 = (fps * 1000) / points;
console.log(`seasonal robust z-score detector, threshold ${threshold}, anomalies ${sigmaLo}-${sigmaHi} sigma`);
console.log(`series: ${seriesCount} x ${days} days of 1-minute windows (${points} scored windows after 2 warm-up days), ${(points / seconds / 1000).toFixed(0)}k windows/s`);
for (const [k, v] of Object.entries(kinds)) console.log(`  ${k.padEnd(12)} ${v.detected}/${v.anomalies} detected (recall ${(v.detected / v.anomalies).toFixed(3)})`);
console.log(`recall ${recall.toFixed(3)} (${detected}/${anomalies}), false positives ${fps} = ${fpPer1000.toFixed(2)} per 1,000 windows`);
const ok = recall >= 0.9 && fpPer1000 <= 5;
console.log(ok ? "target met: recall >= 0.9 at <= 5 false positives per 1,000 windows" : "TARGET MISSED: recall >= 0.9 at <= 5 false positives per 1,000 windows");
process.exitCode = ok ? 0 : 1;
