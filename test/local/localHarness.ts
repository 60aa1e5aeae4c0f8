/**
 * Starts the local pipeline in-process on 127.0.0.1 (a free port) over a temp LAKE_DIR, with the
 * repository's dev config and a long buffer interval (tests flush explicitly), and tears it down.
 */
import { promises as fsp } from "fs";
import * as os from "os";
import * as path from "path";
import { Writable } from "stream";
import { loadLocalConfig, LocalConfig, LocalFlags } from "../../local/config";
import { LocalPipeline, PipelineOptions } from "../../local/pipeline";

export interface LocalUnderTest {
    pipeline: LocalPipeline;
    config: LocalConfig;
    url: string;
    lakeDir: string;
    logs: string[];
}

export async function tempLakeDir(prefix = "local-lake-"): Promise<string> {
    return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function startLocal(lakeDir: string, flags: LocalFlags = {}, env: NodeJS.ProcessEnv = {}, extra: Partial<PipelineOptions> = {}): Promise<LocalUnderTest> {
    const config = { ...loadLocalConfig({ bufferInterval: "600", ...flags, lakeDir }, env), port: 0 };
    const logs: string[] = [];
    const log = (l: string) => logs.push(l);
    const pipeline = await LocalPipeline.start({ config, log, ...extra });
    return { pipeline, config, url: `http://127.0.0.1:${pipeline.server?.port}`, lakeDir, logs };
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; headers: Headers }> {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
        parsed = JSON.parse(text);
    } catch {
        // keep the text
    }
    return { status: res.status, body: parsed, headers: res.headers };
}

/** Every file under `dir`, recursively. */
export async function listFiles(dir: string): Promise<string[]> {
    const out: string[] = [];
    const walk = async (d: string) => {
        for (const e of await fsp.readdir(d, { withFileTypes: true }).catch(() => [])) {
            const full = path.join(d, e.name);
            if (e.isDirectory()) await walk(full);
            else out.push(full);
        }
    };
    await walk(dir);
    return out.sort();
}

/** A stream collecting what `runLocal` prints (pass as its stdout/stderr), so the test run shows only mocha's output. */
export function capturedOutput(): Writable & { text(): string } {
    let text = "";
    const stream = new Writable({
        write(chunk: Buffer | string, _encoding, done) {
            text += String(chunk);
            done();
        },
    });
    return Object.assign(stream, { text: () => text });
}
