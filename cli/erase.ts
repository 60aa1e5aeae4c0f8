/**
 * `clickstream erase --user-id <id> | --anonymous-id <id> [--stack <name> | --local] [--dry-run]`:
 * removes one person's data from every place the pipeline keeps it (erasure/). Thin: reads the flags,
 * the stack's outputs and the pseudonymization key, and hands over to erasure/stack.ts (--stack) or
 * erasure/local.ts (--local, the local pipeline's LAKE_DIR).
 * An id given as "-" is read from stdin, so it stays out of the shell history and the process list.
 */
import { AthenaClient } from "@aws-sdk/client-athena";
import { S3Client } from "@aws-sdk/client-s3";
import { Command } from "commander";
import { ENV_PII_SECRET_ARN } from "../dataplane/transform/config";
import { loadPiiKey } from "../dataplane/transform/secret";
import { renderReport } from "../erasure/audit";
import { eraseLocal } from "../erasure/local";
import { eraseOnStack } from "../erasure/stack";
import { erasureSubjects } from "../erasure/subject";
import { stackFileModelConfig } from "../local/models";
import { resolveLakeDir } from "../local/query";
import { readStackOutputs, stackLakeFromOutputs } from "../erasure/targets";

interface EraseFlags {
    userId?: string;
    anonymousId?: string;
    stack?: string;
    local?: boolean;
    lakeDir?: string;
    dryRun?: boolean;
    outputsFile?: string;
    stackFile?: string;
    json?: boolean;
}

async function readStdinLine(): Promise<string> {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString("utf8").replace(/\r?\n$/, "");
}

export function registerErase(program: Command): void {
    program
        .command("erase")
        .description("Erase one person's events, bad rows, raw backups and per-person aggregates (GDPR/CCPA), with an audit record; --dry-run shows what would go")
        .option("--user-id <id>", 'the person\'s userId as trackers sent it ("-" reads it from stdin)')
        .option("--anonymous-id <id>", 'the person\'s anonymousId ("-" reads it from stdin)')
        .option("--stack <name>", "erase on this deployed stack (Athena, S3; run as a lake admin role)")
        .option("--local", "erase on the local pipeline's lake")
        .option("--lake-dir <path>", "with --local: the lake (default $LAKE_DIR, else ./lake)")
        .option("--stack-file <path>", "with --local: the Pulumi.<stack>.yaml clickstream local mirrors, for the models' session gap and funnels when erase re-runs the person's days (default: as clickstream local)")
        .option("--dry-run", "only report what would be removed")
        .option("--outputs-file <path>", "the stack's `pulumi stack output --json`, when the Pulumi CLI is not on this machine")
        .option("--json", "print the audit record as JSON")
        .action(async (flags: EraseFlags) => {
            if ((flags.stack === undefined) === (flags.local !== true)) throw new Error("erase: pass exactly one of --stack <name> or --local. Fix: e.g. clickstream erase --user-id <id> --stack prod --dry-run");
            if (flags.userId === "-" && flags.anonymousId === "-") throw new Error('erase: only one id can be read from stdin. Fix: pass the other on the command line');
            const userId = flags.userId === "-" ? await readStdinLine() : flags.userId;
            const anonymousId = flags.anonymousId === "-" ? await readStdinLine() : flags.anonymousId;
            if (flags.local) {
                const lakeDir = resolveLakeDir(flags.lakeDir);
                // The models are re-run with the pipeline's own session gap and funnels (cli/models.ts does the same).
                const modelConfig = stackFileModelConfig(flags.stackFile);
                const record = await eraseLocal({
                    lakeDir, request: { userId, anonymousId }, dryRun: flags.dryRun === true, modelConfig,
                    log: (line) => process.stderr.write(`${line}\n`),
                });
                process.stdout.write(flags.json ? `${JSON.stringify(record, null, 2)}\n` : `${renderReport(record)}\n`);
                return;
            }
            const outputs = await readStackOutputs(flags.stack!, flags.outputsFile);
            const { piiSecretArn, ...lake } = stackLakeFromOutputs(flags.stack!, outputs);
            const key = await loadPiiKey({ env: { [ENV_PII_SECRET_ARN]: piiSecretArn } });
            const subjects = erasureSubjects({ userId, anonymousId }, key);
            const record = await eraseOnStack({
                lake, subjects, dryRun: flags.dryRun === true, athena: new AthenaClient({}), s3: new S3Client({}),
                log: (line) => process.stderr.write(`${line}\n`),
            });
            process.stdout.write(flags.json ? `${JSON.stringify(record, null, 2)}\n` : `${renderReport(record)}\n`);
        });
}
