/**
 * The conversion log: a sink that appends every conversion the pipeline delivers to a JSON-lines file,
 * with the attribution engine's explanation of each model's decision and the person's touchpoints.
 * `revtrace report` reads it beside the commission ledger. It keeps no contact data (no email, phone,
 * name, IP or user agent): ids, times, channels, campaigns, money.
 *
 * @module
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import {
  type AttributionOptions,
  createAttributionEngine,
  type Explanation,
} from "@revtrace/attribution";
import {
  CONVERSION_NAMES,
  type Conversion,
  type ConversionName,
  type ItemResult,
  type Money,
  type Sink,
  type Touchpoint,
  type TouchpointStore,
} from "@revtrace/core";

/** A touchpoint as the log keeps it. */
export interface LoggedTouch {
  id: string;
  occurredAt: number;
  channel: Touchpoint["channel"];
  source: string | null;
  medium: string | null;
  campaign: string | null;
  affiliateRef: string | null;
  /** The names of the click ids it carried (`ttclid`, `gclid`), never their values. */
  clickIds: string[];
}

/** One conversion as the log keeps it. */
export interface LoggedConversion {
  id: string;
  name: ConversionName;
  occurredAt: number;
  value: Money | null;
  personId: string | null;
  customerId: string | null;
  subscriptionId: string | null;
  credits: { model: string; share: number; amount: Money | null; touchpointId: string }[];
  /** The person's touchpoints up to the conversion, in time order (the conversion path). */
  touchpoints: LoggedTouch[];
  /** Per model: how the engine decided (revenue and lead conversions). */
  explanations: Explanation[];
}

export interface ConversionLogSinkOptions {
  /** The JSON-lines file to append to. */
  path: string;
  /** Where the person's touchpoints are read. */
  storage: TouchpointStore;
  /** The pipeline's attribution options (the same models explain the same credits). */
  attribution?: AttributionOptions | undefined;
  /** How far back touchpoints are read. @default 90 days */
  touchpointLookbackMs?: number | undefined;
  /** @default "report" */
  name?: string | undefined;
}

const EXPLAINED = new Set<ConversionName>(["lead", "first_payment", "recurring_payment", "refund"]);

function loggedTouch(touchpoint: Touchpoint): LoggedTouch {
  const { affiliateRef, ...others } = touchpoint.clickIds ?? {};
  return {
    id: touchpoint.id,
    occurredAt: touchpoint.occurredAt,
    channel: touchpoint.channel,
    source: touchpoint.utm?.source ?? null,
    medium: touchpoint.utm?.medium ?? null,
    campaign: touchpoint.utm?.campaign ?? null,
    affiliateRef: affiliateRef ?? null,
    clickIds: Object.keys(others).sort(),
  };
}

/** The sink that writes the conversion log. */
export function createConversionLogSink(options: ConversionLogSinkOptions): Sink {
  const engine = createAttributionEngine(
    options.attribution ?? { models: ["first_touch", "click_id_chain"] },
  );
  const lookback = options.touchpointLookbackMs ?? 90 * 86_400_000;

  const entry = async (conversion: Conversion): Promise<LoggedConversion> => {
    const anonymousIds = conversion.identityKeys
      .filter((key) => key.kind === "anonymous_id")
      .map((key) => key.value);
    const subscription = conversion.billingEvent?.subscription;
    const anchor = subscription?.activatedAt ?? subscription?.startedAt ?? conversion.occurredAt;
    const touchpoints =
      anonymousIds.length === 0
        ? []
        : await options.storage.listTouchpoints({
            anonymousIds,
            range: {
              from: Math.min(anchor, conversion.occurredAt) - lookback,
              to: conversion.occurredAt,
            },
          });
    touchpoints.sort((a, b) => a.occurredAt - b.occurredAt || a.id.localeCompare(b.id));
    const explanations = EXPLAINED.has(conversion.name)
      ? engine
          .attribute(
            {
              occurredAt: conversion.occurredAt,
              value: conversion.value,
              billingEvent: conversion.billingEvent,
            },
            touchpoints,
          )
          .models.map((model) => model.explanation)
      : [];
    return {
      id: conversion.id,
      name: conversion.name,
      occurredAt: conversion.occurredAt,
      value: conversion.value,
      personId: conversion.personId,
      customerId: conversion.billingEvent?.customer?.id ?? null,
      subscriptionId: subscription?.id ?? null,
      credits: conversion.credits.map((credit) => ({
        model: credit.model,
        share: credit.share,
        amount: credit.amount,
        touchpointId: credit.touchpoint.id,
      })),
      touchpoints: touchpoints.map(loggedTouch),
      explanations,
    };
  };

  return {
    specificationVersion: "v1",
    name: options.name ?? "report",
    handles: new Set<ConversionName>(CONVERSION_NAMES),
    async send(items) {
      const lines: string[] = [];
      for (const item of items) lines.push(JSON.stringify(await entry(item)));
      if (lines.length > 0) appendFileSync(options.path, `${lines.join("\n")}\n`);
      return items.map((item): ItemResult => ({ id: item.id, status: "delivered" }));
    },
  };
}

/** Reads a conversion log: one entry per conversion id (the last written wins), in time order. */
export function readConversionLog(path: string): LoggedConversion[] {
  if (!existsSync(path)) return [];
  const byId = new Map<string, LoggedConversion>();
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const entry = JSON.parse(line) as LoggedConversion;
    byId.set(entry.id, entry);
  }
  return [...byId.values()].sort((a, b) => a.occurredAt - b.occurredAt || a.id.localeCompare(b.id));
}
