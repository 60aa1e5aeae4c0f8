/**
 * Lake rows: as the transform builds them, as `EventRow` objects for in-process callers, and as text.
 *
 * Inside the transform an absent column is `undefined`, not `null` (`LakeRow`): JSON.stringify leaves
 * undefined properties out, so the output record carries no null columns at no extra cost (every row
 * keeps one hidden class with all keys, which keeps JSON.stringify on its fast path; a custom
 * serializer or copying rows without their null keys measured 15-30 % slower than this).
 *
 * Why leaving nulls out is safe: Firehose's Parquet conversion reads rows with the Hive JSON SerDe,
 * which starts every row with all columns NULL and sets only the keys present (apache/hive,
 * serde2/json/HiveJsonReader.visitStructNode), so a missing key and `"key":null` read the same. The
 * nulls were ~8 % of the output, which counts against Lambda's 6 MB response
 * (docs/record-granularity.md).
 */
import { EVENT_COLUMNS, EventRow } from "../schema";

/** An `EventRow` whose absent columns are `undefined` (left out when serialized) instead of `null`. */
export type LakeRow = { [K in keyof EventRow]: null extends EventRow[K] ? Exclude<EventRow[K], null> | undefined : EventRow[K] };

/** Columns every row has (never null); all other EventRow columns are nullable. */
const ALWAYS_SET = new Set<string>(["event_id", "event_type", "received_at", "properties", "context"] satisfies (keyof EventRow)[]);
/** Nullable EventRow columns, in table order (from the schema, so a new column is covered). */
const NULLABLE_COLUMNS = EVENT_COLUMNS.map((c) => c.name).filter((name) => !ALWAYS_SET.has(name));

/**
 * The row as the `EventRow` contract has it (`null` where absent), in place: same object, same key order.
 * In-process callers (`Transformer.normalize`, the analytics window) get every key, as before.
 */
export function toEventRow(row: LakeRow): EventRow {
    const r = row as unknown as Record<string, unknown>;
    for (let i = 0; i < NULLABLE_COLUMNS.length; i++) {
        if (r[NULLABLE_COLUMNS[i]] === undefined) r[NULLABLE_COLUMNS[i]] = null;
    }
    return row as unknown as EventRow;
}

/**
 * Rows as text, one JSON object per line, null and absent columns left out: what the transform's output
 * records hold (recordData.ts writes them there), for rows from outside the transform (`EventRow`s
 * from `normalize()`, rows read back).
 */
export function rowsToText(rows: readonly (LakeRow | EventRow)[]): string {
    let out = "";
    for (let i = 0; i < rows.length; i++) out += (i === 0 ? "" : "\n") + JSON.stringify(rows[i], hasNull(rows[i]) ? dropNulls : undefined);
    return out;
}

function hasNull(row: LakeRow | EventRow): boolean {
    const r = row as unknown as Record<string, unknown>;
    for (let i = 0; i < NULLABLE_COLUMNS.length; i++) if (r[NULLABLE_COLUMNS[i]] === null) return true;
    return false;
}

/** Replacer for rows that carry nulls (EventRow from outside): top-level nulls only, maps never hold null. */
function dropNulls(_key: string, value: unknown): unknown {
    return value === null ? undefined : value;
}
