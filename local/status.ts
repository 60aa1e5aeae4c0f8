/**
 * What `clickstream local` shows while it runs: one live status line on a TTY (rewritten in place
 * each second), plain log lines otherwise (a status line every `plainEverySeconds`).
 */
import type { PipelineStats } from "./pipeline";

export function statusLine(stats: PipelineStats, requestsPerSecond: number, rowsPerSecond: number): string {
    const w = stats.windows;
    return [
        `${requestsPerSecond.toFixed(0)} req/s`,
        `${rowsPerSecond.toFixed(0)} rows/s`,
        `buffered ${stats.bufferedRequests} req (${(stats.bufferedBytes / 1048576).toFixed(1)} MiB)`,
        `written ${stats.rows} rows`,
        `bad ${stats.badRows}`,
        ...(stats.processingFailed > 0 ? [`failed ${stats.processingFailed}`] : []),
        ...(w ? [`windows ${w.openWindows} open, ${w.aggregatesWritten} aggregates`, `alerts ${w.alerts}`] : []),
        ...(stats.lakeError ? [`LAKE ERROR: ${stats.lakeError}`] : []),
    ].join(" | ");
}

export interface StatusReporter {
    /** Prints a log line (above the live status line on a TTY). */
    log(line: string): void;
    stop(): void;
}

export function startStatus(getStats: () => PipelineStats, out: NodeJS.WriteStream = process.stdout, plainEverySeconds = 30): StatusReporter {
    const tty = out.isTTY === true;
    let last = getStats();
    let lastAt = Date.now();
    let current = "";
    let sinceLine = 0;
    const timer = setInterval(() => {
        const now = Date.now();
        const stats = getStats();
        const seconds = Math.max(0.001, (now - lastAt) / 1000);
        current = statusLine(stats, (stats.requests - last.requests) / seconds, (stats.rows - last.rows) / seconds);
        last = stats;
        lastAt = now;
        if (tty) out.write(`\r\x1b[2K${current}`);
        else if (++sinceLine >= plainEverySeconds) {
            sinceLine = 0;
            out.write(`${new Date().toISOString()} status: ${current}\n`);
        }
    }, 1000);
    timer.unref();
    return {
        log(line: string) {
            const stamped = `${new Date().toISOString()} ${line}`;
            if (tty) out.write(`\r\x1b[2K${stamped}\n${current}`);
            else out.write(`${stamped}\n`);
        },
        stop() {
            clearInterval(timer);
            if (tty) out.write("\n");
        },
    };
}
