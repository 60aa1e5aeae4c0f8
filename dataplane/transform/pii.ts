/**
 * PII rules applied to every client-supplied string: keyed pseudonymization (HMAC-SHA256), IP
 * truncation, URL parameters by name (urlParams.ts), and redaction of e-mail addresses, phone numbers,
 * payment card numbers and IBANs (payment.ts), and credentials (credentials.ts) in free text and in
 * URL-encoded text (query strings). Precompiled regexes behind one cheap gate: this runs on every
 * string value.
 */
import { isIPv4, isIPv6 } from "net";
import { BoundedCache } from "./cache";
import { CREDENTIAL, credentialHintAt, CREDENTIAL_HINT_CHARS, SECRET_TOKEN } from "./credentials";
import { HexHmac, hmacSha256Hex } from "./hmac";
import { truncateIpv4, truncateIpv6 } from "./ip";
import { cardsIn, DIGIT_RUN, IBAN, ibanOrText } from "./payment";
import { ResolvedPii } from "./resolve";
import { safeDecode, UrlParamPolicy } from "./urlParams";

export const EMAIL_TOKEN = "[email]";
export const PHONE_TOKEN = "[phone]";
export const REDACTED_TOKEN = "[redacted]";

/**
 * E-mail: RFC 5322 atext in the local part except the URL delimiters & = ? / (so an address in a query
 * string doesn't swallow the URL around it); bounded quantifiers keep the scan linear. The local part
 * is optional so that "a&b=@example.com" still loses its "@domain" (no full address remains).
 */
const EMAIL = /(?:[A-Za-z0-9!#$%'*+^_`{|}~.-]{1,64})?@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.){1,8}[A-Za-z]{2,63}(?![A-Za-z0-9-])/g;
/**
 * IPv6 candidate: hex groups and colons (at least two colons), optional dotted-quad tail. net.isIPv6
 * decides in the replacer.
 */
const IPV6 = /(?<![0-9A-Fa-f:])(?=[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:]{2,39}(?:\.\d{1,3}){0,3}(?![0-9A-Fa-f])/g;
/**
 * IPv4 dotted quad, or a phone number: international ("+49 151 1234 5678", "+4915112345678") or
 * grouped national ("(555) 123-4567", "555-123-4567", "555.123.4567"). One pass so a truncated IP is
 * never re-read as a phone number. The replacer checks digit counts and rules out dates; a run glued to
 * other hyphenated parts ("3f1c2a9e-1111-4000-8000-...", a UUID) isn't a phone number either.
 */
const IPV4_OR_PHONE =
    /(?<![\d.])(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})(?![\d]|\.\d)|(?<!\d)(?<![A-Za-z0-9]-)(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{1,4}(?:[\s.-]\d{1,5}){1,5}(?!\d)(?!-[A-Za-z0-9])|\+\d{7,15}(?!\d)/g;
/** A token carrying URL encoding (%XX or + for space), delimited by URL/query punctuation. */
const ENCODED_TOKEN = /[^?&=#/\s;,]*(?:%[0-9A-Fa-f]{2}|\+)[^?&=#/\s;,]*/g;
const DATE_LIKE = /^(?:(?:19|20)\d\d[\s./-]\d{1,2}[\s./-]\d{1,2}|\d{1,2}[\s./-]\d{1,2}[\s./-](?:19|20)\d\d)$/;
/** Why a text may hold PII: which of the passes of `Redactor.plain` can match in it. */
export const MAY_URL_PARAM = 1, MAY_EMAIL = 2, MAY_ENCODED = 4, MAY_IPV6 = 8, MAY_IPV4_OR_PHONE = 16, MAY_CARD = 32, MAY_IBAN = 64, MAY_CREDENTIAL = 128;
export const MAY_ANYTHING = 255;

/**
 * Cheap gate in front of all the patterns, one pass over the characters, naming the passes that can
 * match (a bit mask of `MAY_*`; 0 for nothing): an e-mail needs "@", encoded text "%" or "+", a URL
 * parameter "=", an IPv6 two colons, an IPv4 a run of digits and dots with 3 dots and 4+ digits, a
 * phone number "+" or a run of 7+ digits with a separator ([\s.-()]) between two of them (the
 * pattern's digit groups are always separated: a bare digit run is an id, not a number to redact), a
 * card number such a run of 13+ digits or a bare one starting with 2-6 (the card networks' first
 * digits), an IBAN two capitals followed by two digits, a credential one of its prefixes
 * (`credentialHintAt`). A superset of what each pass matches (property-tested: the gated result is the
 * ungated one), so it never hides PII; most values (names, SKUs, prices, plain URLs, hex ids, epoch
 * timestamps) get 0 and are returned as they are, and a value that passes runs only its passes.
 */
export function piiReasons(text: string): number {
    let reasons = 0;
    let colons = 0;
    let digits = 0;
    let dots = 0;
    /** A [\s.-()] separator came after a digit of the current run. */
    let separated = false;
    /** The current run's first digit is one a card number can start with. */
    let cardFirst = false;
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        const kind = c < 128 ? ASCII_KIND[c] : isUnicodeSpace(c) ? SEPARATOR : OTHER;
        if (kind === OTHER) {
            digits = 0;
            dots = 0;
            separated = false;
        } else if (kind === DIGIT) {
            if (digits === 0) {
                cardFirst = c >= 50 /* 2 */ && c <= 54 /* 6 */;
                // An IBAN's country code and check digits.
                if (i >= 2 && isCapital(text.charCodeAt(i - 1)) && isCapital(text.charCodeAt(i - 2)) && isDigit(text.charCodeAt(i + 1))) reasons |= MAY_IBAN;
            }
            if (++digits >= 7 && separated) reasons |= digits >= 13 ? MAY_IPV4_OR_PHONE | MAY_CARD : MAY_IPV4_OR_PHONE;
            else if (digits >= 13 && cardFirst) reasons |= MAY_CARD;
            if (dots >= 3 && digits >= 4) reasons |= MAY_IPV4_OR_PHONE;
        } else if (kind === DOT) {
            dots++;
            if (digits > 0) separated = true;
        } else if (kind === SEPARATOR) {
            if (digits > 0) separated = true;
        } else if (kind === HINT) {
            if (credentialHintAt(text, i)) reasons |= MAY_CREDENTIAL;
            digits = 0;
            dots = 0;
            separated = false;
        } else if (kind === TRIGGER) {
            // No pattern's digit run goes through "@ % + =": the run starts again after one.
            reasons |= TRIGGER_REASONS[c];
            digits = 0;
            dots = 0;
            separated = false;
        } else if (kind === COLON) {
            if (++colons >= 2) reasons |= MAY_IPV6;
            digits = 0;
            dots = 0;
            separated = false;
        }
    }
    return reasons;
}

/** True when some pattern may match in `text` (`piiReasons` is not 0). */
export function maybePii(text: string): boolean {
    return piiReasons(text) !== 0;
}

/** What a character means to the gate; a table lookup per ASCII character instead of a chain of tests. */
const OTHER = 0, DIGIT = 1, DOT = 2, SEPARATOR = 3, TRIGGER = 5, COLON = 6, HINT = 7;
const ASCII_KIND = (() => {
    const kinds = new Uint8Array(128); // OTHER
    for (let c = 48; c <= 57; c++) kinds[c] = DIGIT;
    kinds[46] = DOT;
    // the ASCII characters the patterns' \s matches, "-", and ( ) around an area code
    for (const c of [9, 10, 11, 12, 13, 32, 45, 40, 41]) kinds[c] = SEPARATOR;
    for (const c of "@%+=") kinds[c.charCodeAt(0)] = TRIGGER;
    kinds[58] = COLON;
    for (const c of CREDENTIAL_HINT_CHARS) kinds[c.charCodeAt(0)] = HINT;
    return kinds;
})();
/** The passes a trigger character calls for ("+": URL-encoded space, or an international phone number). */
const TRIGGER_REASONS = (() => {
    const reasons = new Uint8Array(128);
    reasons[64 /* @ */] = MAY_EMAIL;
    reasons[37 /* % */] = MAY_ENCODED;
    reasons[43 /* + */] = MAY_ENCODED | MAY_IPV4_OR_PHONE;
    reasons[61 /* = */] = MAY_URL_PARAM;
    return reasons;
})();

const isCapital = (c: number): boolean => c >= 65 && c <= 90;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/**
 * A canonical UUID (8-4-4-4-12 hex digits): hex groups glued by hyphens, nothing the patterns redact
 * (see `Redactor.text`). Checked character by character: nearly every event id is one, and this costs a
 * fraction of an anchored regex test.
 */
export function isCanonicalUuid(text: string): boolean {
    if (text.length !== 36) return false;
    for (let i = 0; i < 36; i++) {
        const c = text.charCodeAt(i);
        if (i === 8 || i === 13 || i === 18 || i === 23) {
            if (c !== 45 /* - */) return false;
        } else if (!((c >= 48 && c <= 57) || ((c | 0x20) >= 97 && (c | 0x20) <= 102))) return false;
    }
    return true;
}
/** The non-ASCII characters of JavaScript's \s (Unicode Zs, line/paragraph separators, BOM). */
function isUnicodeSpace(c: number): boolean {
    return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const GROUP_SEPARATORS = /[\s.-]+/;
const HAS_DIGIT_RUN = /\d[\d\s().-]{5}/;

function countDigits(s: string): number {
    let n = 0;
    for (let i = 0; i < s.length; i++) {
        const c = s.charCodeAt(i);
        if (c >= 48 && c <= 57) n++;
    }
    return n;
}

function looksLikePhone(m: string): boolean {
    const digits = countDigits(m);
    if (digits < 7 || digits > 15) return false;
    if (DATE_LIKE.test(m)) return false;
    // After the first group (country or area code) every group has 2+ digits unless in parentheses, as
    // in "+49 (0) 151 ...": this keeps versions like "131.0.6778.81" out.
    const groups = m.split(GROUP_SEPARATORS);
    for (let i = 1; i < groups.length; i++) {
        if (groups[i].length < 2 && !groups[i].startsWith("(")) return false;
    }
    const first = m.charCodeAt(0);
    if (first === 43 /* + */ || first === 40 /* ( */) return true;
    // Grouped national numbers need at least three groups: "2024-1234" is an invoice, not a phone.
    return groups.length >= 3;
}

/** Free-text redaction per the resolved PII settings. */
export class Redactor {
    /** With custom patterns nothing can be ruled out up front. */
    private readonly gated: boolean;
    /**
     * Results for values that pass the gate: user agents, library versions and page URLs repeat across
     * the events of a batch, and hashing a string is cheaper than running the patterns over it again.
     */
    private readonly memo = new BoundedCache<string>(5_000);
    private readonly urlParams: UrlParamPolicy;

    constructor(private readonly pii: ResolvedPii, pseudonymizer: Pseudonymizer) {
        this.gated = pii.redactPatterns.length === 0;
        this.urlParams = new UrlParamPolicy(pii, (value) => pseudonymizer.pseudonymize(value));
    }

    /** True when `value` (a number or boolean turned string) can't need redaction. */
    get numbersAreSafe(): boolean {
        return this.gated;
    }

    /**
     * Applies the URL parameter rules and redacts PII patterns in plain text, running only the passes
     * `reasons` (from the gate) calls for. Returns the same string instance when nothing matched.
     */
    plain(text: string, reasons = this.reasons(text)): string {
        if (reasons === 0 || text.length < 2) return text;
        let out = text;
        // Parameters first: a pseudonym is computed from the value as sent, and a dropped value is gone
        // before any pattern sees it.
        if (reasons & MAY_URL_PARAM) out = this.urlParams.apply(out);
        const { redactEmails, redactPhones, truncateIp } = this.pii;
        if (redactEmails && reasons & MAY_EMAIL && out.length >= 6) out = out.replace(EMAIL, EMAIL_TOKEN);
        if (truncateIp && reasons & MAY_IPV6) out = out.replace(IPV6, replaceIpv6);
        // IBANs and cards before phone numbers: their digit groups would read as phone numbers too.
        if (reasons & MAY_IBAN && out.length >= 15) out = out.replace(IBAN, ibanOrText);
        if (reasons & MAY_CARD && out.length >= 13) out = out.replace(DIGIT_RUN, cardsIn);
        if ((redactPhones || truncateIp) && reasons & MAY_IPV4_OR_PHONE && out.length >= 7 && HAS_DIGIT_RUN.test(out)) {
            out = out.replace(IPV4_OR_PHONE, (m: string, v4: string | undefined) => {
                if (v4 !== undefined) return truncateIp && isIPv4(v4) ? truncateIpv4(v4) : m;
                return redactPhones && looksLikePhone(m) ? PHONE_TOKEN : m;
            });
        }
        if (reasons & MAY_CREDENTIAL && out.length >= 20) out = out.replace(CREDENTIAL, SECRET_TOKEN);
        for (const re of this.pii.redactPatterns) out = out.replace(re, REDACTED_TOKEN);
        return out;
    }

    /**
     * Redacts plain text, then URL-encoded tokens (query values like `q=jo%40ex.com` or
     * `contact=%2B1+555+123+4567`): each is decoded, redacted, and re-encoded only if something matched.
     */
    text(text: string): string {
        const reasons = this.reasons(text);
        if (reasons === 0) return text;
        const shortcut = this.shortcut(text);
        if (shortcut !== undefined) return shortcut;
        const hit = this.memo.get(text);
        if (hit !== undefined) return hit;
        const out = this.encoded(this.plain(text, reasons));
        this.memo.set(text, out);
        return out;
    }

    /** `text` for an event id: canonical UUIDs, the usual ids, are settled before the gate scans them. */
    idText(text: string): string {
        return this.gated && isCanonicalUuid(text) ? text : this.text(text);
    }

    /**
     * `text` for long values that repeat across events (page URLs): looked up before the gate scans
     * them, since hashing a string is cheaper than scanning it in JavaScript (for short values such as
     * titles and referrers the lookup measured no cheaper than the scan).
     */
    repeatedText(text: string): string {
        const hit = this.memo.get(text);
        if (hit !== undefined) return hit;
        const reasons = this.reasons(text);
        const out = reasons === 0 ? text : (this.shortcut(text) ?? this.encoded(this.plain(text, reasons)));
        this.memo.set(text, out);
        return out;
    }

    /** The gate's verdict; with custom patterns nothing can be ruled out. */
    private reasons(text: string): number {
        return this.gated ? piiReasons(text) : MAY_ANYTHING;
    }

    /**
     * Two shapes pass the gate in nearly every event and are settled directly, skipping the memo
     * (they're mostly unique) and the patterns: UUIDs (event ids; a digit group glued by hyphens to
     * other alphanumerics is never a phone number or card) and bare IPv4 addresses (context.ip).
     */
    private shortcut(text: string): string | undefined {
        if (!this.gated) return undefined;
        if (isCanonicalUuid(text)) return text;
        // "255.255.255.255" is 15 characters: longer texts skip isIPv4's regex.
        if (this.pii.truncateIp && text.length <= 15 && isIPv4(text)) return truncateIpv4(text);
        return undefined;
    }

    private encoded(out: string): string {
        if (out.indexOf("%") < 0 && out.indexOf("+") < 0) return out;
        return out.replace(ENCODED_TOKEN, (token) => {
            const decoded = safeDecode(token);
            const redacted = this.plain(decoded);
            return redacted === decoded ? token : encodeURIComponent(redacted);
        });
    }
}

function replaceIpv6(m: string): string {
    if (isIPv6(m)) return truncateIpv6(m);
    // "ip:2001:db8::1" or "2001:db8::1: seen" in text: a delimiter colon at either end got captured.
    const lead = m.startsWith(":") ? 1 : 0;
    const trail = m.endsWith(":") ? 1 : 0;
    for (const [a, b] of [[lead, 0], [0, trail], [lead, trail]]) {
        if (a === 0 && b === 0) continue;
        const candidate = m.slice(a, m.length - b);
        if (isIPv6(candidate)) return m.slice(0, a) + truncateIpv6(candidate) + m.slice(m.length - b);
    }
    return m;
}

/**
 * Keyed pseudonymization: HMAC-SHA256(secret, value) as hex. Keyed, never a bare hash, so nobody
 * without the secret can confirm a guessed e-mail or id. The key's pads are computed once (hmac.ts);
 * results for repeated values (the same anonymousId on every event of a session) are memoized.
 */
export class Pseudonymizer {
    private readonly hmac: HexHmac;
    private readonly memo = new BoundedCache<string>(20_000);

    constructor(secret: string | Uint8Array) {
        const bytes = typeof secret === "string" ? Buffer.from(secret, "utf8") : Buffer.from(secret);
        if (bytes.length < 16) {
            throw new Error(`piiKey: expected at least 16 bytes of secret, got ${bytes.length}. Fix: store a random key of 32+ bytes in the SSM SecureString / Secrets Manager secret`);
        }
        this.hmac = hmacSha256Hex(bytes);
    }

    pseudonymize(value: string): string {
        const hit = this.memo.get(value);
        if (hit !== undefined) return hit;
        const out = this.hmac(value);
        this.memo.set(value, out);
        return out;
    }

    /** A 128-bit keyed digest for deterministic ids (not memoized: inputs are unique). */
    digest(value: string): string {
        return this.hmac(value).slice(0, 32);
    }
}
