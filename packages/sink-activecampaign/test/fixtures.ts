/**
 * Conversions for the tests. Billing events are real Chargebee webhook bodies (the fixtures of
 * `@revtrace/chargebee`, provenance in packages/chargebee/test/fixtures/SOURCES.md) through the real
 * parser; the touchpoint and any field changed on top of a real event are synthetic and named so.
 */
import { parseChargebeeEvent } from "@revtrace/chargebee";
import type {
  BillingCustomer,
  BillingEvent,
  BillingSubscription,
  Conversion,
  ConversionName,
  Touchpoint,
} from "@revtrace/core";
import { webhookBody } from "../../chargebee/test/fixtures/index.js";

export type FixtureName =
  | "subscription_created.bonusly.1"
  | "subscription_cancelled.bonusly.1"
  | "customer_changed.bonusly.1"
  | "customer_deleted.bonusly.1"
  | "payment_succeeded.bonusly.1"
  | "payment_refunded.bonusly.1";

/** The fixture through the real parser. */
export function billingEventOf(name: FixtureName): BillingEvent {
  return parseChargebeeEvent(webhookBody(`${name}.json`));
}

/** Synthetic: the first-touch landing visit the attribution engine credited. */
export function syntheticTouchpoint(occurredAt: number): Touchpoint {
  return {
    id: "tp_synthetic_1",
    anonymousId: "anon_synthetic_1",
    occurredAt,
    clickIds: { gclid: "Cj0KCQsynthetic" },
    utm: { source: "google", medium: "cpc", campaign: "spring" },
    referrer: "https://www.google.com/",
    landingPage: "https://www.example.com/pricing?gclid=Cj0KCQsynthetic",
    channel: "paid_search",
  };
}

/** Overrides applied on top of a real event (synthetic changes). */
export interface EventChanges {
  customer?: Partial<BillingCustomer>;
  subscription?: Partial<BillingSubscription> | null;
}

/** A conversion of `name` from a fixture, credited (first touch) to the synthetic touchpoint. */
export function conversionOf(
  fixture: FixtureName,
  name: ConversionName,
  changes: EventChanges = {},
  touchpoints: Touchpoint[] = [],
): Conversion {
  const real = billingEventOf(fixture);
  const billing: BillingEvent = {
    ...real,
    customer: real.customer ? { ...real.customer, ...changes.customer } : null,
    subscription:
      changes.subscription === null
        ? null
        : real.subscription
          ? { ...real.subscription, ...changes.subscription }
          : null,
  };
  const customer = billing.customer;
  return {
    id: `chargebee:${billing.id}:${name}`,
    name,
    source: "chargebee",
    sourceEventId: billing.id,
    occurredAt: billing.occurredAt,
    value: billing.payment?.amount ?? null,
    billingEvent: billing,
    retentionEvent: null,
    contact: {
      email: customer?.email ?? null,
      phone: customer?.phone ?? null,
      externalId: customer?.id ?? null,
      firstName: customer?.firstName ?? null,
      lastName: customer?.lastName ?? null,
      company: customer?.company ?? null,
      country: customer?.billingAddress?.country ?? null,
    },
    personId: null,
    anonymousId: null,
    identityKeys: [],
    credits: touchpoints.map((touchpoint) => ({
      model: "first_touch",
      touchpoint,
      share: 1 / touchpoints.length,
      amount: null,
    })),
  };
}
