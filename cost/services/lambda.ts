/**
 * Lambda: requests, and GB-seconds from MEASURED throughput. Functions that process events are priced
 * at the transform's benchmark rate (cost/assumptions.json transformBench), scaled by the CPU share
 * Lambda gives the configured memory (a full vCPU at 1,769 MB); small fixed-work functions
 * (authorizer, alert handler) at a stated time per invocation.
 */
import type { ModelContext } from "../context";

export function priceLambda(ctx: ModelContext): void {
    const { a } = ctx;
    for (const w of ctx.g.functions) {
        const fn = w.resource;
        const memoryMb = Number(fn.inputs.memorySize ?? 128);
        const arch = (fn.inputs.architectures ?? ["x86_64"])[0] === "arm64" ? "arm64" : "x86_64";
        ctx.priced(fn, "Lambda", `requests (${w.role})`, w.invocations, "requests", "lambda.requests");
        if (w.role === "collector") ctx.priced(fn, "Lambda", "function URL requests (no charge of their own)", w.invocations, "requests", "lambda.functionUrl.requests");
        let seconds: number;
        if (w.events > 0) {
            const eventsPerSecond = a.transformBench.eventsPerSecond * Math.min(1, memoryMb / a.lambdaFullVcpuMb);
            seconds = w.events / eventsPerSecond + (w.invocations * a.lambdaInvocationOverheadMs) / 1000;
        } else {
            seconds = (w.invocations * w.msPerInvocation) / 1000;
        }
        const gbSeconds = seconds * (memoryMb / 1024);
        const perInvocation = w.role === "collector" ? `, ${w.msPerInvocation} ms per request` : "";
        ctx.priced(fn, "Lambda", `compute (${memoryMb} MB ${arch}${perInvocation}${w.events > 0 ? `, ${Math.round(a.transformBench.eventsPerSecond * Math.min(1, memoryMb / a.lambdaFullVcpuMb))} events/s` : ""})`, gbSeconds, "GB-seconds", `lambda.${arch}.gbSecond`);
    }
    if (ctx.g.functions.some((w) => w.role === "collector" && w.invocations > 0)) {
        const c = a.collectorBench;
        ctx.note(`Lambda: the function URL collector is priced at ${c.cpuMicrosPerRequest} µs of CPU per request, measured by npm run bench:collector on ${c.cpuModel} (${c.machine}), scaled to the CPU share of its memory, plus ${a.kinesisPutLatencyMs} ms waiting for Kinesis PutRecords (a stated guess), rounded up to whole milliseconds; function URLs add no charge of their own. Reserved concurrency (its throttle) is free.`);
    }
    if (ctx.g.functions.some((w) => w.events > 0)) {
        ctx.note(`Lambda: event-processing functions are priced at ${a.transformBench.eventsPerSecond} events/s per full vCPU, measured by ${a.transformBench.source} on ${a.transformBench.machine}, ${a.transformBench.cpuModel}, plus ${a.lambdaInvocationOverheadMs} ms per invocation.`);
    }
}
