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
  MoneySchema,
  type Sink,
  type Touchpoint,
  type TouchpointStore,
} from "@revtrace/core";
import { z } from "zod";

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

// Money as core checks it (a safe integer, a known upper-case ISO 4217 code): a line with anything
// else is not a valid entry, skipped and counted, never a crash of the report's money sums.
const LoggedMoney = MoneySchema.nullable();

/** What a line of the log must be for the report to use it (extra fields are kept). */
const LoggedConversionSchema = z.looseObject({
  id: z.string().min(1),
  name: z.enum(CONVERSION_NAMES),
  occurredAt: z.number().finite(),
  value: LoggedMoney,
  personId: z.string().nullable(),
  customerId: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  credits: z.array(
    z.looseObject({
      model: z.string(),
      share: z.number(),
      amount: LoggedMoney,
      touchpointId: z.string(),
    }),
  ),
  touchpoints: z.array(
    z.looseObject({
      id: z.string(),
      occurredAt: z.number().finite(),
      channel: z.string(),
      clickIds: z.array(z.string()),
    }),
  ),
  explanations: z.array(z.looseObject({ name: z.string(), model: z.string() })),
});

/** A conversion log as read: its entries, and how many non-empty lines were not valid entries. */
export interface ConversionLogContents {
  conversions: LoggedConversion[];
  /** Lines skipped: not JSON (a truncated write, garbage) or not a conversion entry. */
  skipped: number;
}

/**
 * Reads a conversion log: one entry per conversion id (the last written wins), in time order. Lines
 * that are not valid entries are skipped and counted, never thrown on. A missing file is empty.
 */
export function readConversionLogContents(path: string): ConversionLogContents {
  if (!existsSync(path)) return { conversions: [], skipped: 0 };
  const byId = new Map<string, LoggedConversion>();
  let skipped = 0;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (line.trim() === "") continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      skipped++;
      continue;
    }
    const entry = LoggedConversionSchema.safeParse(json);
    if (!entry.success) {
      skipped++;
      continue;
    }
    byId.set(entry.data.id, entry.data as unknown as LoggedConversion);
  }
  const conversions = [...byId.values()].sort(
    (a, b) => a.occurredAt - b.occurredAt || a.id.localeCompare(b.id),
  );
  return { conversions, skipped };
}

/** {@link readConversionLogContents}' entries only (invalid lines skipped). */
export function readConversionLog(path: string): LoggedConversion[] {
  return readConversionLogContents(path).conversions;
}
