/**
 * Identity keys: the identifiers that link one person's visits, forms, checkouts and billing records.
 *
 * @module
 */
import { z } from "zod";

/** The kinds of identity key. */
export const IdentityKeyKindSchema = z.enum([
  /** First-party anonymous visitor id. */
  "anonymous_id",
  /** Email, normalized (trimmed, lower-cased, NFC) or its SHA-256 hex when storing hashed only. */
  "email",
  /** Phone in E.164 (`+15551234567`) or its SHA-256 hex. */
  "phone",
  /** Chargebee `customer.id`. */
  "chargebee_customer_id",
  /** The merchant's own user id. */
  "external_id",
  /** An ad or affiliate click id (`cf_click_id`, `ttclid`, …). */
  "click_id",
  /** An affiliate referral code. */
  "affiliate_ref",
]);
export type IdentityKeyKind = z.infer<typeof IdentityKeyKindSchema>;

/** One identity key. `value` is always the normalized form (see `@revtrace/identity`). */
export const IdentityKeySchema = z.object({
  kind: IdentityKeyKindSchema,
  value: z.string().min(1),
});
export type IdentityKey = z.infer<typeof IdentityKeySchema>;

/** A stable string form of a key, `kind:value`, for maps and unique constraints. */
export function identityKeyId(key: IdentityKey): string {
  return `${key.kind}:${key.value}`;
}
