/**
 * Options of `createSegmentSink`, validated at construction with zod (a `ConfigError` names every bad
 * field, never its value). Section numbers refer to shared/specs/segment-http-api.md.
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
  SEGMENT_HOSTS,
  SEGMENT_MAX_BATCH_BYTES,
  SEGMENT_MAX_BATCH_MESSAGES,
  SEGMENT_MAX_MESSAGE_BYTES,
  type SegmentRegion,
} from "./segment-api-types.js";

/**
 * The default track event of each conversion name: Segment's spec names where they exist
 * (E-commerce v2 `Order Completed` / `Order Refunded`, B2B SaaS `Trial Started` / `Trial Ended`,
 * spec §7.1–7.2) and clear names for the rest. `false`: identify only, no track. Retention events keep
 * their own names (`page_loaded`, `cancel`, …) whatever this table says.
 */
/**
 * The default event of `retention`: each Retention event under its own name (`cancel`, `save`, …).
 * `events.retention: false` sends nothing for Retention; a string names every Retention track so.
 */
export const SEGMENT_RETENTION_OWN_NAME = "(the Retention event's own name)";

export const SEGMENT_DEFAULT_EVENTS: Readonly<Record<ConversionName, string | false>> = {
  lead: false,
  subscription_created: "Subscription Created",
  trial_started: "Trial Started",
  trial_converted: "Trial Ended",
  subscription_changed: "Subscription Changed",
  subscription_renewed: "Subscription Renewed",
  subscription_cancelled: "Subscription Cancelled",
  subscription_reactivated: "Subscription Reactivated",
  first_payment: "Order Completed",
  recurring_payment: "Order Completed",
  payment_failed: "Payment Failed",
  refund: "Order Refunded",
  customer_created: false,
  customer_updated: false,
  customer_deleted: "Customer Deleted",
  retention: SEGMENT_RETENTION_OWN_NAME,
};

/** The names whose conversion is an identify of the customer (with no track unless one is mapped). */
export const SEGMENT_IDENTIFY_CONVERSIONS: readonly ConversionName[] = [
  "lead",
  "customer_created",
  "customer_updated",
];

/** Which id becomes Segment's `userId` (spec §3.1: a stable database id, not an email). */
export type SegmentUserIdSource = "chargebee_customer_id" | "external_id";

const eventName = z.union([z.literal(false), z.string().trim().min(1).max(200)]);

const writeKey = z
  .string()
  .min(1, "is required")
  .refine((value) => !/\s/.test(value), "must not contain whitespace");

/** The options schema of `createSegmentSink`. */
export const SegmentSinkOptionsSchema = z.strictObject({
  /** The write key of an HTTP API source (Segment → Connections → Sources → HTTP API). */
  writeKey,
  /** The workspace's region (spec §1: data sent to the wrong region is dropped). @default "us" */
  region: z.enum(Object.keys(SEGMENT_HOSTS) as [SegmentRegion, ...SegmentRegion[]]).default("us"),
  /** Host override without `/v1` (a proxy, or `@revtrace/sandbox` in tests and demos). */
  baseUrl: z.url({ protocol: /^https?$/, error: "must be an http(s) URL" }).optional(),
  /** Which id is Segment's `userId`. @default "chargebee_customer_id" */
  userId: z.enum(["chargebee_customer_id", "external_id"]).default("chargebee_customer_id"),
  /** Track event name per conversion name (`false`: no track). Unset keys keep the defaults. */
  events: z
    .partialRecord(z.enum(CONVERSION_NAMES as [ConversionName, ...ConversionName[]]), eventName)
    .optional(),
  /** Send an identify of the customer with every lifecycle event, not only on customer changes. @default true */
  identifyWithEvents: z.boolean().default(true),
  /** Messages per request, 1–2,500 (spec §4). @default 2500 */
  maxBatchMessages: z
    .number()
    .int()
    .min(1)
    .max(SEGMENT_MAX_BATCH_MESSAGES)
    .default(SEGMENT_MAX_BATCH_MESSAGES),
  /** Bytes per request body, up to 500,000 (spec §4). @default 500000 */
  maxBatchBytes: z
    .number()
    .int()
    .min(SEGMENT_MAX_MESSAGE_BYTES + 64)
    .max(SEGMENT_MAX_BATCH_BYTES)
    .default(SEGMENT_MAX_BATCH_BYTES),
  ...TRANSPORT_OPTIONS_SHAPE,
});

/** Options of `createSegmentSink`. */
export type SegmentSinkOptions = Omit<z.input<typeof SegmentSinkOptionsSchema>, "retry"> & {
  retry?: RetryPolicy;
};

/** Validated options with defaults applied and the event table resolved. */
export type SegmentSettings = Omit<z.output<typeof SegmentSinkOptionsSchema>, "events"> & {
  /** The host requests go to (no `/v1`). */
  host: string;
  /** Track event per conversion name; `null` = no track. */
  events: Readonly<Record<ConversionName, string | null>>;
};

/** The part of the settings the pure mapper reads. */
export type SegmentMapperSettings = Pick<
  SegmentSettings,
  "events" | "userId" | "identifyWithEvents"
>;

/** Validates `options`; throws a `ConfigError` naming every bad field, never its value. */
export function parseSegmentSinkOptions(options: unknown): SegmentSettings {
  const parsed = parseOptions(SegmentSinkOptionsSchema, options, "Segment sink options");
  const { events: given, ...rest } = parsed;
  const events = {} as Record<ConversionName, string | null>;
  for (const name of CONVERSION_NAMES) {
    const entry = given?.[name] ?? SEGMENT_DEFAULT_EVENTS[name];
    events[name] = entry === false ? null : entry;
  }
  return { ...rest, host: rest.baseUrl ?? SEGMENT_HOSTS[rest.region], events };
}

/** The conversion names a sink with these settings sends something for. */
export function segmentHandles(settings: SegmentMapperSettings): ReadonlySet<ConversionName> {
  return new Set(
    CONVERSION_NAMES.filter(
      (name) => settings.events[name] !== null || SEGMENT_IDENTIFY_CONVERSIONS.includes(name),
    ),
  );
}

/** A conversion's Segment `userId` under `source`; `undefined` when it has none. */
export function segmentUserId(
  conversion: Conversion,
  source: SegmentUserIdSource,
): string | undefined {
  const retention = conversion.retentionEvent;
  const fromKeys = conversion.identityKeys.find((key) => key.kind === source)?.value;
  const id =
    source === "external_id"
      ? (conversion.contact.externalId ?? fromKeys ?? retention?.account.internalId)
      : (conversion.billingEvent?.customer?.id ?? fromKeys ?? retention?.account.billingId);
  return id === null || id === undefined || id.trim() === "" ? undefined : id;
}
