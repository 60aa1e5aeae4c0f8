#!/usr/bin/env node
// Entry point of the `clickstream` command. The CLI is TypeScript, run through tsx so that it can
// also load the TypeScript Pulumi programs (stacks, examples) it lists and checks offline.
require("tsx/cjs");
const { main, errorReport } = require("../cli/main.ts");

const verbose = process.argv.includes("--verbose");
// The Pulumi runtime rejects a second promise (the stack resource's) with the error a program
// threw; that error is reported once, by the catch below, so its echo is dropped.
const reported = new WeakSet();
process.on("unhandledRejection", (reason) => {
    setImmediate(() => {
        if (reason && typeof reason === "object" && reported.has(reason)) return;
        console.error(errorReport(reason, verbose));
        process.exitCode = 1;
    });
});

main(process.argv).catch((err) => {
    for (const e of [err, err && err.cause]) if (e && typeof e === "object") reported.add(e);
    console.error(errorReport(err, verbose));
    process.exitCode = 1;
});
