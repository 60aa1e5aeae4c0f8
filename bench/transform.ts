/**
 * Benchmark of the Firehose transform on a realistic 3 MB processor batch (transformBatch.ts).
 *
 * Prints events/s, MB/s, peak RSS, the output/input size ratio, and as its LAST line `ratio=<x>`: the
 * transform's throughput divided by that of a bare base64-decode + JSON.parse + JSON.stringify +
 * base64-encode of the same records, measured in the same run (both warmed up, then several
 * interleaved iterations; the ratio is the median of the per-iteration ratios, robust to load changes).
 *
 *   npm run bench:transform            (BENCH_ITERATIONS=21 BENCH_MB=3 are the defaults)
 *
 * Runs under the transform Lambda's malloc settings (transformEnv.ts; BENCH_GLIBC_TUNABLES=default: glibc's).
 */
import type { FirehoseTransformationEvent } from "aws-lambda";
import * as os from "os";
import { EventRow } from "../dataplane/schema";
import { loadBundledTransform, TransformModule } from "./loadTransform";
import { FaultSample, machineLine, median, time, timeWithFaults } from "./timing";
import { baseline, BENCH_PII_KEY, buildBatch } from "./transformBatch";
import { mallocLine, runWithTransformMallocEnv } from "./transformEnv";

/** The bundle as deployed; BENCH_SOURCE=ts benchmarks the TypeScript sources through tsx (~5 % slower). */
function loadTransform(): { module: TransformModule; source: string } {
    if (process.env.BENCH_SOURCE === "ts") return { module: require("../dataplane/transform") as TransformModule, source: "TypeScript sources (tsx)" };
    return { module: loadBundledTransform(), source: "esbuild bundle, as deployed" };
}

const { module: transform, source: transformSource } = loadTransform();
const { createTransformer, rowsToText } = transform;

const ITERATIONS = Number(process.env.BENCH_ITERATIONS ?? 21);
const WARMUP = 3;

/**
 * What any transform emitting these rows must pay even if building them were free: decode, parse,
 * serialize the (precomputed) rows, encode. Informational: bounds the ratio that is reachable.
 */
function floor(event: FirehoseTransformationEvent, rows: EventRow[][]): void {
    event.records.forEach((r, i) => {
        JSON.parse(Buffer.from(r.data, "base64").toString("utf8"));
        Buffer.from(rowsToText(rows[i]), "utf8").toString("base64");
    });
}

function main(): void {
    const { event, events, bytes } = buildBatch();
    // A new transformer for every run: its memos (pseudonyms, user agents, map paths, redactions) start
    // cold, as in a Lambda invocation that never saw these values. A warm Lambda would do better.
    const freshTransformer = () => createTransformer(undefined, BENCH_PII_KEY);
    const mb = bytes / (1024 * 1024);
    console.log(machineLine());
    console.log(mallocLine());
    console.log(`batch: ${event.records.length} records, ${events} events, ${mb.toFixed(2)} MB of envelopes; transform: ${transformSource}`);

    let result = freshTransformer().firehose(event);
    // The rows the transform emits, as objects, for the floor (only the serializing is timed there).
    const precomputed = result.records.map((r) => (r.data ? Buffer.from(r.data, "base64").toString("utf8").split("\n").map((l) => JSON.parse(l) as EventRow) : []));
    for (let i = 0; i < WARMUP; i++) { baseline(event); floor(event, precomputed); result = freshTransformer().firehose(event); }
    const tFloor: number[] = [];
    // CPU time too (all threads, GC included): it leaves out waiting for a core, so on a loaded machine it
    // shows the sides' own cost where wall time mostly shows the load.
    // Page faults: first touches of fresh memory, which cost ~17 us each on the machine of docs/transform.md.
    const sTransform: FaultSample[] = [];
    const sBaseline: FaultSample[] = [];
    for (let i = 0; i < ITERATIONS; i++) {
        const transformer = freshTransformer();
        sBaseline.push(timeWithFaults(() => baseline(event)));
        tFloor.push(time(() => floor(event, precomputed)));
        sTransform.push(timeWithFaults(() => (result = transformer.firehose(event))));
    }
    const tTransform = sTransform.map((s) => s.wall);
    const tBaseline = sBaseline.map((s) => s.wall);
    const cpuTransform = sTransform.map((s) => s.cpu);
    const cpuBaseline = sBaseline.map((s) => s.cpu);
    const mt = median(tTransform);
    const mbase = median(tBaseline);
    // The machine may be shared: pair each transform run with the baseline run just before it, so a
    // load change hits both sides of a ratio, and take the median of those ratios.
    const pairedRatio = median(tTransform.map((t, i) => tBaseline[i] / t));

    const counts: Record<string, number> = { Ok: 0, Dropped: 0, ProcessingFailed: 0 };
    let outBytes = 0;
    let rows = 0;
    let badRows = 0;
    for (const r of result.records) {
        counts[r.result]++;
        if (r.data) {
            const text = Buffer.from(r.data, "base64").toString("utf8");
            outBytes += Buffer.byteLength(text);
            for (const line of text.split("\n")) { rows++; if (line.includes('"event_type":"bad_row"')) badRows++; }
        }
    }
    const responseBytes = Buffer.byteLength(JSON.stringify(result));
    console.log(`transform: median ${mt.toFixed(1)} ms  ${Math.round(events / (mt / 1000)).toLocaleString("en")} events/s  ${(mb / (mt / 1000)).toFixed(1)} MB/s`);
    console.log(`baseline (base64 + JSON.parse + JSON.stringify + base64): median ${mbase.toFixed(1)} ms  ${(mb / (mbase / 1000)).toFixed(1)} MB/s`);
    console.log(`CPU time: transform median ${median(cpuTransform).toFixed(1)} ms, baseline ${median(cpuBaseline).toFixed(1)} ms; median of paired CPU ratios ${median(cpuTransform.map((t, i) => cpuBaseline[i] / t)).toFixed(2)}; page faults per run: transform ${median(sTransform.map((s) => s.faults))}, baseline ${median(sBaseline.map((s) => s.faults))}`);
    console.log(`floor (decode + parse + serialize precomputed rows + encode): median ${median(tFloor).toFixed(1)} ms; best reachable ratio ${median(tFloor.map((f, i) => tBaseline[i] / f)).toFixed(2)}`);
    console.log(`results: Ok=${counts.Ok} Dropped=${counts.Dropped} ProcessingFailed=${counts.ProcessingFailed}; rows=${rows} (bad ${badRows})`);
    console.log(`output rows ${(outBytes / 1048576).toFixed(2)} MB = ${(outBytes / bytes).toFixed(2)}x input; Lambda response ${(responseBytes / 1048576).toFixed(2)} MB (limit 6 MB)`);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB; load average at the end ${os.loadavg()[0].toFixed(1)}`);
    console.log(`ratio of medians ${(mbase / mt).toFixed(2)}; median of paired ratios (reported below) ${pairedRatio.toFixed(2)}`);
    console.log(`ratio=${pairedRatio.toFixed(2)}`);
}

// Run when executed (npm run bench:transform); importable by profiling scripts without running.
if (require.main === module && runWithTransformMallocEnv()) main();
