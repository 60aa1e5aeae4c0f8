/**
 * Parity with the real policy SDK: starts the pack (policies/index.ts) in a child process, exactly
 * as the Pulumi CLI's analyzer plugin does, and calls its gRPC `analyze` / `analyzeStack` with the
 * resources the insecure example registers. The violations must be the ones the offline harness
 * reports. This also proves the pack starts (package.json resolvable, names valid) and that the
 * policies work when the CLI sends no config at all.
 */
import { strict as assert } from "assert";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import { checkProgram } from "../../offline/policyHarness";
import { CapturedResource } from "../../offline/runUnderMocks";
import { PROJECT_ROOT } from "../../offline/programs";
import { insecureExampleRun } from "../support/insecureExample";

const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
const analyzerPb = require(path.join(pulumiDir, "proto/analyzer_pb"));
const analyzerGrpc = require(path.join(pulumiDir, "proto/analyzer_grpc_pb"));
const { Struct } = require(require.resolve("google-protobuf/google/protobuf/struct_pb", { paths: [pulumiDir] }));

const ENFORCEMENT = ["advisory", "mandatory", "disabled", "remediate"];

function startPack(): Promise<{ child: ChildProcess; port: number }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-e", 'require("tsx/cjs"); require("./index.ts");'], { cwd: path.join(PROJECT_ROOT, "policies"), stdio: ["ignore", "pipe", "pipe"] });
        let err = "";
        child.stderr!.on("data", (d) => (err += d));
        child.stdout!.once("data", (d) => resolve({ child, port: Number(String(d).trim()) }));
        child.once("exit", (code) => reject(new Error(`policy pack exited with ${code}: ${err}`)));
    });
}

function toStruct(value: Record<string, any>) {
    // Struct.fromJavaScript rejects undefined; JSON round-trip drops it as the engine would.
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function options(r: CapturedResource) {
    const o = new analyzerPb.AnalyzerResourceOptions();
    o.setProtect(false);
    if (r.parentUrn) o.setParent(r.parentUrn);
    return o;
}

function call<T>(client: any, method: string, req: unknown): Promise<T> {
    return new Promise((resolve, reject) => client[method](req, (e: Error | null, res: T) => (e ? reject(e) : resolve(res))));
}

function collect(diagnostics: any[], byUrn: Map<string, CapturedResource>, urn?: string): string[] {
    return diagnostics.map((d) => {
        const r = byUrn.get(d.getUrn() || urn || "");
        return `${d.getPolicyname()} ${r ? `${r.type}::${r.name}` : "(stack)"} ${ENFORCEMENT[d.getEnforcementlevel()]}`;
    });
}

describe("policy pack under the real SDK analyzer (gRPC)", function () {
    this.timeout(120000);
    let pack: { child: ChildProcess; port: number } | undefined;
    after(() => {
        if (pack?.child.pid) process.kill(pack.child.pid);
    });

    it("reports the same violations as the offline harness for examples/insecure", async () => {
        const result = await insecureExampleRun();
        const expected = (await checkProgram(result)).map((v) => `${v.policy} ${v.resource} ${v.enforcement}`).sort();

        pack = await startPack();
        const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${pack.port}`, grpc.credentials.createInsecure());
        const byUrn = new Map(result.resources.map((r) => [r.urn, r]));
        const actual: string[] = [];
        for (const r of result.resources) {
            const req = new analyzerPb.AnalyzeRequest();
            req.setType(r.type);
            req.setUrn(r.urn);
            req.setName(r.name);
            req.setProperties(toStruct(r.inputs));
            req.setOptions(options(r));
            const res: any = await call(client, "analyze", req);
            actual.push(...collect(res.getDiagnosticsList(), byUrn, r.urn));
        }
        const stackReq = new analyzerPb.AnalyzeStackRequest();
        stackReq.setResourcesList(
            result.resources.map((r) => {
                const a = new analyzerPb.AnalyzerResource();
                a.setType(r.type);
                a.setUrn(r.urn);
                a.setName(r.name);
                a.setProperties(toStruct(r.state));
                a.setOptions(options(r));
                if (r.parentUrn) a.setParent(r.parentUrn);
                return a;
            }),
        );
        const stackRes: any = await call(client, "analyzeStack", stackReq);
        actual.push(...collect(stackRes.getDiagnosticsList(), byUrn));
        client.close();
        assert.deepEqual(actual.sort(), expected);
    });
});
