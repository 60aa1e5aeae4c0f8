/**
 * The local pipeline's former events path, joining each request's rows (JSON array texts) into the one
 * array DuckDB's read_json read: bench:parquet's "old" side and the events writer's reference in
 * test/local/eventsParquet.test.ts.
 */
import { withoutLoneSurrogates } from "../local/parquet";

/**
 * Joins JSON array texts of objects into one array's UTF-8 bytes ("[a,b]" + "[c]" -> "[a,b,c]"),
 * encoding each text straight into one buffer that is reused from one file to the next: the input of
 * `writeParquetFromJson(..., "array")`, as the local pipeline wrote its events files before
 * local/eventsParquet.ts. Kept as the reference path that bench:parquet and the events writer's
 * property test compare with; the pipeline no longer uses it.
 */
export class JsonArrayJoiner {
    private buffer: Buffer;
    private end = 1;
    private objects = false;

    constructor(initialBytes = 1 << 20) {
        this.buffer = Buffer.allocUnsafe(Math.max(initialBytes, 16));
        this.buffer[0] = 0x5b; // "["
    }

    /** Appends the objects of one JSON array text ("[...]", as JSON.stringify writes it); "[]" adds nothing. */
    add(arrayText: string): void {
        if (arrayText.length <= 2) return;
        // A cheap scan first: the escape only appears for a lone surrogate (see withoutLoneSurrogates).
        if (arrayText.includes("\\ud") || arrayText.includes("\\uD")) arrayText = withoutLoneSurrogates(arrayText);
        // UTF-8 takes at most 3 bytes per UTF-16 code unit.
        this.reserve(arrayText.length * 3 + 1);
        if (this.objects) {
            // Write over the previous "]", then turn this array's "[" into the separator.
            const at = this.end - 1;
            this.end = at + this.buffer.write(arrayText, at, "utf8");
            this.buffer[at] = 0x2c; // ","
        } else {
            // The first array: its text replaces the opening "[" written at construction.
            this.end = this.buffer.write(arrayText, 0, "utf8");
            this.objects = true;
        }
    }

    /** The joined array's bytes: a view valid until the next `add` or `reset`. */
    bytes(): Buffer {
        if (!this.objects) {
            this.buffer[1] = 0x5d; // "]"
            return this.buffer.subarray(0, 2);
        }
        return this.buffer.subarray(0, this.end);
    }

    /** Starts a new array, keeping the buffer. */
    reset(): void {
        this.end = 1;
        this.objects = false;
        this.buffer[0] = 0x5b;
    }

    private reserve(bytes: number): void {
        if (this.end + bytes <= this.buffer.length) return;
        const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.end + bytes));
        this.buffer.copy(grown, 0, 0, this.end);
        this.buffer = grown;
    }
}

/** Joins JSON array texts of objects into one: "[a,b]" + "[c]" -> "[a,b,c]", as bytes (a copy of its own). */
export function joinJsonArrays(arrays: readonly (string | Buffer)[]): Buffer {
    const joiner = new JsonArrayJoiner(16);
    for (const array of arrays) joiner.add(typeof array === "string" ? array : array.toString("utf8"));
    return Buffer.from(joiner.bytes());
}
