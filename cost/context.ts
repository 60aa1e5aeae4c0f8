/** What every service module gets: the flows, the traffic, the prices and the assumptions, and where to put lines. */
import type { CapturedResource } from "../offline/runUnderMocks";
import type { Assumptions } from "./assumptions";
import type { PipelineGraph } from "./graph";
import type { PriceBook } from "./prices";
import type { Traffic } from "./traffic";

export interface CostLine {
    /** Top-level component the resource belongs to (IngestEndpoint, FirehoseLake, ...), or "(stack)". */
    component: string;
    service: string;
    item: string;
    quantity: number;
    unit: string;
    /** USD per month. */
    usd: number;
}

export class ModelContext {
    readonly lines: CostLine[] = [];
    readonly notes: string[] = [];

    constructor(readonly g: PipelineGraph, readonly t: Traffic, readonly p: PriceBook, readonly a: Assumptions) {}

    /** Adds a line priced with price `key` for `quantity` (in the price's unit). Zero quantities are left out. */
    priced(owner: CapturedResource | string, service: string, item: string, quantity: number, unit: string, key: string): void {
        if (!(quantity > 0)) return;
        this.add(owner, service, item, quantity, unit, this.p.cost(key, quantity));
    }

    add(owner: CapturedResource | string, service: string, item: string, quantity: number, unit: string, usd: number): void {
        const component = typeof owner === "string" ? owner : this.g.componentOf(owner);
        this.lines.push({ component, service, item, quantity, unit, usd });
    }

    note(text: string): void {
        if (!this.notes.includes(text)) this.notes.push(text);
    }

    get hours(): number {
        return this.p.hoursPerMonth;
    }
}
