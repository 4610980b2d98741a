/**
 * The meanings (conversion names) of one normalized Chargebee event. A private stand-in for
 * `conversionNamesOf` of `@revtrace/chargebee`: this file is the only place that decides it, so the
 * import can replace it in one line.
 *
 * @module
 */
import type { BillingEvent, ConversionName } from "@revtrace/core";

/**
 * What one Chargebee event means for the sinks, in core's destination-neutral names. Unsupported
 * event types, invoices and credit notes mean nothing on their own (revenue comes from payments only,
 * Chargebee spec §6); a `transaction_created` means something only for a successful payment reversal,
 * which reaches us through no other event (its payments and refunds repeat `payment_succeeded` and
 * `payment_refunded`).
 */
export function conversionNamesOf(event: BillingEvent): ConversionName[] {
  if (!event.supported) return [];
  const subscription = event.subscription;
  switch (event.type) {
    case "subscription_created":
      return subscription?.status === "in_trial"
        ? ["subscription_created", "trial_started"]
        : ["subscription_created"];
    case "subscription_started":
      return subscription?.status === "in_trial" ? ["trial_started"] : [];
    case "subscription_activated":
      return subscription?.trialEnd != null ? ["trial_converted"] : [];
    case "subscription_renewed":
      return ["subscription_renewed"];
    case "subscription_changed":
      return ["subscription_changed"];
    case "subscription_cancelled":
    case "subscription_deleted":
      return ["subscription_cancelled"];
    case "subscription_reactivated":
      return ["subscription_reactivated"];
    case "payment_succeeded":
      if (!event.payment) return [];
      return [event.payment.isFirstPayment === true ? "first_payment" : "recurring_payment"];
    case "payment_failed":
      return ["payment_failed"];
    case "payment_refunded":
      return event.refund ? ["refund"] : [];
    case "transaction_created":
      return event.refund?.transactionType === "payment_reversal" &&
        event.refund.status === "success"
        ? ["refund"]
        : [];
    case "customer_created":
      return ["customer_created"];
    case "customer_changed":
      return ["customer_updated"];
    case "customer_deleted":
      return ["customer_deleted"];
    default:
      return [];
  }
}
