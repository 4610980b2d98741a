/**
 * RetentionEvent: the normalized form of one Chargebee Retention (formerly Brightback) event, as
 * produced by `@revtrace/chargebee`'s `parseRetentionEvent`. Retention sends Segment-style calls: a
 * `track` per funnel step (`page_loaded`, `cancel`, `accept_offer`, …) with flat dotted property
 * names (`field.cancel.email`, `survey.selected_reason`), and an `identify` with `cancel.*` traits
 * alongside `page_loaded` (shared/seeds/003). Absent or empty values are `null`.
 *
 * @module
 */
import { z } from "zod";
import { CustomFieldValueSchema } from "./billing-event.js";
import { personal } from "./personal-data.js";

/** The Retention events (shared/seeds/003). */
export const RETENTION_EVENT_TYPES = [
  /** A user opened a Retention cancel page. */
  "page_loaded",
  /** A user visited and did not cancel within 30 minutes. */
  "watchlist",
  /** A user confirmed the cancel request. */
  "cancel",
  /** The watch-list session expired without a cancel. */
  "save",
  /** The user left through any action (email, link, chat, offer, schedule). */
  "deflect",
  /** The modal feedback form was submitted. */
  "email",
  /** A link was clicked (including modal actions and "Nevermind"). */
  "link",
  /** A chat request was clicked. */
  "chat",
  /** An offer-type modal was clicked. */
  "accept_offer",
  /** A modal schedule request was clicked. */
  "schedule",
] as const;

/** A Retention event name. */
export type RetentionEventType = (typeof RETENTION_EVENT_TYPES)[number];

const nullableString = z.string().nullable();

/** A parsed Chargebee Retention event. */
export const RetentionEventSchema = z.object({
  /** `track` for funnel steps, `identify` for the trait call that accompanies `page_loaded`. */
  call: z.enum(["track", "identify"]),
  /** The event name, verbatim (`page_loaded`, …); for an `identify`, the string `identify`. */
  type: z.string().min(1),
  /** False for track names not in {@link RETENTION_EVENT_TYPES} (returned, not rejected). */
  supported: z.boolean(),
  /** `messageId`, when present: a dedupe key. */
  messageId: nullableString,
  /** `originalTimestamp` / `timestamp` / `properties.client_timestamp`, epoch milliseconds. */
  occurredAt: z.number().int().nullable(),
  appId: nullableString,
  /** The Retention session (`session` / `field.session_id`). */
  sessionId: nullableString,
  /** Retention's visitor id (`user_id` / `userId`). */
  userId: nullableString,
  /** The visitor cookie (`user_cookie` / `field.cookie`). */
  cookie: nullableString,
  funnelId: z.number().nullable(),
  modalName: nullableString,
  /** The person cancelling (`field.cancel.*` / `cancel.*`). */
  user: z.object({
    email: personal(z.string().nullable(), "email"),
    firstName: personal(z.string().nullable(), "name"),
    lastName: personal(z.string().nullable(), "name"),
  }),
  /** The account as the merchant passed it to Retention (`field.cancel.account.*`). */
  account: z.object({
    /** The merchant's own account id (`internal_id`). */
    internalId: nullableString,
    /** The billing-system customer id, e.g. the Chargebee customer id (`billing_id`). */
    billingId: nullableString,
    /** The billing subscription id (`field.cancel.subscription_id`). */
    subscriptionId: nullableString,
    companyName: personal(z.string().nullable(), "organization"),
    companyDomain: nullableString,
    plan: nullableString,
    planTerm: nullableString,
    /** The account value as sent (a number, in the unit the merchant chose). */
    value: z.number().nullable(),
    /** `created_at` (unix seconds in the payload), epoch milliseconds. */
    createdAt: z.number().int().nullable(),
  }),
  /** The cancel survey. */
  survey: z.object({
    selectedReason: nullableString,
    displayReason: nullableString,
    /** Retention's normalized reason (`brightback_reason`, e.g. `too_expensive`). */
    reason: nullableString,
    /** Free text typed by the person: may hold anything about them. */
    feedback: personal(z.string().nullable(), "free_text"),
    competition: nullableString,
    sentiment: z.number().nullable(),
    confirmation: z.boolean().nullable(),
  }),
  /** `field.cancel.custom.*` values, keyed without the prefix. */
  custom: z.record(z.string(), CustomFieldValueSchema),
  /** Every `track` property as received (flat dotted names), for anything not mapped above. */
  properties: z.record(z.string(), z.unknown()),
  /** Every `identify` trait as received (`cancel.*` names); `{}` for a `track`. */
  traits: z.record(z.string(), z.unknown()),
});
export type RetentionEvent = z.infer<typeof RetentionEventSchema>;
