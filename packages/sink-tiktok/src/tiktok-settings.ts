/**
 * Options of `createTikTokSink`, validated with zod at construction. Bad options throw a
 * `ConfigError` naming the field; values (tokens) never appear in the message.
 *
 * @module
 */
import {
  CONVERSION_NAMES,
  type Conversion,
  type ConversionName,
  parseOptions,
  type RetryPolicy,
  TRANSPORT_OPTIONS_SHAPE,
} from "@revtrace/core";
import { z } from "zod";
import {
  TIKTOK_API_VERSION,
  TIKTOK_LEGACY_ALIASES,
  TIKTOK_MAX_BATCH_SIZE,
  TIKTOK_RESERVED_EVENTS,
  type TikTokEventName,
} from "./tiktok-api-types.js";

/** The production API base URL (TikTok spec §1; keep the trailing slash). */
export const TIKTOK_DEFAULT_BASE_URL = `https://business-api.tiktok.com/open_api/${TIKTOK_API_VERSION}/`;

/** A conversion the sink can map to a TikTok event: every core name but `refund` (spec §3). */
export type TikTokMappableConversion = Exclude<ConversionName, "refund">;

/**
 * Conversions the sink can map to a TikTok event, derived from core's `ConversionName` enum: every
 * name except `refund`, which TikTok has no event for (no refund event, no negative value; spec §3).
 */
export const TIKTOK_MAPPABLE_CONVERSIONS: readonly TikTokMappableConversion[] =
  CONVERSION_NAMES.filter((name): name is TikTokMappableConversion => name !== "refund");

/** The events mapped by default; every other mappable conversion is off. */
const DEFAULT_ON: Readonly<Partial<Record<TikTokMappableConversion, TikTokEventName>>> = {
  lead: "Lead",
  trial_started: "StartTrial",
  first_payment: "Purchase",
  recurring_payment: "Purchase",
};

/**
 * The default event mapping: the first paid invoice (`payment_succeeded` with `first_invoice`) and
 * renewals become `Purchase`, a trial start `StartTrial`, a lead `Lead`; the rest is off.
 */
export const TIKTOK_DEFAULT_EVENTS: Readonly<
  Record<TikTokMappableConversion, TikTokEventName | false>
> = Object.fromEntries(
  TIKTOK_MAPPABLE_CONVERSIONS.map((name) => [name, DEFAULT_ON[name] ?? false]),
) as Record<TikTokMappableConversion, TikTokEventName | false>;

/** Default most bytes of one request body (TikTok spec §5: no documented limit; ~1 MB is safe). */
export const TIKTOK_DEFAULT_MAX_BATCH_BYTES = 1_000_000;

const RESERVED: ReadonlySet<string> = new Set(TIKTOK_RESERVED_EVENTS);
const ALIASES: Readonly<Record<string, string>> = TIKTOK_LEGACY_ALIASES;

const token = z
  .string()
  .min(1, "is required")
  .refine((value) => !/^bearer\s/i.test(value), "must be the raw token, without a `Bearer ` prefix")
  .refine((value) => !/\s/.test(value), "must not contain whitespace");

const pixelCode = z.string().trim().min(1, "is required");

/** An event name; legacy aliases become their current name, reserved names are refused (spec §3). */
const eventName = z
  .string()
  .trim()
  .min(1, "is required")
  .refine(
    (name) => !RESERVED.has(name),
    "is a reserved TikTok event name; use the standard event it maps to",
  )
  .transform((name) => ALIASES[name] ?? name);

const ENTRY_SHAPE = "must be false, a TikTok event name, or { event, pixelCode?, accessToken? }";

const mappingEntry = z.union(
  [
    z.literal(false),
    eventName,
    z.strictObject({
      /** The TikTok event name. */
      event: eventName,
      /** Pixel for this event (defaults to the sink's `pixelCode`). */
      pixelCode: pixelCode.optional(),
      /** Events API token of that pixel (defaults to the sink's `accessToken`). */
      accessToken: token.optional(),
    }),
  ],
  {
    // zod names a failed union "Invalid input"; say what is wrong with the form that was given
    // (a reserved name, an empty one), never the value.
    error: (issue) => {
      if (issue.code !== "invalid_union") return undefined;
      const branch =
        typeof issue.input === "string"
          ? 1
          : typeof issue.input === "object" && issue.input !== null
            ? 2
            : -1;
      const first = issue.errors[branch]?.[0];
      if (!first) return ENTRY_SHAPE;
      return first.path.length > 0 ? `${first.path.join(".")}: ${first.message}` : first.message;
    },
  },
);

const isFunction = (value: unknown) => typeof value === "function";

/** The options schema of `createTikTokSink`. */
export const TikTokSinkOptionsSchema = z.strictObject({
  /** Events API access token (Events Manager → pixel → Settings → Generate Access Token). */
  accessToken: token,
  /** Pixel code (the pixel ID), sent as `event_source_id`. */
  pixelCode,
  /** Which conversions become which TikTok events, optionally with their own pixel and token. */
  events: z
    .partialRecord(
      z.enum(
        TIKTOK_MAPPABLE_CONVERSIONS as [TikTokMappableConversion, ...TikTokMappableConversion[]],
      ),
      mappingEntry,
    )
    .optional(),
  /** `test_event_code` from Events Manager → Test Events; every request of this sink is test traffic. */
  testEventCode: z.string().trim().min(1).optional(),
  /** Sets `limited_data_use` on every event (US state-privacy processing). Omitted when unset. */
  limitedDataUse: z.boolean().optional(),
  /** `partner_name`; only send a name TikTok registered for you (else code 40063). */
  partnerName: z.string().trim().min(1).optional(),
  /**
   * Most events per request, 1–1,000. Whatever is queued is sent at once (TikTok prefers real time);
   * a backlog goes out in full requests. A full request is safe because bad events are isolated: one
   * bad event no longer fails the good ones (see the README). @default 1000 (TikTok's maximum, spec §5)
   */
  batchSize: z.number().int().min(1).max(TIKTOK_MAX_BATCH_SIZE).default(TIKTOK_MAX_BATCH_SIZE),
  /**
   * Most bytes of one request body; a batch is also cut here. TikTok documents no byte limit; ~1 MB
   * is the safe assumption of TikTok spec §5. @default 1000000
   */
  maxBatchBytes: z.number().int().min(1_000).default(TIKTOK_DEFAULT_MAX_BATCH_BYTES),
  /** Older conversions are skipped, not sent (spec §8), 1–28 days. @default 7 */
  maxEventAgeDays: z.number().min(1).max(28).default(7),
  /** ISO 3166-1 alpha-2 region for phone numbers without a country code, when the contact has none. */
  defaultCountry: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 code")
    .transform((code) => code.toUpperCase())
    .optional(),
  /** API base URL (point it at `@revtrace/sandbox` in tests and demos). */
  baseUrl: z
    .url({ protocol: /^https?$/, error: "must be an http(s) URL" })
    .default(TIKTOK_DEFAULT_BASE_URL),
  /**
   * Derives `event_id`: deterministic, identical on every retry, and what the browser pixel sends for
   * the same conversion (TikTok spec §7). @default `defaultEventId`: the invoice (order) id, else the
   * conversion id
   */
  eventId: z
    .custom<(conversion: Conversion) => string>(isFunction, "must be a function")
    .optional(),
  ...TRANSPORT_OPTIONS_SHAPE,
});

type MappingEntryInput =
  | TikTokEventName
  | false
  | { event: TikTokEventName; pixelCode?: string; accessToken?: string };

/** Options of `createTikTokSink`. */
export type TikTokSinkOptions = Omit<
  z.input<typeof TikTokSinkOptionsSchema>,
  "events" | "retry"
> & {
  /**
   * Conversion → TikTok event. A name, `false` (off), or `{ event, pixelCode?, accessToken? }`.
   * Unset keys keep {@link TIKTOK_DEFAULT_EVENTS}. `CompletePayment` and `SubmitForm` are accepted as
   * aliases of `Purchase` and `Lead`.
   */
  events?: Partial<Record<TikTokMappableConversion, MappingEntryInput>>;
  retry?: RetryPolicy;
};

/** Where one event goes: the pixel and the token allowed to write to it. */
export interface TikTokTarget {
  pixelCode: string;
  accessToken: string;
}

/** One resolved mapping: the TikTok event name and its target. */
export interface TikTokEventMapping extends TikTokTarget {
  event: string;
}

/** Validated options with defaults applied and the event mapping resolved. */
export type TikTokSettings = Omit<z.output<typeof TikTokSinkOptionsSchema>, "events"> & {
  /** Per conversion name; names TikTok has no event for are absent. */
  events: Readonly<Partial<Record<ConversionName, TikTokEventMapping | null>>>;
};

/** Validates `options`; throws a `ConfigError` naming every bad field, never its value. */
export function parseTikTokSinkOptions(options: unknown): TikTokSettings {
  const parsed = parseOptions(TikTokSinkOptionsSchema, options, "TikTok sink options");
  const { events: given, ...rest } = parsed;
  const events = {} as Record<TikTokMappableConversion, TikTokEventMapping | null>;
  for (const name of TIKTOK_MAPPABLE_CONVERSIONS) {
    const entry = given?.[name] ?? TIKTOK_DEFAULT_EVENTS[name];
    if (entry === false) {
      events[name] = null;
    } else if (typeof entry === "string") {
      events[name] = {
        event: ALIASES[entry] ?? entry,
        pixelCode: rest.pixelCode,
        accessToken: rest.accessToken,
      };
    } else {
      events[name] = {
        event: entry.event,
        pixelCode: entry.pixelCode ?? rest.pixelCode,
        accessToken: entry.accessToken ?? rest.accessToken,
      };
    }
  }
  return { ...rest, events };
}
