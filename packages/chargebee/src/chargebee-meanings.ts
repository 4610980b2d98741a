/**
 * What one Chargebee event means, in core's destination-neutral {@link ConversionName}s. The pipeline
 * makes one `Conversion` per meaning (with `conversionId("chargebee", event.id, name)`), so the list
 * must never repeat a meaning that another event of the same change already carries:
 *
 * - revenue is counted from `payment_succeeded` only (spec checklist 10); the `transaction_created`
 *   of the same payment means nothing here;
 * - money going back is `payment_refunded`, and the successful `refund` / `payment_reversal`
 *   transactions of `transaction_created` (chargebacks reach us only this way). A refund raises both
 *   events with the same `refund.transactionId`: deduplicate refunds on that id, not on the event.
 *
 * @module
 */
import type { BillingEvent, ConversionName } from "@revtrace/core";
import { baseEventType, isSupportedEventType } from "./chargebee-event-types.js";

const NONE: readonly ConversionName[] = Object.freeze([]);

/** The subscription came out of a trial: Chargebee recorded one (spec §4.2 `trial_start`/`trial_end`). */
function hadTrial(event: BillingEvent): boolean {
  const subscription = event.subscription;
  return (
    subscription !== null && (subscription.trialStart !== null || subscription.trialEnd !== null)
  );
}

/**
 * The meanings of one normalized Chargebee event, in order (pure; `[]` for unsupported types and for
 * events that carry no meaning a sink acts on):
 *
 * | event | meanings |
 * |---|---|
 * | `subscription_created` | `subscription_created`, plus `trial_started` when its status is `in_trial` |
 * | `subscription_started` | `trial_started` when it started in trial; `trial_converted` when it is active after a trial; else none |
 * | `subscription_activated` | `trial_converted` when it had a trial (spec §6: the move from `in_trial` to `active`); else none |
 * | `subscription_changed` / `_renewed` / `_reactivated` | the same name |
 * | `subscription_cancelled` | `subscription_cancelled` |
 * | `subscription_deleted` | `subscription_cancelled`, unless the subscription was already cancelled (that cancel was its own event) |
 * | `payment_succeeded` | `first_payment` when `invoice.first_invoice` is true, else `recurring_payment` |
 * | `payment_failed` | `payment_failed` |
 * | `payment_refunded` | `refund` |
 * | `transaction_created` | `refund` for a successful `refund` or `payment_reversal`; else none |
 * | `customer_created` / `_changed` / `_deleted` | `customer_created` / `customer_updated` / `customer_deleted` |
 * | `*_with_backdating` | as its base event |
 * | `invoice_generated`, `credit_note_created`, unsupported types | none |
 */
export function conversionNamesOf(event: BillingEvent): ConversionName[] {
  if (!event.supported || !isSupportedEventType(event.type)) return [...NONE];
  switch (baseEventType(event.type)) {
    case "subscription_created":
      return event.subscription?.status === "in_trial"
        ? ["subscription_created", "trial_started"]
        : ["subscription_created"];
    case "subscription_started": {
      const status = event.subscription?.status;
      if (status === "in_trial") return ["trial_started"];
      if (status === "active" && hadTrial(event)) return ["trial_converted"];
      return [];
    }
    case "subscription_activated":
      return hadTrial(event) ? ["trial_converted"] : [];
    case "subscription_changed":
      return ["subscription_changed"];
    case "subscription_renewed":
      return ["subscription_renewed"];
    case "subscription_cancelled":
      return ["subscription_cancelled"];
    case "subscription_reactivated":
      return ["subscription_reactivated"];
    case "subscription_deleted":
      return event.subscription?.status === "cancelled" ? [] : ["subscription_cancelled"];
    case "payment_succeeded":
      if (event.payment === null) return [];
      return [event.payment.isFirstPayment === true ? "first_payment" : "recurring_payment"];
    case "payment_failed":
      return event.failedPayment === null ? [] : ["payment_failed"];
    case "payment_refunded":
      return event.refund === null ? [] : ["refund"];
    case "transaction_created":
      return event.refund !== null && event.refund.status === "success" ? ["refund"] : [];
    case "customer_created":
      return ["customer_created"];
    case "customer_changed":
      return ["customer_updated"];
    case "customer_deleted":
      return ["customer_deleted"];
    case "invoice_generated":
    case "credit_note_created":
      return [];
  }
}
