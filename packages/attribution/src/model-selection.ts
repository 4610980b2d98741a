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

const ONE: readonly number[] = [1];
const NOTHING: Selection = Object.freeze({
  rule: "no_eligible_touchpoints",
  credited: [],
  weights: [],
});

const ONES: (readonly number[])[] = [];

/** A shared array of `n` ones (linear weights), never modified. */
function ones(n: number): readonly number[] {
  let weights = ONES[n];
  if (weights === undefined) {
    const built: number[] = [];
    for (let i = 0; i < n; i++) built.push(1);
    weights = built;
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
  const n = candidates.length;
  const latest = (candidates[n - 1] as Touchpoint).occurredAt;
  const weights: number[] = [];
  for (let i = 0; i < n; i++)
    weights.push(2 ** (-(latest - (candidates[i] as Touchpoint).occurredAt) / halfLifeMs));
  return weights;
}

/** Position weights by `n`, `first` and `last`, built once (shared, never modified). */
const POSITIONS = new Map<number, readonly number[]>();

/**
 * `position_based` as integer weights: first `first × m`, last `last × m`, each of the `m` middle
 * touchpoints `100 − first − last` (so the middle shares sum to the rest). Two touchpoints split
 * `first : last` (equally when both are 0).
 */
function positionWeights(n: number, first: number, last: number): readonly number[] {
  if (n === 2) return first + last === 0 ? [1, 1] : [first, last];
  // first and last are integers in 0..100: a unique key for every n up to 64.
  const key = (first * 101 + last) * 65 + n;
  let weights = n <= 64 ? POSITIONS.get(key) : undefined;
  if (weights === undefined) {
    const middle = n - 2;
    const built = [first * middle];
    for (let i = 1; i < n - 1; i++) built.push(100 - first - last);
    built.push(last * middle);
    weights = built;
    if (n <= 64) POSITIONS.set(key, weights);
  }
  return weights;
}

function weighted(
  rule: DecidingRule,
  candidates: readonly Touchpoint[],
  weights: readonly number[],
): Selection {
  const n = weights.length;
  let positive = 0;
  while (positive < n && (weights[positive] as number) > 0) positive++;
  if (positive === n) return { rule, credited: candidates, weights };
  const credited: Touchpoint[] = [];
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const weight = weights[i] as number;
    if (weight > 0) {
      credited.push(candidates[i] as Touchpoint);
      kept.push(weight);
    }
  }
  return { rule, credited, weights: kept };
}

/**
 * Runs the model of `spec` over its eligible touchpoints (time order). `anchorAt` is the "now" of the
 * window: the conversion, or the original conversion for a renewal.
 */
export function selectCredits(
  candidates: readonly Touchpoint[],
  spec: ResolvedModel,
  input: ResolvedInput,
  anchorAt: number,
): Selection {
  if (spec.model === "click_id_chain")
    return selectByClickIdChain(candidates, spec, input, anchorAt);
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
