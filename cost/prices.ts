/**
 * The price book: reads cost/prices.us-east-1.json, the only file with prices in it, and answers
 * "what does this quantity cost" by key. Every figure there carries its source page, the date it was
 * read and how it was verified; a key the model asks for that the file lacks is an error, never 0.
 */
import * as fs from "fs";
import * as path from "path";

export interface PriceTier {
    /** Upper bound of the tier in the price's unit (quantity, not "per"); null for the last tier. */
    upTo: number | null;
    usd: number;
}

export interface PriceEntry {
    /** USD per `per` units (flat price). */
    usd?: number;
    /** Tiered prices, USD per `per` units, by cumulative monthly quantity. */
    tiers?: PriceTier[];
    /** A number that is not a price (e.g. alarm metrics per anomaly alarm). */
    value?: number;
    /** Units the price is for; defaults to 1. */
    per?: number;
    unit: string;
    source: string;
    read: string;
    verified: "aws-page" | "secondary" | "not-verified";
    evidence?: string;
    /** Quantity free each month before the price applies. */
    freeFirst?: number;
    [extra: string]: unknown;
}

export interface PriceFile {
    region: string;
    currency: string;
    hoursPerMonth: number;
    notes: string[];
    prices: Record<string, PriceEntry>;
}

export const DEFAULT_PRICE_FILE = path.join(__dirname, "prices.us-east-1.json");

export class PriceBook {
    constructor(readonly file: PriceFile) {
        for (const [key, entry] of Object.entries(file.prices)) {
            if (!entry.source || !entry.read || !entry.verified) {
                throw new Error(`${DEFAULT_PRICE_FILE}: price "${key}" lacks source, read or verified. Every figure must say where it came from and when it was read.`);
            }
            if (entry.usd === undefined && entry.tiers === undefined && entry.value === undefined) {
                throw new Error(`${DEFAULT_PRICE_FILE}: price "${key}" has neither usd, tiers nor value.`);
            }
        }
    }

    static load(file = DEFAULT_PRICE_FILE): PriceBook {
        return new PriceBook(JSON.parse(fs.readFileSync(file, "utf8")) as PriceFile);
    }

    get hoursPerMonth(): number {
        return this.file.hoursPerMonth;
    }

    entry(key: string): PriceEntry {
        const entry = this.file.prices[key];
        if (!entry) throw new Error(`cost/prices.us-east-1.json has no price "${key}"; add it with its source page and the date it was read.`);
        return entry;
    }

    /** A non-price figure of the data file (e.g. PUT payload unit size). */
    figure(key: string, field: string): number {
        const value = this.entry(key)[field];
        if (typeof value !== "number") throw new Error(`cost/prices.us-east-1.json: "${key}" has no numeric "${field}".`);
        return value;
    }

    value(key: string): number {
        const v = this.entry(key).value;
        if (v === undefined) throw new Error(`cost/prices.us-east-1.json: "${key}" has no value.`);
        return v;
    }

    /** USD for `quantity` units this month (tiers and the free allowance applied). */
    cost(key: string, quantity: number): number {
        const e = this.entry(key);
        const per = e.per ?? 1;
        const billable = Math.max(0, quantity - (e.freeFirst ?? 0));
        if (e.tiers) {
            let usd = 0;
            let floor = 0;
            for (const tier of e.tiers) {
                const ceiling = tier.upTo ?? Number.POSITIVE_INFINITY;
                const inTier = Math.max(0, Math.min(billable, ceiling) - floor);
                usd += (inTier / per) * tier.usd;
                floor = ceiling;
                if (billable <= ceiling) break;
            }
            return usd;
        }
        if (e.usd === undefined) throw new Error(`cost/prices.us-east-1.json: "${key}" is not a price.`);
        return (billable / per) * e.usd;
    }
}
