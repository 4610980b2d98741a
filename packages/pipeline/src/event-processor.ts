/**
 * What the worker does with one stored inbound event (DESIGN §1 steps 3–6): link the identity keys,
 * read the person's touchpoints, attribute each meaning under the configured models, book the
 * commission (payments earn, refunds reverse), and return one outbox item per (meaning, sink that
 * handles it). Everything it writes is idempotent, so processing an event twice changes nothing.
 *
 * Ordering: Chargebee does not deliver in order. Resource versions decide only whether an event's
 * *state* may still be applied (state-only meanings of a stale resource are not delivered, so an old
 * `customer_changed` never overwrites newer contact data downstream), and every other conversion of a
 * late event is marked with the resources it carries an outdated state of (`staleState`), which sinks
 * keeping a current state do not write; no event is dropped for being old, and money (payments,
 * refunds) always counts (Chargebee spec §7 step 5).
 *
 * @module
 */
import {
  type AttributionEngine,
  type CommissionLedger,
  commissionEventFromBillingEvent,
  type Referral,
} from "@revtrace/attribution";
import { conversionNamesOf, eventResourceVersions, isStaleVersion } from "@revtrace/chargebee";
import type {
  BillingEvent,
  Conversion,
  ConversionName,
  Credit,
  IdentityKey,
  InboxEvent,
  Logger,
  OutboxItemInput,
  RetentionEvent,
  Sink,
  StateResource,
  Touchpoint,
} from "@revtrace/core";
import { createKeyNormalizer, type IdentityResolver } from "@revtrace/identity";
import {
  applyCollectBatch,
  type CollectBatch,
  type CollectedLead,
} from "./collect/collect-batch.js";
import {
  billingConversion,
  conversionTime,
  conversionValue,
  leadConversion,
  type ResolvedPerson,
  retentionConversion,
} from "./conversions.js";
import { billingIdentityKeys, retentionIdentityKeys } from "./identity-keys.js";
import { createPaymentSubscriptions } from "./payment-subscriptions.js";
import type { PipelineStorage } from "./pipeline-options.js";

/** Meanings that carry only a resource's state: not delivered when that resource is stale. */
const STATE_MEANINGS: Partial<Record<ConversionName, "customer" | "subscription">> = {
  customer_updated: "customer",
  subscription_changed: "subscription",
};

export interface EventProcessorOptions {
  storage: PipelineStorage;
  identity: IdentityResolver;
  attribution: AttributionEngine;
  touchpointLookbackMs: number;
  ledger: CommissionLedger | null;
  /** The attribution run whose credit names the partner (its touchpoint's `affiliateRef`). */
  partnerModel: string;
  sinks: readonly Sink[];
  logger: Logger;
}

/** The outcome of processing one event. */
export interface ProcessedEvent {
  conversions: Conversion[];
  items: OutboxItemInput[];
}

/** Creates the per-event processing function. */
export function createEventProcessor(options: EventProcessorOptions) {
  const { storage, identity, sinks, logger } = options;
  const paymentSubscriptions = createPaymentSubscriptions(storage);

  const resolvePerson = async (
    keys: ReturnType<typeof billingIdentityKeys>,
    observationId: string,
    source: string,
    at: number,
  ): Promise<ResolvedPerson> => {
    if (keys.length === 0) return { personId: null, anonymousId: null, identityKeys: [] };
    const linked = await identity.link(keys, { source, observationId, at });
    if (!linked.personId) return { personId: null, anonymousId: null, identityKeys: [] };
    const records = await storage.listPersonKeys(linked.personId);
    const identityKeys = records.map((record) => record.key);
    const anonymous = identityKeys.find((key) => key.kind === "anonymous_id");
    return { personId: linked.personId, anonymousId: anonymous?.value ?? null, identityKeys };
  };

  /** Resources whose carried version is older than the one already applied. */
  const staleResources = async (event: BillingEvent): Promise<Set<StateResource>> => {
    const stale = new Set<StateResource>();
    // The resources are distinct: their reads and advances run together (one group commit).
    await Promise.all(
      eventResourceVersions(event).map(async ({ resourceType, id, version }) => {
        const applied = await storage.getResourceVersion(resourceType, id);
        if (isStaleVersion(applied, version)) {
          // Only the event's own top-level resource decides its state meanings.
          const own = resourceType === "customer" ? event.customer?.id : event.subscription?.id;
          if (own === id) stale.add(resourceType);
        } else {
          await storage.advanceResourceVersion(resourceType, id, version);
        }
      }),
    );
    return stale;
  };

  const touchpointsOf = async (person: ResolvedPerson, from: number, to: number) => {
    const anonymousIds = person.identityKeys
      .filter((key) => key.kind === "anonymous_id")
      .map((key) => key.value);
    if (anonymousIds.length === 0) return [];
    return storage.listTouchpoints({ anonymousIds, range: { from, to } });
  };

  const referralOf = (event: BillingEvent, credits: Credit[]): Referral | null => {
    const credit = credits.find(
      (c) => c.model === options.partnerModel && c.touchpoint.clickIds?.affiliateRef,
    );
    const partnerId =
      credit?.touchpoint.clickIds?.affiliateRef ?? event.subscription?.affiliateRef ?? null;
    return partnerId ? { partnerId } : null;
  };

  const bookCommission = async (event: BillingEvent, credits: Credit[]) => {
    if (!options.ledger) return;
    if (event.refund && event.refund.status !== null && event.refund.status !== "success") return;
    const commissionEvent = commissionEventFromBillingEvent(event, referralOf(event, credits));
    if (commissionEvent) await options.ledger.record(commissionEvent);
  };

  const outboxItems = (conversions: Conversion[]): OutboxItemInput[] => {
    const items: OutboxItemInput[] = [];
    for (const conversion of conversions) {
      for (const sink of sinks) {
        if (sink.handles.has(conversion.name)) {
          items.push({ sink: sink.name, idempotencyKey: conversion.id, payload: conversion });
        }
      }
    }
    return items;
  };

  const processBilling = async (inbox: InboxEvent): Promise<ProcessedEvent> => {
    const event = inbox.event as BillingEvent;
    // What attribution and commissions read: a refund without a subscription gets its payment's.
    const attributed = await paymentSubscriptions.attributionEventOf(event);
    const stale = await staleResources(event);
    const names = conversionNamesOf(event).filter((name) => {
      const resource = STATE_MEANINGS[name];
      if (resource && stale.has(resource)) {
        logger.info({ event: event.id, name, resource }, "stale state not delivered");
        return false;
      }
      return true;
    });
    const person = await resolvePerson(
      billingIdentityKeys(event),
      inbox.key,
      "chargebee_webhook",
      event.occurredAt,
    );
    const times = names.map((name) => conversionTime(event, name));
    const latest = Math.max(event.occurredAt, ...times);
    const anchor =
      attributed.subscription?.activatedAt ?? attributed.subscription?.startedAt ?? latest;
    const touchpoints: Touchpoint[] = await touchpointsOf(
      person,
      Math.min(anchor, latest) - options.touchpointLookbackMs,
      latest,
    );
    const conversions: Conversion[] = [];
    let paymentCredits: Credit[] = [];
    for (const name of names) {
      const value = conversionValue(event, name);
      const credits = name.startsWith("customer_")
        ? []
        : options.attribution.attribute(
            { occurredAt: conversionTime(event, name), value, billingEvent: attributed },
            touchpoints,
          ).credits;
      if (name === "first_payment" || name === "recurring_payment") paymentCredits = credits;
      // A late event still happened; the state it carries is marked stale so that no sink writes it
      // over a newer one (a late `subscription_created` after its `subscription_cancelled`).
      conversions.push(billingConversion(event, name, person, credits, [...stale]));
    }
    if (event.payment || event.refund) {
      if (event.payment && !names.some((n) => n === "first_payment" || n === "recurring_payment")) {
        // A payment seen through `transaction_created`: the partner is decided the same way.
        const occurredAt = conversionTime(event, "first_payment");
        const value = event.payment.amount;
        paymentCredits = options.attribution.attribute(
          { occurredAt, value, billingEvent: attributed },
          touchpoints,
        ).credits;
      }
      await bookCommission(attributed, paymentCredits);
    }
    return { conversions, items: outboxItems(conversions) };
  };

  const processRetention = async (inbox: InboxEvent): Promise<ProcessedEvent> => {
    const event = inbox.event as RetentionEvent;
    const eventId = inbox.key.slice("retention:".length);
    const occurredAt = event.occurredAt ?? inbox.receivedAt;
    const person = await resolvePerson(
      retentionIdentityKeys(event),
      inbox.key,
      "chargebee_retention",
      occurredAt,
    );
    const conversions = [retentionConversion(event, eventId, occurredAt, person)];
    return { conversions, items: outboxItems(conversions) };
  };

  const keyNormalizer = createKeyNormalizer(identity.rules);
  /** The value when identity accepts it as a key of `kind` (not malformed, not junk), else undefined. */
  const accepted = (kind: "email" | "phone", value: string | undefined) =>
    value !== undefined && keyNormalizer.normalize({ kind, value }).ok ? value : undefined;

  /**
   * A lead form: the visitor's person, credited like any conversion (first touch by default). The
   * collect endpoint is public: an email or phone identity refuses (malformed, junk, placeholder) is
   * not sent on as a contact, and a form with neither left is no lead at all.
   */
  const leadConversionOf = async (raw: CollectedLead): Promise<Conversion | null> => {
    const email = accepted("email", raw.email);
    const phone = accepted("phone", raw.phone);
    if (email === undefined && phone === undefined) return null;
    const lead: CollectedLead = { ...raw, email, phone };
    const keys: IdentityKey[] = [{ kind: "anonymous_id", value: lead.visitorId }];
    if (lead.email) keys.push({ kind: "email", value: lead.email });
    if (lead.phone) keys.push({ kind: "phone", value: lead.phone });
    const person = await resolvePerson(keys, `tracker:${lead.id}`, "lead_form", lead.at);
    const touchpoints = await touchpointsOf(
      person,
      lead.at - options.touchpointLookbackMs,
      lead.at,
    );
    const credits = options.attribution.attribute(
      { occurredAt: lead.at, value: null },
      touchpoints,
    ).credits;
    return leadConversion(lead, person, credits);
  };

  /** What a collect request brought: its touchpoints stored and linked, its lead forms converted. */
  const processTracker = async (inbox: InboxEvent): Promise<ProcessedEvent> => {
    // `lead` rows were written by earlier versions (one inbox event per lead form).
    const leads =
      inbox.type === "lead"
        ? [inbox.event as CollectedLead]
        : await applyCollectBatch(inbox.event as CollectBatch, {
            touchpoints: storage,
            identity,
          });
    const conversions: Conversion[] = [];
    for (const lead of leads) {
      const conversion = await leadConversionOf(lead);
      if (conversion) conversions.push(conversion);
    }
    return { conversions, items: outboxItems(conversions) };
  };

  return (inbox: InboxEvent): Promise<ProcessedEvent> => {
    if (inbox.source === "retention") return processRetention(inbox);
    if (inbox.source === "tracker") return processTracker(inbox);
    return processBilling(inbox);
  };
}
