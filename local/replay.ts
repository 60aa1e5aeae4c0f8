/**
 * `clickstream local --replay <file.ndjson | folder>`: feeds recorded request envelopes (one JSON
 * envelope per line: the raw backup's format, local `raw/` or the S3 raw bucket's objects) through
 * the pipeline at full speed: the way to rebuild the lake after a PII rule change. Envelopes keep
 * their `receivedAt`, so rows land in their original dt/hour partitions and windows follow the
 * recorded time.
 */
import { createReadStream, promises as fsp } from "fs";
import * as path from "path";
import { createInterface } from "readline";
import { INGEST_ROUTES } from "../dataplane/envelope";

export interface ReplaySummary {
    files: number;
    requests: number;
    /** Lines that are not request envelopes, with where they are. */
    skipped: Array<{ file: string; line: number; reason: string }>;
}

/** The .ndjson files to replay: the file itself, or every *.ndjson under a folder, in path order (dt/hour sort by time). */
export async function replayFiles(source: string): Promise<string[]> {
    let stat;
    try {
        stat = await fsp.stat(source);
    } catch {
        throw new Error(`--replay ${source}: no such file or folder. Fix: pass a .ndjson file of request envelopes or a raw backup folder (e.g. lake/raw)`);
    }
    if (stat.isFile()) return [source];
    const out: string[] = [];
    const walk = async (dir: string): Promise<void> => {
        for (const entry of (await fsp.readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
            const full = path.join(dir, entry.name);
            if (entry.isDirectory()) await walk(full);
            else if (entry.name.endsWith(".ndjson") && !entry.name.startsWith(".")) out.push(full);
        }
    };
    await walk(source);
    if (out.length === 0) throw new Error(`--replay ${source}: the folder holds no .ndjson files. Fix: point it at a raw backup folder (LAKE_DIR/raw)`);
    return out;
}

/** Why a line is not a request envelope, or undefined when it is one. */
export function envelopeProblem(line: string): string | undefined {
    let value: unknown;
    try {
        value = JSON.parse(line);
    } catch (e) {
        return `not JSON (${(e as Error).message})`;
    }
    const env = value as Record<string, unknown>;
    if (typeof env !== "object" || env === null || Array.isArray(env)) return "not a JSON object";
    if (env.v !== 1) return `envelope version ${JSON.stringify(env.v)} is not 1`;
    if (typeof env.receivedAt !== "number" || !Number.isFinite(env.receivedAt)) return "receivedAt is not epoch milliseconds";
    if (typeof env.path !== "string" || !Object.prototype.hasOwnProperty.call(INGEST_ROUTES, env.path)) return `path ${JSON.stringify(env.path)} is not an ingest route`;
    if (!("body" in env)) return "body is missing";
    return undefined;
}

/** Sends every envelope of `source` to `store`, up to `concurrency` at a time (the log commits them in groups). */
export async function replaySource(source: string, store: (envelope: Buffer) => Promise<void>, concurrency = 512): Promise<ReplaySummary> {
    const files = await replayFiles(source);
    const summary: ReplaySummary = { files: files.length, requests: 0, skipped: [] };
    let inFlight: Promise<void>[] = [];
    for (const file of files) {
        const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
        let lineNo = 0;
        for await (const line of lines) {
            lineNo++;
            if (line.trim() === "") continue;
            const problem = envelopeProblem(line);
            if (problem !== undefined) {
                summary.skipped.push({ file, line: lineNo, reason: problem });
                continue;
            }
            inFlight.push(store(Buffer.from(line)));
            summary.requests++;
            if (inFlight.length >= concurrency) {
                await Promise.all(inFlight);
                inFlight = [];
            }
        }
    }
    await Promise.all(inFlight);
    return summary;
}
