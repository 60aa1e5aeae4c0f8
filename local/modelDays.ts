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
 * The days a delivery's rows add to the models, and their latest event time, from the rows as the
 * delivery worker writes them (so nothing is read back from the lake).
 */
export function modelDaysOf(delivered: Iterable<{ rows: readonly EventRow[]; arrivalMs: number }>): DeliveredDays {
    const days = new Set<string>();
    let latestMs = -Infinity;
    for (const { rows, arrivalMs } of delivered) {
        for (const row of rows) {
            const t = eventTimeOf(row, arrivalMs);
            if (t > latestMs) latestMs = t;
            // event_time is ISO-8601 UTC (dataplane/transform/time.ts), so its first 10 characters are the date.
            if (row.event_type !== BAD_ROW_TYPE && row.anonymous_id !== null && row.event_time !== null) days.add(row.event_time.slice(0, 10));
        }
    }
    return { days: [...days], latestMs };
}
