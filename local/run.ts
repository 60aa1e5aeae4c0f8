/**
 * `clickstream local` as a function: start the pipeline (serve, or replay a recording), show the
 * status, stop gracefully on SIGINT/SIGTERM. cli/local.ts only parses the flags.
 */
import { promises as fsp } from "fs";
import * as path from "path";
import { EVENTS_PREFIX } from "../components/lake/glueTable";
import { LocalFlags, loadLocalConfig } from "./config";
import { LocalPipeline } from "./pipeline";
import { replaySource } from "./replay";
import { startStatus } from "./status";

export interface RunLocalOptions extends LocalFlags {
    /** Replay this file or folder instead of serving HTTP, then exit. */
    replay?: string;
    /** Let a replay add to a lake that already has events (else refused: it would duplicate them). */
    append?: boolean;
    /** Where the log, status and summary lines go. Defaults to process.stdout; the tests capture them. */
    stdout?: NodeJS.WritableStream;
    /** Where the skipped replay lines are reported. Defaults to process.stderr. */
    stderr?: NodeJS.WritableStream;
}

async function hasParquet(dir: string): Promise<boolean> {
    let entries: import("fs").Dirent[];
    try {
        entries = await fsp.readdir(dir, { withFileTypes: true });
    } catch {
        return false;
    }
    for (const e of entries) {
        if (e.isFile() && e.name.endsWith(".parquet")) return true;
        if (e.isDirectory() && (await hasParquet(path.join(dir, e.name)))) return true;
    }
    return false;
}

/** Runs until a signal (serve) or until the recording is in the lake (replay). Resolves with the exit code. */
export async function runLocal(opts: RunLocalOptions): Promise<number> {
    const config = loadLocalConfig(opts);
    if (opts.replay !== undefined && !opts.append && (await hasParquet(path.join(config.lakeDir, EVENTS_PREFIX)))) {
        throw new Error(`--replay: ${path.join(config.lakeDir, EVENTS_PREFIX)} already holds events, and replaying would add them again. Fix: replay into a new lake (--lake-dir ./lake-replayed), or pass --append`);
    }
    const out = (opts.stdout ?? process.stdout) as NodeJS.WriteStream;
    const err = opts.stderr ?? process.stderr;
    let status = startStatus(() => ({ requests: 0, bufferedRequests: 0, bufferedBytes: 0, rows: 0, badRows: 0, processingFailed: 0, deliveries: 0, replayedOnStart: 0 }), out);
    const log = (line: string) => status.log(line);
    const pipeline = await LocalPipeline.start({
        config,
        log,
        listen: opts.replay === undefined,
        watermark: opts.replay === undefined ? "clock" : "data",
    });
    status.stop();
    status = startStatus(() => pipeline.stats(), out);
    const source = config.stackFile ? `config ${config.stackFile}` : "built-in dev defaults";
    log(`lake ${config.lakeDir}; ${source}; buffering ${config.bufferIntervalSeconds} s / ${config.bufferSizeMiB} MiB; windows: ${config.windowSpecs.map((s) => s.name).join(", ") || "none"}`);

    if (opts.replay !== undefined) {
        const started = Date.now();
        const summary = await replaySource(opts.replay, (envelope) => pipeline.store(envelope));
        await pipeline.stop();
        status.stop();
        const stats = pipeline.stats();
        for (const s of summary.skipped.slice(0, 20)) err.write(`skipped ${s.file}:${s.line}: ${s.reason}\n`);
        if (summary.skipped.length > 20) err.write(`... and ${summary.skipped.length - 20} more skipped lines\n`);
        out.write(`replayed ${summary.requests} requests from ${summary.files} file(s) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${stats.rows} rows (${stats.badRows} bad), ${stats.processingFailed} processing-failed${stats.windows ? `, ${stats.windows.aggregatesWritten} aggregates, ${stats.windows.alerts} alerts` : ""}${stats.models ? `, models for ${stats.models.days} day(s)` : ""}; lake ${config.lakeDir}\n`);
        return summary.skipped.length > 0 ? 1 : 0;
    }

    log(`listening on http://${config.host}:${pipeline.server!.port} (POST /v1/events, /v1/batch, /v1/track, ...; GET /healthz)`);
    await new Promise<void>((resolve) => {
        const onSignal = (signal: NodeJS.Signals) => {
            process.off("SIGINT", onSignal);
            process.off("SIGTERM", onSignal);
            log(`${signal}: delivering everything buffered, then stopping`);
            resolve();
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
    });
    await pipeline.stop();
    const stats = pipeline.stats();
    log(`stopped: ${stats.requests} requests, ${stats.rows} rows (${stats.badRows} bad) in ${config.lakeDir}`);
    status.stop();
    return 0;
}
