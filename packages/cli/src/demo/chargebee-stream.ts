/**
 * The demo's Chargebee webhook stream: for each visitor who checks out, the events a Chargebee site
 * sends (shapes of `shared/specs/chargebee.md` and the real fixtures of `@revtrace/chargebee`):
 * `subscription_created` (in trial or active), `subscription_activated` when a trial converts,
 * `payment_succeeded` (first invoice, then renewals), `subscription_renewed`, a partial and a full
 * `payment_refunded`, `subscription_cancelled`. Amounts are in minor units per currency (JPY has none).
 * Deliveries are then made realistic: some late (out of order), some twice (duplicates).
 *
 * @module
 */

import type { SeededRandom as Random } from "@revtrace/core";
import { DAY, HOUR, type Visitor } from "./visitors.js";

export interface Plan {
  id: string;
  currency: "USD" | "EUR" | "JPY";
  /** Minor units per month. */
  price: number;
}

export const PLANS: readonly Plan[] = [
  { id: "pro-USD-monthly", currency: "USD", price: 4900 },
  { id: "team-USD-monthly", currency: "USD", price: 9900 },
  { id: "pro-EUR-monthly", currency: "EUR", price: 3900 },
  { id: "pro-JPY-monthly", currency: "JPY", price: 4900 },
];

/** One webhook delivery: the body, and when (simulated) Chargebee posts it. */
export interface Delivery {
  at: number;
  eventId: string;
  eventType: string;
  body: string;
  duplicate: boolean;
}

export interface Customer {
  visitor: Visitor;
  customerId: string;
  subscriptionId: string;
  plan: Plan;
  trial: boolean;
  /** Payment times and ids, in order. */
  payments: { at: number; transactionId: string; invoiceId: string; amount: number }[];
}

/** What the stream holds, for the demo's checks. */
export interface ChargebeeStream {
  customers: Customer[];
  deliveries: Delivery[];
  /** Distinct events (not counting duplicate deliveries). */
  events: number;
  refunds: { partial: string; full: string };
  cancellations: string[];
}

const sec = (ms: number) => Math.floor(ms / 1000);

export function chargebeeStream(
  random: Random,
  visitors: readonly Visitor[],
  end: number,
  payoutAt: number,
): ChargebeeStream {
  const deliveries: Omit<Delivery, "duplicate">[] = [];
  const customers: Customer[] = [];
  let version = 0;
  const emit = (at: number, id: string, type: string, content: Record<string, unknown>) => {
    deliveries.push({
      at,
      eventId: id,
      eventType: type,
      body: JSON.stringify({
        id,
        occurred_at: sec(at),
        source: type.startsWith("payment") ? "system" : "hosted_page",
        object: "event",
        api_version: "v2",
        content,
        event_type: type,
        webhook_status: "scheduled",
      }),
    });
  };

  for (const visitor of visitors) {
    if (
      visitor.checkoutAt === null ||
      visitor.email === null ||
      visitor.checkoutAt > end - 2 * HOUR
    )
      continue;
    const n = String(visitor.n).padStart(3, "0");
    const roll = random.next();
    const plan = (
      roll < 0.45 ? PLANS[0] : roll < 0.7 ? PLANS[1] : roll < 0.88 ? PLANS[2] : PLANS[3]
    ) as Plan;
    const customer: Customer = {
      visitor,
      customerId: `cus_demo_${n}`,
      subscriptionId: `sub_demo_${n}`,
      plan,
      trial: random.chance(0.5),
      payments: [],
    };
    customers.push(customer);
    const created = visitor.checkoutAt;
    const activated = customer.trial ? created + 7 * DAY : created;
    const [first, ...last] = visitor.email.split("@")[0]?.split("-") ?? ["Demo"];
    const customerJson = (at: number) => ({
      id: customer.customerId,
      email: visitor.email,
      first_name: `${first?.[0]?.toUpperCase()}${first?.slice(1)}`,
      last_name: last.join(" ") || "Demo",
      created_at: sec(created),
      resource_version: at + ++version,
      deleted: false,
      pii_cleared: "active",
      object: "customer",
      preferred_currency_code: plan.currency,
    });
    const subscriptionJson = (at: number, status: string, extra: Record<string, unknown> = {}) => ({
      id: customer.subscriptionId,
      customer_id: customer.customerId,
      status,
      currency_code: plan.currency,
      billing_period: 1,
      billing_period_unit: "month",
      created_at: sec(created),
      started_at: sec(created),
      ...(customer.trial ? { trial_start: sec(created), trial_end: sec(created + 7 * DAY) } : {}),
      ...(status !== "in_trial" ? { activated_at: sec(activated) } : {}),
      mrr: status === "active" ? plan.price : 0,
      resource_version: at + ++version,
      ...(visitor.clickId ? { cf_click_id: visitor.clickId } : {}),
      ...(visitor.partner ? { meta_data: { affiliate_ref: visitor.partner } } : {}),
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
    const invoiceJson = (at: number, id: string, firstInvoice: boolean) => ({
      id,
      customer_id: customer.customerId,
      subscription_id: customer.subscriptionId,
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
    const pay = (at: number, k: number) => {
      const invoiceId = `inv_demo_${n}_${k}`;
      const transactionId = `txn_demo_${n}_${k}`;
      customer.payments.push({ at, transactionId, invoiceId, amount: plan.price });
      emit(at, `ev_demo_${n}_paid_${k}`, "payment_succeeded", {
        transaction: {
          id: transactionId,
          customer_id: customer.customerId,
          subscription_id: customer.subscriptionId,
          payment_method: "card",
          gateway: "stripe",
          type: "payment",
          date: sec(at),
          amount: plan.price,
          status: "success",
          currency_code: plan.currency,
          object: "transaction",
          linked_invoices: [{ invoice_id: invoiceId, applied_amount: plan.price }],
        },
        invoice: invoiceJson(at, invoiceId, k === 1),
        customer: customerJson(at),
        subscription: subscriptionJson(at, "active"),
      });
    };

    emit(created, `ev_demo_${n}_created`, "subscription_created", {
      subscription: subscriptionJson(created, customer.trial ? "in_trial" : "active"),
      customer: customerJson(created),
    });
    if (activated > end) continue; // still in trial
    if (customer.trial) {
      emit(activated, `ev_demo_${n}_activated`, "subscription_activated", {
        subscription: subscriptionJson(activated, "active"),
        customer: customerJson(activated),
        invoice: invoiceJson(activated, `inv_demo_${n}_1`, true),
      });
    }
    pay(activated + 60_000, 1);
    for (let k = 2, at = activated + 30 * DAY; at < end; k++, at += 30 * DAY) {
      emit(at, `ev_demo_${n}_renewed_${k}`, "subscription_renewed", {
        subscription: subscriptionJson(at, "active", {
          current_term_start: sec(at),
          current_term_end: sec(at + 30 * DAY),
        }),
        customer: customerJson(at),
        invoice: invoiceJson(at, `inv_demo_${n}_${k}`, false),
      });
      pay(at + 60_000, k);
    }
  }

  const refund = (customer: Customer, at: number, amount: number, tag: string) => {
    const payment = customer.payments[0];
    if (!payment) throw new Error("a refunded customer needs a payment");
    const n = customer.subscriptionId.slice("sub_demo_".length);
    const id = `ev_demo_${n}_refund_${tag}`;
    emit(at, id, "payment_refunded", {
      transaction: {
        id: `txn_demo_${n}_refund_${tag}`,
        customer_id: customer.customerId,
        subscription_id: customer.subscriptionId,
        type: "refund",
        date: sec(at),
        amount,
        status: "success",
        gateway: "stripe",
        currency_code: customer.plan.currency,
        refunded_txn_id: payment.transactionId,
        linked_credit_notes: [
          {
            cn_id: `CN-${n}-${tag}`,
            applied_amount: amount,
            cn_reference_invoice_id: payment.invoiceId,
          },
        ],
        object: "transaction",
      },
      credit_note: {
        id: `CN-${n}-${tag}`,
        customer_id: customer.customerId,
        subscription_id: customer.subscriptionId,
        reference_invoice_id: payment.invoiceId,
        type: "refundable",
        reason_code: tag === "full" ? "order_cancellation" : "product_unsatisfactory",
        status: "refunded",
        date: sec(at),
        total: amount,
        amount_refunded: amount,
        currency_code: customer.plan.currency,
        object: "credit_note",
      },
      customer: { id: customer.customerId, email: customer.visitor.email, object: "customer" },
    });
    return id;
  };
  const cancel = (customer: Customer, at: number) => {
    const n = customer.subscriptionId.slice("sub_demo_".length);
    const id = `ev_demo_${n}_cancelled`;
    emit(at, id, "subscription_cancelled", {
      subscription: {
        id: customer.subscriptionId,
        customer_id: customer.customerId,
        status: "cancelled",
        currency_code: customer.plan.currency,
        created_at: sec(customer.visitor.checkoutAt ?? at),
        cancelled_at: sec(at),
        cancel_reason: "not_paid",
        mrr: 0,
        resource_version: at + ++version,
        object: "subscription",
      },
      customer: { id: customer.customerId, email: customer.visitor.email, object: "customer" },
    });
    return id;
  };

  const paid = customers.filter((c) => c.payments.length > 0);
  // A partial refund after the partners' payout of a commission already paid: a clawback.
  const early = paid.find(
    (c) => c.visitor.partner && (c.payments[0]?.at ?? end) < payoutAt - 14 * DAY,
  );
  // A full refund of a recent affiliate payment, still in its hold: the commission is reversed.
  const late = [...paid].reverse().find((c) => c.visitor.partner && c !== early);
  if (!early || !late) throw new Error("the simulation produced too few affiliate customers");
  const partialId = refund(
    early,
    payoutAt + 2 * DAY,
    Math.round(early.plan.price * 0.4),
    "partial",
  );
  const fullId = refund(
    late,
    Math.min(end - HOUR, (late.payments[0]?.at ?? end) + DAY),
    late.plan.price,
    "full",
  );
  const cancellations = [
    cancel(late, Math.min(end - 30 * 60_000, (late.payments[0]?.at ?? end) + DAY + HOUR)),
  ];
  const other = paid.find((c) => c !== early && c !== late && !c.visitor.partner);
  if (other) cancellations.push(cancel(other, end - 3 * HOUR));

  // Realistic delivery: a few minutes after the event, some hours late (out of order), some twice.
  const out: Delivery[] = [];
  for (const d of deliveries) {
    const late = random.chance(0.12) ? random.int(1, 6) * HOUR : 0;
    const at = Math.min(end, d.at + random.int(1, 240) * 1000 + late);
    out.push({ ...d, at, duplicate: false });
    if (random.chance(0.08))
      out.push({ ...d, at: Math.min(end, at + random.int(1, 90) * 60_000), duplicate: true });
  }
  out.sort((a, b) => a.at - b.at);
  return {
    customers,
    deliveries: out,
    events: deliveries.length,
    refunds: { partial: partialId, full: fullId },
    cancellations,
  };
}
