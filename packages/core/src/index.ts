/**
 * @revtrace/core: the domain model, error family, Sink and storage contracts, and the shared HTTP
 * helper of revtrace.
 *
 * @module
 */

export {
  type BatchAnswer,
  type DeliverInBatchesOptions,
  deliverInBatches,
  type FailedItem,
  itemRefusalError,
  requestRefusalError,
} from "./batch/deliver-batches.js";
export { type BatchLimits, jsonByteLength, splitBatches } from "./batch/split-batches.js";
export { decodeWebhookBody, rawBodyBytes, type WebhookBody } from "./body.js";
export { abortableSleep, type Clock, systemClock } from "./clock.js";
export {
  ChargebeeApiError,
  type ChargebeeApiErrorOptions,
  type ChargebeeApiFailureReason,
  ConfigError,
  MoneyError,
  RevtraceError,
  type RevtraceErrorCode,
  type RevtraceErrorOptions,
  redactIssues,
  SinkError,
  type SinkErrorOptions,
  type SinkFailureReason,
  StorageError,
  WebhookAuthError,
  WebhookPayloadError,
} from "./errors.js";
export {
  backoffDelay,
  createHttpClient,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  isRetryableStatus,
  type RetryJitter,
  type RetryPolicy,
} from "./http/http-client.js";
export { parseRetryAfter } from "./http/retry-after.js";
export {
  consoleLogger,
  type LogFn,
  type Logger,
  redact,
  redactedError,
  redactSecrets,
  redactText,
  SECRET_KEYS,
  SENSITIVE_KEYS,
  silentLogger,
  toLogger,
  truncate,
} from "./logger.js";
export {
  type Address,
  AddressSchema,
  type BillingCreditNote,
  BillingCreditNoteSchema,
  type BillingCustomer,
  BillingCustomerSchema,
  type BillingEvent,
  BillingEventSchema,
  type BillingFailedPayment,
  BillingFailedPaymentSchema,
  type BillingInvoice,
  BillingInvoiceSchema,
  type BillingPayment,
  BillingPaymentSchema,
  type BillingRefund,
  BillingRefundSchema,
  type BillingSubscription,
  BillingSubscriptionSchema,
  type CustomFieldValue,
  CustomFieldValueSchema,
  type SubscriptionItem,
  SubscriptionItemSchema,
} from "./model/billing-event.js";
export {
  type Commission,
  type CommissionEntryKind,
  CommissionEntryKindSchema,
  CommissionSchema,
} from "./model/commission.js";
export {
  CONVERSION_NAMES,
  type Conversion,
  type ConversionContact,
  ConversionContactSchema,
  type ConversionName,
  ConversionNameSchema,
  ConversionSchema,
  type ConversionSource,
  ConversionSourceSchema,
  type Credit,
  CreditSchema,
  conversionId,
  currentStateOf,
  REVENUE_CONVERSION_NAMES,
  type StateResource,
  StateResourceSchema,
} from "./model/conversion.js";
export {
  type IdentityKey,
  type IdentityKeyKind,
  IdentityKeyKindSchema,
  IdentityKeySchema,
  identityKeyId,
} from "./model/identity-key.js";
export { type PersonalDataKind, personal, personalData } from "./model/personal-data.js";
export { PERSONAL_KEYS, personalKeysOf } from "./model/personal-keys.js";
export {
  RETENTION_EVENT_TYPES,
  type RetentionEvent,
  RetentionEventSchema,
  type RetentionEventType,
} from "./model/retention-event.js";
export {
  type Channel,
  ChannelSchema,
  type ClickIds,
  ClickIdsSchema,
  createTouchpoint,
  deriveChannel,
  type Touchpoint,
  type TouchpointInput,
  TouchpointSchema,
  type Utm,
  UtmSchema,
} from "./model/touchpoint.js";
export {
  CURRENCY_EXPONENTS,
  type CurrencyCode,
  currencyExponent,
  isCurrencyCode,
} from "./money/currencies.js";
export {
  addMoney,
  allocateMoney,
  assertMoney,
  CurrencyCodeSchema,
  exactMajorNumber,
  fromMajor,
  type Money,
  MoneySchema,
  minorUnitExponent,
  money,
  moneyEquals,
  type Rounding,
  scaleMoney,
  subtractMoney,
  sumMoney,
  toExactMajorNumber,
  toMajor,
  toMajorNumber,
} from "./money/money.js";
export { parseOptions } from "./options.js";
export type { RateLimit, RateLimiter } from "./rate-limiter.js";
export { createRecentMap, type RecentMap } from "./recent-map.js";
export { createSeededRandom, type SeededRandom } from "./seeded-random.js";
export { type ItemResult, type SendOptions, type Sink, sendHandled } from "./sink.js";
export { sortSmall, uniqueSmall } from "./small-arrays.js";
export type {
  EarliestEdgesQuery,
  IdentityChange,
  IdentityEdge,
  IdentityEvidence,
  IdentityKeyRecord,
  IdentityStore,
  LinkState,
  LinkStateKey,
  LinkStatePerson,
  LinkStateQuery,
  MergeRefusal,
  PersonRecord,
} from "./storage/identity-store.js";
export type {
  InboxEvent,
  InboxEventInput,
  InboxStore,
  IngestResult,
  QuarantinedBody,
  QuarantineInput,
} from "./storage/inbox-store.js";
export type { LedgerStore, StoredCommission } from "./storage/ledger-store.js";
export { isMappingStore, type MappingStore } from "./storage/mapping-store.js";
export type {
  OutboxItem,
  OutboxItemInput,
  OutboxStatus,
  OutboxStore,
} from "./storage/outbox-store.js";
export type { Receipt, ReceiptStore } from "./storage/receipt-store.js";
export type { ResourceVersionStore } from "./storage/resource-version-store.js";
export type { DeferredCommitStorage, Storage } from "./storage/storage.js";
export { createInFlightCalls, type InFlightCalls } from "./storage/storage-calls.js";
export {
  type AsyncMethods,
  guardStorageMethods,
  type StorageGuardOptions,
} from "./storage/storage-guard.js";
export {
  checkStorageInput,
  isStorableText,
  outboxPayloadJson,
  parseOutboxId,
  StorageInputError,
  storageJson,
} from "./storage/storage-input.js";
export { type IdentityEdgeKey, identityEdgeKey, mergeRefusalKey } from "./storage/storage-keys.js";
export type { TimeRange, TouchpointStore } from "./storage/touchpoint-store.js";
export { LoggerSchema, RetryPolicySchema, TRANSPORT_OPTIONS_SHAPE } from "./transport-options.js";
export { VERSION } from "./version.js";
