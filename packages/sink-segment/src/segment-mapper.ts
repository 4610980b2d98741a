/**
 * Conversion → Segment `identify` and `track` messages, as pure functions. Section numbers refer to
 * shared/specs/segment-http-api.md; the Retention layout follows shared/seeds/003 (Chargebee
 * Retention's own Segment integration), so someone switching from it sees the same data.
 *
 * @module
 */
import { createHash } from "node:crypto";
import {
  type BillingEvent,
  type BillingSubscription,
  type Conversion,
  type ConversionName,
  currentStateOf,
  exactMajorNumber,
  type Money,
  type RetentionEvent,
  type Touchpoint,
} from "@revtrace/core";
import {
  SEGMENT_MAX_MESSAGE_ID_LENGTH,
  type SegmentCampaign,
  type SegmentContext,
  type SegmentIdentify,
  type SegmentMessage,
  type SegmentTrack,
} from "./segment-api-types.js";
import {
  SEGMENT_IDENTIFY_CONVERSIONS,
  SEGMENT_RETENTION_OWN_NAME,
  type SegmentMapperSettings,
  segmentUserId,
} from "./segment-settings.js";
import { VERSION } from "./version.js";

/** The mapping of one conversion: its messages (identify first), or a reason not to send any. */
export type SegmentMapResult =
  | { kind: "messages"; messages: SegmentMessage[] }
  | { kind: "skip"; reason: string };

const LIBRARY = { name: "@revtrace/sink-segment", version: VERSION } as const;

/**
 * The `messageId` of one call of a conversion: `<conversion id>:<call>`, deterministic so Segment's
 * dedupe absorbs duplicates and retries (spec §6). Over 100 characters (spec §3.1) it becomes
 * `rt_` + the base64url SHA-256 of that string.
 */
export function segmentMessageId(conversionId: string, call: "identify" | "track"): string {
  const id = `${conversionId}:${call}`;
  if (id.length <= SEGMENT_MAX_MESSAGE_ID_LENGTH) return id;
  return `rt_${createHash("sha256").update(id).digest("base64url")}`;
}

const iso = (ms: number | null | undefined): string | undefined =>
  ms === null || ms === undefined ? undefined : new Date(ms).toISOString();

/**
 * Money as a JSON number of major units (spec §7.1: `total`, `revenue`, `price` are numbers), only
 * when that number is the amount exactly; else a `MoneyError` (the conversion is then rejected
 * rather than sent with a rounded amount).
 */
function major(money: Money | null | undefined): number | undefined {
  if (!money) return undefined;
  return exactMajorNumber(money, "amount");
}

/** Drops `undefined` and `null` values (Segment treats a sent `null` as "clear this trait"). */
function compact<T extends Record<string, unknown>>(value: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined && field !== null) out[key] = field;
  }
  return out as Partial<T>;
}

/** The touchpoint the conversion is credited to: first-touch's, else the first credit's. */
export function creditedTouchpoint(conversion: Conversion): Touchpoint | undefined {
  const credits = conversion.credits;
  return (credits.find((c) => c.model === "first_touch") ?? credits[0])?.touchpoint;
}

/** `context.campaign` from a touchpoint: its UTM parameters, then each click id by name (spec §3.3). */
export function campaignOf(touchpoint: Touchpoint | undefined): SegmentCampaign | undefined {
  if (!touchpoint) return undefined;
  const { source, medium, campaign, term, content } = touchpoint.utm;
  const out: SegmentCampaign = compact({ name: campaign, source, medium, term, content });
  for (const [name, value] of Object.entries(touchpoint.clickIds)) {
    if (typeof value === "string" && value !== "") out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** First-touch attribution as traits: source, medium, campaign and click id (`first_touch_*`). */
function attributionTraits(conversion: Conversion): Record<string, unknown> {
  const first = conversion.credits.find((c) => c.model === "first_touch")?.touchpoint;
  if (!first) return {};
  const clickId = Object.values(first.clickIds).find((v) => typeof v === "string" && v !== "");
  return compact({
    first_touch_source: first.utm.source,
    first_touch_medium: first.utm.medium,
    first_touch_campaign: first.utm.campaign,
    first_touch_channel: first.channel,
    first_touch_click_id: clickId,
    first_touch_landing_page: first.landingPage,
    first_touch_referrer: first.referrer,
  });
}

/** True when Chargebee cleared the customer's personal data: no personal trait may be sent. */
function piiCleared(event: BillingEvent | null): boolean {
  return event?.customer?.piiCleared === "cleared";
}

/** The subscription's MRR, when Chargebee gave one (it often sends 0 right at creation). */
function mrrOf(subscription: BillingSubscription | null | undefined): Money | null {
  const mrr = subscription?.mrr ?? null;
  return mrr && mrr.amount > 0 ? mrr : null;
}

/**
 * The identify traits of a billing or lead conversion: Segment's reserved traits (spec §7.3) from the
 * contact and the Chargebee customer, then plan, subscription status, MRR and first-touch attribution.
 * Personal traits are left out when the customer's PII was cleared, and the state of a resource the
 * event carries an outdated copy of (`Conversion.staleState`, a late event) is not sent.
 */
export function customerTraits(conversion: Conversion): Record<string, unknown> {
  const event = conversion.billingEvent;
  // A late event's outdated customer or subscription state is not sent as current traits.
  const { customer, subscription } = currentStateOf(conversion);
  const mrr = mrrOf(subscription);
  const business = compact({
    chargebee_customer_id: event?.customer?.id,
    plan: subscription?.planId,
    subscription_status: subscription?.status,
    mrr: major(mrr),
    mrr_currency: mrr?.currency,
    ...attributionTraits(conversion),
  });
  if (piiCleared(event) || conversion.staleState?.includes("customer")) return business;
  const { contact } = conversion;
  const address = customer?.billingAddress;
  const street = address
    ? [address.line1, address.line2, address.line3].filter(Boolean).join(", ")
    : "";
  const postal = address
    ? compact({
        street: street || undefined,
        city: address.city,
        state: address.state,
        postalCode: address.zip,
        country: address.country,
      })
    : {};
  const company = contact.company ?? customer?.company;
  return {
    ...compact({
      email: contact.email ?? customer?.email,
      phone: contact.phone ?? customer?.phone,
      firstName: contact.firstName ?? customer?.firstName,
      lastName: contact.lastName ?? customer?.lastName,
      company: company ? { name: company } : undefined,
      address: Object.keys(postal).length > 0 ? postal : undefined,
      createdAt: iso(customer?.createdAt),
    }),
    ...business,
  };
}

/** Line items as Segment `products` (spec §7.1). */
function products(subscription: BillingSubscription | null | undefined) {
  return (subscription?.items ?? []).map((item) =>
    compact({
      product_id: item.id,
      sku: item.id,
      name: item.id,
      category: item.type,
      price: major(item.unitPrice),
      quantity: item.quantity,
    }),
  );
}

function subscriptionProperties(subscription: BillingSubscription | null | undefined) {
  if (!subscription) return {};
  const mrr = mrrOf(subscription);
  return compact({
    subscription_id: subscription.id,
    plan: subscription.planId,
    status: subscription.status,
    mrr: major(mrr),
    currency: mrr?.currency ?? subscription.currency,
    billing_period: subscription.billingPeriod,
    billing_period_unit: subscription.billingPeriodUnit,
    trial_end: iso(subscription.trialEnd),
    next_billing_at: iso(subscription.nextBillingAt),
    current_term_end: iso(subscription.currentTermEnd),
  });
}

/** The properties of the track call of a billing conversion (spec §7.1–7.2 where Segment has names). */
export function trackProperties(conversion: Conversion): Record<string, unknown> {
  const event = conversion.billingEvent;
  const subscription = event?.subscription;
  switch (conversion.name) {
    case "first_payment":
    case "recurring_payment": {
      const payment = event?.payment;
      const value = conversion.value ?? payment?.amount ?? null;
      return compact({
        order_id: payment?.invoiceId ?? event?.invoice?.id ?? payment?.transactionId,
        transaction_id: payment?.transactionId,
        subscription_id: payment?.subscriptionId ?? subscription?.id,
        total: major(value),
        revenue: major(value),
        currency: value?.currency,
        first_payment: conversion.name === "first_payment",
        products: subscription ? products(subscription) : undefined,
      });
    }
    case "refund": {
      const refund = event?.refund;
      const amount = refund?.amount ?? conversion.value;
      return compact({
        order_id: refund?.invoiceId ?? event?.invoice?.id ?? refund?.refundedTransactionId,
        transaction_id: refund?.transactionId,
        refunded_transaction_id: refund?.refundedTransactionId,
        subscription_id: refund?.subscriptionId ?? subscription?.id,
        total: amount ? Math.abs(major(amount) as number) : undefined,
        currency: amount?.currency,
        type: refund?.transactionType,
      });
    }
    case "trial_started":
    case "trial_converted":
      return compact({
        trial_start_date: iso(subscription?.trialStart),
        trial_end_date: iso(subscription?.trialEnd),
        trial_plan_name: subscription?.planId,
        subscription_id: subscription?.id,
      });
    case "payment_failed": {
      // No money was collected: the amount is what is still due (Chargebee spec §4.4).
      const failed = event?.failedPayment;
      const due = failed?.amountDue ?? failed?.attemptedAmount ?? null;
      return compact({
        invoice_id: failed?.invoiceId ?? event?.invoice?.id,
        transaction_id: failed?.transactionId,
        subscription_id: failed?.subscriptionId ?? subscription?.id,
        amount_due: major(due),
        currency: due?.currency,
        dunning_status: failed?.dunningStatus,
        next_retry_at: iso(failed?.nextRetryAt),
        error_code: failed?.errorCode,
      });
    }
    case "subscription_cancelled":
      return compact({
        ...subscriptionProperties(subscription),
        cancelled_at: iso(subscription?.cancelledAt),
        cancel_reason: subscription?.cancelReason,
        cancel_reason_code: subscription?.cancelReasonCode,
      });
    case "customer_deleted":
      return compact({ customer_id: event?.customer?.id });
    default:
      return subscriptionProperties(subscription);
  }
}

/** The identify traits Retention sends with `page_loaded`: its `field.cancel.*` properties (seed 003). */
export function retentionTraits(event: RetentionEvent): Record<string, unknown> {
  if (event.call === "identify") return { ...event.traits };
  const traits: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.properties)) {
    if (key.startsWith("field.cancel.")) traits[key.slice("field.".length)] = value;
  }
  for (const key of ["user_cookie", "user_id"]) {
    if (key in event.properties) traits[key] = event.properties[key];
  }
  return traits;
}

function base(
  conversion: Conversion,
  call: "identify" | "track",
  ids: { userId: string | undefined; anonymousId: string | undefined },
  context: SegmentContext,
) {
  return {
    messageId: segmentMessageId(conversion.id, call),
    timestamp: new Date(conversion.occurredAt).toISOString(),
    ...(ids.userId !== undefined ? { userId: ids.userId } : {}),
    ...(ids.anonymousId !== undefined ? { anonymousId: ids.anonymousId } : {}),
    context,
  };
}

/** A Retention event: its track (or identify) exactly as Retention lays it out (seed 003). */
function mapRetention(
  conversion: Conversion,
  event: RetentionEvent,
  ids: { userId: string | undefined; anonymousId: string | undefined },
  eventName: string,
): SegmentMessage[] {
  const context: SegmentContext = { library: LIBRARY };
  const messages: SegmentMessage[] = [];
  if (event.call === "identify" || event.type === "page_loaded") {
    messages.push({
      type: "identify",
      ...base(conversion, "identify", ids, context),
      traits: retentionTraits(event),
    });
  }
  if (event.call === "track") {
    messages.push({
      type: "track",
      ...base(conversion, "track", ids, context),
      event: eventName,
      // Under a custom name, the Retention event's own name is kept as a property.
      properties:
        eventName === event.type
          ? { ...event.properties }
          : { ...event.properties, retention_event: event.type },
    });
  }
  return messages;
}

/**
 * Maps one conversion to its Segment messages: an `identify` (customer changes, leads, and every
 * lifecycle event when `identifyWithEvents`) then a `track` when its name has an event. Skips a
 * conversion with neither a `userId` nor an `anonymousId` (Segment drops such messages after a 200,
 * spec §3.1) and one that maps to no message.
 */
export function mapConversion(
  conversion: Conversion,
  settings: SegmentMapperSettings,
): SegmentMapResult {
  const retention = conversion.retentionEvent;
  const touchpoint = creditedTouchpoint(conversion);
  const ids = {
    userId: segmentUserId(conversion, settings.userId),
    anonymousId:
      conversion.anonymousId ?? retention?.userId ?? touchpoint?.anonymousId ?? undefined,
  };
  if (ids.userId === undefined && ids.anonymousId === undefined) {
    return { kind: "skip", reason: "no userId or anonymousId (Segment drops such messages)" };
  }
  if (retention) {
    const named = settings.events.retention;
    if (named === null) {
      return { kind: "skip", reason: "Retention events are turned off (events.retention: false)" };
    }
    const eventName = named === SEGMENT_RETENTION_OWN_NAME ? retention.type : named;
    return { kind: "messages", messages: mapRetention(conversion, retention, ids, eventName) };
  }

  const name: ConversionName = conversion.name;
  const eventName = settings.events[name];
  const identifyOnly = SEGMENT_IDENTIFY_CONVERSIONS.includes(name);
  const messages: SegmentMessage[] = [];
  const traits = customerTraits(conversion);
  const customerId = conversion.billingEvent?.customer?.id;
  if ((identifyOnly || settings.identifyWithEvents) && name !== "customer_deleted") {
    const identify: SegmentIdentify = {
      type: "identify",
      ...base(conversion, "identify", ids, { library: LIBRARY }),
      traits,
    };
    messages.push(identify);
  }
  if (eventName) {
    const context: SegmentContext = { library: LIBRARY };
    const campaign = campaignOf(touchpoint);
    if (campaign) context.campaign = campaign;
    if (customerId) context.groupId = customerId;
    const contactTraits = compact({ email: traits.email, phone: traits.phone });
    if (Object.keys(contactTraits).length > 0) context.traits = contactTraits;
    const track: SegmentTrack = {
      type: "track",
      ...base(conversion, "track", ids, context),
      event: eventName,
      properties: trackProperties(conversion),
    };
    messages.push(track);
  }
  if (messages.length === 0) {
    return { kind: "skip", reason: `no Segment call is mapped to ${name}` };
  }
  return { kind: "messages", messages };
}
