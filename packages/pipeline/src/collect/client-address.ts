/**
 * Who sent a collect request, for the per-address request limit: the TCP peer, or behind a trusted
 * proxy the first address of `X-Forwarded-For`, reduced to what one client controls. An IPv6 client
 * usually holds a whole /64 (RFC 6177 assigns end sites at least that), so it is counted by its /64
 * prefix: rotating the interface identifier does not make it a new client.
 *
 * @module
 */
import { isIPv4, isIPv6 } from "node:net";
import type { HttpRequest } from "../http-exchange.js";

/** Longest text kept of a forwarded value that is not an address (a proxy's own token). */
const MAX_OTHER = 100;

/** The first address of `X-Forwarded-For` (the client, as the proxy nearest it saw it), if any. */
export function forwardedFor(request: HttpRequest): string | undefined {
  return request.header("x-forwarded-for")?.split(",")[0]?.trim() || undefined;
}

/**
 * The address a request is counted under: `X-Forwarded-For`'s first address with `trustProxy`, else
 * the TCP peer; `undefined` when neither is known (a Web `Request` without a trusted proxy).
 */
export function clientAddress(request: HttpRequest, trustProxy: boolean): string | undefined {
  return trustProxy ? forwardedFor(request) : request.remoteAddress;
}

/** The four leading 16-bit groups of an IPv6 address (valid by `isIPv6`), without a zone. */
function prefix64(address: string): string {
  const [head = "", tail] = address.split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  // an embedded IPv4 address (`::ffff:192.0.2.1`, `64:ff9b::192.0.2.1`) fills two groups
  const size = (list: string[]) => list.reduce((n, g) => n + (g.includes(".") ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : new Array<string>(8 - size(left) - size(right)).fill("0");
  const all = [...left, ...zeros, ...right];
  return `${all
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(":")}::/64`;
}

/**
 * The key an address is counted under: an IPv4 address as it is (an IPv4-mapped IPv6 address as its
 * IPv4 address), an IPv6 address by its /64 prefix, anything else (a forwarded token that is no
 * address) lower-cased and cut to 100 characters.
 *
 * @example
 * addressKey("2001:db8:1:2:aaaa::1"); // "2001:db8:1:2::/64"
 * addressKey("::ffff:192.0.2.7"); // "192.0.2.7"
 */
export function addressKey(address: string): string {
  // a forwarded address may carry its port: `[2001:db8::1]:443`, `192.0.2.7:51234`
  const trimmed = address.trim();
  const unported =
    /^\[([^\]]+)\](?::\d+)?$/.exec(trimmed)?.[1] ??
    /^(\d+\.\d+\.\d+\.\d+):\d+$/.exec(trimmed)?.[1] ??
    trimmed;
  const bare = unported.replace(/%.*$/, "").toLowerCase();
  if (isIPv4(bare)) return bare;
  if (isIPv6(bare)) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    if (mapped && isIPv4(mapped[1] as string)) return mapped[1] as string;
    return prefix64(bare);
  }
  return trimmed.toLowerCase().slice(0, MAX_OTHER);
}
