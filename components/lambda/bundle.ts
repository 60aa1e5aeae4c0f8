/**
 * Bundles a data-plane handler into a Lambda code archive with esbuild, at program run time.
 * The handlers import no Pulumi; bundling makes one small file per function (tree-shaken, with our
 * pinned dependencies) while the AWS SDK v3, which the Node.js Lambda runtime provides, stays external.
 */
import * as esbuild from "esbuild";
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";

/** Node.js runtime the functions run on, and the esbuild target that matches it. */
export const LAMBDA_RUNTIME = "nodejs22.x";
const ESBUILD_TARGET = "node22";

const cache = new Map<string, string>();

/**
 * Absolute path of a handler module under dataplane/handlers, e.g. handlerPath("transform"): the
 * TypeScript source in a checkout, the compiled JavaScript when the package runs from dist/.
 */
export function handlerPath(handler: string): string {
    const base = path.resolve(__dirname, "..", "..", "dataplane", "handlers", handler);
    for (const candidate of [`${base}.ts`, `${base}.js`]) {
        if (fs.existsSync(candidate)) return candidate;
    }
    throw new Error(`Lambda handler "${handler}" not found: expected ${base}.ts or ${base}.js. Reinstall clickstream-pipeline or rebuild it (npm run build).`);
}

/** The bundled JavaScript of one handler module (cached per process: stacks bundle each once). */
export function bundleSource(entry: string): string {
    const cached = cache.get(entry);
    if (cached !== undefined) return cached;
    const result = esbuild.buildSync({
        entryPoints: [entry],
        bundle: true,
        platform: "node",
        target: ESBUILD_TARGET,
        format: "cjs",
        minify: true,
        sourcemap: false,
        legalComments: "none",
        external: ["@aws-sdk/*"],
        write: false,
        logLevel: "silent",
    });
    const code = result.outputFiles[0].text;
    cache.set(entry, code);
    return code;
}

/** A Lambda code archive holding `index.js` with the handler exported as `handler`. */
export function handlerArchive(handler: string): pulumi.asset.AssetArchive {
    return new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundleSource(handlerPath(handler))) });
}
