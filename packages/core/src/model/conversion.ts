/**
 * Conversion: the one delivery unit every sink consumes. A conversion is one *meaning* of one source
 * event (a Chargebee webhook, a Chargebee Retention event, or a tracker lead), tied to the resolved
 * person and contact, with the attribution credits where they apply. One source event can carry
 * several meanings (a `subscription_created` in trial is `subscription_created` and `trial_started`);
 * each is its own conversion with its own deterministic id, from which every sink derives its own
 * dedupe key (TikTok `event_id`, Segment `messageId`, ActiveCampaign order `externalid`, …).
 *
 * @module
 */
import { z } from "zod";
import { MoneySchema } from "../money/money.js";
import { type BillingEvent, BillingEventSchema } from "./billing-event.js";
import { IdentityKeySchema } from "./identity-key.js";
import { personal } from "./personal-data.js";
import { RetentionEventSchema } from "./retention-event.js";
import { TouchpointSchema } from "./touchpoint.js";

/** What happened, in destination-neutral words. The one list every sink and the pipeline use. */
export const ConversionNameSchema = z.enum([
  /** A lead form or identify call from the tracker. */
  "lead",
  /** A subscription was created (any status). */
  "subscription_created",
  /** A trial started. */
  "trial_started",
  /** A trial converted to paid (the trial ended with an activation). */
  "trial_converted",
  /** A subscription's plan, quantity or price changed. */
  "subscription_changed",
  /** A subscription renewed for a new term. */
  "subscription_renewed",
  /** A subscription ended (cancelled or deleted). */
  "subscription_cancelled",
  /** A cancelled subscription became active again. */
  "subscription_reactivated",
  /** The first successful payment of a subscription or customer. */
  "first_payment",
  /** A later successful payment (renewal, one-off). */
  "recurring_payment",
  /** A payment attempt failed: no money was collected (`billingEvent.failedPayment` has the dunning state). */
  "payment_failed",
  /** Money went back to the customer (a refund or a payment reversal). */
  "refund",
  /** A customer record was created. */
  "customer_created",
  /** A customer record changed. */
  "customer_updated",
  /** A customer record was deleted. */
  "customer_deleted",
  /** A Chargebee Retention event (`retentionEvent` has it). */
  "retention",
]);
export type ConversionName = z.infer<typeof ConversionNameSchema>;

/** Every conversion name, in the order of {@link ConversionNameSchema}. */
export const CONVERSION_NAMES: readonly ConversionName[] = ConversionNameSchema.options;

/** The names that move money: their `value` is set (negative for a refund). */
export const REVENUE_CONVERSION_NAMES: readonly ConversionName[] = [
  "first_payment",
  "recurring_payment",
  "refund",
];

/** Where a conversion came from. */
export const ConversionSourceSchema = z.enum([
  /** A Chargebee webhook event (`billingEvent` is set). */
  "chargebee",
  /** A Chargebee Retention event (`retentionEvent` is set). */
  "retention",
  /** The browser tracker or the collect endpoint (a lead; no source event object). */
  "tracker",
]);
export type ConversionSource = z.infer<typeof ConversionSourceSchema>;

/** One touchpoint's part of a conversion. */
export const CreditSchema = z.object({
  /** The attribution model that produced this credit (`first_touch`, `linear`, …). */
  model: z.string(),
  touchpoint: TouchpointSchema,
  /** Fraction of the conversion credited, 0..1; the shares of one model sum to 1. */
  share: z.number().min(0).max(1),
  /** Exact part of the value; the amounts of one model sum to the value. */
  amount: MoneySchema.nullable(),
});
export type Credit = z.infer<typeof CreditSchema>;

/** The person a conversion belongs to, with the contact fields sinks may send (never logged). */
export const ConversionContactSchema = z.object({
  email: personal(z.string().nullable(), "email"),
  phone: personal(z.string().nullable(), "phone"),
  externalId: z.string().nullable(),
  firstName: personal(z.string().nullable(), "name"),
  lastName: personal(z.string().nullable(), "name"),
  company: personal(z.string().nullable(), "organization"),
  /** ISO 3166-1 alpha-2, used as the default region for phone numbers. */
  country: z.string().nullable(),
});
export type ConversionContact = z.infer<typeof ConversionContactSchema>;

/**
 * A resource of a Chargebee event whose state the event carries: `customer` or `subscription`.
 */
export const StateResourceSchema = z.enum(["customer", "subscription"]);
export type StateResource = z.infer<typeof StateResourceSchema>;

/** A conversion ready for delivery: the delivery unit. */
export const ConversionSchema = z.object({
  /**
   * Deterministic id per (source, source event, meaning): see {@link conversionId}. Sinks derive their
   * dedupe ids from it (or from a stable vendor id inside the source event, such as the invoice id).
   */
  id: z.string().min(1),
  name: ConversionNameSchema,
  /** Where it came from. */
  source: ConversionSourceSchema,
  /** The source event's own id (Chargebee `ev_…`, Retention `messageId`, the lead's id). */
  sourceEventId: z.string().min(1),
  /** Epoch milliseconds. */
  occurredAt: z.number().int(),
  /** Revenue of the conversion, when it has one (negative for a refund). */
  value: MoneySchema.nullable(),
  /** The Chargebee event it came from (null for leads and Retention events). */
  billingEvent: BillingEventSchema.nullable(),
  /** The Chargebee Retention event it came from (null otherwise). */
  retentionEvent: RetentionEventSchema.nullable(),
  contact: ConversionContactSchema,
  /** The resolved person, when identity resolution found one. */
  personId: z.string().nullable(),
  /** The tracker's visitor id of the resolved person, when one is known (Segment `anonymousId`). */
  anonymousId: z.string().nullable(),
  identityKeys: z.array(IdentityKeySchema),
  /** Credits per model; empty when nothing could be attributed. */
  credits: z.array(CreditSchema),
  /**
   * The resources whose state in `billingEvent` is older than a state already applied (Chargebee
   * resource versions: the event arrived late). The conversion still happened and is delivered, but
   * a sink that keeps a *current* state (contact fields, tags, identify traits) must not write it
   * from these resources: read them through {@link currentStateOf}. Absent when none.
   */
  staleState: z.array(StateResourceSchema).optional(),
});
export type Conversion = z.infer<typeof ConversionSchema>;

/**
 * The customer and subscription of a conversion's Chargebee event that may still be written as the
 * current state: `null` for one the event carries an outdated state of ({@link Conversion.staleState}),
 * so a late `subscription_created` never puts an `active` back over a `cancelled`.
 */
export function currentStateOf(conversion: Conversion): {
  customer: BillingEvent["customer"];
  subscription: BillingEvent["subscription"];
} {
  const event = conversion.billingEvent;
  const stale = conversion.staleState ?? [];
  return {
    customer: stale.includes("customer") ? null : (event?.customer ?? null),
    subscription: stale.includes("subscription") ? null : (event?.subscription ?? null),
  };
}

/**
 * The deterministic id of one meaning of one source event: `<source>:<sourceEventId>:<name>`, e.g.
 * `chargebee:ev_16BHbhF4s42tO2lK:first_payment`. The same webhook delivered five times gives the same
 * id five times; two meanings of one event never share an id.
 */
export function conversionId(
  source: ConversionSource,
  sourceEventId: string,
  name: ConversionName,
): string {
  if (typeof sourceEventId !== "string" || sourceEventId.length === 0) {
    throw new TypeError("conversionId needs the source event's id (a non-empty string)");
  }
  return `${source}:${sourceEventId}:${name}`;
}
