/**
 * The part of a row the windows read, for rows transformed on another thread (local/chunkWorker.ts):
 * posting whole rows between threads would cost more than transforming them, so the chunk worker
 * sends only the fields the window specs and the event-time rule use.
 *
 * What the windows read of a row (dataplane/analytics/aggregator.ts, local/windows.ts eventTimeOf):
 * event_id (de-duplication), event_time and received_at (the window a row falls in), event_type and
 * event_name (filters), and every field a spec filters, groups or measures by: a row column, or an
 * entry of `properties` / `context`.
 */
import type { WindowSpec } from "../dataplane/analytics/spec";
import type { EventRow } from "../dataplane/schema";

/** Row columns and map entries the windows of `specs` read. */
export interface WindowFields {
    columns: string[];
    /** Entries read from the maps: map column -> keys. */
    mapKeys: Array<{ map: "properties" | "context"; keys: string[] }>;
}

/** A row cut down to the window fields: the columns, and the maps with only the keys the specs read. */
export type WindowRow = Record<string, unknown>;

const ALWAYS = ["event_id", "event_time", "received_at", "event_type", "event_name"];

export function windowFieldsOf(specs: readonly WindowSpec[]): WindowFields {
    const columns = new Set(ALWAYS);
    const mapKeys = new Map<"properties" | "context", Set<string>>();
    const note = (path: string) => {
        const dot = path.indexOf(".");
        const map = dot > 0 ? path.slice(0, dot) : "";
        if (map === "properties" || map === "context") {
            const keys = mapKeys.get(map) ?? mapKeys.set(map, new Set()).get(map)!;
            keys.add(path.slice(dot + 1));
        } else columns.add(path);
    };
    for (const spec of specs) {
        for (const c of spec.filter?.where ?? []) note(c.field);
        for (const g of spec.groupBy ?? []) note(g);
        for (const m of spec.metrics) if (m.field !== undefined) note(m.field);
    }
    return { columns: [...columns], mapKeys: [...mapKeys].map(([map, keys]) => ({ map, keys: [...keys] })) };
}

/** The rows cut down to `fields` (a map the row lacks, or holds none of the keys of, is left out). */
export function projectForWindows(rows: readonly EventRow[], fields: WindowFields): WindowRow[] {
    const out: WindowRow[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
        const row = rows[i] as unknown as Record<string, unknown>;
        const cut: WindowRow = {};
        for (const c of fields.columns) cut[c] = row[c] ?? null;
        for (const { map, keys } of fields.mapKeys) {
            const source = row[map] as Record<string, string> | null | undefined;
            if (!source) continue;
            let entries: Record<string, string> | undefined;
            for (const k of keys) {
                if (source[k] !== undefined) (entries ??= {})[k] = source[k];
            }
            if (entries) cut[map] = entries;
        }
        out[i] = cut;
    }
    return out;
}
