/**
 * What a committed delivery adds to the modeled tables (local/modelScheduler.ts): the event-time days
 * of its rows and their latest event time, noted by the delivery worker from the rows it has just
 * written, so the scheduler never reads them back from the lake.
 */
import type { EventRow } from "../dataplane/schema";
import { BAD_ROW_TYPE } from "./tables";
import { eventTimeOf } from "./windows";

/** What the model scheduler needs to know of a committed delivery (modelDaysOf). */
export interface DeliveredDays {
    /** UTC dates of event_time of the good rows with an anonymous id: the days the models read (models/sql.ts). */
    days: string[];
    /** Latest event time of all the rows (eventTimeOf); -Infinity when there were none. */
    latestMs: number;
}

/**
 * Collects the days a delivery's rows add to the models, and their latest event time, request by
 * request as the delivery worker transforms them: it keeps two small values, not the rows, so a
 * delivery's rows can be garbage as soon as they are written (holding ~16,000 rows until the commit
 * made them survive V8's young-generation collections and cost ~10 us of CPU per event).
 */
export class DeliveredDaysCollector {
    private readonly days = new Set<string>();
    private latestMs = -Infinity;

    add(rows: readonly EventRow[], arrivalMs: number): void {
        for (const row of rows) {
            const t = eventTimeOf(row, arrivalMs);
            if (t > this.latestMs) this.latestMs = t;
            // event_time is ISO-8601 UTC (dataplane/transform/time.ts), so its first 10 characters are the date.
            if (row.event_type !== BAD_ROW_TYPE && row.anonymous_id !== null && row.event_time !== null) this.days.add(row.event_time.slice(0, 10));
        }
    }

    /** Adds what another collector found (a chunk written on another thread). */
    merge(other: DeliveredDays): void {
        for (const day of other.days) this.days.add(day);
        if (other.latestMs > this.latestMs) this.latestMs = other.latestMs;
    }

    result(): DeliveredDays {
        return { days: [...this.days], latestMs: this.latestMs };
    }
}

/** The days and latest event time of a delivery's rows, all at once (DeliveredDaysCollector). */
export function modelDaysOf(delivered: Iterable<{ rows: readonly EventRow[]; arrivalMs: number }>): DeliveredDays {
    const collector = new DeliveredDaysCollector();
    for (const { rows, arrivalMs } of delivered) collector.add(rows, arrivalMs);
    return collector.result();
}
