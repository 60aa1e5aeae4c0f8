/**
 * User-agent parsing with ua-parser-js v1 (MIT), memoized: a batch repeats a handful of user agents
 * and a parse costs tens of microseconds.
 */
import UAParser = require("ua-parser-js");
import { BoundedCache } from "./cache";

export interface ParsedUserAgent {
    readonly browser: string | undefined;
    readonly browserVersion: string | undefined;
    readonly os: string | undefined;
    readonly osVersion: string | undefined;
    readonly deviceType: string | undefined;
}

const EMPTY: ParsedUserAgent = Object.freeze({ browser: undefined, browserVersion: undefined, os: undefined, osVersion: undefined, deviceType: undefined });
/** ua-parser-js v1 doesn't classify crawlers; these markers cover the common ones and headless tools. */
const BOT = /bot\b|crawl|spider|slurp|headless|lighthouse|facebookexternalhit|bingpreview|curl\/|wget\/|python-requests|go-http-client/i;
/** User agents longer than this are cut before parsing (ua-parser-js itself cuts at 500). */
const MAX_UA_LENGTH = 512;

export class UserAgentParser {
    private readonly memo = new BoundedCache<ParsedUserAgent>(2_000);
    private readonly parser = new UAParser();
    /** Consecutive events mostly share a user agent: compare before hashing a long string. */
    private lastUa = "";
    private lastParsed: ParsedUserAgent = EMPTY;

    parse(userAgent: string | null | undefined): ParsedUserAgent {
        if (!userAgent) return EMPTY;
        if (userAgent === this.lastUa) return this.lastParsed;
        this.lastUa = userAgent;
        return (this.lastParsed = this.lookup(userAgent));
    }

    private lookup(userAgent: string): ParsedUserAgent {
        const ua = userAgent.length > MAX_UA_LENGTH ? userAgent.slice(0, MAX_UA_LENGTH) : userAgent;
        const hit = this.memo.get(ua);
        if (hit !== undefined) return hit;
        // Only the parts the row uses: getResult() also runs the engine and CPU regex lists.
        this.parser.setUA(ua);
        const browser = this.parser.getBrowser();
        const os = this.parser.getOS();
        const device = this.parser.getDevice();
        const known = browser.name !== undefined || os.name !== undefined;
        const parsed: ParsedUserAgent = Object.freeze({
            browser: browser.name,
            browserVersion: browser.version,
            os: os.name,
            osVersion: os.version,
            // ua-parser-js leaves device.type undefined for desktops.
            deviceType: BOT.test(ua) ? "bot" : (device.type ?? (known ? "desktop" : undefined)),
        });
        this.memo.set(ua, parsed);
        return parsed;
    }
}
