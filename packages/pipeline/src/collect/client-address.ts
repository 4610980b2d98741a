/**
 * Who sent a collect request: the address the per-address limit counts and the touchpoint's `ip`.
 * Without a trusted proxy it is the TCP peer. Behind `trustProxy` proxies it is read from
 * `X-Forwarded-For` from the right, as each proxy appends the address it received the request from:
 * with one proxy the last entry, with `n` the n-th from the right. The entries left of those were
 * written by the client itself (any script can send `X-Forwarded-For: 1.2.3.4`), so the first entry
 * is never trusted. A request that carries no such header (it reached the app around the proxy)
 * counts under its TCP peer.
 *
 * An IPv6 client usually holds a whole /64 (RFC 6177 assigns end sites at least that), so it is
 * counted by its /64 prefix: rotating the interface identifier does not make it a new client. An
 * IPv4-mapped IPv6 address (`::ffff:192.0.2.7`, `::ffff:c000:207`) is its IPv4 address.
 *
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";
import type { HttpRequest } from "../http-exchange.js";

/** Longest text kept of a forwarded value that is not an address (a proxy's own token). */
const MAX_OTHER = 100;

/** How many proxies in front of the app are trusted: `false` none, `true` one, or a count. */
export type TrustedProxies = boolean | number;

/**
 * The client's address as the trusted proxies forwarded it: the `hops`-th `X-Forwarded-For` entry
 * from the right (the furthest one present when there are fewer), or `undefined` without a
 * non-blank one there.
 */
export function forwardedFor(request: HttpRequest, hops: number): string | undefined {
  const header = request.header("x-forwarded-for");
  if (header === null || hops < 1) return undefined;
  const entries = header.split(",");
  return entries[Math.max(0, entries.length - hops)]?.trim() || undefined;
}

/**
 * The address a request comes from: forwarded by the trusted proxies (`trustProxy`), else the TCP
 * peer; `undefined` when neither is known (a Web `Request` carries no peer address).
 */
export function clientAddress(
  request: HttpRequest,
  trustProxy: TrustedProxies,
): string | undefined {
  const hops = trustProxy === true ? 1 : trustProxy === false ? 0 : trustProxy;
  return (hops > 0 ? forwardedFor(request, hops) : undefined) ?? request.remoteAddress;
}

/** The eight 16-bit groups of an IPv6 address (valid by `isIPv6`, without a zone). */
function groupsOf(address: string): number[] {
  const [head = "", tail] = address.split("::");
  const parse = (part: string) =>
    part === ""
      ? []
      : part.split(":").flatMap((group) => {
          if (!group.includes(".")) return [Number.parseInt(group, 16)];
          // an embedded IPv4 address fills the last two groups
          const [a = 0, b = 0, c = 0, d = 0] = group.split(".").map(Number);
          return [(a << 8) | b, (c << 8) | d];
        });
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** `address` without a port, brackets or zone, when it is an IP address; else `undefined`. */
function bareAddress(address: string): string | undefined {
  const trimmed = address.trim();
  const unported =
    /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed)?.[1] ??
    /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(trimmed)?.[1] ??
    trimmed;
  const bare = unported.replace(/%.*$/, "").toLowerCase();
  return isIPv4(bare) || isIPv6(bare) ? bare : undefined;
}

/**
 * The client's IP address as a touchpoint keeps it (TikTok matches on IP and user agent): the
 * address without a port, brackets or zone id, or `undefined` when the forwarded entry is not an IP
 * address at all (a proxy's token, or text a client wrote where a proxy count lets it).
 *
 * @example
 * clientIp("[2001:db8::1]:443"); // "2001:db8::1"
 * clientIp("203.0.113.7:51234"); // "203.0.113.7"
 */
export function clientIp(address: string | undefined): string | undefined {
  return address === undefined ? undefined : bareAddress(address);
}

/**
 * The key an address is counted under: an IPv4 address as it is (an IPv4-mapped IPv6 address as its
 * IPv4 address), an IPv6 address by its /64 prefix, anything else (a forwarded token that is no
 * address) lower-cased and cut to 100 characters. A port or brackets around it are dropped.
 *
 * @example
 * addressKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 * addressKey("::ffff:c000:207"); // "192.0.2.7"
 */
export function addressKey(address: string): string {
  const bare = bareAddress(address);
  if (bare === undefined) return address.trim().toLowerCase().slice(0, MAX_OTHER);
  if (isIPv4(bare)) return bare;
  const groups = groupsOf(bare);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    const [hi = 0, lo = 0] = groups.slice(6);
    return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(":")}::/64`;
}
