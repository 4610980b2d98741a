/**
 * The subscription each payment was made for, remembered so that a refund can be attributed like its
 * payment. Chargebee's `payment_refunded` does not always carry the `subscription` (a refund of a
 * one-off charge, an older API version, a refund issued from the invoice): without it the refund
 * would be anchored at its own time, crediting touchpoints that came after the payment, and the
 * click-id chain would find no `cf_click_id`. The refund names its payment (`refunded_txn_id`), so
 * the worker gives it that payment's subscription for attribution only (the conversion delivered
 * still carries the refund's own event).
 *
 * @module
 */
import type { BillingEvent, BillingSubscription, MappingStore } from "@revtrace/core";

/** The mapping namespace: payment transaction id → the normalized subscription (JSON). */
export const PAYMENT_SUBSCRIPTIONS = "revtrace.payment-subscription";

export interface PaymentSubscriptions {
  /**
   * The event to attribute with: a payment with a subscription is remembered and returned as it is;
   * a refund without one gets its payment's remembered subscription, when there is one.
   */
  attributionEventOf(event: BillingEvent): Promise<BillingEvent>;
}

export function createPaymentSubscriptions(store: MappingStore): PaymentSubscriptions {
  return {
    async attributionEventOf(event) {
      if (event.payment && event.subscription) {
        // The first record wins: a payment's subscription at its activation is what anchors it.
        await store.putMappingIfAbsent(
          PAYMENT_SUBSCRIPTIONS,
          event.payment.transactionId,
          JSON.stringify(event.subscription),
        );
        return event;
      }
      const paymentId = event.refund?.refundedTransactionId;
      if (!event.refund || event.subscription || !paymentId) return event;
      const stored = await store.getMapping(PAYMENT_SUBSCRIPTIONS, paymentId);
      if (stored === null) return event;
      return { ...event, subscription: JSON.parse(stored) as BillingSubscription };
    },
  };
}
