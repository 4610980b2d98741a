/**
 * Explanations: which touchpoints a model considered (with weights and shares), which it left out and
 * why, and the rule that decided. Built only when read.
 *
 * @module
 */
import type { Credit, Touchpoint } from "@revtrace/core";
import type { ResolvedModel } from "./attribution-options.js";
import type {
  ConsideredTouchpoint,
  DecidingRule,
  ExcludedTouchpoint,
  ExclusionReason,
  Explanation,
} from "./attribution-result.js";
import type { Selection } from "./model-selection.js";
import { DAY_MS } from "./time.js";
import { compareExcluded, type PreparedTouchpoints } from "./touchpoint-order.js";

/** Where a model's window sits. */
export interface ModelWindow {
  anchorAt: number;
  windowStart: number | null;
}

/** Why a valid touchpoint is not eligible for a model, or `null` when it is. */
export function exclusionFor(
  touchpoint: Touchpoint,
  spec: ResolvedModel,
  window: ModelWindow,
): ExclusionReason | null {
  if (touchpoint.occurredAt > window.anchorAt) return "after_original_conversion";
  if (window.windowStart !== null && touchpoint.occurredAt < window.windowStart)
    return "outside_window";
  if (spec.channels !== null && !spec.channels.includes(touchpoint.channel)) return "not_eligible";
  if (spec.clickIds !== null && !spec.clickIds.some((field) => touchpoint.clickIds?.[field]))
    return "not_eligible";
  return null;
}

const days = (ms: number) => `${+(ms / DAY_MS).toFixed(3)} days`;

function sentence(spec: ResolvedModel, rule: DecidingRule): string {
  switch (rule) {
    case "first_touch":
      return "The earliest eligible touchpoint takes all the credit.";
    case "last_touch":
      return "The latest eligible touchpoint takes all the credit.";
    case "last_non_direct":
      return "The latest non-direct touchpoint takes all the credit; direct visits are ignored.";
    case "direct_fallback":
      return "Only direct touchpoints were eligible; the latest takes all the credit.";
    case "linear":
      return "Every eligible touchpoint gets an equal share.";
    case "time_decay":
      return `Weights halve every ${days(spec.halfLifeMs as number)} before the latest touchpoint.`;
    case "position_based": {
      const first = spec.first ?? 40;
      const last = spec.last ?? 40;
      return `First ${first}%, last ${last}%, the other ${100 - first - last}% split over the middle.`;
    }
    case "click_id":
      return "The subscription's click id (cf_click_id) matched this touchpoint's click id.";
    case "affiliate_ref":
      return "The affiliate ref in the subscription's meta_data matched this touchpoint.";
    case "affiliate_ref_unrecorded":
      return "The affiliate ref in meta_data matched no recorded touchpoint; it is credited as is.";
    case "identity_match":
      return "No click id or affiliate ref matched; the identity-matched person's touchpoint is credited.";
    case "inherited":
      return "Subsequent revenue: the credits of the original conversion are re-used.";
    case "no_eligible_touchpoints":
      return "No eligible touchpoint: nothing is credited.";
  }
}

/** One-sentence summary of an explanation. */
export function summarize(
  spec: ResolvedModel,
  rule: DecidingRule,
  considered: number,
  excluded: number,
): string {
  const window =
    spec.lookbackMs === null ? "no lookback window" : `${days(spec.lookbackMs)} lookback`;
  return `${spec.name}: ${sentence(spec, rule)} ${considered} considered, ${excluded} excluded (${window}).`;
}

/** A considered touchpoint with its weight and share (0 when the model credits another one). */
function describe(
  touchpoint: Touchpoint,
  selection: Selection,
  credits: readonly Credit[],
): ConsideredTouchpoint {
  const index = selection.credited.indexOf(touchpoint);
  return {
    touchpointId: touchpoint.id,
    occurredAt: touchpoint.occurredAt,
    channel: touchpoint.channel,
    weight: index < 0 ? 0 : (selection.weights[index] as number),
    share: index < 0 ? 0 : (credits[index] as Credit).share,
  };
}

/** Builds the explanation of one model run. */
export function explain(
  spec: ResolvedModel,
  prepared: PreparedTouchpoints,
  window: ModelWindow,
  selection: Selection,
  credits: readonly Credit[],
): Explanation {
  const considered: ConsideredTouchpoint[] = [];
  const excluded: ExcludedTouchpoint[] = prepared.excluded.slice();
  for (const touchpoint of prepared.valid) {
    let reason = exclusionFor(touchpoint, spec, window);
    if (reason === null && selection.rule === "last_non_direct" && touchpoint.channel === "direct")
      reason = "direct";
    if (reason === null) considered.push(describe(touchpoint, selection, credits));
    else excluded.push({ touchpointId: touchpoint.id, occurredAt: touchpoint.occurredAt, reason });
  }
  // A synthetic touchpoint (unrecorded affiliate ref) is not among the inputs.
  for (const touchpoint of selection.credited) {
    if (!prepared.valid.includes(touchpoint))
      considered.push(describe(touchpoint, selection, credits));
  }
  excluded.sort(compareExcluded);
  return {
    model: spec.model,
    name: spec.name,
    rule: selection.rule,
    anchorAt: window.anchorAt,
    windowStart: window.windowStart,
    considered,
    excluded,
    summary: summarize(spec, selection.rule, considered.length, excluded.length),
  };
}
