/**
 * `clickstream detect --input <csv> [--period-seconds N] [--missing skip|zero] [--json]`: runs the local
 * anomaly detector over a metric history (`timestamp,value` CSV: NAB's format, or a CloudWatch metric
 * export) and prints the flagged episodes, so a metric can be tried before its alerts are trusted.
 * The work is in dataplane/anomaly/series.ts; this module reads the file and prints.
 */
import * as fs from "fs";
import { Command, Option } from "commander";
import { detectSeries, parseSeriesCsv, SeriesDetection, summarizeEpisode } from "../dataplane/anomaly/series";

export interface DetectOptions {
    input: string;
    periodSeconds?: string;
    missing: "skip" | "zero";
    json?: boolean;
}

/** The text report: what was read, then one line per episode. */
export function formatDetection(input: string, d: SeriesDetection): string {
    const s = d.stats;
    const notes = [
        `${s.rows} rows`,
        `every ${d.periodSeconds} s (${d.inferred ? "inferred from the timestamps" : "--period-seconds"})`,
        s.gaps ? `${s.gaps} gap(s), ${s.missingPoints} missing point(s) ${d.missing === "zero" ? "scored as 0" : "skipped"}` : "no gaps",
        s.merged ? `${s.merged} row(s) sharing a slot averaged` : "",
        s.offGrid ? `${s.offGrid} row(s) off the grid placed at the nearest slot` : "",
        s.outOfOrder ? `${s.outOfOrder} row(s) out of time order sorted` : "",
    ].filter(Boolean);
    const lines = [`${input}: ${notes.join(", ")}; first day is warm-up (no flags).`];
    if (d.episodes.length === 0) lines.push("No anomalies flagged.");
    else lines.push(`${d.episodes.length} anomaly episode(s):`);
    for (const e of d.episodes) {
        const x = summarizeEpisode(e);
        const span = x.start === x.end ? x.start : `${x.start} .. ${x.end}`;
        lines.push(`  ${span}  ${e.direction.padEnd(4)} ${e.points} point(s), peak ${fmt(x.peak.value)} at ${x.peak.at}, expected ${fmt(x.expected.value)} (band ${fmt(x.expected.lower)} .. ${fmt(x.expected.upper)}), score ${x.score.toFixed(1)}`);
    }
    return lines.join("\n");
}

function fmt(v: number): string {
    return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

export function runDetect(opts: DetectOptions): string {
    let period: number | undefined;
    if (opts.periodSeconds !== undefined) {
        period = Number(opts.periodSeconds);
        if (!(period > 0)) throw new Error(`--period-seconds must be a positive number of seconds between points (e.g. 300), got "${opts.periodSeconds}"`);
    }
    let text: string;
    try {
        text = fs.readFileSync(opts.input, "utf8");
    } catch (err: any) {
        throw new Error(`cannot read --input ${opts.input}: ${err?.code === "ENOENT" ? "no such file" : err?.message}; give the path of a timestamp,value CSV file`);
    }
    let rows;
    try {
        rows = parseSeriesCsv(text);
    } catch (err: any) {
        throw new Error(`${opts.input} ${err?.message ?? err}`);
    }
    const detection = detectSeries(rows, { periodSeconds: period, missing: opts.missing });
    return opts.json ? JSON.stringify(detection.episodes.map(summarizeEpisode), null, 2) : formatDetection(opts.input, detection);
}

export function registerDetect(program: Command): void {
    program
        .command("detect")
        .description("Flag anomaly episodes in a metric history (timestamp,value CSV), with the local detector")
        .requiredOption("--input <csv>", "timestamp,value CSV file (NAB format, or a CloudWatch metric export)")
        .option("--period-seconds <n>", "seconds between points; inferred from the timestamps when absent")
        .addOption(new Option("--missing <policy>", "missing timestamps: skip (unknown) or zero (only for counts of events)").choices(["skip", "zero"]).default("skip"))
        .option("--json", "print [{ start, end, peak, expected, score }] as JSON")
        .action((opts: DetectOptions) => {
            console.log(runDetect(opts));
        });
}
