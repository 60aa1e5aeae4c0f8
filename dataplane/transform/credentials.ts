/**
 * Credentials in free text, recognised by formats that announce themselves: JSON Web Tokens and API
 * keys with a fixed, documented prefix. Anything matched becomes `[secret]`. Keys without such a
 * prefix (an AWS secret access key, a random bearer token) can't be told from ids by their shape: they
 * are caught only by name (`dropKeyPatterns`, `dropUrlParamPatterns`).
 */

export const SECRET_TOKEN = "[secret]";

/**
 * One alternation, each branch anchored on its prefix and bounded:
 * - JWT (JWS compact form): base64url header `eyJ` (`{"`), `.`, payload `eyJ`, `.`, signature (may be
 *   empty for `alg: none`); a JWE's further parts follow as more `.`-separated segments;
 * - AWS access key ids: `AKIA` (long-term) / `ASIA` (temporary) + 16 capitals or digits;
 * - GitHub tokens: `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` + 36+ alphanumerics; `github_pat_` + 22+;
 * - Stripe secret and restricted keys: `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_` + 10+
 *   (publishable `pk_` keys are public by design and stay);
 * - Slack tokens: `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-` + 10+;
 * - Google API keys: `AIza` + 35 characters.
 * The gate (`piiReasons`, pii.ts) lets a text reach this pattern only when it holds one of these prefixes.
 */
export const CREDENTIAL =
    /(?<![A-Za-z0-9_-])(?:eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+){0,2}|(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])|gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255}|[sr]k_(?:live|test)_[A-Za-z0-9]{10,247}|xox[baprse]-[A-Za-z0-9-]{10,250}|AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-]))/g;

const J = 74, K = 75, S = 83, I = 73, UNDERSCORE = 95, X = 120;
const at = (text: string, i: number): number => (i >= 0 && i < text.length ? text.charCodeAt(i) : 0);

/**
 * The characters at which `credentialHintAt` looks: one of each prefix, chosen to be rare in ordinary
 * text. The gate calls it only for these.
 */
export const CREDENTIAL_HINT_CHARS = "JKSI_x";

/**
 * True when the text has, around position `i`, the prefix of one of the `CREDENTIAL` formats: a
 * necessary condition of every branch, checked by the gate for the few characters that can end or start
 * such a prefix (`eyJ`, `AKIA`/`ASIA`, `AIza`, `gh?_`/`github_`, `sk_`/`rk_`, `xox`).
 */
export function credentialHintAt(text: string, i: number): boolean {
    switch (text.charCodeAt(i)) {
        case J: // eyJ
            return at(text, i - 1) === 121 /* y */ && at(text, i - 2) === 101 /* e */;
        case K: // AKIA
        case S: // ASIA
            return at(text, i - 1) === 65 /* A */ && at(text, i + 1) === I && at(text, i + 2) === 65;
        case I: // AIza
            return at(text, i - 1) === 65 && at(text, i + 1) === 122 /* z */ && at(text, i + 2) === 97 /* a */;
        case UNDERSCORE: {
            const a = at(text, i - 2);
            const b = at(text, i - 1);
            // gh[pousr]_ , github_(pat_) , [sr]k_
            if (at(text, i - 3) === 103 /* g */ && a === 104 /* h */) return true;
            if (b === 98 /* b */ && a === 117 /* u */) return true;
            return b === 107 /* k */ && (a === 115 /* s */ || a === 114 /* r */);
        }
        case X: // xox
            return at(text, i + 1) === 111 /* o */ && at(text, i + 2) === X;
        default:
            return false;
    }
}
