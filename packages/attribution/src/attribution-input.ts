/**
 * The conversion the engine attributes. Small on purpose: a core `Conversion` fits as is, and so does
 * a hand-written object in a unit test.
 *
 * @module
 */
import { assertMoney, type BillingEvent, type Money } from "@revtrace/core";

/** What the engine needs to know about a conversion. */
export interface AttributionInput {
  /** When the conversion happened (epoch ms): the "now" of every lookback window. */
  occurredAt: number;
  /** The value to allocate; `null` gives shares without amounts. May be negative (a refund). */
  value: Money | null;
  /**
   * The explicit click id stored on the subscription (Chargebee `cf_click_id`). When omitted it is
   * read from `billingEvent.subscription.clickId`.
   */
  clickId?: string | null;
  /**
   * The affiliate ref from the subscription's `meta_data`. When omitted it is read from
   * `billingEvent.subscription.affiliateRef`.
   */
  affiliateRef?: string | null;
  /**
   * When the original conversion happened (for a subscription: its activation). Models with
   * `renewals: "original"` measure their windows from it and ignore touchpoints after it, for the
   * first payment and every later payment alike. When omitted it is derived from `billingEvent` (see
   * {@link originalConversionTime}). Epoch ms: must be finite when given.
   */
  originalOccurredAt?: number | null;
  /** The Chargebee event the conversion came from, if any. */
  billingEvent?: BillingEvent | null;
}

/** The input with every optional field decided. */
export interface ResolvedInput {
  occurredAt: number;
  value: Money | null;
  clickId: string | null;
  affiliateRef: string | null;
  originalOccurredAt: number | null;
}

/** When the conversion in `event` happened: the payment, the refund, else the paid invoice. */
function conversionTime(event: BillingEvent): number {
  if (event.payment) return event.payment.paidAt ?? event.occurredAt;
  if (event.refund) return event.refund.refundedAt ?? event.occurredAt;
  if (event.invoice?.amountPaid) return event.invoice.paidAt ?? event.occurredAt;
  return event.occurredAt;
}

/**
 * When the original conversion of a subscription's revenue happened: the subscription's activation
 * (else start, else creation) time, when it precedes the event's payment, refund or paid invoice;
 * otherwise `null` (the event is itself the original conversion). The first payment, its renewals and
 * its refunds are all anchored at this one time, so with `renewals: "original"` they credit the same
 * touchpoints (Able: all subsequent revenue goes to the original visitor). A visit between the
 * activation and a late first payment counts for neither.
 */
export function originalConversionTime(event: BillingEvent): number | null {
  const subscription = event.subscription;
  if (!subscription) return null;
  const anchor =
    subscription.activatedAt ?? subscription.startedAt ?? subscription.createdAt ?? null;
  return anchor !== null && anchor < conversionTime(event) ? anchor : null;
}

/**
 * Builds the engine input from a normalized Chargebee event: the payment amount (or the refund as a
 * negative value, else the invoice's paid amount), its time, the subscription's click id and
 * affiliate ref, and the original conversion time (see {@link originalConversionTime}).
 */
export function conversionFromBillingEvent(event: BillingEvent): ResolvedInput {
  let value: Money | null = null;
  if (event.payment) value = event.payment.amount;
  else if (event.refund)
    value = { amount: -event.refund.amount.amount, currency: event.refund.amount.currency };
  // A failed payment collected nothing: its invoice's amount_paid is not this event's revenue.
  else if (event.failedPayment === null && event.invoice?.amountPaid) {
    value = event.invoice.amountPaid;
  }
  return {
    occurredAt: conversionTime(event),
    value,
    clickId: event.subscription?.clickId ?? null,
    affiliateRef: event.subscription?.affiliateRef ?? null,
    originalOccurredAt: originalConversionTime(event),
  };
}

/** Fills the optional fields of `input`, from its `billingEvent` where it has one. */
export function resolveInput(input: AttributionInput): ResolvedInput {
  if (!Number.isFinite(input.occurredAt)) {
    throw new TypeError("The conversion's occurredAt must be finite epoch milliseconds");
  }
  const original = input.originalOccurredAt;
  if (original !== undefined && original !== null && !Number.isFinite(original)) {
    throw new TypeError(
      "The conversion's originalOccurredAt must be finite epoch milliseconds, null or absent",
    );
  }
  if (input.value !== null) assertMoney(input.value, "The conversion's value");
  const event = input.billingEvent ?? null;
  const subscription = event?.subscription ?? null;
  return {
    occurredAt: input.occurredAt,
    value: input.value,
    clickId: input.clickId !== undefined ? input.clickId : (subscription?.clickId ?? null),
    affiliateRef:
      input.affiliateRef !== undefined ? input.affiliateRef : (subscription?.affiliateRef ?? null),
    originalOccurredAt:
      original !== undefined ? original : event ? originalConversionTime(event) : null,
  };
}
