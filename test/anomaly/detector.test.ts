import { strict as assert } from "assert";
import { SeasonalRobustDetector } from "../../dataplane/anomaly/detector";
import { gaussian, mulberry32, scoreAlarms, syntheticSeries } from "../../dataplane/anomaly/synthetic";

/** A daily-seasonal series (period 288, e.g. 5-minute windows) with Gaussian noise. */
function seasonal(days: number, seed: number, period = 288): number[] {
    const rand = mulberry32(seed);
    return Array.from({ length: days * period }, (_, t) => 500 + 200 * Math.sin((2 * Math.PI * t) / period) + 20 * gaussian(rand));
}

function run(values: number[], period = 288) {
    const d = new SeasonalRobustDetector({ seasonPeriod: period });
    return values.map((v) => d.update(v));
}

describe("anomaly/SeasonalRobustDetector", () => {
    it("raises no alarm during warm-up and (almost) none on clean seasonal noise", () => {
        const results = run(seasonal(6, 1));
        assert.ok(results.slice(0, 288).every((r) => !r.warm && !r.anomalous));
        const alarms = results.filter((r) => r.anomalous).length;
        assert.ok(alarms <= 2, `${alarms} false alarms in ${5 * 288} clean points`);
    });

    it("follows the daily shape: expected values track the seasonal curve", () => {
        const results = run(seasonal(4, 2));
        const late = results.slice(3 * 288);
        const meanAbsError = late.reduce((s, r) => s + Math.abs(r.expected - (500 + 200 * Math.sin((2 * Math.PI * r.index) / 288))), 0) / late.length;
        assert.ok(meanAbsError < 15, `mean |expected - truth| = ${meanAbsError}`);
    });

    it("flags an injected spike and a drop, with their direction", () => {
        const values = seasonal(4, 3);
        values[3 * 288 + 100] += 200; // 10 sigma
        values[3 * 288 + 200] -= 200;
        const results = run(values);
        assert.equal(results[3 * 288 + 100].direction, "up");
        assert.equal(results[3 * 288 + 200].direction, "down");
    });

    it("re-centres after a level shift instead of alarming forever", () => {
        const values = seasonal(5, 4).map((v, t) => (t >= 3 * 288 ? v + 250 : v));
        const results = run(values);
        const after = results.slice(3 * 288);
        assert.ok(after.slice(0, 5).some((r) => r.anomalous), "the shift itself is detected");
        const lateAlarms = after.slice(60).filter((r) => r.anomalous).length;
        assert.ok(lateAlarms <= 2, `${lateAlarms} alarms after re-centring`);
    });

    it("a spike does not teach the seasonal profile: the same slot next day is not suppressed", () => {
        const values = seasonal(5, 5);
        values[2 * 288 + 50] += 400;
        values[3 * 288 + 50] += 400;
        const results = run(values);
        assert.ok(results[2 * 288 + 50].anomalous && results[3 * 288 + 50].anomalous);
    });

    it("rejects invalid options, naming them", () => {
        assert.throws(() => new SeasonalRobustDetector({ seasonPeriod: 0 }), /seasonPeriod must be a positive integer/);
        assert.throws(() => new SeasonalRobustDetector({ seasonPeriod: 10, threshold: -1 }), /threshold must be a positive number/);
        assert.throws(() => new SeasonalRobustDetector({ seasonPeriod: 10, levelWindow: 0 }), /levelWindow must be a positive integer/);
    });
});

describe("anomaly/synthetic benchmark data and scoring", () => {
    it("is deterministic per seed and labels anomalies after warm-up only", () => {
        const a = syntheticSeries({ seed: 7, days: 4 });
        const b = syntheticSeries({ seed: 7, days: 4 });
        assert.deepEqual(a, b);
        assert.notDeepEqual(a.values, syntheticSeries({ seed: 8, days: 4 }).values);
        assert.ok(a.anomalies.length > 0 && a.anomalies.every((x) => x.start >= a.warmup));
        assert.ok(a.values.every((v) => v >= 0 && Number.isInteger(v)));
    });

    it("scores recall and false positives as documented", () => {
        const s = syntheticSeries({ seed: 9, days: 4 });
        const [first] = s.anomalies;
        // A point far from every anomaly: an alarm there is a false positive.
        const free = Array.from({ length: s.values.length }, (_, t) => t).find((t) => t >= s.warmup && s.anomalies.every((a) => t < a.start - 10 || t > a.start + a.length + 10))!;
        const score = scoreAlarms(s, new Set([first.start, free, 5 /* warm-up: not scored */]));
        assert.equal(score.detected, 1);
        assert.equal(score.anomalies, s.anomalies.length);
        assert.equal(score.falsePositives, 1);
        assert.equal(score.scoredPoints, s.values.length - s.warmup);
        assert.equal(score.byKind[first.kind].detected, 1);
    });

    it("meets the target on a small seeded benchmark (recall >= 0.9, <= 5 false positives per 1,000)", () => {
        let anomalies = 0, detected = 0, fps = 0, points = 0;
        for (let seed = 100; seed < 103; seed++) {
            const s = syntheticSeries({ seed, days: 6 });
            const d = new SeasonalRobustDetector({ seasonPeriod: s.period });
            const alarms = new Set(s.values.map((v) => d.update(v)).filter((r) => r.anomalous).map((r) => r.index));
            const score = scoreAlarms(s, alarms);
            anomalies += score.anomalies; detected += score.detected; fps += score.falsePositives; points += score.scoredPoints;
        }
        assert.ok(detected / anomalies >= 0.9, `recall ${detected}/${anomalies}`);
        assert.ok((fps * 1000) / points <= 5, `${fps} false positives in ${points}`);
    });
});
