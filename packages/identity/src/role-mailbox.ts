/**
 * Role mailboxes: addresses that name a function (`info@`, `sales@`), read by several people. Linking
 * two visitors through one would merge two people (research §1.7, "shared mailboxes").
 *
 * @module
 */

/** Local parts treated as role mailboxes by default (compared after removing any `+tag`). */
export const DEFAULT_ROLE_MAILBOXES: readonly string[] = [
  "abuse",
  "accounting",
  "accounts",
  "admin",
  "administrator",
  "all",
  "billing",
  "careers",
  "contact",
  "customerservice",
  "do-not-reply",
  "donotreply",
  "enquiries",
  "everyone",
  "feedback",
  "finance",
  "hello",
  "help",
  "helpdesk",
  "hostmaster",
  "hr",
  "info",
  "inquiries",
  "it",
  "jobs",
  "legal",
  "mail",
  "marketing",
  "media",
  "newsletter",
  "no-reply",
  "noreply",
  "office",
  "orders",
  "postmaster",
  "press",
  "privacy",
  "root",
  "sales",
  "security",
  "service",
  "staff",
  "support",
  "team",
  "webmaster",
];

/**
 * Whether a normalized email's local part (without `+tag`) is one of `localParts`.
 *
 * @example
 * isRoleMailbox("sales+eu@acme.io"); // true
 */
export function isRoleMailbox(
  email: string,
  localParts: readonly string[] | ReadonlySet<string> = DEFAULT_ROLE_MAILBOXES,
): boolean {
  const at = email.lastIndexOf("@");
  if (at <= 0) return false;
  const local = email.slice(0, at);
  const plus = local.indexOf("+");
  const name = plus === -1 ? local : local.slice(0, plus);
  return Array.isArray(localParts)
    ? localParts.includes(name)
    : (localParts as ReadonlySet<string>).has(name);
}
