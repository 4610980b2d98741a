/**
 * Synthetic test data (not real Chargebee payloads): touchpoints on a day grid, and normalized
 * billing events with only the fields the attribution package reads filled in.
 */
import {
  type BillingEvent,
  type BillingSubscription,
  createTouchpoint,
  type Money,
  type Touchpoint,
  type TouchpointInput,
} from "@revtrace/core";
import type { CommissionPayment } from "../src/index.js";
import { DAY_MS } from "../src/time.js";

/** 2025-01-01T00:00:00Z. */
export const T0 = Date.UTC(2025, 0, 1);

/** `T0` plus `n` days. */
export const day = (n: number): number => T0 + n * DAY_MS;

export const usd = (amount: number): Money => ({ amount, currency: "USD" });

/** A touchpoint at `T0 + days`, channel derived from the other fields. */
export function tp(
  id: string,
  days: number,
  fields: Partial<Omit<TouchpointInput, "id" | "occurredAt">> = {},
): Touchpoint {
  return createTouchpoint({ anonymousId: "anon_1", ...fields, id, occurredAt: day(days) });
}

/**
 * The GA-style 4-touch path used by the table tests, converting on day 10 for USD 100.00:
 * A day 0 paid search (gclid) → B day 3 organic social → C day 6 email → D day 9 direct.
 */
export function gaPath(): Touchpoint[] {
  return [
    tp("A", 0, { clickIds: { gclid: "gclid-A" } }),
    tp("B", 3, { referrer: "https://www.facebook.com/" }),
    tp("C", 6, { utm: { source: "newsletter", medium: "email" } }),
    tp("D", 9),
  ];
}

const subscription = (fields: Partial<BillingSubscription>): BillingSubscription => ({
  id: "sub_1",
  customerId: "cus_1",
  status: "active",
  catalogModel: "items",
  planId: "pro-USD-monthly",
  items: [],
  currency: "USD",
  billingPeriod: 1,
  billingPeriodUnit: "month",
  trialStart: null,
  trialEnd: null,
  createdAt: day(10),
  startedAt: day(10),
  activatedAt: day(10),
  cancelledAt: null,
  cancelReason: null,
  cancelReasonCode: null,
  customFields: {},
  clickId: null,
  affiliateRef: null,
  metaData: null,
  resourceVersion: null,
  currentTermStart: null,
  currentTermEnd: null,
  nextBillingAt: null,
  affiliateToken: null,
  createdFromIp: null,
  mrr: null,
  planQuantity: null,
  planUnitPrice: null,
  ...fields,
});

/** A synthetic `payment_succeeded` event. */
export function paymentEvent(options: {
  transactionId: string;
  amount: Money;
  paidAt: number;
  isFirstPayment: boolean;
  subscription?: Partial<BillingSubscription>;
}): BillingEvent {
  return {
    id: `ev_${options.transactionId}`,
    type: "payment_succeeded",
    supported: true,
    occurredAt: options.paidAt + 1000,
    source: "scheduled_job",
    apiVersion: "v2",
    customer: null,
    subscription: subscription(options.subscription ?? {}),
    payment: {
      transactionId: options.transactionId,
      customerId: "cus_1",
      invoiceId: `inv_${options.transactionId}`,
      subscriptionId: "sub_1",
      amount: options.amount,
      isFirstPayment: options.isFirstPayment,
      isRecurring: true,
      status: "success",
      gateway: "stripe",
      paymentMethod: "card",
      paidAt: options.paidAt,
      errorCode: null,
      exchangeRate: null,
      baseCurrencyCode: null,
    },
    failedPayment: null,
    refund: null,
    invoice: null,
    creditNote: null,
    subscriptions: null,
  };
}

/** A synthetic `payment_refunded` event. */
export function refundEvent(options: {
  transactionId: string;
  refundedTransactionId: string;
  amount: Money;
  refundedAt: number;
}): BillingEvent {
  return {
    id: `ev_${options.transactionId}`,
    type: "payment_refunded",
    supported: true,
    occurredAt: options.refundedAt + 1000,
    source: "admin_console",
    apiVersion: "v2",
    customer: null,
    subscription: subscription({}),
    payment: null,
    failedPayment: null,
    refund: {
      transactionId: options.transactionId,
      customerId: "cus_1",
      refundedTransactionId: options.refundedTransactionId,
      invoiceId: null,
      subscriptionId: "sub_1",
      amount: options.amount,
      creditNoteIds: [],
      refundedAt: options.refundedAt,
      transactionType: "refund",
      status: "success",
      exchangeRate: null,
      baseCurrencyCode: null,
    },
    invoice: null,
    creditNote: null,
    subscriptions: null,
  };
}

/**
 * Payment `n` of alice's referral on `sub_1`, one every 30 days, USD 10.00 (the ledger tests'
 * payment).
 */
export const monthlyPayment = (
  n: number,
  fields: Partial<CommissionPayment> = {},
): CommissionPayment => ({
  type: "payment",
  transactionId: `t${n}`,
  amount: usd(1000),
  paidAt: day(30 * n),
  subscriptionId: "sub_1",
  customerId: "cus_1",
  referral: { partnerId: "alice" },
  ...fields,
});

/** {@link monthlyPayment} as Chargebee sends it: `isFirstPayment` from `invoice.first_invoice`, no payment number. */
export const chargebeePayment = (n: number): CommissionPayment =>
  monthlyPayment(n, { isFirstPayment: n === 1, paymentNumber: null });
