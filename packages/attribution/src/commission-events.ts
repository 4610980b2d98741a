/**
 * What the commission ledger is fed: payments (with the partner they are attributed to), refunds and
 * payouts.
 *
 * @module
 */
import type { BillingEvent, Money } from "@revtrace/core";

/** The partner (and program) a payment is attributed to. */
export interface Referral {
  partnerId: string;
  programId?: string | null;
}

/** A successful payment. */
export interface CommissionPayment {
  type: "payment";
  /** Chargebee transaction id: the earned entry's idempotency key is derived from it. */
  transactionId: string;
  /** The amount commissions are computed on (the currency of the commission too); never negative. */
  amount: Money;
  /** Epoch ms. */
  paidAt: number;
  subscriptionId?: string | null;
  customerId?: string | null;
  /**
   * Chargebee `invoice.first_invoice`: `true` makes this payment #1, `false` #2 at least (unless a
   * zero-amount trial invoice the rule skips was recorded before it), whatever the arrival order.
   */
  isFirstPayment?: boolean | null;
  /**
   * 1-based number of this paid payment within the subscription (a positive safe integer). Without it the ledger uses
   * `isFirstPayment`, then counts the subscription's payments recorded so far with an earlier
   * `paidAt` (earned or not); a count can be too low while earlier payments have not arrived, and a
   * commission it let through beyond a `{ payments: n }` rule is reversed (`renumbered:<txn>`) once
   * they do. Give it when you know it: a given number is final.
   */
  paymentNumber?: number | null;
  /**
   * Start of the subscription, epoch ms (for `{ months: n }` rules); else its earliest payment
   * recorded so far.
   */
  subscriptionStartedAt?: number | null;
  /** Who earns on it; `null` when the payment is not attributed to a partner. */
  referral: Referral | null;
}

/** A refund of a payment (Chargebee `payment_refunded`). */
export interface CommissionRefund {
  type: "refund";
  /** The refund transaction's id. */
  transactionId: string;
  /** The refunded payment: Chargebee spec §4.4, `refunded_txn_id` is the original payment transaction. */
  refundedTransactionId: string | null;
  /** Refunded amount (positive), in the payment's currency; may be partial (Chargebee spec §6). */
  amount: Money;
  /** Epoch ms. */
  refundedAt: number;
}

/** A payout to a partner of everything payable at `paidAt`. */
export interface CommissionPayout {
  type: "payout";
  /** Your payout's id (entries' keys derive from it). */
  payoutId: string;
  partnerId: string;
  /** Epoch ms: commissions whose hold ended by then are paid. */
  paidAt: number;
  /** Pay only this currency (an upper-case ISO 4217 code). @default every currency */
  currency?: string | null;
}

/** Anything the ledger records. */
export type CommissionEvent = CommissionPayment | CommissionRefund | CommissionPayout;

/**
 * The ledger event of a normalized Chargebee event: a `payment_succeeded` payment (with `referral`),
 * or a `payment_refunded` refund; `null` for anything else. Chargebee spec §0.10: count revenue once,
 * from `payment_succeeded`; renewal invoices may be unpaid, so `subscription_renewed` earns nothing.
 */
export function commissionEventFromBillingEvent(
  event: BillingEvent,
  referral: Referral | null,
): CommissionPayment | CommissionRefund | null {
  const subscription = event.subscription;
  if (event.refund) {
    return {
      type: "refund",
      transactionId: event.refund.transactionId,
      refundedTransactionId: event.refund.refundedTransactionId,
      amount: event.refund.amount,
      refundedAt: event.refund.refundedAt ?? event.occurredAt,
    };
  }
  const payment = event.payment;
  if (payment && (event.type === "payment_succeeded" || payment.status === "success")) {
    return {
      type: "payment",
      transactionId: payment.transactionId,
      amount: payment.amount,
      paidAt: payment.paidAt ?? event.occurredAt,
      subscriptionId: payment.subscriptionId ?? subscription?.id ?? null,
      customerId: subscription?.customerId ?? event.customer?.id ?? null,
      isFirstPayment: payment.isFirstPayment,
      paymentNumber: null,
      subscriptionStartedAt:
        subscription?.activatedAt ?? subscription?.startedAt ?? subscription?.createdAt ?? null,
      referral,
    };
  }
  return null;
}
