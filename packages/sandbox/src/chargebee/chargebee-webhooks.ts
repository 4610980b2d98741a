/**
 * Synthetic Chargebee webhook bodies, for demos and tests that play a Chargebee site sending to the
 * pipeline: the event envelope and the resources of one subscription (customer, subscription,
 * invoice, transaction, credit note) in the shapes of `shared/specs/chargebee.md` and of the real
 * fixtures of `@revtrace/chargebee`. Times are epoch milliseconds here and seconds in the bodies;
 * amounts are minor units of the plan's currency.
 *
 * The builders are pure but for `resourceVersion`, which the caller supplies (one counter per
 * stream, so every `resource_version` of a stream is distinct and grows).
 *
 * @module
 */

const DAY = 86_400_000;
/** Chargebee times are whole seconds. */
const sec = (ms: number) => Math.floor(ms / 1000);

/** A Chargebee event type that the builders write. */
export type ChargebeeWebhookType =
  | "subscription_created"
  | "subscription_activated"
  | "subscription_renewed"
  | "subscription_cancelled"
  | "payment_succeeded"
  | "payment_refunded";

/** The body of one webhook delivery: the event `id` with its type and content. */
export function chargebeeEventBody(
  id: string,
  at: number,
  type: ChargebeeWebhookType,
  content: Record<string, unknown>,
): string {
  return JSON.stringify({
    id,
    occurred_at: sec(at),
    source: type.startsWith("payment") ? "system" : "hosted_page",
    object: "event",
    api_version: "v2",
    content,
    event_type: type,
    webhook_status: "scheduled",
  });
}

/** A plan's item price: its id, currency and price (minor units per billing period). */
export interface ChargebeePlan<Currency extends string = string> {
  id: string;
  currency: Currency;
  price: number;
}

/** One customer's subscription to one plan, as the builders need it. */
export interface ChargebeeAccount {
  customerId: string;
  subscriptionId: string;
  email: string;
  /** Customer names; `phone` only when the customer has one. */
  firstName: string;
  lastName: string;
  phone?: string | null;
  plan: ChargebeePlan;
  /** The plan's billing period (one of it). */
  billingPeriodUnit: "week" | "month";
  /** Checkout: the subscription's creation and start. */
  createdAt: number;
  /** With a trial, the 7 days after `createdAt`; activation then ends it. */
  trial: boolean;
  /** `cf_click_id`, when the checkout carried one. */
  clickId?: string | null;
  /** `meta_data.affiliate_ref`, when the checkout carried a partner's ref. */
  affiliateRef?: string | null;
  /** The next `resource_version` for a resource written at `at` (see the module's note). */
  resourceVersion: (at: number) => number;
}

/** The content of a webhook, with its event type. */
export interface ChargebeeWebhookContent {
  type: ChargebeeWebhookType;
  content: Record<string, unknown>;
}

/** The webhooks of one subscription's life; each returns the type and the content of the event. */
export interface ChargebeeSubscriptionWebhooks {
  /** `subscription_created`: `in_trial` with a trial, else `active`. */
  created(): ChargebeeWebhookContent;
  /** `subscription_activated`: the trial ends (7 days after creation), with the first invoice. */
  activated(invoiceId: string): ChargebeeWebhookContent;
  /** `subscription_renewed` at `at`: a new term up to `termEnd`, with its invoice. */
  renewed(at: number, termEnd: number, invoiceId: string): ChargebeeWebhookContent;
  /** `payment_succeeded` at `at`: the plan's price paid by card (Stripe) for the invoice. */
  paid(
    at: number,
    payment: { transactionId: string; invoiceId: string; firstInvoice: boolean },
  ): ChargebeeWebhookContent;
  /** `payment_refunded` at `at`: `amount` of a payment, through a refundable credit note. */
  refunded(
    at: number,
    refund: {
      transactionId: string;
      creditNoteId: string;
      amount: number;
      /** A full refund gives the reason `order_cancellation`, a partial one `product_unsatisfactory`. */
      full: boolean;
      payment: { transactionId: string; invoiceId: string };
    },
  ): ChargebeeWebhookContent;
  /** `subscription_cancelled` at `at` (reason `not_paid`). */
  cancelled(at: number): ChargebeeWebhookContent;
}

/** The webhook contents of `account`'s subscription (see {@link ChargebeeSubscriptionWebhooks}). */
export function chargebeeSubscriptionWebhooks(
  account: ChargebeeAccount,
): ChargebeeSubscriptionWebhooks {
  const { plan, createdAt } = account;
  const activatedAt = account.trial ? createdAt + 7 * DAY : createdAt;
  const customer = (at: number) => ({
    id: account.customerId,
    email: account.email,
    ...(account.phone ? { phone: account.phone } : {}),
    first_name: account.firstName,
    last_name: account.lastName,
    created_at: sec(createdAt),
    resource_version: account.resourceVersion(at),
    deleted: false,
    pii_cleared: "active",
    object: "customer",
    preferred_currency_code: plan.currency,
  });
  const customerRef = () => ({ id: account.customerId, email: account.email, object: "customer" });
  const subscription = (at: number, status: string, extra: Record<string, unknown> = {}) => ({
    id: account.subscriptionId,
    customer_id: account.customerId,
    status,
    currency_code: plan.currency,
    billing_period: 1,
    billing_period_unit: account.billingPeriodUnit,
    created_at: sec(createdAt),
    started_at: sec(createdAt),
    ...(account.trial ? { trial_start: sec(createdAt), trial_end: sec(createdAt + 7 * DAY) } : {}),
    ...(status !== "in_trial" ? { activated_at: sec(activatedAt) } : {}),
    mrr: status === "active" ? plan.price : 0,
    resource_version: account.resourceVersion(at),
    ...(account.clickId != null ? { cf_click_id: account.clickId } : {}),
    ...(account.affiliateRef ? { meta_data: { affiliate_ref: account.affiliateRef } } : {}),
    subscription_items: [
      {
        item_price_id: plan.id,
        item_type: "plan",
        quantity: 1,
        unit_price: plan.price,
        amount: plan.price,
        object: "subscription_item",
      },
    ],
    object: "subscription",
    ...extra,
  });
  const invoice = (at: number, id: string, firstInvoice: boolean) => ({
    id,
    customer_id: account.customerId,
    subscription_id: account.subscriptionId,
    recurring: true,
    status: "paid",
    date: sec(at),
    total: plan.price,
    amount_paid: plan.price,
    paid_at: sec(at),
    first_invoice: firstInvoice,
    currency_code: plan.currency,
    object: "invoice",
  });
  // Each content lists its resources in the order they are built: `resource_version` follows it.
  return {
    created: () => ({
      type: "subscription_created",
      content: {
        subscription: subscription(createdAt, account.trial ? "in_trial" : "active"),
        customer: customer(createdAt),
      },
    }),
    activated: (invoiceId) => ({
      type: "subscription_activated",
      content: {
        subscription: subscription(activatedAt, "active"),
        customer: customer(activatedAt),
        invoice: invoice(activatedAt, invoiceId, true),
      },
    }),
    renewed: (at, termEnd, invoiceId) => ({
      type: "subscription_renewed",
      content: {
        subscription: subscription(at, "active", {
          current_term_start: sec(at),
          current_term_end: sec(termEnd),
        }),
        customer: customer(at),
        invoice: invoice(at, invoiceId, false),
      },
    }),
    paid: (at, payment) => ({
      type: "payment_succeeded",
      content: {
        transaction: {
          id: payment.transactionId,
          customer_id: account.customerId,
          subscription_id: account.subscriptionId,
          payment_method: "card",
          gateway: "stripe",
          type: "payment",
          date: sec(at),
          amount: plan.price,
          status: "success",
          currency_code: plan.currency,
          object: "transaction",
          linked_invoices: [{ invoice_id: payment.invoiceId, applied_amount: plan.price }],
        },
        invoice: invoice(at, payment.invoiceId, payment.firstInvoice),
        customer: customer(at),
        subscription: subscription(at, "active"),
      },
    }),
    refunded: (at, refund) => ({
      type: "payment_refunded",
      content: {
        transaction: {
          id: refund.transactionId,
          customer_id: account.customerId,
          subscription_id: account.subscriptionId,
          type: "refund",
          date: sec(at),
          amount: refund.amount,
          status: "success",
          gateway: "stripe",
          currency_code: plan.currency,
          refunded_txn_id: refund.payment.transactionId,
          linked_credit_notes: [
            {
              cn_id: refund.creditNoteId,
              applied_amount: refund.amount,
              cn_reference_invoice_id: refund.payment.invoiceId,
            },
          ],
          object: "transaction",
        },
        credit_note: {
          id: refund.creditNoteId,
          customer_id: account.customerId,
          subscription_id: account.subscriptionId,
          reference_invoice_id: refund.payment.invoiceId,
          type: "refundable",
          reason_code: refund.full ? "order_cancellation" : "product_unsatisfactory",
          status: "refunded",
          date: sec(at),
          total: refund.amount,
          amount_refunded: refund.amount,
          currency_code: plan.currency,
          object: "credit_note",
        },
        customer: customerRef(),
      },
    }),
    cancelled: (at) => ({
      type: "subscription_cancelled",
      content: {
        subscription: {
          id: account.subscriptionId,
          customer_id: account.customerId,
          status: "cancelled",
          currency_code: plan.currency,
          created_at: sec(createdAt),
          cancelled_at: sec(at),
          cancel_reason: "not_paid",
          mrr: 0,
          resource_version: account.resourceVersion(at),
          object: "subscription",
        },
        customer: customerRef(),
      },
    }),
  };
}
