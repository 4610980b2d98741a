/**
 * The demo's Chargebee webhook stream: for each visitor who checks out, the events a Chargebee site
 * sends (shapes of `shared/specs/chargebee.md` and the real fixtures of `@revtrace/chargebee`):
 * `subscription_created` (in trial or active), `subscription_activated` when a trial converts,
 * `payment_succeeded` (first invoice, then renewals), `subscription_renewed`, a partial and a full
 * `payment_refunded`, `subscription_cancelled`. Amounts are in minor units per currency (JPY has none).
 * The bodies come from `@revtrace/sandbox`'s Chargebee builders (shared with the reliability suite).
 * Deliveries are then made realistic: some late (out of order), some twice (duplicates).
 *
 * @module
 */

import type { SeededRandom as Random } from "@revtrace/core";
import {
  type ChargebeePlan,
  type ChargebeeSubscriptionWebhooks,
  type ChargebeeWebhookContent,
  chargebeeEventBody,
  chargebeeSubscriptionWebhooks,
} from "@revtrace/sandbox";
import { DAY, HOUR, type Visitor } from "./visitors.js";

/** A monthly plan (its price in minor units per month). */
export type Plan = ChargebeePlan<"USD" | "EUR" | "JPY">;

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

export function chargebeeStream(
  random: Random,
  visitors: readonly Visitor[],
  end: number,
  payoutAt: number,
): ChargebeeStream {
  const deliveries: Omit<Delivery, "duplicate">[] = [];
  const customers: Customer[] = [];
  const webhooks = new Map<Customer, ChargebeeSubscriptionWebhooks>();
  let version = 0;
  const resourceVersion = (at: number) => at + ++version;
  const emit = (at: number, id: string, { type, content }: ChargebeeWebhookContent) => {
    deliveries.push({
      at,
      eventId: id,
      eventType: type,
      body: chargebeeEventBody(id, at, type, content),
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
    const subscription = chargebeeSubscriptionWebhooks({
      customerId: customer.customerId,
      subscriptionId: customer.subscriptionId,
      email: visitor.email,
      firstName: `${first?.[0]?.toUpperCase()}${first?.slice(1)}`,
      lastName: last.join(" ") || "Demo",
      plan,
      billingPeriodUnit: "month",
      createdAt: created,
      trial: customer.trial,
      clickId: visitor.clickId,
      affiliateRef: visitor.partner,
      resourceVersion,
    });
    webhooks.set(customer, subscription);
    const pay = (at: number, k: number) => {
      const invoiceId = `inv_demo_${n}_${k}`;
      const transactionId = `txn_demo_${n}_${k}`;
      customer.payments.push({ at, transactionId, invoiceId, amount: plan.price });
      emit(
        at,
        `ev_demo_${n}_paid_${k}`,
        subscription.paid(at, { transactionId, invoiceId, firstInvoice: k === 1 }),
      );
    };

    emit(created, `ev_demo_${n}_created`, subscription.created());
    if (activated > end) continue; // still in trial
    if (customer.trial) {
      emit(activated, `ev_demo_${n}_activated`, subscription.activated(`inv_demo_${n}_1`));
    }
    pay(activated + 60_000, 1);
    for (let k = 2, at = activated + 30 * DAY; at < end; k++, at += 30 * DAY) {
      emit(
        at,
        `ev_demo_${n}_renewed_${k}`,
        subscription.renewed(at, at + 30 * DAY, `inv_demo_${n}_${k}`),
      );
      pay(at + 60_000, k);
    }
  }

  const refund = (customer: Customer, at: number, amount: number, tag: string) => {
    const payment = customer.payments[0];
    if (!payment) throw new Error("a refunded customer needs a payment");
    const n = customer.subscriptionId.slice("sub_demo_".length);
    const id = `ev_demo_${n}_refund_${tag}`;
    emit(
      at,
      id,
      (webhooks.get(customer) as ChargebeeSubscriptionWebhooks).refunded(at, {
        transactionId: `txn_demo_${n}_refund_${tag}`,
        creditNoteId: `CN-${n}-${tag}`,
        amount,
        full: tag === "full",
        payment,
      }),
    );
    return id;
  };
  const cancel = (customer: Customer, at: number) => {
    const n = customer.subscriptionId.slice("sub_demo_".length);
    const id = `ev_demo_${n}_cancelled`;
    emit(at, id, (webhooks.get(customer) as ChargebeeSubscriptionWebhooks).cancelled(at));
    return id;
  };

  const paid = customers.filter((c) => c.payments.length > 0);
  // A partial refund after the partners' payout of a commission already paid: a clawback. (With
  // few visitors there may be no such affiliate customer: then any early payer's refund, no clawback.)
  const early =
    paid.find((c) => c.visitor.partner && (c.payments[0]?.at ?? end) < payoutAt - 14 * DAY) ??
    paid[0];
  // A full refund of a recent affiliate payment, still in its hold: the commission is reversed.
  const late =
    [...paid].reverse().find((c) => c.visitor.partner && c !== early) ??
    [...paid].reverse().find((c) => c !== early);
  if (!early || !late) {
    throw new Error(
      `the simulation produced ${paid.length} paying customer(s), too few for the demo's refunds: run it with more --visitors`,
    );
  }
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
