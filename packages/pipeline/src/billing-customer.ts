/**
 * The Chargebee customer an event belongs to, wherever the event names it: the customer, then the
 * subscription, payment, failed payment, refund, invoice and credit note. A chargeback or a refund
 * outside a subscription (`transaction_created`) carries only its transaction, so reading the
 * customer and subscription alone lost the person.
 *
 * @module
 */
import type { BillingEvent } from "@revtrace/core";

/** The Chargebee customer id of `event`, or `null` when it names none. */
export function billingCustomerId(event: BillingEvent | null | undefined): string | null {
  return (
    event?.customer?.id ??
    event?.subscription?.customerId ??
    event?.payment?.customerId ??
    event?.failedPayment?.customerId ??
    event?.refund?.customerId ??
    event?.invoice?.customerId ??
    event?.creditNote?.customerId ??
    null
  );
}
