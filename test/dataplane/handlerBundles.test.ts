import { strict as assert } from "assert";
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import { handlerPath } from "../../components/lambda/bundle";

const HANDLERS = fs.readdirSync(path.join(__dirname, "..", "..", "dataplane", "handlers")).filter((f) => f.endsWith(".ts")).map((f) => f.replace(/\.ts$/, ""));

describe("data-plane handler bundles", () => {
    it("finds the six handlers the components deploy", () => {
        assert.deepEqual([...HANDLERS].sort(), ["alert", "functionUrlCollector", "httpWriteKeyAuthorizer", "transform", "window", "writeKeyAuthorizer"]);
    });

    for (const handler of HANDLERS) {
        it(`${handler}: bundles without Pulumi, with the AWS SDK left to the Lambda runtime, and exports handler`, () => {
            const result = esbuild.buildSync({
                entryPoints: [handlerPath(handler)], bundle: true, platform: "node", target: "node22", format: "cjs",
                external: ["@aws-sdk/*"], write: false, metafile: true, logLevel: "silent",
            });
            const inputs = Object.keys(result.metafile!.inputs);
            assert.deepEqual(inputs.filter((i) => i.includes("@pulumi") || i.includes("/components/") || i.includes("/stacks/")), []);
            const code = result.outputFiles[0].text;
            assert.doesNotMatch(code, /require\("@pulumi/);
            // The bundle is self-contained: load it and check the export Lambda calls.
            const mod = { exports: {} as Record<string, unknown> };
            new Function("module", "exports", "require", code)(mod, mod.exports, (id: string) => {
                if (id.startsWith("@aws-sdk/") || !id.includes("/")) return require(id);
                throw new Error(`bundle requires ${id}`);
            });
            assert.equal(typeof mod.exports.handler, "function");
        });
    }
});
