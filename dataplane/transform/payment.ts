/**
 * Payment data in free text: card numbers (PANs) and IBANs. Both are recognised by their checksums and
 * issuer rules, not by their shape alone, so order numbers, ticket numbers, amounts and timestamps of
 * the same length stay: a card number must pass the Luhn check *and* fall in a card network's range
 * with a length that network issues (credit-card-type, MIT, the ranges Braintree maintains); an IBAN
 * must pass its country's format and the mod-97 check (ibantools).
 */
import creditCardType = require("credit-card-type");
import { isValidIBAN } from "ibantools";
import { BoundedCache } from "./cache";

export const CARD_TOKEN = "[card]";
export const IBAN_TOKEN = "[iban]";

/**
 * A run of 13+ digits, single spaces, no-break spaces or hyphens between them (`4111 1111 1111 1111`,
 * `5500-0000-0000-0004`, `378282246310005`), not glued to letters or digits on either side, directly
 * or by a hyphen: `sku4111...`, `order-4111...-x` and the digit groups of hex ids are identifiers
 * (when the first group is glued, the run starts at the next one); after a "+" it is an international
 * phone number (the phone pattern's).
 * `cardsIn` decides which part of a run, if any, is a card number.
 */
export const DIGIT_RUN = /(?<![A-Za-z0-9+]|[A-Za-z0-9]-)\d(?:[\s-]?\d){12,}(?![A-Za-z0-9]|-[A-Za-z0-9])/g;

/**
 * IBAN candidate: country code, check digits, 11-30 more characters, electronic (`DE89370400440532013000`)
 * or printed in groups of four (`DE89 3704 0044 0532 0130 00`). Capitals only: IBANs are issued and
 * printed that way, and lower-case hex ids would otherwise all be candidates.
 */
export const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?(?![A-Za-z0-9])/g;

/** Luhn (mod 10) check of a digit string. */
export function luhnValid(digits: string): boolean {
    let sum = 0;
    let double = false;
    for (let i = digits.length - 1; i >= 0; i--) {
        let d = digits.charCodeAt(i) - 48;
        if (double) {
            d *= 2;
            if (d > 9) d -= 9;
        }
        sum += d;
        double = !double;
    }
    return sum % 10 === 0;
}

/** Card networks by 8-digit prefix (their ranges are at most 8 digits long); the lookup costs ~25 us. */
const networkLengths = new BoundedCache<readonly number[]>(2_000);

function lengthsFor(prefix8: string): readonly number[] {
    let lengths = networkLengths.get(prefix8);
    if (lengths === undefined) {
        const set = new Set<number>();
        for (const type of creditCardType(prefix8)) {
            for (const n of type.lengths) set.add(n);
            // Visa still has 13-digit numbers in circulation; credit-card-type lists 16, 18 and 19 only.
            if (type.type === "visa") set.add(13);
        }
        lengths = [...set];
        networkLengths.set(prefix8, lengths);
    }
    return lengths;
}

/** True when `digits` (13-19 digits, nothing else) is a payment card number. */
export function isCardNumber(digits: string): boolean {
    const n = digits.length;
    if (n < 13 || n > 19) return false;
    // No card network issues numbers starting 0, 1 (UATP airline cards aside), 7 or 8; this also keeps
    // epoch timestamps (1...) from reaching the network lookup.
    const first = digits.charCodeAt(0);
    if (first < 50 /* 2 */ || first === 55 /* 7 */ || first === 56 /* 8 */) return false;
    return luhnValid(digits) && lengthsFor(digits.slice(0, 8)).includes(n);
}

/**
 * Replaces the card numbers in a run of digit groups (a `DIGIT_RUN` match) by `[card]`. The whole run
 * is tried first; a longer run (`ref 1234 4111 1111 1111 1111`) is tried window by window, each
 * starting and ending at a group boundary, so a card number next to other numbers is still found. A
 * run without separators is one number: its parts are never tried (that would redact ids).
 */
export function cardsIn(run: string): string {
    const groups = run.split(/[\s-]/);
    const digits = groups.join("");
    if (isCardNumber(digits)) return CARD_TOKEN;
    if (groups.length === 1 || digits.length < 13) return run;
    const separators = run.match(/[\s-]/g) as string[];
    let out = "";
    let i = 0;
    while (i < groups.length) {
        let end = -1;
        let candidate = "";
        // The longest card-sized window starting at group i.
        for (let j = i; j < groups.length && candidate.length + groups[j].length <= 19; j++) {
            candidate += groups[j];
            if (candidate.length >= 13 && isCardNumber(candidate)) end = j;
        }
        if (i > 0) out += separators[i - 1];
        if (end >= 0) {
            out += CARD_TOKEN;
            i = end + 1;
        } else {
            out += groups[i];
            i++;
        }
    }
    return out;
}

/** `[iban]` for a valid IBAN candidate (an `IBAN` match), the candidate itself otherwise. */
export function ibanOrText(candidate: string): string {
    return isValidIBAN(candidate.replace(/ /g, "")) ? IBAN_TOKEN : candidate;
}
