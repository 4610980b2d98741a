/**
 * What the engine returns: per model, the credits and an explanation of how they were decided.
 *
 * @module
 */
import type { Channel, Credit, Money } from "@revtrace/core";
import type { ModelName } from "./attribution-options.js";

/** Why a touchpoint did not take part in a model's decision. */
export type ExclusionReason =
  /** It happened after the conversion. */
  | "after_conversion"
  /** A renewal credited to the original conversion: it happened after that original conversion. */
  | "after_original_conversion"
  /** Older than the model's lookback window. */
  | "outside_window"
  /** Direct traffic, ignored by `last_non_direct` when a non-direct touchpoint exists. */
  | "direct"
  /** Invalid (empty id, bad timestamp) or marked by the `isJunk` option. */
  | "junk"
  /** The same touchpoint (same id and time) was given twice; one is kept. */
  | "duplicate"
  /** Filtered out by the model's `channels` or `clickIds` option. */
  | "not_eligible";

/** The rule that decided a model's credits. */
export type DecidingRule =
  | "first_touch"
  | "last_touch"
  | "last_non_direct"
  /** `last_non_direct` found only direct touchpoints and credited the last one. */
  | "direct_fallback"
  | "linear"
  | "time_decay"
  | "position_based"
  /** Click-id chain, step 1: the subscription's `cf_click_id` matched a touchpoint's click id. */
  | "click_id"
  /** Click-id chain, step 2: the affiliate ref in `meta_data` matched a touchpoint. */
  | "affiliate_ref"
  /** Click-id chain, step 2: the affiliate ref matched no recorded touchpoint and was credited as is. */
  | "affiliate_ref_unrecorded"
  /** Click-id chain, step 3: a touchpoint of the person matched by identity (email/phone). */
  | "identity_match"
  /** Re-used from the original conversion's attribution ({@link inheritAttribution}). */
  | "inherited"
  /** Nothing could be credited. */
  | "no_eligible_touchpoints";

/** A touchpoint that took part in a model's decision, with its weight and share. */
export interface ConsideredTouchpoint {
  touchpointId: string;
  occurredAt: number;
  channel: Channel;
  /** The model's raw weight (0 when the model credits another touchpoint). */
  weight: number;
  /** `weight / sum of weights`. */
  share: number;
}

/** A touchpoint left out, and why. */
export interface ExcludedTouchpoint {
  touchpointId: string;
  occurredAt: number;
  reason: ExclusionReason;
}

/** How a model reached its credits. */
export interface Explanation {
  model: ModelName;
  /** The run's name (the model name unless renamed, e.g. `tiktok`). */
  name: string;
  rule: DecidingRule;
  /** The "now" of the window: the conversion, or the original conversion for a renewal. */
  anchorAt: number;
  /** The oldest time still inside the lookback window, or `null` without a window. */
  windowStart: number | null;
  /** Eligible touchpoints in time order. */
  considered: ConsideredTouchpoint[];
  /** Touchpoints left out, in time order. */
  excluded: ExcludedTouchpoint[];
  /** One sentence for humans. */
  summary: string;
}

/** One model's outcome. */
export interface ModelAttribution {
  name: string;
  model: ModelName;
  /** Credits in time order; shares sum to 1 and amounts to the value (empty when nothing matched). */
  credits: Credit[];
  /**
   * Built on first access (computing it costs more than the credits themselves) by an own enumerable
   * getter: `JSON.stringify`, `structuredClone` and `{ ...model }` copy it as plain data.
   */
  readonly explanation: Explanation;
}

/** The outcome of {@link attribute}: every model's credits side by side. */
export interface AttributionResult {
  /** The conversion's time. */
  occurredAt: number;
  /** The value that was allocated (`null`: credits carry shares only). */
  value: Money | null;
  /** One entry per model, in the order of the options. */
  models: ModelAttribution[];
  /** Every model's credits, in model order: ready for core `Conversion.credits`. */
  credits: Credit[];
}
