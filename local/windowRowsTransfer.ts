/**
 * The chunk worker's rows for the windows, across threads: each request's rows as JSON in one
 * ArrayBuffer that is transferred (moved, not copied) with the answer, and sent back with a later
 * request to be filled again.
 *
 * Why not post them as they are: a chunk's rows are ~1.3 MB of text. Posted as objects they cost
 * 3.9 us a row to serialize and read back; posted as one JSON string, V8 copies it into a fresh
 * large-object page on each side, and on this kind of VM every first touch of a page is a fault of
 * ~17 us: 44 % of the server's page faults under bench:local were those two copies (perf record -e
 * page-faults, 2026-11-30). Here the bytes stay in buffers that are used again, and each request's
 * text is decoded on its own (a few KB: V8's young generation, no fresh pages).
 */
import type { WindowRow } from "./windowFields";

/** A request's rows as the windows get them from a chunk helper. */
export interface WindowRowsOfRequest {
    arrivalMs: number;
    rows: WindowRow[];
}

/** Requests' rows packed for a transfer: JSON of each request's rows, back to back, in `bytes`. */
export interface PackedWindowRows {
    bytes: ArrayBuffer;
    /** End offset in `bytes` of each request's JSON. */
    ends: Uint32Array;
    arrivals: Float64Array;
}

/** A new buffer's size: a chunk of 250 requests of 20 events needs ~1.3 MB. */
const FIRST_BYTES = 2 * 1024 * 1024;

/**
 * Packs `requests` into `into` (a buffer sent back for reuse) or, when there is none or it is too
 * small, a new one. The buffers to transfer are the result's `bytes`, `ends.buffer` and `arrivals.buffer`.
 */
export function packWindowRows(requests: readonly WindowRowsOfRequest[], into?: ArrayBuffer): PackedWindowRows {
    let bytes = into ?? new ArrayBuffer(FIRST_BYTES);
    let view = Buffer.from(bytes);
    const ends = new Uint32Array(requests.length);
    const arrivals = new Float64Array(requests.length);
    let at = 0;
    for (let i = 0; i < requests.length; i++) {
        const text = JSON.stringify(requests[i].rows);
        // UTF-8 takes at most 3 bytes per UTF-16 unit (lone surrogates are escaped by JSON.stringify).
        if (at + text.length * 3 > view.length) {
            const grown = new ArrayBuffer(Math.max(2 * view.length, at + text.length * 3));
            Buffer.from(grown).set(view.subarray(0, at));
            bytes = grown;
            view = Buffer.from(bytes);
        }
        at += view.write(text, at, "utf8");
        ends[i] = at;
        arrivals[i] = requests[i].arrivalMs;
    }
    return { bytes, ends, arrivals };
}

/** The buffers of a packed result, for postMessage's transfer list. */
export function transferablesOf(packed: PackedWindowRows): ArrayBuffer[] {
    return [packed.bytes, packed.ends.buffer as ArrayBuffer, packed.arrivals.buffer as ArrayBuffer];
}

/** Reads the requests back, in order. The caller may reuse `packed.bytes` afterwards. */
export function unpackWindowRows(packed: PackedWindowRows): WindowRowsOfRequest[] {
    const view = Buffer.from(packed.bytes);
    const out: WindowRowsOfRequest[] = new Array(packed.ends.length);
    let start = 0;
    for (let i = 0; i < packed.ends.length; i++) {
        out[i] = { arrivalMs: packed.arrivals[i], rows: JSON.parse(view.toString("utf8", start, packed.ends[i])) as WindowRow[] };
        start = packed.ends[i];
    }
    return out;
}
