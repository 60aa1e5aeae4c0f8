/**
 * The transform as Lambda runs it: dataplane/transform bundled by components/lambda/bundle.ts (esbuild,
 * one minified CommonJS module, the options the Lambda archive is built with) and loaded from memory.
 * Running the TypeScript sources through tsx instead adds a getter call to every cross-module function
 * call (esbuild's per-file CommonJS interop), which the deployed bundle doesn't have.
 */
import Module = require("module");
import * as path from "path";
import { bundleSource } from "../components/lambda/bundle";

export type TransformModule = typeof import("../dataplane/transform");

/**
 * Bundles and loads `<root>/dataplane/transform/index.ts`; `root` is this checkout by default, or another
 * one (a worktree of an earlier revision) to compare with.
 */
export function loadBundledTransform(root = path.resolve(__dirname, "..")): TransformModule {
    return loadBundledModule(path.join(root, "dataplane", "transform", "index.ts")) as TransformModule;
}

/** Bundles `entry` the way the Lambda archive is built and loads it from memory (its AWS SDK imports resolve from node_modules). */
export function loadBundledModule(entry: string): unknown {
    const filename = path.join(path.dirname(entry), "bench-bundle.js"); // never written: resolves the external AWS SDK
    const bundled = new Module(filename, module) as Module & { _compile(code: string, filename: string): void };
    bundled.filename = filename;
    bundled.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(filename));
    bundled._compile(bundleSource(entry), filename);
    return bundled.exports;
}
