/** Typed access to cost/assumptions.json: traffic and data-plane figures the model uses beside the prices. */
import * as fs from "fs";
import * as path from "path";

export interface Assumptions {
    transformBench: { eventsPerSecond: number; source: string; machine: string; cpuModel: string; note: string };
    collectorBench: { cpuMicrosPerRequest: number; source: string; machine: string; cpuModel: string };
    kinesisPutLatencyMs: number;
    lambdaFullVcpuMb: number;
    lambdaInvocationOverheadMs: number;
    typicalUserAgent: string;
    batchWrapperBytes: number;
    defaultEventBytes: number;
    defaultEventBytesSource: string;
    defaultEventsPerRequest: number;
    defaultQueriesPerDay: number;
    rowExpansion: number;
    parquetRatio: number;
    parquetRatioSource: string;
    rawGzipRatio: number;
    queryScanDays: number;
    queryColumnFraction: number;
    storageMonth: number;
    windowGroupsPerSpec: number;
    aggregateRowBytes: number;
    anomalyAlarmTransitionsPerMonth: number;
    apiKeysWhenUnknown: number;
    authorizerInvocationMs: number;
    alertInvocationMs: number;
    accessLogValueBytes: number;
    lambdaPlatformLogBytesPerInvocation: number;
    emfLineBytes: number;
    logStorageCompression: number;
    containersPerFunction: number;
    secretCacheSeconds: number;
    kmsDataKeyReuseSeconds: number;
    s3BucketKeyReduction: number;
    [note: string]: unknown;
}

export const DEFAULT_ASSUMPTIONS_FILE = path.join(__dirname, "assumptions.json");

export function loadAssumptions(file = DEFAULT_ASSUMPTIONS_FILE): Assumptions {
    return JSON.parse(fs.readFileSync(file, "utf8")) as Assumptions;
}
