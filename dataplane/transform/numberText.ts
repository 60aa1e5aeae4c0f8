/**
 * `String(v)` for the numbers of the map columns, faster for their usual shape.
 *
 * Map values are strings, so every JSON number in properties and context is converted. Integers are
 * cheap (V8 caches small ones), but a double such as a price goes through the general shortest
 * round-trip algorithm (~0.2 us). A double with at most two decimals below 2^43 is formatted here from
 * its cents: that decimal is the only one of its length or shorter that rounds to the double (other
 * candidates are at least 0.01 away, more than half an ulp), so it is exactly what `String` prints.
 */

/** Below this many cents (2^43 / 100 units), an ulp of the value is under 0.002. */
const MAX_CENTS = 2 ** 43;

export function numberText(v: number): string {
    if (Number.isInteger(v)) return String(v);
    const cents = Math.round(v * 100);
    if (cents / 100 !== v || !(Math.abs(cents) < MAX_CENTS)) return String(v);
    const negative = cents < 0;
    const abs = negative ? -cents : cents;
    const fraction = abs % 100; // never 0: v isn't an integer
    const decimals = fraction % 10 === 0 ? DIGITS[fraction / 10] : fraction < 10 ? `0${DIGITS[fraction]}` : String(fraction);
    return `${negative ? "-" : ""}${Math.floor(abs / 100)}.${decimals}`;
}

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
