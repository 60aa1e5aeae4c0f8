/**
 * IP truncation: keep the network (/24 for IPv4, /48 for IPv6), drop the host part. A /24 or /48 still
 * locates a provider and a region for analytics but no longer identifies a household.
 */
import { isIPv4, isIPv6 } from "net";

/** "203.0.113.57" -> "203.0.113.0". Caller guarantees a valid dotted quad. */
export function truncateIpv4(ip: string): string {
    return ip.slice(0, ip.lastIndexOf(".") + 1) + "0";
}

/** The eight 16-bit groups of a valid IPv6 address (embedded IPv4 tail and "::" expanded). */
function ipv6Groups(ip: string): number[] {
    let text = ip;
    const zone = text.indexOf("%");
    if (zone >= 0) text = text.slice(0, zone);
    const tail: number[] = [];
    const lastColon = text.lastIndexOf(":");
    if (text.indexOf(".", lastColon) >= 0) {
        const octets = text.slice(lastColon + 1).split(".").map(Number);
        tail.push((octets[0] << 8) | octets[1], (octets[2] << 8) | octets[3]);
        text = text.slice(0, lastColon + 1) + "0"; // placeholder group, replaced below
    }
    const [head, rest] = text.split("::") as [string, string | undefined];
    const parse = (s: string): number[] => (s === "" ? [] : s.split(":").map((g) => parseInt(g, 16)));
    let groups: number[];
    if (rest === undefined) groups = parse(head);
    else {
        const h = parse(head);
        const r = parse(rest);
        groups = [...h, ...new Array(8 - h.length - r.length - (tail.length ? 1 : 0)).fill(0), ...r];
    }
    if (tail.length) groups = [...groups.slice(0, groups.length - 1), ...tail];
    return groups;
}

/** "2001:db8:85a3:8d3:1319:8a2e:370:7348" -> "2001:db8:85a3::" (first 48 bits, compressed). */
export function truncateIpv6(ip: string): string {
    const g = ipv6Groups(ip).slice(0, 3);
    while (g.length && g[g.length - 1] === 0) g.pop();
    if (g.length === 0) return "::";
    return g.map((x) => x.toString(16)).join(":") + "::";
}

/** Truncates a valid IPv4/IPv6 address; returns null for anything that isn't one. */
export function truncateIp(ip: string): string | null {
    if (isIPv4(ip)) return truncateIpv4(ip);
    if (isIPv6(ip)) return truncateIpv6(ip);
    return null;
}
