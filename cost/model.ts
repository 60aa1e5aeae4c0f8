/**
 * The cost model: what a stack costs per month at a given traffic, from the resources it registers
 * (types and inputs, from the same offline run as `clickstream resources`), the price data file and the
 * stated assumptions. Change a stack's resources and its cost changes with them.
 */
import type { CapturedResource } from "../offline/runUnderMocks";
import { Assumptions, loadAssumptions } from "./assumptions";
import { CostLine, ModelContext } from "./context";
import { PipelineGraph } from "./graph";
import { PriceBook } from "./prices";
import { deriveTraffic, TrafficInput } from "./traffic";
import { priceApiGateway } from "./services/apiGateway";
import { priceAthenaAndGlue } from "./services/athenaGlue";
import { priceCloudTrail } from "./services/cloudtrail";
import { priceCloudWatch } from "./services/cloudwatch";
import { priceFirehose } from "./services/firehose";
import { priceKinesis } from "./services/kinesis";
import { priceKms } from "./services/kms";
import { priceLambda } from "./services/lambda";
import { priceMessaging } from "./services/messaging";
import { priceModels } from "./services/models";
import { priceS3 } from "./services/s3";
import { priceSecrets } from "./services/secrets";
import { priceWaf } from "./services/waf";

export type { CostLine } from "./context";

export interface CostReport {
    /** USD per month, all lines. */
    total: number;
    lines: CostLine[];
    /** Every assumption the figures rest on, in words. */
    assumptions: string[];
}

export interface EstimateOptions {
    prices?: PriceBook;
    assumptions?: Assumptions;
}

/** Order matters only where a module reads another's flows (KMS reads S3 requests and log activity). */
const SERVICES = [priceApiGateway, priceWaf, priceKinesis, priceFirehose, priceLambda, priceS3, priceAthenaAndGlue, priceModels, priceCloudWatch, priceCloudTrail, priceMessaging, priceSecrets, priceKms];

/** Prices `resources` (a stack's registered resources) at `traffic`. */
export function estimateCost(resources: CapturedResource[], input: TrafficInput, opts: EstimateOptions = {}): CostReport {
    const prices = opts.prices ?? PriceBook.load();
    const a = opts.assumptions ?? loadAssumptions();
    const traffic = deriveTraffic(input, a, prices.hoursPerMonth);
    const graph = new PipelineGraph(resources, traffic, a);
    const ctx = new ModelContext(graph, traffic, prices, a);
    for (const price of SERVICES) price(ctx);
    const lines = ctx.lines.map((l) => ({ ...l, usd: round(l.usd, 6) }));
    const total = round(lines.reduce((s, l) => s + l.usd, 0), 2);
    const assumptions = [
        `Region ${prices.file.region}, on-demand list prices from cost/prices.us-east-1.json (each with its source page and the date read; figures marked not-verified there could not be checked against AWS's page here), no free tiers, a month of ${prices.hoursPerMonth} hours; 1 GB = 2^30 bytes.`,
        `Traffic: ${input.eventsPerSecond} events/s, ${input.eventsPerRequest} per request (${fmt(traffic.requestsPerSecond)} requests/s, ${fmt(traffic.requestsPerMonth)} per month), ${input.eventBytes} bytes per event: ${traffic.requestBodyBytes}-byte request bodies, ${traffic.recordBytes}-byte records (the request envelope adds ${traffic.envelopeOverheadBytes} bytes), one record per request.`,
        `Queries: ${input.queriesPerDay} Athena queries per day.`,
        ...ctx.notes,
    ];
    return { total, lines, assumptions };
}

function round(x: number, digits: number): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

function fmt(x: number): string {
    return x >= 1e6 ? `${(x / 1e6).toFixed(1)}M` : x.toLocaleString("en-US", { maximumFractionDigits: 1 });
}
