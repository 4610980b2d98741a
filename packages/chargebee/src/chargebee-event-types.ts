/**
 * The Chargebee event types revtrace interprets, and their narrowed {@link BillingEvent} shapes.
 *
 * @module
 */
import type { BillingEvent } from "@revtrace/core";

/** Subscription lifecycle events (spec §6): `subscription` is always present. */
export const SUBSCRIPTION_EVENT_TYPES = [
  "subscription_created",
  "subscription_started",
  "subscription_activated",
  "subscription_renewed",
  "subscription_cancelled",
  "subscription_reactivated",
  "subscription_changed",
  "subscription_deleted",
] as const;

/** Customer events: `customer` is always present. */
export const CUSTOMER_EVENT_TYPES = [
  "customer_created",
  "customer_changed",
  "customer_deleted",
] as const;

/**
 * The `*_with_backdating` events (an action dated in the past: chargebee-node's event types). Each is
 * normalized like its base event (see {@link baseEventType}); `type` keeps the name Chargebee sent.
 * Chargebee spells one of them `canceled`.
 */
export const BACKDATING_EVENT_TYPES = [
  "subscription_created_with_backdating",
  "subscription_activated_with_backdating",
  "subscription_changed_with_backdating",
  "subscription_reactivated_with_backdating",
  "subscription_canceled_with_backdating",
  "invoice_generated_with_backdating",
  "credit_note_created_with_backdating",
] as const;

/** Every event type normalized with full meaning; any other type is returned with `supported: false`. */
export const SUPPORTED_EVENT_TYPES = [
  ...SUBSCRIPTION_EVENT_TYPES,
  "payment_succeeded",
  "payment_failed",
  "payment_refunded",
  ...CUSTOMER_EVENT_TYPES,
  "invoice_generated",
  "credit_note_created",
  "transaction_created",
  ...BACKDATING_EVENT_TYPES,
] as const;

/** A Chargebee event type revtrace interprets. */
export type SupportedEventType = (typeof SUPPORTED_EVENT_TYPES)[number];

/** A `*_with_backdating` event type. */
export type BackdatingEventType = (typeof BACKDATING_EVENT_TYPES)[number];

/** A supported event type that is not a `*_with_backdating` variant. */
export type BaseEventType = Exclude<SupportedEventType, BackdatingEventType>;

const BASE_OF: Readonly<Record<BackdatingEventType, BaseEventType>> = {
  subscription_created_with_backdating: "subscription_created",
  subscription_activated_with_backdating: "subscription_activated",
  subscription_changed_with_backdating: "subscription_changed",
  subscription_reactivated_with_backdating: "subscription_reactivated",
  subscription_canceled_with_backdating: "subscription_cancelled",
  invoice_generated_with_backdating: "invoice_generated",
  credit_note_created_with_backdating: "credit_note_created",
};

/**
 * The event a supported type means: itself, or for a `*_with_backdating` type its base event
 * (`subscription_canceled_with_backdating` → `subscription_cancelled`).
 */
export function baseEventType(type: SupportedEventType): BaseEventType {
  return (BASE_OF as Record<string, BaseEventType>)[type] ?? (type as BaseEventType);
}

/** A {@link BillingEvent} of type `T` whose `K` fields are guaranteed non-null. */
export type NarrowedEvent<T extends string, K extends keyof BillingEvent = never> = Omit<
  BillingEvent,
  "type" | "supported" | K
> & { readonly type: T; readonly supported: true } & {
  [P in K]: NonNullable<BillingEvent[P]>;
};

/** What each supported event type guarantees. */
export interface ChargebeeEventMap {
  subscription_created: NarrowedEvent<"subscription_created", "subscription">;
  subscription_started: NarrowedEvent<"subscription_started", "subscription">;
  subscription_activated: NarrowedEvent<"subscription_activated", "subscription">;
  subscription_renewed: NarrowedEvent<"subscription_renewed", "subscription">;
  subscription_cancelled: NarrowedEvent<"subscription_cancelled", "subscription">;
  subscription_reactivated: NarrowedEvent<"subscription_reactivated", "subscription">;
  subscription_changed: NarrowedEvent<"subscription_changed", "subscription">;
  subscription_deleted: NarrowedEvent<"subscription_deleted", "subscription">;
  payment_succeeded: NarrowedEvent<"payment_succeeded", "payment">;
  /** No money was collected: `failedPayment` holds the attempt and the dunning state; `payment` is null. */
  payment_failed: NarrowedEvent<"payment_failed", "failedPayment">;
  payment_refunded: NarrowedEvent<"payment_refunded", "refund">;
  customer_created: NarrowedEvent<"customer_created", "customer">;
  customer_changed: NarrowedEvent<"customer_changed", "customer">;
  customer_deleted: NarrowedEvent<"customer_deleted", "customer">;
  invoice_generated: NarrowedEvent<"invoice_generated", "invoice">;
  credit_note_created: NarrowedEvent<"credit_note_created", "creditNote">;
  /**
   * Spec §4.4: a successful `payment` transaction fills `payment`, a failed one `failedPayment`; a
   * `refund` or `payment_reversal` (chargeback) fills `refund` (see `refund.transactionType`); an
   * `authorization`, a pending payment or any other type fills none of them.
   */
  transaction_created: NarrowedEvent<"transaction_created">;
  subscription_created_with_backdating: NarrowedEvent<
    "subscription_created_with_backdating",
    "subscription"
  >;
  subscription_activated_with_backdating: NarrowedEvent<
    "subscription_activated_with_backdating",
    "subscription"
  >;
  subscription_changed_with_backdating: NarrowedEvent<
    "subscription_changed_with_backdating",
    "subscription"
  >;
  subscription_reactivated_with_backdating: NarrowedEvent<
    "subscription_reactivated_with_backdating",
    "subscription"
  >;
  subscription_canceled_with_backdating: NarrowedEvent<
    "subscription_canceled_with_backdating",
    "subscription"
  >;
  invoice_generated_with_backdating: NarrowedEvent<"invoice_generated_with_backdating", "invoice">;
  credit_note_created_with_backdating: NarrowedEvent<
    "credit_note_created_with_backdating",
    "creditNote"
  >;
}

/** Any supported event, discriminated by `type`. */
export type ChargebeeEvent = ChargebeeEventMap[SupportedEventType];

const SUPPORTED: ReadonlySet<string> = new Set(SUPPORTED_EVENT_TYPES);

/** True when revtrace interprets `type`. */
export function isSupportedEventType(type: string): type is SupportedEventType {
  return SUPPORTED.has(type);
}

/**
 * Narrows a parsed event to one type.
 *
 * @example if (isEventType(event, "payment_succeeded")) event.payment.amount // Money, never null
 */
export function isEventType<T extends SupportedEventType>(
  event: BillingEvent,
  type: T,
): event is BillingEvent & ChargebeeEventMap[T] {
  return event.supported && event.type === type;
}
