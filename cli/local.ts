/**
 * `clickstream local`: the whole pipeline on this machine (local/run.ts), no AWS account.
 */
import { Command } from "commander";

export function registerLocal(program: Command): void {
    program
        .command("local")
        .description("Run the pipeline on 127.0.0.1: ingest API, write-ahead log, transform, Parquet lake, windows and alerts (config: Pulumi.dev.yaml, env, flags)")
        .option("--port <port>", "HTTP port (env PORT; default 8080)")
        .option("--lake-dir <dir>", "lake folder (env LAKE_DIR; default ./lake)")
        .option("--buffer-interval <seconds>", "seconds buffered before a Parquet file is written (env BUFFER_INTERVAL_SECONDS; default 60, as Firehose)")
        .option("--buffer-size <MiB>", "MiB buffered before a Parquet file is written (env BUFFER_SIZE_MIB; default 64, as Firehose)")
        .option("--stack-file <file>", "stack config to mirror (env STACK_FILE; default Pulumi.dev.yaml)")
        .option("--transform-config <file>", "transform/PII config JSON (env TRANSFORM_CONFIG; default the transform's defaults, as the stacks)")
        .option("--api-keys <keys>", "comma-separated accepted API keys / Segment write keys (env API_KEYS; default none: no key check)")
        .option("--cors-origins <origins>", "comma-separated CORS origins (env CORS_ALLOWED_ORIGINS; default the stack's corsAllowedOrigins)")
        .option("--replay <file|dir>", "feed recorded request envelopes (.ndjson, or a raw backup folder) through the pipeline, then exit")
        .option("--append", "let --replay add to a lake that already holds events")
        .action(async (opts) => {
            // Loaded on use: DuckDB and the transform stay out of the other commands' start-up.
            const { runLocal } = require("../local/run") as typeof import("../local/run");
            process.exitCode = await runLocal(opts);
        });
}
