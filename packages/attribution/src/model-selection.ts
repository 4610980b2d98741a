/**
 * The heuristic models: given the eligible touchpoints in time order, which ones are credited and with
 * what weight. Weights are relative; integer weights keep the money allocation exact to the share.
 *
 * @module
 */
import type { Touchpoint } from "@revtrace/core";
import type { ResolvedInput } from "./attribution-input.js";
import type { ResolvedModel } from "./attribution-options.js";
import type { DecidingRule } from "./attribution-result.js";
import { selectByClickIdChain } from "./click-id-chain.js";

/** A model's decision. */
export interface Selection {
  rule: DecidingRule;
  /** Credited touchpoints, in time order. */
  credited: readonly Touchpoint[];
  /** Weights of `credited` (all > 0). */
  weights: readonly number[];
}

/** What a model sees. */
export interface ModelContext {
  spec: ResolvedModel;
  input: ResolvedInput;
  /** The "now" of the window: the conversion, or the original conversion for a renewal. */
  anchorAt: number;
}

const ONE: readonly number[] = [1];
const NOTHING: Selection = Object.freeze({
  rule: "no_eligible_touchpoints",
  credited: [],
  weights: [],
});

const ONES: (readonly number[])[] = [];

/** A shared, frozen array of `n` ones (linear weights). */
function ones(n: number): readonly number[] {
  let weights = ONES[n];
  if (weights === undefined) {
    weights = new Array<number>(n).fill(1);
    if (n <= 64) ONES[n] = weights;
  }
  return weights;
}

function single(rule: DecidingRule, touchpoint: Touchpoint): Selection {
  return { rule, credited: [touchpoint], weights: ONE };
}

/** `last_non_direct`: the latest touchpoint that is not direct, else the latest direct one. */
function lastNonDirect(candidates: readonly Touchpoint[]): Selection {
  for (let i = candidates.length - 1; i >= 0; i--) {
    const touchpoint = candidates[i] as Touchpoint;
    if (touchpoint.channel !== "direct") return single("last_non_direct", touchpoint);
  }
  return single("direct_fallback", candidates[candidates.length - 1] as Touchpoint);
}

/**
 * `time_decay`: weight `2^(-(t_latest - t) / halfLife)`. Measured from the latest eligible touchpoint
 * rather than the conversion, which gives the same shares (the factor cancels) without underflow.
 */
function timeDecayWeights(candidates: readonly Touchpoint[], halfLifeMs: number): number[] {
  const latest = (candidates[candidates.length - 1] as Touchpoint).occurredAt;
  return candidates.map((touchpoint) => 2 ** (-(latest - touchpoint.occurredAt) / halfLifeMs));
}

/**
 * `position_based` as integer weights: first `first × m`, last `last × m`, each of the `m` middle
 * touchpoints `100 − first − last` (so the middle shares sum to the rest). Two touchpoints split
 * `first : last` (equally when both are 0).
 */
function positionWeights(n: number, first: number, last: number): number[] {
  if (n === 2) return first + last === 0 ? [1, 1] : [first, last];
  const middle = n - 2;
  const weights = new Array<number>(n).fill(100 - first - last);
  weights[0] = first * middle;
  weights[n - 1] = last * middle;
  return weights;
}

function weighted(
  rule: DecidingRule,
  candidates: readonly Touchpoint[],
  weights: readonly number[],
): Selection {
  let positive = true;
  for (const weight of weights) if (!(weight > 0)) positive = false;
  if (positive) return { rule, credited: candidates, weights };
  const credited: Touchpoint[] = [];
  const kept: number[] = [];
  weights.forEach((weight, i) => {
    if (weight > 0) {
      credited.push(candidates[i] as Touchpoint);
      kept.push(weight);
    }
  });
  return { rule, credited, weights: kept };
}

/** Runs the model of `context.spec` over the eligible touchpoints (time order). */
export function selectCredits(candidates: readonly Touchpoint[], context: ModelContext): Selection {
  const { spec } = context;
  if (spec.model === "click_id_chain") return selectByClickIdChain(candidates, context, spec);
  const n = candidates.length;
  if (n === 0) return NOTHING;
  switch (spec.model) {
    case "first_touch":
      return single("first_touch", candidates[0] as Touchpoint);
    case "last_touch":
      return single("last_touch", candidates[n - 1] as Touchpoint);
    case "last_non_direct":
      return lastNonDirect(candidates);
    case "linear":
      return { rule: "linear", credited: candidates, weights: ones(n) };
    case "time_decay":
      return weighted(
        "time_decay",
        candidates,
        timeDecayWeights(candidates, spec.halfLifeMs as number),
      );
    case "position_based":
      if (n === 1) return single("position_based", candidates[0] as Touchpoint);
      return weighted(
        "position_based",
        candidates,
        positionWeights(n, spec.first ?? 40, spec.last ?? 40),
      );
  }
}
