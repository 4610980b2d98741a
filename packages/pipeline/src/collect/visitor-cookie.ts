/**
 * The visitor id cookie: first party, set by the server on the collect response (`HttpOnly`,
 * `SameSite=Lax`, `Secure` over HTTPS), so Safari's 7-day cap on cookies written by JavaScript does
 * not apply (shared/research/next-wave-anchors.md §1).
 *
 * @module
 */
import { randomUUID } from "node:crypto";

/** Browsers cap cookie lifetimes at 400 days (RFC 6265bis); that is the default. */
export const DEFAULT_VISITOR_COOKIE_DAYS = 400;

const VISITOR_ID = /^[A-Za-z0-9._-]{8,100}$/;

/**
 * The cookie's value in a `Cookie` header: the first one named `name` that is a well-formed visitor
 * id. A browser can send several cookies of one name (a stale one with another `Path` or `Domain`
 * comes first): a malformed one before the visitor's own must not make the visitor a new one.
 */
export function readVisitorCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const value = part.slice(eq + 1).trim();
      if (VISITOR_ID.test(value)) return value;
    }
  }
  return undefined;
}

/** A new visitor id (a random UUID). */
export function newVisitorId(): string {
  return randomUUID();
}

/** The `Set-Cookie` header value for the visitor id. */
export function visitorCookie(
  name: string,
  value: string,
  options: { maxAgeDays: number; secure: boolean; domain?: string | undefined; path: string },
): string {
  const parts = [
    `${name}=${value}`,
    `Max-Age=${Math.round(options.maxAgeDays * 86_400)}`,
    `Path=${options.path}`,
    "HttpOnly",
    "SameSite=Lax",
  ];
  if (options.domain) parts.push(`Domain=${options.domain}`);
  if (options.secure) parts.push("Secure");
  return parts.join("; ");
}
