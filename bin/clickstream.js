#!/usr/bin/env node
// Entry point of the `clickstream` command. The CLI is TypeScript, run through tsx so that it can
// also load the TypeScript Pulumi programs (stacks, examples) it lists and checks offline.
require("tsx/cjs");
require("../cli/main.ts").main(process.argv).catch((err) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
});
