/**
 * @revtrace/chargebee: receive, verify and normalize Chargebee webhooks (both catalog models, v1-era
 * payloads, Chargebee Retention events), say what each event means, route them with typed handlers,
 * and replay, backfill and create checkouts through the official Chargebee SDK.
 *
 * @module
 */

/** Core's Retention event model, re-exported for compatibility (it used to live here). */
export {
  RETENTION_EVENT_TYPES,
  type RetentionEvent,
  type RetentionEventType,
} from "@revtrace/core";
export { type ChargebeeApi, createChargebeeApi } from "./chargebee-api.js";
export type { ChargebeeApiOptions, FetchLike } from "./chargebee-api-options.js";
export {
  type BasicCredentials,
  type ChargebeeWebhookVerifier,
  type ChargebeeWebhookVerifierOptions,
  createChargebeeWebhookVerifier,
  verifyChargebeeAuth,
} from "./chargebee-auth.js";
export type {
  BackfillOptions,
  BackfillRecord,
  InvalidRecord,
} from "./chargebee-backfill.js";
export type {
  CheckoutCustomer,
  CheckoutInput,
  HostedCheckout,
  ItemsCheckoutInput,
  PlansCheckoutInput,
} from "./chargebee-checkout.js";
export {
  BACKDATING_EVENT_TYPES,
  type BackdatingEventType,
  type BaseEventType,
  baseEventType,
  type ChargebeeEvent,
  type ChargebeeEventMap,
  CUSTOMER_EVENT_TYPES,
  isEventType,
  isSupportedEventType,
  type NarrowedEvent,
  SUBSCRIPTION_EVENT_TYPES,
  SUPPORTED_EVENT_TYPES,
  type SupportedEventType,
} from "./chargebee-event-types.js";
export { conversionNamesOf } from "./chargebee-meanings.js";
export { chargebeeExponent, chargebeeMoney } from "./chargebee-money.js";
export {
  eventResourceVersions,
  isStaleResource,
  isStaleVersion,
  type ResourceVersion,
} from "./chargebee-ordering.js";
export {
  type ChargebeeEventPage,
  type ChargebeeParser,
  type ChargebeeWebhookInput,
  createChargebeeParser,
  parseChargebeeEvent,
  parseChargebeeEventList,
} from "./chargebee-parse.js";
export type { ChargebeeParseOptions } from "./chargebee-parse-options.js";
export type { ReplayOptions } from "./chargebee-replay.js";
export {
  type ChargebeeEventHandler,
  type ChargebeeRouter,
  type ChargebeeRouterOptions,
  createChargebeeRouter,
  type DispatchResult,
  type ListenerTarget,
} from "./chargebee-router.js";
export { parseRetentionEvent } from "./retention-event.js";
export {
  type RawBody,
  verifyAndParseRetentionEvent,
  verifyRetentionSignature,
} from "./retention-signature.js";
