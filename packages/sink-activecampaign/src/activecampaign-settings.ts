/**
 * Options of `createActiveCampaignSink`, validated with zod at construction: bad options throw a
 * `ConfigError` naming the field, never its value (tokens). Section numbers refer to
 * shared/specs/activecampaign.md.
 *
 * @module
 */
import {
  isMappingStore,
  type MappingStore,
  parseOptions,
  type RateLimiter,
  type RetryPolicy,
  TRANSPORT_OPTIONS_SHAPE,
} from "@revtrace/core";
import { z } from "zod";
import type { FieldContext } from "./activecampaign-mapper.js";

/** The account limit: 5 requests a second, shared by every API key of the account (spec §1). */
export const ACTIVECAMPAIGN_RATE_LIMIT = { limit: 5, intervalMs: 1000 } as const;

/** What happens in ActiveCampaign when a Chargebee customer is deleted (seed 001, spec §8). */
export const DELETION_POLICIES = ["keep", "unsubscribe", "delete", "tag"] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

/** A custom field type ActiveCampaign accepts on `POST /fields` (spec §3). */
export const FIELD_TYPES = ["text", "textarea", "date", "datetime", "hidden"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** The keys of the default field set (see {@link DEFAULT_FIELDS}). */
export const DEFAULT_FIELD_KEYS = [
  "customerId",
  "company",
  "createdAt",
  "billingCountry",
  "billingCity",
  "locale",
  "subscriptionId",
  "plan",
  "subscriptionStatus",
  "mrr",
  "currency",
  "billingPeriod",
  "trialEnd",
  "nextBillingAt",
  "activatedAt",
  "cancelledAt",
  "firstTouchSource",
  "firstTouchMedium",
  "firstTouchCampaign",
  "firstTouchLandingPage",
  "firstTouchReferrer",
  "firstTouchClickId",
] as const;
export type DefaultFieldKey = (typeof DEFAULT_FIELD_KEYS)[number];

/** One contact custom field the sink writes, keyed by its personalization tag (spec §3). */
export interface FieldDefinition {
  /** The personalization tag (stable, unique per account): how the sink finds the field. */
  perstag: string;
  /** The title shown in ActiveCampaign (used when the field is created). */
  title: string;
  type: FieldType;
}

/**
 * The default field set: Chargebee's native integration maps 18 fields (seed 001); this set covers
 * the customer, the subscription and first-touch attribution (from the conversion's `first_touch`
 * credit). Created once at setup when missing. Dates are `YYYY-MM-DD` (spec §3).
 */
export const DEFAULT_FIELDS: Readonly<Record<DefaultFieldKey, FieldDefinition>> = {
  customerId: { perstag: "CHARGEBEE_CUSTOMER_ID", title: "Chargebee customer ID", type: "text" },
  company: { perstag: "CHARGEBEE_COMPANY", title: "Company (Chargebee)", type: "text" },
  createdAt: { perstag: "CHARGEBEE_CREATED_AT", title: "Chargebee customer since", type: "date" },
  billingCountry: {
    perstag: "CHARGEBEE_BILLING_COUNTRY",
    title: "Chargebee billing country",
    type: "text",
  },
  billingCity: { perstag: "CHARGEBEE_BILLING_CITY", title: "Chargebee billing city", type: "text" },
  locale: { perstag: "CHARGEBEE_LOCALE", title: "Chargebee locale", type: "text" },
  subscriptionId: {
    perstag: "CHARGEBEE_SUBSCRIPTION_ID",
    title: "Chargebee subscription ID",
    type: "text",
  },
  plan: { perstag: "CHARGEBEE_PLAN", title: "Chargebee plan", type: "text" },
  subscriptionStatus: {
    perstag: "CHARGEBEE_SUBSCRIPTION_STATUS",
    title: "Chargebee subscription status",
    type: "text",
  },
  mrr: { perstag: "CHARGEBEE_MRR", title: "Chargebee MRR", type: "text" },
  currency: { perstag: "CHARGEBEE_CURRENCY", title: "Chargebee currency", type: "text" },
  billingPeriod: {
    perstag: "CHARGEBEE_BILLING_PERIOD",
    title: "Chargebee billing period",
    type: "text",
  },
  trialEnd: { perstag: "CHARGEBEE_TRIAL_END", title: "Chargebee trial end", type: "date" },
  nextBillingAt: {
    perstag: "CHARGEBEE_NEXT_BILLING",
    title: "Chargebee next billing date",
    type: "date",
  },
  activatedAt: {
    perstag: "CHARGEBEE_ACTIVATED_AT",
    title: "Chargebee subscription activated",
    type: "date",
  },
  cancelledAt: {
    perstag: "CHARGEBEE_CANCELLED_AT",
    title: "Chargebee subscription cancelled",
    type: "date",
  },
  firstTouchSource: { perstag: "RT_FIRST_SOURCE", title: "First-touch source", type: "text" },
  firstTouchMedium: { perstag: "RT_FIRST_MEDIUM", title: "First-touch medium", type: "text" },
  firstTouchCampaign: {
    perstag: "RT_FIRST_CAMPAIGN",
    title: "First-touch campaign",
    type: "text",
  },
  firstTouchLandingPage: {
    perstag: "RT_FIRST_LANDING_PAGE",
    title: "First-touch landing page",
    type: "text",
  },
  firstTouchReferrer: {
    perstag: "RT_FIRST_REFERRER",
    title: "First-touch referrer",
    type: "text",
  },
  firstTouchClickId: { perstag: "RT_FIRST_CLICK_ID", title: "First-touch click ID", type: "text" },
};

/** The lifecycle state tags: one per Chargebee subscription status, the old one removed. */
export const LIFECYCLE_STATES = [
  "future",
  "trial",
  "active",
  "non-renewing",
  "paused",
  "cancelled",
] as const;
export type LifecycleState = (typeof LIFECYCLE_STATES)[number];

const isFunction = (value: unknown) => typeof value === "function";

/** A personalization tag: letters, digits and underscores (ActiveCampaign upper-cases them). */
const perstag = z
  .string()
  .trim()
  .regex(/^[A-Za-z][A-Za-z0-9_]{0,49}$/, "must be letters, digits and underscores (≤ 50)")
  .transform((tag) => tag.toUpperCase());

const fieldOverride = z.union([
  z.literal(false),
  z.strictObject({
    perstag: perstag.optional(),
    title: z.string().trim().min(1).max(255).optional(),
  }),
]);

const extraField = z.strictObject({
  perstag,
  title: z.string().trim().min(1).max(255),
  type: z.enum(FIELD_TYPES).default("text"),
  /**
   * Where the value comes from: a Chargebee custom field name (`cf_…`, looked up on the subscription,
   * then on the customer), or a function of the field context returning a string (or `null`: not sent).
   */
  source: z.union([
    z.string().regex(/^c[fs]_.+/, "must be a Chargebee custom field name (cf_… or cs_…)"),
    z.custom<(context: FieldContext) => string | null>(isFunction, "must be a function"),
  ]),
});

/**
 * The API URL exactly as ActiveCampaign shows it under Settings → Developer (spec §1:
 * `https://<account>.api-us1.com`, never built from the account name). A pasted `/api/3` suffix is
 * accepted. https only, except on a loopback host (the sandbox).
 */
const apiUrl = z
  .string()
  .trim()
  .pipe(z.url({ protocol: /^https?$/, error: "must be an absolute https URL" }))
  .refine((value) => {
    const url = new URL(value);
    const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
    return url.protocol === "https:" || loopback;
  }, "must use https")
  .refine((value) => {
    const url = new URL(value);
    return url.search === "" && url.hash === "" && url.username === "" && url.password === "";
  }, "must be the API URL only (no query, fragment or credentials)")
  .transform((value) => `${value.replace(/\/+$/, "").replace(/\/api\/3$/, "")}/api/3/`);

const apiToken = z
  .string()
  .min(1, "is required")
  .refine((value) => !/\s/.test(value), "must not contain whitespace");

/** A numeric ActiveCampaign id, given as a number or a string. */
const numericId = z
  .union([z.number().int().positive(), z.string().trim().regex(/^\d+$/, "must be a numeric id")])
  .transform(String);

const rateLimiter = z.custom<RateLimiter>(
  (value) =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as RateLimiter).acquire === "function",
  "must be a RateLimiter (an object with acquire())",
);

/** The options schema of `createActiveCampaignSink`. */
export const ActiveCampaignSinkOptionsSchema = z.strictObject({
  /** The API URL from Settings → Developer, e.g. `https://acme.api-us1.com`. */
  apiUrl,
  /** The API token from Settings → Developer, sent as `Api-Token` (spec §1). */
  apiToken,
  /** The list contacts are saved to (create it in ActiveCampaign first, spec §4). */
  listId: numericId,
  /** What happens when a Chargebee customer is deleted. @default "keep" */
  onCustomerDeleted: z.enum(DELETION_POLICIES).default("keep"),
  /** Also sync customers who bought a gift subscription for someone else. @default false */
  syncGiftPurchasers: z.boolean().default(false),
  /** Turns default fields off (`false`) or renames them (`{ perstag?, title? }`). */
  fields: z.partialRecord(z.enum(DEFAULT_FIELD_KEYS), fieldOverride).optional(),
  /** More fields ("map more fields"): `{ perstag, title, type?, source }`. */
  extraFields: z.array(extraField).max(100).default([]),
  /** Prefix of the lifecycle tags (`chargebee:active`, …). @default "chargebee:" */
  tagPrefix: z.string().trim().min(1).max(40).default("chargebee:"),
  /** The tag of the `tag` deletion policy. @default `${tagPrefix}deleted` */
  deletedTag: z.string().trim().min(1).max(100).optional(),
  /**
   * Deep Data revenue (spec §6): the Chargebee site (the connection's `externalid`) and how the
   * connection shows in ActiveCampaign. Off by default (Deep Data is an account feature).
   */
  deepData: z
    .union([
      z.literal(false),
      z.strictObject({
        site: z.string().trim().min(1).max(100),
        name: z.string().trim().min(1).default("Chargebee"),
        logoUrl: z.url().default("https://www.chargebee.com/static/resources/brand/chargebee.png"),
        linkUrl: z.url().optional(),
      }),
    ])
    .default(false),
  /**
   * Payments older than this at delivery are historical orders (`source: 0`, spec §6: only
   * `source: 1` orders fire automations). @default 86400000 (one day)
   */
  liveOrderMaxAgeMs: z.number().int().positive().default(86_400_000),
  /**
   * The limiter every request of this sink goes through. Give every sink of one ActiveCampaign
   * account the same one; across processes use `createPostgresRateLimiter`. @default in-process,
   * 5 per second
   */
  rateLimiter: rateLimiter.optional(),
  /**
   * Where the sink remembers which Chargebee customer each contact follows (any revtrace `Storage`,
   * shared by every process running this sink). Email is unique per account (spec §2): with a store,
   * of several customers sharing an email the one updated last owns the contact, whatever order
   * their events arrive in; the others' changes and deletions are skipped, naming the owner. Without
   * one, the last write wins. @default none
   */
  store: z
    .custom<MappingStore>(isMappingStore, "must be a MappingStore (a revtrace Storage)")
    .optional(),
  /**
   * With `store`: how long one contact write may hold the contact against writes of other processes
   * (a lease left by a killed process is taken over after it). Shorter than the outbox's retries of
   * a busy item (1 s doubling, 10 attempts: about 8 minutes), so an item that met a dead process's
   * lease is delivered, not dead-lettered; longer than a write (a few requests at 5 a second).
   * @default 120000 (2 minutes)
   */
  contactLeaseMs: z.number().int().min(1_000).default(120_000),
  /** Customers synced at once by `initialSync` / `fullSync` (the limiter still paces). @default 4 */
  syncConcurrency: z.number().int().min(1).max(50).default(4),
  ...TRANSPORT_OPTIONS_SHAPE,
});

/** Options of `createActiveCampaignSink`. */
export type ActiveCampaignSinkOptions = Omit<
  z.input<typeof ActiveCampaignSinkOptionsSchema>,
  "retry"
> & { retry?: RetryPolicy };

/** A field the sink writes, resolved from the defaults, the overrides and the extra fields. */
export interface MappedField extends FieldDefinition {
  /** A default field key, or `extra` for a user-added one. */
  key: DefaultFieldKey | "extra";
  source?: string | ((context: FieldContext) => string | null);
}

/** Validated options with defaults applied and the field set resolved. */
export type ActiveCampaignSettings = Omit<
  z.output<typeof ActiveCampaignSinkOptionsSchema>,
  "fields" | "extraFields"
> & {
  /** Every field the sink writes, in order; perstags are unique. */
  fields: readonly MappedField[];
  deletedTag: string;
};

/** Validates `options`; throws a `ConfigError` naming every bad field, never its value. */
export function parseActiveCampaignSinkOptions(options: unknown): ActiveCampaignSettings {
  const parsed = parseOptions(
    ActiveCampaignSinkOptionsSchema.superRefine((value, context) => {
      const tags = new Set<string>();
      const check = (tag: string, path: PropertyKey[]) => {
        if (tags.has(tag)) context.addIssue({ code: "custom", message: "duplicate perstag", path });
        tags.add(tag);
      };
      for (const key of DEFAULT_FIELD_KEYS) {
        const override = value.fields?.[key];
        if (override === false) continue;
        check(override?.perstag ?? DEFAULT_FIELDS[key].perstag, ["fields", key]);
      }
      value.extraFields.forEach((field, index) => {
        check(field.perstag, ["extraFields", index]);
      });
    }),
    options,
    "ActiveCampaign sink options",
  );
  const { fields: overrides, extraFields, ...rest } = parsed;
  const fields: MappedField[] = [];
  for (const key of DEFAULT_FIELD_KEYS) {
    const override = overrides?.[key];
    if (override === false) continue;
    fields.push({ key, ...DEFAULT_FIELDS[key], ...override });
  }
  for (const extra of extraFields) fields.push({ key: "extra", ...extra });
  return { ...rest, fields, deletedTag: rest.deletedTag ?? `${rest.tagPrefix}deleted` };
}
