/**
 * @revtrace/sink-tiktok: send Chargebee conversions to the TikTok Events API 2.0 (`event/track`)
 * exactly as TikTok expects: hashed matching keys, deterministic `event_id`, batches with per-event
 * rejection, and TikTok's body `code` checked on every answer.
 *
 * @module
 */
export {
  SHA256_HEX,
  TIKTOK_API_VERSION,
  TIKTOK_CURRENCIES,
  TIKTOK_LEGACY_ALIASES,
  TIKTOK_MAX_BATCH_SIZE,
  TIKTOK_RESERVED_EVENTS,
  TIKTOK_STANDARD_EVENTS,
  TIKTOK_SUPPORTED_LEGACY_EVENTS,
  type TikTokContent,
  TikTokContentSchema,
  type TikTokEvent,
  type TikTokEventName,
  TikTokEventSchema,
  type TikTokPage,
  TikTokPageSchema,
  type TikTokProperties,
  TikTokPropertiesSchema,
  type TikTokResponse,
  TikTokResponseSchema,
  type TikTokStandardEvent,
  type TikTokTrackRequest,
  TikTokTrackRequestSchema,
  type TikTokUser,
  TikTokUserSchema,
} from "./tiktok-api-types.js";
export {
  classifyTikTokCode,
  refusedIndexes,
  TIKTOK_CODE_MEANINGS,
  TIKTOK_SINK_NAME,
  type TikTokCodeClass,
  tiktokResponseError,
} from "./tiktok-error.js";
export {
  attributedTouchpoint,
  buildPage,
  buildProperties,
  buildUser,
  defaultEventId,
  hashMatchKey,
  mapConversion,
  normalizeExternalId,
  normalizeLocation,
  normalizeName,
  normalizeTikTokPhone,
  normalizeZip,
  type TikTokMapperSettings,
  type TikTokMapResult,
  tiktokIp,
} from "./tiktok-mapper.js";
export { failedEventsOf, type TikTokFailedEvent } from "./tiktok-partial.js";
export {
  parseTikTokSinkOptions,
  TIKTOK_DEFAULT_BASE_URL,
  TIKTOK_DEFAULT_EVENTS,
  TIKTOK_DEFAULT_MAX_BATCH_BYTES,
  TIKTOK_MAPPABLE_CONVERSIONS,
  type TikTokEventMapping,
  type TikTokMappableConversion,
  type TikTokSettings,
  type TikTokSinkOptions,
  TikTokSinkOptionsSchema,
  type TikTokTarget,
} from "./tiktok-settings.js";
export {
  createTikTokSink,
  type TikTokSink,
  type TikTokVerifyOptions,
} from "./tiktok-sink.js";
export { USER_AGENT, VERSION } from "./version.js";
