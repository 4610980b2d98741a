/**
 * Subsequent revenue from a stored attribution: a renewal or later payment re-uses the touchpoints and
 * weights of the original conversion (Able: "attributing all subsequent Chargebee revenue to the
 * original TikTok visitor and campaign, even if it occurs weeks after the initial visit").
 *
 * @module
 */
import type { Money, Touchpoint } from "@revtrace/core";
import { creditsOf } from "./attribution-engine.js";
import type {
  AttributionResult,
  ConsideredTouchpoint,
  Explanation,
  ModelAttribution,
} from "./attribution-result.js";

/** The later conversion whose value is allocated like the original one. */
export interface SubsequentConversion {
  occurredAt: number;
  value: Money | null;
}

function inheritModel(
  original: ModelAttribution,
  value: Money | null,
  occurredAt: number,
): ModelAttribution {
  // A result stored or copied without its explanations still has its credits: their shares then
  // weigh the touchpoints (shares are the weights, normalized).
  const source = (original as Partial<ModelAttribution>).explanation;
  const credited: Touchpoint[] = original.credits.map((credit) => credit.touchpoint);
  let weights: number[];
  if (source) {
    // One touchpoint id at two times is two touchpoints (only the same id and time is a duplicate).
    const at = (id: string, time: number) => `${time}\u0000${id}`;
    const weightOf = new Map(
      source.considered.map((c) => [at(c.touchpointId, c.occurredAt), c.weight]),
    );
    weights = credited.map(
      (touchpoint) => weightOf.get(at(touchpoint.id, touchpoint.occurredAt)) ?? 1,
    );
  } else weights = original.credits.map((credit) => credit.share);
  const rule =
    credited.length === 0 ? ("no_eligible_touchpoints" as const) : ("inherited" as const);
  const credits = creditsOf(original.name, { rule, credited, weights }, value);
  const considered: ConsideredTouchpoint[] = source
    ? source.considered.map((c) => ({ ...c }))
    : credits.map((credit, i) => ({
        touchpointId: credit.touchpoint.id,
        occurredAt: credit.touchpoint.occurredAt,
        channel: credit.touchpoint.channel,
        weight: weights[i] as number,
        share: credit.share,
      }));
  const explanation: Explanation = {
    model: original.model,
    name: original.name,
    rule,
    anchorAt: source ? source.anchorAt : occurredAt,
    windowStart: source ? source.windowStart : null,
    considered,
    excluded: source ? source.excluded.map((e) => ({ ...e })) : [],
    summary:
      credited.length === 0
        ? `${original.name}: the original conversion credited nothing, so neither does this one.`
        : `${original.name}: Subsequent revenue at ${new Date(occurredAt).toISOString()} re-uses the credits of the original conversion${source ? ` (${source.rule})` : ""}.`,
  };
  return { name: original.name, model: original.model, credits, explanation };
}

/**
 * Attributes a renewal or later payment exactly like the original conversion: the same touchpoints
 * and weights for every model, with the new value allocated exactly (largest remainder). Works on a
 * result returned by {@link attribute}, on a copy of it (`structuredClone`, spread), on one stored as
 * JSON and read back, and on one stored without explanations (the credits' shares are the weights).
 * @throws {TypeError} when `occurredAt` is not a time a Date can hold.
 */
export function inheritAttribution(
  original: AttributionResult,
  conversion: SubsequentConversion,
): AttributionResult {
  const at = conversion.occurredAt;
  // a time a Date can hold (±8.64e15 ms): the explanation prints it
  if (typeof at !== "number" || !Number.isFinite(at) || Math.abs(at) > 8_640_000_000_000_000)
    throw new TypeError(
      "inheritAttribution: occurredAt must be epoch milliseconds within the Date range",
    );
  const models = original.models.map((model) =>
    inheritModel(model, conversion.value, conversion.occurredAt),
  );
  return {
    occurredAt: conversion.occurredAt,
    value: conversion.value,
    models,
    credits: models.flatMap((model) => model.credits),
  };
}
