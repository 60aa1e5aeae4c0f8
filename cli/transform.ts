/**
 * `clickstream transform --input <requests.ndjson> [--config <file.json>] [--key-file <file>]`: prints
 * the rows (and bad rows) the lake would store for a file of requests, one JSON object per line, with
 * the default or the given transform configuration. A privacy reviewer sees what a tracker's events
 * become before anything is deployed. The work is offline/transformPreview.ts.
 */
import * as fs from "fs";
import { Command } from "commander";
import { createTransformer, TransformConfig } from "../dataplane/transform";
import { parseRequestLines, PREVIEW_PII_KEY, previewRows } from "../offline/transformPreview";

function readFile(option: string, file: string): Buffer {
    try {
        return fs.readFileSync(file);
    } catch (err: any) {
        throw new Error(`${option} ${file}: cannot read it (${err.code ?? err.message}). Fix: pass the path of an existing file`);
    }
}

function readConfig(file: string): TransformConfig {
    try {
        return JSON.parse(readFile("--config", file).toString("utf8")) as TransformConfig;
    } catch (err: any) {
        if (err instanceof SyntaxError) throw new Error(`--config ${file}: not valid JSON (${err.message}). Fix: write the TransformConfig as JSON, as in CLICKSTREAM_TRANSFORM_CONFIG`);
        throw err;
    }
}

export function registerTransform(program: Command): void {
    program
        .command("transform")
        .description("Print the rows the lake would store for a file of requests (one JSON object per line in and out), offline")
        .requiredOption("--input <file>", "requests, one per line: { \"path\", \"body\", \"sourceIp\"?, \"userAgent\"?, \"receivedAt\"? }")
        .option("--config <file>", "transform configuration (TransformConfig JSON, as in CLICKSTREAM_TRANSFORM_CONFIG); the defaults without it")
        .option("--key-file <file>", "pseudonymization key (its bytes; one trailing newline ignored); a public preview key without it")
        .action((opts: { input: string; config?: string; keyFile?: string }) => {
            const config = opts.config ? readConfig(opts.config) : undefined;
            const key = opts.keyFile ? readFile("--key-file", opts.keyFile).toString("utf8").replace(/\r?\n$/, "") : PREVIEW_PII_KEY;
            let transformer;
            try {
                transformer = createTransformer(config, key);
            } catch (err) {
                throw new Error(`${opts.keyFile && /piiKey/.test((err as Error).message) ? `--key-file ${opts.keyFile}` : `--config ${opts.config ?? "(defaults)"}`}: ${(err as Error).message}`);
            }
            const { requests, errors } = parseRequestLines(readFile("--input", opts.input).toString("utf8"), Date.now());
            process.stderr.write(
                opts.keyFile
                    ? `clickstream transform: pseudonyms keyed with ${opts.keyFile}; configuration: ${opts.config ?? "defaults"}\n`
                    : `clickstream transform: pseudonyms keyed with the public PREVIEW key (not the lake's secret key: they won't match deployed pseudonyms; pass --key-file for those); configuration: ${opts.config ?? "defaults"}\n`,
            );
            const out: string[] = [];
            for (const result of previewRows(transformer, requests)) {
                for (const row of result.rows) out.push(JSON.stringify(row));
                if (result.note) process.stderr.write(`line ${result.line}: ${result.note}\n`);
            }
            if (out.length > 0) process.stdout.write(out.join("\n") + "\n");
            for (const error of errors) process.stderr.write(`${error}\n`);
            if (errors.length > 0) {
                process.stderr.write(`${errors.length} problem(s) in ${opts.input}; the lines above were not transformed.\n`);
                process.exitCode = 1;
            }
        });
}
