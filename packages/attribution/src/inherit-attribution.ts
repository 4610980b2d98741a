/**
 * Subsequent revenue from a stored attribution: a renewal or later payment re-uses the touchpoints and
 * weights of the original conversion (Able: "attributing all subsequent Chargebee revenue to the
 * original TikTok visitor and campaign, even if it occurs weeks after the initial visit").
 *
 * @module
 */
import type { Money, Touchpoint } from "@revtrace/core";
import { creditsOf } from "./attribution-engine.js";
import type { AttributionResult, ModelAttribution } from "./attribution-result.js";

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
  const source = original.explanation;
  const weightOf = new Map(source.considered.map((c) => [c.touchpointId, c.weight]));
  const credited: Touchpoint[] = original.credits.map((credit) => credit.touchpoint);
  const weights = credited.map((touchpoint) => weightOf.get(touchpoint.id) ?? 1);
  const rule =
    credited.length === 0 ? ("no_eligible_touchpoints" as const) : ("inherited" as const);
  const credits = creditsOf(original.name, { rule, credited, weights }, value);
  const explanation = {
    ...source,
    rule,
    considered: source.considered.map((c) => ({ ...c })),
    excluded: source.excluded.map((e) => ({ ...e })),
    summary:
      credited.length === 0
        ? `${original.name}: the original conversion credited nothing, so neither does this one.`
        : `${original.name}: Subsequent revenue at ${new Date(occurredAt).toISOString()} re-uses the credits of the original conversion (${source.rule}).`,
  };
  return { name: original.name, model: original.model, credits, explanation };
}

/**
 * Attributes a renewal or later payment exactly like the original conversion: the same touchpoints
 * and weights for every model, with the new value allocated exactly (largest remainder). Works on a
 * result returned by {@link attribute} or on one stored as JSON and read back.
 */
export function inheritAttribution(
  original: AttributionResult,
  conversion: SubsequentConversion,
): AttributionResult {
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
