/**
 * The click-id chain, in AFFY's order (seed 004, "Attribution reliability"): the subscription's
 * `cf_click_id` wins ("works even if customer changes email"), then the affiliate ref in `meta_data`,
 * then the identity match: the touchpoints of the person found by email/phone.
 *
 * @module
 */
import type { Touchpoint } from "@revtrace/core";
import type { ResolvedInput } from "./attribution-input.js";
import { CLICK_ID_FIELDS, type ResolvedModel } from "./attribution-options.js";
import type { Selection } from "./model-selection.js";

const ONE: readonly number[] = [1];

function hasClickId(touchpoint: Touchpoint, clickId: string): boolean {
  const ids = touchpoint.clickIds;
  if (!ids) return false;
  for (const field of CLICK_ID_FIELDS) if (ids[field] === clickId) return true;
  return false;
}

function pick(
  candidates: readonly Touchpoint[],
  order: "first" | "last",
  matches: (touchpoint: Touchpoint) => boolean,
): Touchpoint | undefined {
  if (order === "first") return candidates.find(matches);
  return candidates.findLast(matches);
}

/** The touchpoint credited for an affiliate ref that no recorded touchpoint carries. */
export function unrecordedRefTouchpoint(ref: string, at: number): Touchpoint {
  const id = `affiliate-ref:${ref}`;
  return {
    id,
    anonymousId: id,
    occurredAt: at,
    clickIds: { affiliateRef: ref },
    utm: {},
    channel: "affiliate",
  };
}

/** Credits exactly one touchpoint, by the first step of the chain that matches. */
export function selectByClickIdChain(
  candidates: readonly Touchpoint[],
  spec: ResolvedModel,
  input: ResolvedInput,
  anchorAt: number,
): Selection {
  const { clickId, affiliateRef } = input;
  const order = spec.pick ?? "first";
  if (clickId) {
    const match = pick(candidates, order, (touchpoint) => hasClickId(touchpoint, clickId));
    if (match) return { rule: "click_id", credited: [match], weights: ONE };
  }
  if (affiliateRef) {
    const match = pick(
      candidates,
      order,
      (touchpoint) => touchpoint.clickIds?.affiliateRef === affiliateRef,
    );
    if (match) return { rule: "affiliate_ref", credited: [match], weights: ONE };
    if (spec.unrecordedRef === "credit") {
      return {
        rule: "affiliate_ref_unrecorded",
        credited: [unrecordedRefTouchpoint(affiliateRef, Math.max(0, Math.trunc(anchorAt)))],
        weights: ONE,
      };
    }
  }
  const channels = spec.fallbackChannels;
  const match = pick(candidates, order, (touchpoint) =>
    channels === null ? touchpoint.channel !== "direct" : channels.includes(touchpoint.channel),
  );
  if (match) return { rule: "identity_match", credited: [match], weights: ONE };
  return { rule: "no_eligible_touchpoints", credited: [], weights: [] };
}
