import { strict as assert } from "assert";
import { EpisodeTracker, groupEpisodes, ScoredPoint } from "../../dataplane/anomaly/episodes";
import { detectSeries, inferCadenceSeconds, parseSeriesCsv, parseTimestamp, summarizeEpisode, toGrid } from "../../dataplane/anomaly/series";

const point = (index: number, anomalous: boolean, score = anomalous ? 5 : 0): ScoredPoint => ({ index, value: index, expected: 0, score, anomalous });

describe("anomaly/episodes", () => {
    it("consecutive flags are one episode with its first, last and peak point", () => {
        const flags = [0, 1, 1, 1, 0, 0, 1, 0, 1, 1];
        const eps = groupEpisodes(flags.map((f, i) => point(i, f === 1, f ? (i === 2 ? -9 : 5) : 0)));
        assert.deepEqual(eps.map((e) => [e.first.index, e.last.index, e.points]), [[1, 3, 3], [6, 6, 1], [8, 9, 2]]);
        assert.equal(eps[0].peak.index, 2);
        assert.equal(eps[0].direction, "down");
    });

    it("a missing point ends an episode; closeAfter merges flags separated by fewer normal points", () => {
        assert.equal(groupEpisodes([point(0, true), point(2, true)]).length, 2, "index 1 missing");
        const merged = groupEpisodes([point(0, true), point(1, false), point(2, true), point(3, false), point(4, false), point(5, false), point(6, true)], { closeAfter: 3 });
        assert.deepEqual(merged.map((e) => [e.first.index, e.last.index]), [[0, 2], [6, 6]]);
    });

    it("streams: push returns an episode when it closes, flush closes the last", () => {
        const t = new EpisodeTracker();
        assert.equal(t.push(point(0, true)), null);
        assert.equal(t.current?.points, 1);
        const closed = t.push(point(1, false));
        assert.deepEqual([closed?.first.index, closed?.last.index], [0, 0]);
        t.push(point(2, true));
        assert.equal(t.flush()?.first.index, 2);
        assert.equal(t.flush(), null);
        assert.throws(() => new EpisodeTracker({ closeAfter: 0 }), /closeAfter must be a positive integer/);
    });
});

describe("anomaly/series CSV and cadence", () => {
    it("parses NAB rows, ISO 8601 with zones and epoch seconds as UTC", () => {
        assert.equal(parseTimestamp("2014-02-14 14:30:00"), Date.UTC(2014, 1, 14, 14, 30));
        assert.equal(parseTimestamp("2014-02-14 14:30:00.000000"), Date.UTC(2014, 1, 14, 14, 30));
        assert.equal(parseTimestamp("2026-11-26T10:05:00Z"), Date.UTC(2026, 10, 26, 10, 5));
        assert.equal(parseTimestamp("2026-11-26T10:05:00+01:00"), Date.UTC(2026, 10, 26, 9, 5));
        assert.equal(parseTimestamp("1764151500"), 1764151500_000);
        assert.ok(Number.isNaN(parseTimestamp("2026-02-30 00:00:00")) && Number.isNaN(parseTimestamp("yesterday")));
        const rows = parseSeriesCsv('"Timestamp","Value"\r\n2026-11-26T10:10:00Z,3\n\n2026-11-26T10:05:00Z,"2.5"\n2026-11-26T10:15:00Z,4\n');
        assert.deepEqual(rows.map((r) => [r.line, r.timestamp, r.value]), [[2, "2026-11-26T10:10:00Z", 3], [4, "2026-11-26T10:05:00Z", 2.5], [5, "2026-11-26T10:15:00Z", 4]]);
        const picked = parseSeriesCsv("label,value,timestamp\nx,1,2026-01-01 00:00:00\nx,2,2026-01-01 00:01:00\nx,3,2026-01-01 00:02:00\n");
        assert.deepEqual(picked.map((r) => r.value), [1, 2, 3], "columns found by header name");
    });

    it("names the line, the problem and the fix for bad CSV", () => {
        const bad: Array<[string, RegExp]> = [
            ["timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00,abc\n2026-01-01 00:10:00,2\n", /line 3: value "abc" is not a number; give a decimal number/],
            ["timestamp,value\n2026-01-01 00:00:00,1\n01/02/2026,2\n2026-01-01 00:10:00,2\n", /line 3: timestamp "01\/02\/2026" is not a date-time; use YYYY-MM-DD HH:MM:SS/],
            ["timestamp,value\n2026-01-01 00:00:00,1\n2026-01-01 00:05:00\n2026-01-01 00:10:00,2\n", /line 3: 1 column\(s\) where 2 are expected; write each row as timestamp,value/],
            ["timestamp,value\n2026-01-01 00:00:00,\n", /line 2: the value is empty/],
            ["timestamp,value\n2026-01-01 00:00:00,1\n", /1 data row\(s\); give at least 3 rows/],
            ["Jan 1 2026,5\n2026-01-01 00:05:00,1\n2026-01-01 00:10:00,2\n", /line 1: timestamp "Jan 1 2026" is not a date-time/],
        ];
        for (const [text, message] of bad) assert.throws(() => parseSeriesCsv(text), message);
    });

    it("infers the cadence from the commonest gap despite gaps, duplicates and jitter", () => {
        const base = Date.UTC(2026, 0, 1);
        const ms = [0, 300, 600, 600, 900, 2700, 3000, 3240, 3600, 3900].map((s) => base + s * 1000);
        assert.equal(inferCadenceSeconds(ms), 300);
        assert.throws(() => inferCadenceSeconds([base, base]), /fewer than 2 distinct timestamps; pass --period-seconds/);
    });

    it("puts rows on the grid: duplicates averaged, jitter snapped, out-of-order sorted, gaps counted", () => {
        const text = ["timestamp,value", "2026-01-01 00:10:00,7", "2026-01-01 00:00:00,1", "2026-01-01 00:05:00,2", "2026-01-01 00:05:00,4", "2026-01-01 00:14:00,9", "2026-01-01 00:30:00,5"].join("\n");
        const { points, stats } = toGrid(parseSeriesCsv(text), 300);
        assert.deepEqual(points.map((p) => [p.slot, p.value, p.timestamp]), [[0, 1, "2026-01-01 00:00:00"], [1, 3, "2026-01-01 00:05:00"], [2, 7, "2026-01-01 00:10:00"], [3, 9, "2026-01-01 00:14:00"], [6, 5, "2026-01-01 00:30:00"]]);
        assert.deepEqual(stats, { rows: 6, points: 5, merged: 1, offGrid: 1, outOfOrder: 1, gaps: 1, missingPoints: 2 });
    });

    it("detectSeries: infers the cadence, flags a spike as one episode with input timestamps and a band", () => {
        const start = Date.UTC(2026, 0, 1);
        const lines = ["timestamp,value"];
        for (let i = 0; i < 3 * 288; i++) {
            if (i >= 400 && i < 410) continue; // a gap
            const t = new Date(start + i * 300_000).toISOString().replace("T", " ").slice(0, 19);
            lines.push(`${t},${i === 700 ? 500 : 100 + 10 * Math.sin(i / 7) + (i % 3)}`);
        }
        const d = detectSeries(parseSeriesCsv(lines.join("\n")));
        assert.equal(d.periodSeconds, 300);
        assert.ok(d.inferred);
        assert.equal(d.seasonPeriod, 288);
        assert.deepEqual([d.stats.gaps, d.stats.missingPoints], [1, 10]);
        const spike = d.episodes.find((e) => e.first.index <= 700 && e.last.index >= 700);
        assert.ok(spike, "the spike is an episode");
        const s = summarizeEpisode(spike!);
        assert.equal(s.peak.at, "2026-01-03 10:20:00");
        assert.equal(s.peak.value, 500);
        assert.ok(s.expected.lower < s.expected.value && s.expected.value < s.expected.upper && s.expected.upper < 500);
        assert.ok(s.score > 3);
    });
});
