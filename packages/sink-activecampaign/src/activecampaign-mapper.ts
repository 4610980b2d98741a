/**
 * Chargebee data → ActiveCampaign payloads, as pure functions: contact fields (never an empty string,
 * spec §2), lifecycle state tags, Deep Data orders in cents with the Chargebee transaction id as
 * `externalid` (spec §6), and refunds recorded on the original order. Section numbers refer to
 * shared/specs/activecampaign.md.
 *
 * @module
 */
import {
  type BillingCustomer,
  type BillingEvent,
  type BillingSubscription,
  type Conversion,
  type Money,
  type Touchpoint,
  toMajor,
} from "@revtrace/core";
import { normalizeEmail } from "@revtrace/identity";
import type {
  ActiveCampaignOrder,
  ContactSyncBody,
  EcomOrderBody,
  OrderProductInput,
} from "./activecampaign-api-types.js";
import type { LifecycleState, MappedField } from "./activecampaign-settings.js";

/** What a field's value is read from. */
export interface FieldContext {
  customer: BillingCustomer | null;
  subscription: BillingSubscription | null;
  /** The first-touch credited touchpoint (the conversion's `first_touch` credit), if any. */
  firstTouch: Touchpoint | null;
  /** The conversion being delivered (`null` during initial/full sync). */
  conversion: Conversion | null;
}

/** The person to upsert: a normalized email plus what Chargebee knows. */
export interface ContactInput {
  email: string;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
}

/** A contact to sync, or why it cannot be. */
export type ContactPlan =
  | { kind: "contact"; contact: ContactInput; values: ReadonlyMap<string, string> }
  | { kind: "skip"; reason: string };

/** A date field's value: `YYYY-MM-DD` in UTC (spec §3 value encoding). */
export function formatDate(epochMs: number | null | undefined): string | null {
  if (epochMs === null || epochMs === undefined || !Number.isFinite(epochMs)) return null;
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** A non-empty trimmed string, or `null` (blank values are never sent: spec §2 pitfall). */
export function present(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const text = String(value).trim();
  return text === "" ? null : text;
}

/** The touchpoint of the conversion's `first_touch` credit (the attribution fields Able writes). */
export function firstTouchOf(conversion: Conversion | null): Touchpoint | null {
  if (!conversion) return null;
  const credits = conversion.credits.filter((credit) => credit.model === "first_touch");
  if (credits.length === 0) return null;
  return [...credits].sort((a, b) => a.touchpoint.occurredAt - b.touchpoint.occurredAt)[0]
    ?.touchpoint as Touchpoint;
}

/** The click id of a touchpoint: ad click ids first, then the affiliate's. */
export function clickIdOf(touchpoint: Touchpoint): string | null {
  const ids = touchpoint.clickIds;
  return (
    ids.ttclid ??
    ids.gclid ??
    ids.fbclid ??
    ids.msclkid ??
    ids.affiliateClickId ??
    ids.affiliateRef ??
    null
  );
}

const MONTHS_PER_UNIT: Readonly<Record<string, number>> = {
  day: 12 / 365,
  week: 12 / 52,
  month: 1,
  year: 12,
};

function isMoney(value: unknown): value is Money {
  return (
    typeof value === "object" &&
    value !== null &&
    Number.isSafeInteger((value as Money).amount) &&
    typeof (value as Money).currency === "string"
  );
}

/**
 * Monthly recurring revenue of a subscription: Chargebee's own `mrr` when the normalized
 * subscription carries it, else the plan and add-on amounts per billing period turned monthly
 * (rounded to the minor unit). `null` when nothing is priced.
 */
export function mrrOf(subscription: BillingSubscription | null): Money | null {
  if (!subscription) return null;
  const given = (subscription as { mrr?: unknown }).mrr;
  if (isMoney(given)) return given;
  if (typeof given === "number" && Number.isSafeInteger(given) && subscription.currency) {
    return { amount: given, currency: subscription.currency };
  }
  if (subscription.status === "cancelled") return null;
  const recurring = subscription.items.filter((item) => item.type !== "charge" && item.amount);
  const first = recurring[0]?.amount;
  if (!first) return null;
  const unit = subscription.billingPeriodUnit ?? "month";
  const perMonth = MONTHS_PER_UNIT[unit];
  const period = subscription.billingPeriod ?? 1;
  if (perMonth === undefined || period <= 0) return null;
  let total = 0;
  for (const item of recurring) {
    if (item.amount?.currency !== first.currency) return null;
    total += item.amount.amount;
  }
  return { amount: Math.round(total / (period * perMonth)), currency: first.currency };
}

/**
 * The next billing date: the normalized subscription's `nextBillingAt`, else `currentTermEnd`
 * (read defensively: older normalized events do not carry them).
 */
export function nextBillingOf(subscription: BillingSubscription | null): number | null {
  if (!subscription || subscription.status === "cancelled") return null;
  const s = subscription as { nextBillingAt?: unknown; currentTermEnd?: unknown };
  for (const value of [s.nextBillingAt, s.currentTermEnd]) {
    if (typeof value === "number" && Number.isFinite(value)) return value;
  }
  return null;
}

function customFieldOf(context: FieldContext, name: string): string | null {
  return present(
    context.subscription?.customFields[name] ?? context.customer?.customFields[name] ?? null,
  );
}

/** The value of one mapped field, or `null` when there is none (the field is then not sent). */
export function fieldValue(field: MappedField, context: FieldContext): string | null {
  const { customer, subscription, firstTouch } = context;
  if (field.key === "extra") {
    if (typeof field.source === "function") return present(field.source(context));
    return typeof field.source === "string" ? customFieldOf(context, field.source) : null;
  }
  const address = customer?.billingAddress ?? null;
  switch (field.key) {
    case "customerId":
      return present(customer?.id);
    case "company":
      return present(customer?.company ?? address?.company);
    case "createdAt":
      return formatDate(customer?.createdAt);
    case "billingCountry":
      return present(address?.country);
    case "billingCity":
      return present(address?.city);
    case "locale":
      return present(customer?.locale);
    case "subscriptionId":
      return present(subscription?.id);
    case "plan":
      return present(subscription?.planId);
    case "subscriptionStatus":
      return present(subscription?.status);
    case "mrr": {
      const mrr = mrrOf(subscription);
      return mrr ? toMajor(mrr) : null;
    }
    case "currency":
      return present(subscription?.currency ?? mrrOf(subscription)?.currency);
    case "billingPeriod":
      return subscription?.billingPeriod && subscription.billingPeriodUnit
        ? `${subscription.billingPeriod} ${subscription.billingPeriodUnit}`
        : null;
    case "trialEnd":
      return formatDate(subscription?.trialEnd);
    case "nextBillingAt":
      return formatDate(nextBillingOf(subscription));
    case "activatedAt":
      return formatDate(subscription?.activatedAt ?? subscription?.startedAt);
    case "cancelledAt":
      return formatDate(subscription?.cancelledAt);
    case "firstTouchSource":
      return present(firstTouch?.utm.source);
    case "firstTouchMedium":
      return present(firstTouch?.utm.medium);
    case "firstTouchCampaign":
      return present(firstTouch?.utm.campaign);
    case "firstTouchLandingPage":
      return present(firstTouch?.landingPage);
    case "firstTouchReferrer":
      return present(firstTouch?.referrer);
    case "firstTouchClickId":
      return firstTouch ? clickIdOf(firstTouch) : null;
  }
}

/**
 * The contact of a conversion whose customer state is outdated (a late event): its email only, so
 * the contact is found (or made) without the old names and phone overwriting newer ones.
 */
export function emailOnly(contact: Conversion["contact"]): Conversion["contact"] {
  return { ...contact, firstName: null, lastName: null, phone: null, company: null };
}

/**
 * The contact to upsert for a customer: `skip` without a usable email (ActiveCampaign keys contacts
 * by email, spec §2) or when Chargebee cleared the customer's personal data. Field values are keyed
 * by perstag; blank ones are left out.
 */
export function planContact(
  context: FieldContext,
  fields: readonly MappedField[],
  fallback?: Conversion["contact"],
): ContactPlan {
  const { customer } = context;
  if (customer?.piiCleared === "cleared") {
    return { kind: "skip", reason: "Chargebee cleared this customer's personal data" };
  }
  const raw = customer?.email ?? fallback?.email ?? null;
  const email = raw ? normalizeEmail(raw) : null;
  if (!email) return { kind: "skip", reason: "the customer has no valid email address" };
  const values = new Map<string, string>();
  for (const field of fields) {
    const value = fieldValue(field, context);
    if (value !== null) values.set(field.perstag, value);
  }
  return {
    kind: "contact",
    contact: {
      email,
      firstName: present(customer?.firstName ?? fallback?.firstName),
      lastName: present(customer?.lastName ?? fallback?.lastName),
      phone: present(customer?.phone ?? customer?.billingAddress?.phone ?? fallback?.phone),
    },
    values,
  };
}

/**
 * The `POST /contact/sync` body: only keys with a value, so nothing already stored is blanked
 * (spec §2 pitfall). Values of fields without a known id are left out.
 */
export function contactSyncBody(
  contact: ContactInput,
  values: ReadonlyMap<string, string>,
  fieldIds: ReadonlyMap<string, string>,
): ContactSyncBody {
  const body: ContactSyncBody["contact"] = { email: contact.email };
  if (contact.firstName) body.firstName = contact.firstName;
  if (contact.lastName) body.lastName = contact.lastName;
  if (contact.phone) body.phone = contact.phone;
  const fieldValues = [...values]
    .filter(([perstag]) => fieldIds.has(perstag))
    .map(([perstag, value]) => ({ field: fieldIds.get(perstag) as string, value }));
  if (fieldValues.length > 0) body.fieldValues = fieldValues;
  return { contact: body };
}

/** The lifecycle state of a subscription status (Chargebee statuses, spec §5 "state transitions"). */
export function lifecycleState(subscription: BillingSubscription | null): LifecycleState | null {
  switch (subscription?.status) {
    case "future":
      return "future";
    case "in_trial":
      return "trial";
    case "active":
      return "active";
    case "non_renewing":
      return "non-renewing";
    case "paused":
      return "paused";
    case "cancelled":
      return "cancelled";
    default:
      return null;
  }
}

/** The tag of a lifecycle state: `chargebee:active`. */
export function lifecycleTag(prefix: string, state: LifecycleState): string {
  return `${prefix}${state}`;
}

/**
 * A customer who bought a gift subscription for someone else: a Chargebee `gift_*` event (the gift's
 * subscription belongs to the recipient), or, during a sync, a customer with no subscription of
 * their own.
 */
export function isGiftPurchase(event: BillingEvent | null, subscriptions?: readonly unknown[]) {
  if (event) return event.type.startsWith("gift_");
  return subscriptions !== undefined && subscriptions.length === 0;
}

/** An ISO-8601 timestamp with offset (spec §6 `externalCreatedDate`). */
export function isoDate(epochMs: number): string {
  return new Date(epochMs).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Whether a payment is live (`source: 1`) or historical (`source: 0`) at `now` (spec §6). */
export function orderSource(paidAt: number, now: number, maxAgeMs: number): 0 | 1 {
  return now - paidAt > maxAgeMs ? 0 : 1;
}

/** The products of an order: the subscription's plan and add-ons, else one line for the payment. */
export function orderProducts(
  amount: Money,
  subscription: BillingSubscription | null,
  fallbackId: string,
): OrderProductInput[] {
  const items = (subscription?.items ?? []).filter(
    (item) =>
      item.unitPrice && item.unitPrice.currency === amount.currency && item.unitPrice.amount >= 0,
  );
  if (items.length > 0) {
    return items.map((item) => ({
      externalid: item.id,
      name: item.id,
      price: (item.unitPrice as Money).amount,
      quantity: Math.max(1, Math.round(item.quantity)),
      category: item.type,
    }));
  }
  return [
    {
      externalid: subscription?.planId ?? fallbackId,
      name: subscription?.planId ?? "Chargebee payment",
      price: amount.amount,
      quantity: 1,
    },
  ];
}

/** An order to create for a payment, or why none is. */
export type OrderPlan =
  | { kind: "order"; email: string; externalid: string; build: (ids: OrderIds) => EcomOrderBody }
  | { kind: "skip"; reason: string };

/** The ActiveCampaign ids an order needs. */
export interface OrderIds {
  connectionId: string;
  customerId: string;
  source: 0 | 1;
}

/**
 * The Deep Data order of a payment conversion: `externalid` = the Chargebee transaction id (so one
 * payment can never become two orders), `totalPrice` in minor units (spec §6: integer cents ≥ 0).
 */
export function planOrder(conversion: Conversion): OrderPlan {
  const event = conversion.billingEvent;
  const payment = event?.payment;
  if (!event || !payment) return { kind: "skip", reason: "the conversion carries no payment" };
  if (payment.status !== null && payment.status !== "success") {
    return { kind: "skip", reason: `the payment's status is ${payment.status}` };
  }
  if (payment.amount.amount < 0) return { kind: "skip", reason: "the payment amount is negative" };
  // DESIGN §3 Privacy: Chargebee's `pii_cleared` is respected (as in planContact): no email of a
  // cleared customer reaches the ecomCustomer or the order, whatever the contact still carries.
  if (event.customer?.piiCleared === "cleared") {
    return { kind: "skip", reason: "Chargebee cleared this customer's personal data" };
  }
  const raw = event.customer?.email ?? conversion.contact.email;
  const email = raw ? normalizeEmail(raw) : null;
  if (!email) return { kind: "skip", reason: "the customer has no valid email address" };
  const externalid = payment.transactionId;
  const createdAt = payment.paidAt ?? conversion.occurredAt;
  return {
    kind: "order",
    email,
    externalid,
    build: (ids) => {
      const order: EcomOrderBody["ecomOrder"] = {
        externalid,
        source: ids.source,
        email,
        totalPrice: payment.amount.amount,
        currency: payment.amount.currency,
        connectionid: ids.connectionId,
        customerid: ids.customerId,
        externalCreatedDate: isoDate(createdAt),
        orderProducts: orderProducts(payment.amount, event.subscription, externalid),
      };
      if (payment.invoiceId) order.orderNumber = payment.invoiceId;
      return { ecomOrder: order };
    },
  };
}

/** The name of the order discount line that records one refund. */
export function refundLineName(refundTransactionId: string): string {
  return `refund ${refundTransactionId}`;
}

/** How a refund changes the original order, or why it does not. */
export type RefundPlan =
  | { kind: "update"; body: { ecomOrder: Record<string, unknown> } }
  | { kind: "already"; reason: string };

/**
 * A refund on the original order (spec §6: amounts cannot be negative, so a refund cannot be an
 * order): `totalPrice` goes down by the refund (never below 0) and the refund is kept as an order
 * discount named after its transaction, which makes applying it twice impossible.
 */
export function planRefund(
  order: ActiveCampaignOrder,
  refundTransactionId: string,
  refund: Money,
): RefundPlan {
  const name = refundLineName(refundTransactionId);
  const lines = order.orderDiscounts ?? [];
  if (lines.some((line) => line.name === name)) {
    return { kind: "already", reason: "this refund is already on the order" };
  }
  const amount = Math.abs(refund.amount);
  const taken = Math.min(amount, Math.max(0, order.totalPrice));
  return {
    kind: "update",
    body: {
      ecomOrder: {
        totalPrice: order.totalPrice - taken,
        discountAmount: order.discountAmount + taken,
        orderDiscounts: [
          ...lines.map((line) => ({
            name: line.name,
            type: line.type ?? "order",
            discountAmount: line.discountAmount,
          })),
          { name, type: "order", discountAmount: taken },
        ],
      },
    },
  };
}
