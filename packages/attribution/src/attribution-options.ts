/**
 * Options of the attribution engine: which models run, with which lookback window, on which
 * touchpoints. Validated once with zod when an engine is created.
 *
 * @module
 */
import { type Channel, ChannelSchema, parseOptions, type Touchpoint } from "@revtrace/core";
import { z } from "zod";

import { DAY_MS } from "./time.js";

/** The attribution models. */
export const MODEL_NAMES = [
  "first_touch",
  "last_touch",
  "last_non_direct",
  "linear",
  "time_decay",
  "position_based",
  "click_id_chain",
] as const;
/** One of {@link MODEL_NAMES}. */
export type ModelName = (typeof MODEL_NAMES)[number];

/** Click id fields a conversion's `clickId` (Chargebee `cf_click_id`) is matched against. */
export const CLICK_ID_FIELDS = [
  "affiliateClickId",
  "ttclid",
  "gclid",
  "fbclid",
  "msclkid",
] as const;
/** One of {@link CLICK_ID_FIELDS}. */
export type ClickIdField = (typeof CLICK_ID_FIELDS)[number];

const common = {
  /** Name of this run; credits carry it as `model`. @default the model name */
  name: z.string().min(1).optional(),
  /**
   * Lookback window in ms before the conversion (or before the original conversion for renewals);
   * touchpoints older than that are excluded. `null`: no window. @default null
   */
  lookbackMs: z.number().positive().nullable().default(null),
  /** Only touchpoints of these channels are eligible. `null`: every channel. @default null */
  channels: z.array(ChannelSchema).min(1).nullable().default(null),
  /** Only touchpoints carrying one of these click ids are eligible (e.g. `["ttclid"]`). @default null */
  clickIds: z.array(z.enum(CLICK_ID_FIELDS)).min(1).nullable().default(null),
  /**
   * Subscription revenue: `original` anchors the first payment and every later one at the original
   * conversion (`originalOccurredAt`, the subscription's activation), so they credit the same
   * touchpoints, as Able does; `own` attributes each payment at its own time. Only applies when the
   * conversion carries `originalOccurredAt`. @default "original"
   */
  renewals: z.enum(["original", "own"]).default("original"),
};

const percent = z.number().int().min(0).max(100);

const ModelSpecSchema = z.discriminatedUnion("model", [
  z.strictObject({ model: z.literal("first_touch"), ...common }),
  z.strictObject({ model: z.literal("last_touch"), ...common }),
  z.strictObject({ model: z.literal("last_non_direct"), ...common }),
  z.strictObject({ model: z.literal("linear"), ...common }),
  z.strictObject({
    model: z.literal("time_decay"),
    ...common,
    /** Half-life in ms: a touchpoint this much older than the newest counts half. @default 7 days */
    halfLifeMs: z
      .number()
      .positive()
      .default(7 * DAY_MS),
  }),
  z
    .strictObject({
      model: z.literal("position_based"),
      ...common,
      /** Percent of the credit for the first touchpoint. @default 40 */
      first: percent.default(40),
      /** Percent of the credit for the last touchpoint; the rest is split over the middle. @default 40 */
      last: percent.default(40),
    })
    .refine((spec) => spec.first + spec.last <= 100, {
      message: "first + last must not exceed 100",
      path: ["last"],
    }),
  z.strictObject({
    model: z.literal("click_id_chain"),
    ...common,
    /** Which touchpoint wins when several match one step. @default "first" */
    pick: z.enum(["first", "last"]).default("first"),
    /**
     * Channels the identity-match step (the touchpoints of the person matched by email/phone) may
     * credit. `null`: any non-direct channel. @default ["affiliate"]
     */
    fallbackChannels: z.array(ChannelSchema).min(1).nullable().default(["affiliate"]),
    /**
     * An affiliate ref in `meta_data` that no recorded touchpoint carries: `credit` it through a
     * synthetic affiliate touchpoint (id `affiliate-ref:<ref>`), or `ignore` it. @default "credit"
     */
    unrecordedRef: z.enum(["credit", "ignore"]).default("credit"),
  }),
]);

/** A model name is short for `{ model: name }`. */
const ModelInputSchema = z.preprocess(
  (value) => (typeof value === "string" ? { model: value } : value),
  ModelSpecSchema,
);

const EngineOptionsSchema = z
  .strictObject({
    /** The models to run side by side, in output order. @default ["first_touch"] */
    models: z.array(ModelInputSchema).min(1).prefault(["first_touch"]),
    /** Marks touchpoints to ignore (bots, internal traffic, test clicks). @default none */
    isJunk: z
      .custom<(touchpoint: Touchpoint) => boolean>((value) => typeof value === "function", {
        message: "Expected a function",
      })
      .optional(),
  })
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.models.forEach((spec, index) => {
      const name = spec.name ?? spec.model;
      if (seen.has(name)) {
        ctx.addIssue({
          code: "custom",
          message: `Duplicate model name "${name}"`,
          path: ["models", index, "name"],
        });
      }
      seen.add(name);
    });
  });

type ReadonlyArray_<V> = V extends (infer U)[] ? readonly U[] : V;
/** `T` with its array fields also accepting readonly arrays (`as const` options). */
type AcceptReadonly<T> = { [K in keyof T]: ReadonlyArray_<T[K]> };

/** A model as written in the options: a name, or an object with the model's settings. */
export type ModelOptions = ModelName | AcceptReadonly<z.input<typeof ModelSpecSchema>>;

/** Options of {@link createAttributionEngine} and {@link attribute}. */
export interface AttributionOptions {
  /** The models to run side by side, in output order. @default ["first_touch"] */
  models?: readonly ModelOptions[];
  /** Marks touchpoints to ignore (bots, internal traffic, test clicks); they are explained as `junk`. */
  isJunk?: (touchpoint: Touchpoint) => boolean;
}

/**
 * A model with every default filled in. Every run has the same shape (settings of other models are
 * `null`), which keeps the engine's property reads monomorphic.
 */
export interface ResolvedModel {
  model: ModelName;
  name: string;
  lookbackMs: number | null;
  channels: Channel[] | null;
  clickIds: ClickIdField[] | null;
  renewals: "original" | "own";
  /** `time_decay` only. */
  halfLifeMs: number | null;
  /** `position_based` only: percent for the first touchpoint. */
  first: number | null;
  /** `position_based` only: percent for the last touchpoint. */
  last: number | null;
  /** `click_id_chain` only. */
  pick: "first" | "last" | null;
  /** `click_id_chain` only. */
  fallbackChannels: Channel[] | null;
  /** `click_id_chain` only. */
  unrecordedRef: "credit" | "ignore" | null;
}

/** The validated engine options. */
export interface ResolvedOptions {
  models: ResolvedModel[];
  isJunk: ((touchpoint: Touchpoint) => boolean) | undefined;
}

type ParsedSpec = z.output<typeof ModelSpecSchema>;

function resolveModel(spec: ParsedSpec): ResolvedModel {
  return {
    model: spec.model,
    name: spec.name ?? spec.model,
    lookbackMs: spec.lookbackMs,
    channels: spec.channels,
    clickIds: spec.clickIds,
    renewals: spec.renewals,
    halfLifeMs: spec.model === "time_decay" ? spec.halfLifeMs : null,
    first: spec.model === "position_based" ? spec.first : null,
    last: spec.model === "position_based" ? spec.last : null,
    pick: spec.model === "click_id_chain" ? spec.pick : null,
    fallbackChannels: spec.model === "click_id_chain" ? spec.fallbackChannels : null,
    unrecordedRef: spec.model === "click_id_chain" ? spec.unrecordedRef : null,
  };
}

/** Validates engine options; throws `ConfigError` naming the bad field. */
export function resolveAttributionOptions(options: AttributionOptions = {}): ResolvedOptions {
  const parsed = parseOptions(EngineOptionsSchema, options, "attribution options");
  return { models: parsed.models.map(resolveModel), isJunk: parsed.isJunk };
}
