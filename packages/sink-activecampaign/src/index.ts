/**
 * @revtrace/sink-activecampaign: keep ActiveCampaign contacts, custom fields, list membership,
 * lifecycle tags and Deep Data revenue in step with Chargebee, never above the account's 5 requests
 * a second.
 *
 * @module
 */
export { type ActiveCampaignApi, createActiveCampaignApi } from "./activecampaign-api.js";
export * from "./activecampaign-api-types.js";
export {
  ACTIVECAMPAIGN_SINK_NAME,
  failsTheSend,
  isDuplicate,
  isNotFound,
  itemError,
  readErrorBody,
} from "./activecampaign-error.js";
export {
  type ContactInput,
  type ContactPlan,
  clickIdOf,
  contactSyncBody,
  type FieldContext,
  fieldValue,
  firstTouchOf,
  formatDate,
  isGiftPurchase,
  isoDate,
  lifecycleState,
  lifecycleTag,
  mrrOf,
  nextBillingOf,
  type OrderIds,
  type OrderPlan,
  orderProducts,
  orderSource,
  planContact,
  planOrder,
  planRefund,
  present,
  type RefundPlan,
  refundLineName,
} from "./activecampaign-mapper.js";
export {
  type ActiveCampaignRateLimiter,
  createInProcessRateLimiter,
  type InProcessRateLimiterOptions,
} from "./activecampaign-rate-limiter.js";
export {
  ACTIVECAMPAIGN_RATE_LIMIT,
  type ActiveCampaignSettings,
  type ActiveCampaignSinkOptions,
  ActiveCampaignSinkOptionsSchema,
  DEFAULT_FIELD_KEYS,
  DEFAULT_FIELDS,
  DELETION_POLICIES,
  type DefaultFieldKey,
  type DeletionPolicy,
  FIELD_TYPES,
  type FieldDefinition,
  type FieldType,
  LIFECYCLE_STATES,
  type LifecycleState,
  type MappedField,
  parseActiveCampaignSinkOptions,
} from "./activecampaign-settings.js";
export {
  type ActiveCampaignSink,
  createActiveCampaignSink,
  type RetrySyncOptions,
} from "./activecampaign-sink.js";
export {
  type CustomerRecord,
  type CustomerSource,
  decodeCursor,
  encodeCursor,
  type FullSyncOptions,
  type FullSyncResult,
  type InitialSyncOptions,
  type SyncError,
  type SyncOutcome,
  type SyncProgress,
  type SyncResult,
} from "./activecampaign-sync.js";
export { USER_AGENT, VERSION } from "./version.js";
