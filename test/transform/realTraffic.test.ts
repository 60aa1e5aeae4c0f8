/**
 * Realistic requests (test/transform/fixtures/real-traffic.ndjson: page URLs with credentials in the
 * query and the fragment, Segment identify/track calls with traits and free text, card numbers in
 * several formats, tokens, API keys, IBANs) through the transform as the Lambda runs it: none of the
 * sensitive values listed beside them reaches a row in any form, and every business value survives.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { parseRequestLines, previewRows } from "../../offline/transformPreview";
import { transformer } from "./helpers";

const FIXTURES = path.join(__dirname, "fixtures");
const corpus = fs.readFileSync(path.join(FIXTURES, "real-traffic.ndjson"), "utf8");
const values = JSON.parse(fs.readFileSync(path.join(FIXTURES, "real-traffic.values.json"), "utf8")) as { sensitive: string[]; survive: string[] };

/** The forms a value can take in a row: as sent, lower-cased, URL-encoded (both ways of encoding a space). */
export function forms(value: string): string[] {
    const encoded = encodeURIComponent(value);
    return [...new Set([value, value.toLowerCase(), encoded, encoded.toLowerCase(), encoded.replace(/%20/g, "+")])];
}

describe("transform: realistic traffic corpus", () => {
    const { requests, errors } = parseRequestLines(corpus, 0);
    const rows = previewRows(transformer(), requests).flatMap((r) => r.rows);
    /** Each row as stored, and every string in it (map keys included), JSON-unescaped. */
    const texts = rows.flatMap((row) => [JSON.stringify(row), ...Object.entries(row).flatMap(([k, v]) => (typeof v === "object" && v !== null ? Object.entries(v).flat() : [k, String(v)]))]);
    const haystack = texts.join("\n");

    it("reads every request of the corpus and yields a row per event, the bad event as a bad row", () => {
        assert.deepEqual(errors, []);
        assert.equal(requests.length, 8);
        assert.equal(rows.length, 9);
        assert.equal(rows.filter((r) => r.event_type === "bad_row").length, 1);
    });

    for (const value of values.sensitive) {
        it(`lets no form of ${JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value)} through`, () => {
            for (const form of forms(value)) assert.ok(!haystack.includes(form), `${JSON.stringify(form)} found in:\n${texts.find((t) => t.includes(form))}`);
            assert.ok(!haystack.toLowerCase().includes(value.toLowerCase()), "case-insensitively");
        });
    }

    it("keeps every business value: ids, order and ticket numbers, amounts, search terms, paths, timestamps, parameter names", () => {
        const lost = values.survive.filter((v) => !haystack.includes(v));
        assert.deepEqual(lost, []);
    });

    it("marks what it removed: [card], [iban], [secret], and dropped parameters keep their names", () => {
        for (const token of ["[card]", "[iban]", "[secret]", "?token=&", "#access_token=&", "X-Amz-Signature="]) assert.ok(haystack.includes(token), token);
    });
});
