/**
 * @revtrace/chargebee: receive, verify and normalize Chargebee webhooks (both catalog models, v1-era
 * payloads, Chargebee Retention events), route them with typed handlers, and replay, backfill and
 * create checkouts through the official Chargebee SDK.
 *
 * @module
 */
export {
  type BackfillOptions,
  type BackfillRecord,
  type ChargebeeApi,
  type ChargebeeApiOptions,
  type CheckoutCustomer,
  type CheckoutInput,
  createChargebeeApi,
  type FetchLike,
  type HostedCheckout,
  type ItemsCheckoutInput,
  type PlansCheckoutInput,
  type ReplayOptions,
} from "./chargebee-api.js";
export { CHARGEBEE_API } from "./chargebee-api-error.js";
export {
  type BasicCredentials,
  type ChargebeeWebhookVerifier,
  type ChargebeeWebhookVerifierOptions,
  createChargebeeWebhookVerifier,
  verifyChargebeeAuth,
} from "./chargebee-auth.js";
export {
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
export {
  type ChargebeeEventHandler,
  type ChargebeeRouter,
  type ChargebeeRouterOptions,
  createChargebeeRouter,
  type DispatchResult,
} from "./chargebee-router.js";
export {
  parseRetentionEvent,
  RETENTION_EVENT_TYPES,
  type RetentionEvent,
  type RetentionEventType,
} from "./retention-event.js";
export { verifyRetentionSignature } from "./retention-signature.js";
