/**
 * The identity keys an inbound event carries, for the identity resolver (DESIGN §1 step 3): the
 * Chargebee customer id, email, phone, the click id kept in `cf_click_id` and the affiliate ref in
 * `meta_data`. Values are passed as received; the resolver normalizes and rejects junk itself.
 *
 * @module
 */
import type { BillingEvent, IdentityKey, RetentionEvent } from "@revtrace/core";
import { billingCustomerId } from "./billing-customer.js";

function push(keys: IdentityKey[], kind: IdentityKey["kind"], value: string | null | undefined) {
  if (typeof value === "string" && value.trim() !== "") keys.push({ kind, value });
}

/** Keys of a Chargebee event. Personal fields are left out once Chargebee cleared them (`pii_cleared`). */
export function billingIdentityKeys(event: BillingEvent): IdentityKey[] {
  const keys: IdentityKey[] = [];
  const customer = event.customer;
  const cleared = customer?.piiCleared === "cleared";
  push(keys, "chargebee_customer_id", billingCustomerId(event));
  if (!cleared) {
    push(keys, "email", customer?.email);
    push(keys, "phone", customer?.phone);
  }
  push(keys, "click_id", event.subscription?.clickId);
  push(keys, "affiliate_ref", event.subscription?.affiliateRef);
  return keys;
}

/** Keys of a Chargebee Retention event: the billing id is the Chargebee customer id. */
export function retentionIdentityKeys(event: RetentionEvent): IdentityKey[] {
  const keys: IdentityKey[] = [];
  push(keys, "chargebee_customer_id", event.account?.billingId);
  push(keys, "email", event.user?.email);
  return keys;
}
