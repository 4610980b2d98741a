/**
 * @revtrace/sink-segment: every Chargebee lifecycle event and every Chargebee Retention event in
 * Segment, as `identify` + `track` through the HTTP Tracking API (`/v1/batch`), with deterministic
 * `messageId`s so duplicates and retries are absorbed by Segment's dedupe.
 *
 * @module
 */
export {
  SEGMENT_BATCH_PATH,
  SEGMENT_HOSTS,
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_BATCH_MESSAGES,
  SEGMENT_MAX_MESSAGE_BYTES,
  SEGMENT_MAX_MESSAGE_ID_LENGTH,
  type SegmentBatchRequest,
  type SegmentCampaign,
  type SegmentContext,
  type SegmentIdentify,
  type SegmentMessage,
  type SegmentRegion,
  type SegmentResponse,
  SegmentResponseSchema,
  type SegmentTrack,
} from "./segment-api-types.js";
export { SEGMENT_SINK_NAME, segmentResponseError } from "./segment-error.js";
export {
  campaignOf,
  creditedTouchpoint,
  customerTraits,
  mapConversion,
  retentionTraits,
  type SegmentMapResult,
  segmentMessageId,
  trackProperties,
} from "./segment-mapper.js";
export {
  parseSegmentSinkOptions,
  SEGMENT_DEFAULT_EVENTS,
  SEGMENT_IDENTIFY_CONVERSIONS,
  SEGMENT_RETENTION_OWN_NAME,
  type SegmentMapperSettings,
  type SegmentSettings,
  type SegmentSinkOptions,
  SegmentSinkOptionsSchema,
  type SegmentUserIdSource,
  segmentHandles,
  segmentUserId,
} from "./segment-settings.js";
export { createSegmentSink, packBatches, type SegmentSink } from "./segment-sink.js";
export { USER_AGENT, VERSION } from "./version.js";
