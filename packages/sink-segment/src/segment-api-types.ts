/**
 * Segment HTTP Tracking API types: the `identify` and `track` messages this sink sends, the
 * `/v1/batch` request and the answer. Section numbers refer to shared/specs/segment-http-api.md.
 *
 * @module
 */
import { z } from "zod";

/** Segment's production hosts (spec §1); the region must match the workspace's. */
export const SEGMENT_HOSTS = {
  us: "https://api.segment.io",
  eu: "https://events.eu1.segmentapis.com",
} as const;
export type SegmentRegion = keyof typeof SEGMENT_HOSTS;

/** The batch endpoint, relative to the host (spec §1). */
export const SEGMENT_BATCH_PATH = "v1/batch";

/** At most this many messages per batch: more are answered 200 and silently dropped (spec §4). */
export const SEGMENT_MAX_BATCH_MESSAGES = 2_500;
/** A batch request body is at most 500 KB (spec §4); counted in bytes of UTF-8 JSON, 1 KB = 1,000 B. */
export const SEGMENT_MAX_BATCH_BYTES = 500_000;
/** One message is at most 32 KB (spec §4); larger ones are rejected alone, never sent. */
export const SEGMENT_MAX_MESSAGE_BYTES = 32_000;
/** `messageId` is at most 100 characters (spec §3.1). */
export const SEGMENT_MAX_MESSAGE_ID_LENGTH = 100;

/** `context.campaign`: UTM parameters and click ids of the credited touchpoint (spec §3.3). */
export interface SegmentCampaign {
  name?: string;
  source?: string;
  medium?: string;
  term?: string;
  content?: string;
  /** Click ids (`ttclid`, `gclid`, `fbclid`, …) under their own names. */
  [clickId: string]: string | undefined;
}

/** `context` of a message (spec §3.3). Server libraries set `library`; the rest is ours to supply. */
export interface SegmentContext {
  library: { name: string; version: string };
  campaign?: SegmentCampaign;
  /** B2B account id (Segment B2B SaaS spec §7.2): the Chargebee customer id. */
  groupId?: string;
  /** A copy of the contact traits on track calls, which destinations read (spec §3.3). */
  traits?: Record<string, unknown>;
  ip?: string;
  userAgent?: string;
  page?: { url?: string; referrer?: string };
}

interface SegmentMessageBase {
  /** Deterministic per (source event, call): Segment deduplicates on it (spec §6). ≤ 100 characters. */
  messageId: string;
  /** When it happened, ISO 8601 UTC (spec §3.2). */
  timestamp: string;
  userId?: string;
  anonymousId?: string;
  context: SegmentContext;
}

/** An `identify` call (spec §7.3 reserved traits). */
export interface SegmentIdentify extends SegmentMessageBase {
  type: "identify";
  traits: Record<string, unknown>;
}

/** A `track` call. */
export interface SegmentTrack extends SegmentMessageBase {
  type: "track";
  event: string;
  properties: Record<string, unknown>;
}

export type SegmentMessage = SegmentIdentify | SegmentTrack;

/** The `/v1/batch` body (spec §3.4). `sentAt` is set on every attempt (spec §3.2). */
export interface SegmentBatchRequest {
  batch: SegmentMessage[];
  sentAt: string;
}

/**
 * Segment's answer. It is 200 for nearly everything (spec §5); the body says `success: false` with a
 * `code` and a `message` when the request was refused (`{"success":false,"message":"malformed JSON",
 * "code":"invalid_request"}`).
 */
export const SegmentResponseSchema = z.looseObject({
  success: z.boolean().optional(),
  message: z.string().optional(),
  code: z.string().optional(),
});
export type SegmentResponse = z.infer<typeof SegmentResponseSchema>;
