/**
 * Email normalization: one canonical form per mailbox, so the same person typed twice is one key.
 *
 * @module
 */

/** RFC 5321 §4.5.3.1: at most 254 characters in a path's address, 64 in a local part, 63 per label. */
const MAX_EMAIL = 254;
const MAX_LOCAL = 64;
const MAX_LABEL = 63;

// The RFC 5322 dot-atom of a local part (letters of any script allowed, RFC 6531); quoted local parts
// and IP-literal domains are rejected: no real customer signs up with them.
const ATOM = "[\\p{L}\\p{N}\\p{M}!#$%&'*+/=?^_`{|}~-]+";
const LOCAL_PART = new RegExp(`^${ATOM}(?:\\.${ATOM})*$`, "u");
const LABEL = /^[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}-]*[\p{L}\p{N}\p{M}])?$/u;
const NUMERIC = /^\d+$/;

/** `i` and the U+0307 COMBINING DOT ABOVE(s) that `"İ".toLowerCase()` leaves after it. */
const DOTTED_I = /i\u0307+/g;

/**
 * Normalizes an email address: Unicode NFKC, trim, lower case, then `i` + U+0307 to `i`. Returns
 * `null` when the result is not a plausible address (one `@`, a dot-atom local part, a domain of at
 * least two labels, RFC 5321 lengths). Idempotent: normalizing a normalized address returns it
 * unchanged.
 *
 * - NFKC folds compatibility forms to the characters they stand for: full-width `ｊａｎｅ@ａｃｍｅ.io`
 *   (what a CJK input method types) is `jane@acme.io`, as a mail client's IDNA mapping (UTS 46) makes
 *   the domain, so the reserved-domain, junk and role-mailbox checks see the address as delivered,
 *   and one mailbox is one key. Ligatures (`ﬁ`), superscripts and circled digits fold too.
 * - `"İ".toLowerCase()` is `i` + U+0307 COMBINING DOT ABOVE (no precomposed lower-case form exists,
 *   so NFC keeps it): `İNFO@acme.io` is `info@acme.io`, the role mailbox. A dot above typed after a
 *   lower-case `i` goes too.
 *
 * @example
 * normalizeEmail("  Jane.Doe@Example.COM "); // "jane.doe@example.com"
 * normalizeEmail("ｊａｎｅ@ａｃｍｅ.io"); // "jane@acme.io"
 * normalizeEmail("jane@localhost"); // null
 */
export function normalizeEmail(raw: string): string | null {
  let email = raw.normalize("NFKC").trim().toLowerCase();
  if (email.includes("\u0307")) email = email.replace(DOTTED_I, "i");
  // lower-casing (and removing a dot above) can leave a string that is not composed
  email = email.normalize("NFKC");
  if (email.length > MAX_EMAIL) return null;
  const at = email.indexOf("@");
  if (at <= 0 || at !== email.lastIndexOf("@")) return null;
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (local.length > MAX_LOCAL || !LOCAL_PART.test(local)) return null;
  const labels = domain.split(".");
  if (labels.length < 2) return null;
  for (const label of labels) if (label.length > MAX_LABEL || !LABEL.test(label)) return null;
  if (NUMERIC.test(labels[labels.length - 1] as string)) return null;
  return email;
}

const GMAIL_DOMAINS = new Set(["gmail.com", "googlemail.com"]);

/**
 * The Gmail matching form of a normalized address: for `gmail.com` and `googlemail.com`, dots and any
 * `+tag` are removed from the local part and the domain becomes `gmail.com` (Gmail delivers all of
 * them to one mailbox). Other addresses are returned unchanged. Use it for matching only; send
 * vendors the address from {@link normalizeEmail}.
 *
 * @example
 * foldGmailAddress("jane.doe+ads@googlemail.com"); // "janedoe@gmail.com"
 */
export function foldGmailAddress(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0 || !GMAIL_DOMAINS.has(email.slice(at + 1))) return email;
  const local = email.slice(0, at);
  const plus = local.indexOf("+");
  const folded = (plus === -1 ? local : local.slice(0, plus)).replaceAll(".", "");
  return folded === "" ? email : `${folded}@gmail.com`;
}

/** RFC 2606 and RFC 6761 reserve these domains: no real mailbox lives under them. */
const RESERVED_DOMAIN = /(?:^|\.)(?:example\.(?:com|net|org)|example|test|invalid|localhost)$/;

/** Whether a normalized address is under a reserved domain (`example.com`, `*.test`, …; RFC 2606). */
export function isReservedEmailDomain(email: string): boolean {
  return RESERVED_DOMAIN.test(email.slice(email.lastIndexOf("@") + 1));
}
