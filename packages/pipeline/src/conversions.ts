/**
 * Builds the delivery unit (core's `Conversion`) for one meaning of one source event, from the
 * resolved person and the attribution credits. Pure: the worker does the I/O around it.
 *
 * @module
 */

import {
  type BillingEvent,
  type Conversion,
  type ConversionContact,
  type ConversionName,
  type Credit,
  conversionId,
  type IdentityKey,
  type Money,
  type RetentionEvent,
  type StateResource,
} from "@revtrace/core";
import { billingCustomerId } from "./billing-customer.js";
import type { CollectedLead } from "./collect/collect-batch.js";

/** Who the conversion belongs to, as the identity resolver found them. */
export interface ResolvedPerson {
  personId: string | null;
  anonymousId: string | null;
  identityKeys: IdentityKey[];
}

const NO_CONTACT: ConversionContact = {
  email: null,
  phone: null,
  externalId: null,
  firstName: null,
  lastName: null,
  company: null,
  country: null,
};

/** The contact of a Chargebee event; only the customer id once Chargebee cleared the personal data. */
export function billingContact(event: BillingEvent): ConversionContact {
  const customer = event.customer;
  if (!customer) {
    return { ...NO_CONTACT, externalId: billingCustomerId(event) };
  }
  if (customer.piiCleared === "cleared") return { ...NO_CONTACT, externalId: customer.id };
  return {
    email: customer.email,
    phone: customer.phone,
    externalId: customer.id,
    firstName: customer.firstName,
    lastName: customer.lastName,
    company: customer.company,
    country: customer.billingAddress?.country ?? null,
  };
}

/** The contact of a Chargebee Retention event. */
export function retentionContact(event: RetentionEvent): ConversionContact {
  return {
    ...NO_CONTACT,
    email: event.user.email,
    firstName: event.user.firstName,
    lastName: event.user.lastName,
    externalId: event.account.billingId,
    company: event.account.companyName,
  };
}

/** The money a meaning moves: the payment, the refund (negative), or nothing. */
export function conversionValue(event: BillingEvent, name: ConversionName): Money | null {
  if ((name === "first_payment" || name === "recurring_payment") && event.payment) {
    return event.payment.amount;
  }
  if (name === "refund" && event.refund) {
    return { amount: -event.refund.amount.amount, currency: event.refund.amount.currency };
  }
  return null;
}

/** When the meaning happened: the payment or refund time, else the event time (epoch ms). */
export function conversionTime(event: BillingEvent, name: ConversionName): number {
  if ((name === "first_payment" || name === "recurring_payment") && event.payment?.paidAt) {
    return event.payment.paidAt;
  }
  if (name === "refund" && event.refund?.refundedAt) return event.refund.refundedAt;
  return event.occurredAt;
}

/**
 * One conversion of a Chargebee event. A refund's id comes from its refund transaction, not from the
 * event: Chargebee raises `payment_refunded` and `transaction_created` for the same refund, and both
 * must be one conversion for every sink.
 */
export function billingConversion(
  event: BillingEvent,
  name: ConversionName,
  person: ResolvedPerson,
  credits: Credit[],
  staleState: readonly StateResource[] = [],
): Conversion {
  const idSource = name === "refund" && event.refund ? event.refund.transactionId : event.id;
  return {
    ...(staleState.length > 0 ? { staleState: [...staleState] } : {}),
    id: conversionId("chargebee", idSource, name),
    name,
    source: "chargebee",
    sourceEventId: event.id,
    occurredAt: conversionTime(event, name),
    value: conversionValue(event, name),
    billingEvent: event,
    retentionEvent: null,
    contact: billingContact(event),
    personId: person.personId,
    anonymousId: person.anonymousId,
    identityKeys: person.identityKeys,
    credits,
  };
}

/** The conversion of a lead the collect endpoint received (a lead form's email or phone). */
export function leadConversion(
  lead: CollectedLead,
  person: ResolvedPerson,
  credits: Credit[],
): Conversion {
  return {
    id: conversionId("tracker", lead.id, "lead"),
    name: "lead",
    source: "tracker",
    sourceEventId: lead.id,
    occurredAt: lead.at,
    value: null,
    billingEvent: null,
    retentionEvent: null,
    contact: {
      email: lead.email ?? null,
      phone: lead.phone ?? null,
      externalId: null,
      firstName: null,
      lastName: null,
      company: null,
      country: null,
    },
    personId: person.personId,
    anonymousId: person.anonymousId ?? lead.visitorId,
    identityKeys: person.identityKeys,
    credits,
  };
}

/** The one conversion of a Chargebee Retention event. */
export function retentionConversion(
  event: RetentionEvent,
  eventId: string,
  occurredAt: number,
  person: ResolvedPerson,
): Conversion {
  return {
    id: conversionId("retention", eventId, "retention"),
    name: "retention",
    source: "retention",
    sourceEventId: eventId,
    occurredAt,
    value: null,
    billingEvent: null,
    retentionEvent: event,
    contact: retentionContact(event),
    personId: person.personId,
    anonymousId: person.anonymousId,
    identityKeys: person.identityKeys,
    credits: [],
  };
}
