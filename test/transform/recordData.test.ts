import { strict as assert } from "assert";
import fc from "fast-check";
import { RecordDataWriter } from "../../dataplane/transform/recordData";
import { LakeRow } from "../../dataplane/transform/rowText";

const row = (event_id: string, extra: Record<string, string> = {}): LakeRow => ({ event_id, event_type: "track", received_at: "2026-11-26T16:00:00.000Z", properties: extra, context: {} }) as unknown as LakeRow;
const decode = (data: string): string => Buffer.from(data, "base64").toString("utf8");

describe("transform: output record data encoded in one pass", () => {
    it("gives each record exactly its rows, newline-separated, between a few spaces", () => {
        const w = new RecordDataWriter(0);
        // A client can put the row boundary itself into keys and values: inside JSON strings its quotes are escaped.
        const evil = { '},{"event_id":': '"},{"event_id":"forged"}', "x\"},{\"event_id\":": "},{" };
        const records = [[row("a")], [], [row("b"), row("c", { note: "ünïcødé 😀" }), row("e", evil)], [row("d")]];
        for (const rows of records) (rows.length ? w.addRecord(rows) : w.addEmpty());
        const out = w.finish();
        assert.equal(out.length, records.length);
        assert.equal(out[1], "", "an empty record has no data");
        records.forEach((rows, i) => {
            if (rows.length === 0) return;
            const text = decode(out[i]);
            const body = rows.map((r) => JSON.stringify(r)).join("\n");
            const at = text.indexOf(body);
            assert.ok(at >= 0, "the rows, as JSON.stringify writes them, newline-separated");
            assert.match(text.slice(0, at), /^ $/, "one space before");
            assert.match(text.slice(at + body.length), /^ {1,3}$/, "one to three spaces after");
            assert.equal(Buffer.byteLength(text) % 3, 0, "a whole number of base64 quanta, so no '=' inside the batch");
            assert.deepEqual(text.trimEnd().split("\n").map((l) => JSON.parse(l)), rows.map((r) => JSON.parse(JSON.stringify(r))));
        });
    });

    it("slices each record's data exactly out of the batch's encoding: records of 5 B to 150 KB, empty ones between", () => {
        const w = new RecordDataWriter(0);
        const sizes = [12_000, 30_000, 0, 25_000, 150_000, 0, 9_000, 31_000, 28_000, 0, 17_000, 64_000, 5];
        const records = sizes.map((n, i) => (n === 0 ? [] : [row(`r${i}`, { v: String.fromCharCode(97 + (i % 26)).repeat(n) }), row(`s${i}`, { w: "é".repeat(i) })]));
        for (const rows of records) (rows.length ? w.addRecord(rows) : w.addEmpty());
        const out = w.finish();
        assert.equal(out.length, records.length);
        records.forEach((rows, i) => {
            if (rows.length === 0) return assert.equal(out[i], "");
            assert.match(out[i], /^[A-Za-z0-9+/]+$/, "whole base64 quanta, no padding");
            assert.equal(decode(out[i]).trim(), rows.map((r) => JSON.stringify(r)).join("\n"), `record ${i}`);
        });
        // Joined, the records are the one-pass encoding of all their bytes.
        assert.equal(out.join(""), Buffer.from(out.map(decode).join(""), "utf8").toString("base64"));
    });

    it("grows past its initial size and keeps every record intact (any content, any sizes)", () => {
        fc.assert(
            fc.property(fc.array(fc.array(fc.string({ unit: "binary", maxLength: 2000 }), { maxLength: 5 }), { maxLength: 40 }), (records) => {
                const w = new RecordDataWriter(1); // the minimum: forces growth
                for (const values of records) (values.length ? w.addRecord(values.map((v, i) => row(`${i}`, { v }))) : w.addEmpty());
                const out = w.finish();
                return records.every((values, i) =>
                    values.length === 0 ? out[i] === "" : JSON.stringify(decode(out[i]).trim().split("\n").map((l) => JSON.parse(l).properties.v)) === JSON.stringify(values.map((v) => Buffer.from(v, "utf8").toString("utf8"))),
                );
            }),
            { numRuns: 100 },
        );
    });

    it("hands its buffer to the next writer only after its data is copied out", () => {
        const first = new RecordDataWriter(0);
        first.addRecord([row("first", { v: "x".repeat(5000) })]);
        const [a] = first.finish();
        const second = new RecordDataWriter(0); // reuses first's buffer
        second.addRecord([row("second")]);
        const [b] = second.finish();
        assert.equal(JSON.parse(decode(a)).event_id, "first", "earlier data is unaffected by the reuse");
        assert.equal(JSON.parse(decode(b)).event_id, "second");
    });

    it("refuses rows that don't start with event_id (their boundaries couldn't be found)", () => {
        const w = new RecordDataWriter(0);
        const noId = { event_type: "track" } as unknown as LakeRow;
        assert.throws(() => w.addRecord([row("a"), noId]), /found 0 row boundaries in 2 rows.*event_id/);
    });

    it("leaves the buffer as it was when a row can't be serialized", () => {
        const w = new RecordDataWriter(0);
        w.addRecord([row("a")]);
        const bad = row("b") as unknown as Record<string, unknown>;
        bad.properties = { n: BigInt(1) };
        assert.throws(() => w.addRecord([row("x"), bad as unknown as LakeRow]), /BigInt/);
        w.addRecord([row("c")]);
        const [a, c] = w.finish();
        assert.equal(JSON.parse(decode(a)).event_id, "a");
        assert.equal(JSON.parse(decode(c)).event_id, "c");
    });
});
