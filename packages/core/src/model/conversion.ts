/**
 * Conversion: a billing event (or a lead) tied to a person and credited to the touchpoints that earned
 * it; the unit every sink delivers.
 *
 * @module
 */
import { z } from "zod";
import { MoneySchema } from "../money/money.js";
import { BillingEventSchema } from "./billing-event.js";
import { IdentityKeySchema } from "./identity-key.js";
import { TouchpointSchema } from "./touchpoint.js";

/** What happened, in destination-neutral words. */
export const ConversionNameSchema = z.enum([
  /** A lead form or identify call. */
  "lead",
  /** A subscription was created (any status). */
  "subscription_created",
  /** A trial started. */
  "trial_started",
  /** A trial converted to paid. */
  "trial_converted",
  /** The first successful payment of a subscription or customer. */
  "first_payment",
  /** A later successful payment (renewal, one-off). */
  "recurring_payment",
  /** Money went back to the customer. */
  "refund",
  /** A subscription ended. */
  "subscription_cancelled",
]);
export type ConversionName = z.infer<typeof ConversionNameSchema>;

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
  email: z.string().nullable(),
  phone: z.string().nullable(),
  externalId: z.string().nullable(),
  firstName: z.string().nullable(),
  lastName: z.string().nullable(),
  company: z.string().nullable(),
  /** ISO 3166-1 alpha-2, used as the default region for phone numbers. */
  country: z.string().nullable(),
});
export type ConversionContact = z.infer<typeof ConversionContactSchema>;

/** A conversion ready for delivery. */
export const ConversionSchema = z.object({
  /** Deterministic id derived from the source event (sinks derive their dedupe ids from it). */
  id: z.string().min(1),
  name: ConversionNameSchema,
  /** Epoch milliseconds. */
  occurredAt: z.number().int(),
  /** Revenue of the conversion, when it has one. */
  value: MoneySchema.nullable(),
  /** The Chargebee event it came from (null for leads). */
  billingEvent: BillingEventSchema.nullable(),
  contact: ConversionContactSchema,
  /** The resolved person, when identity resolution found one. */
  personId: z.string().nullable(),
  identityKeys: z.array(IdentityKeySchema),
  /** Credits per model; empty when nothing could be attributed. */
  credits: z.array(CreditSchema),
});
export type Conversion = z.infer<typeof ConversionSchema>;
