/**
 * Parameters of URLs wherever they appear in a value (a page URL, a referrer, a `search` string, a URL
 * inside free text or inside a bad row's payload): query parameters, fragment parameters when the
 * fragment is shaped like a query (`#access_token=...&id_token=...`), and `;` path parameters
 * (`;jsessionid=...`). Each parameter's name goes through the same key patterns as a map key, plus the
 * URL credential names (`dropUrlParamPatterns`): a dropped parameter keeps its name and loses its value
 * (`?token=&page=2`: analysts still see it was there), a pseudonymized one gets the keyed pseudonym of
 * its decoded value (the same one a map entry with that value gets, so they join).
 */
import { BoundedCache } from "./cache";
import { Decision, DROP, KEEP, PSEUDONYMIZE } from "./decision";
import type { ResolvedPii } from "./resolve";

/**
 * `name=value` after `?`, `#`, `&` or `;` (or at the start of the value: a bare query string). Names
 * are 1-128 characters without URL delimiters or `/`; a value runs to the next delimiter, quote or
 * space (query values are URL-encoded, so a raw quote or space ends the URL in free text and JSON).
 */
const URL_PARAM = /(^|[?#&;])([^=&#?;/\s"'<>]{1,128})=([^&#?;\s"'<>]*)/g;
/** Segments of a parameter name: `user[password]`, `user.email`, `filter[0][phone]`. */
const NAME_SEGMENTS = /[[\].]+/;

/** URL-decodes a query token (`+` is a space); malformed escapes decode byte by byte instead of throwing. */
export function safeDecode(token: string): string {
    const spaced = token.indexOf("+") >= 0 ? token.replace(/\+/g, " ") : token;
    if (spaced.indexOf("%") < 0) return spaced;
    try {
        return decodeURIComponent(spaced);
    } catch {
        return spaced.replace(/%([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
    }
}

export class UrlParamPolicy {
    /** Decision per raw parameter name: the same few names recur in every URL. */
    private readonly decisions = new BoundedCache<Decision>(5_000);

    constructor(
        private readonly pii: ResolvedPii,
        private readonly pseudonymize: (value: string) => string,
    ) {}

    /** The decision for a parameter name: the strictest over its segments. */
    decide(rawName: string): Decision {
        let decision = this.decisions.get(rawName);
        if (decision === undefined) {
            decision = KEEP;
            const { dropKey, dropUrlParam, pseudonymizeKey } = this.pii;
            for (const segment of safeDecode(rawName).split(NAME_SEGMENTS)) {
                if (segment === "") continue;
                if (dropKey?.test(segment) || dropUrlParam?.test(segment)) {
                    decision = DROP;
                    break;
                }
                if (pseudonymizeKey?.test(segment)) decision = PSEUDONYMIZE;
            }
            this.decisions.set(rawName, decision);
        }
        return decision;
    }

    /** `text` with the values of dropped parameters removed and those of pseudonymized ones replaced. */
    apply(text: string): string {
        return text.replace(URL_PARAM, (m: string, delimiter: string, name: string, value: string) => {
            if (value === "") return m;
            const decision = this.decide(name);
            if (decision === KEEP) return m;
            return decision === DROP ? `${delimiter}${name}=` : `${delimiter}${name}=${this.pseudonymize(safeDecode(value))}`;
        });
    }
}
