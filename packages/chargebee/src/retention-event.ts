/**
 * Chargebee Retention (the cancellation-flow product, formerly Brightback) events, parsed into their
 * own typed form. Field names follow Retention's documented event payload (shared/seeds/003: the
 * `accept_offer` track event and the identify traits): the event name in `event`, flat dotted keys in
 * `properties` (`field.cancel.email`, `survey.selected_reason`, …). Identify-style keys without the
 * `field.` prefix (`cancel.email`) are read too. Retention webhooks are verified separately with
 * `verifyRetentionSignature`.
 *
 * @module
 */
import { type CustomFieldValue, redactIssues, WebhookPayloadError } from "@revtrace/core";
import { z } from "zod";

/** The Retention events (seeds/003). */
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

/** A parsed Chargebee Retention event. Absent or empty values are `null`. */
export interface RetentionEvent {
  /** The event name, verbatim. */
  type: string;
  /** False for names not in {@link RETENTION_EVENT_TYPES} (returned, not rejected). */
  supported: boolean;
  /** `messageId`, when present: a dedupe key. */
  messageId: string | null;
  /** `originalTimestamp` / `timestamp` / `properties.client_timestamp`, epoch milliseconds. */
  occurredAt: number | null;
  appId: string | null;
  /** The Retention session (`session` / `field.session_id`). */
  sessionId: string | null;
  /** Retention's visitor id (`user_id`). */
  userId: string | null;
  /** The visitor cookie (`user_cookie` / `field.cookie`). */
  cookie: string | null;
  funnelId: number | null;
  modalName: string | null;
  /** The person cancelling (`field.cancel.*`). */
  user: { email: string | null; firstName: string | null; lastName: string | null };
  /** The account as the merchant passed it to Retention (`field.cancel.account.*`). */
  account: {
    /** The merchant's own account id (`internal_id`). */
    internalId: string | null;
    /** The billing-system customer id, e.g. the Chargebee customer id (`billing_id`). */
    billingId: string | null;
    /** The billing subscription id, e.g. the Chargebee subscription id (`field.cancel.subscription_id`). */
    subscriptionId: string | null;
    companyName: string | null;
    companyDomain: string | null;
    plan: string | null;
    planTerm: string | null;
    /** The account value as sent (a number, in the unit the merchant chose). */
    value: number | null;
    /** `created_at` (unix seconds in the payload), epoch milliseconds. */
    createdAt: number | null;
  };
  /** The cancel survey. */
  survey: {
    selectedReason: string | null;
    displayReason: string | null;
    /** Retention's normalized reason (`brightback_reason`, e.g. `too_expensive`). */
    reason: string | null;
    feedback: string | null;
    competition: string | null;
    sentiment: number | null;
    confirmation: boolean | null;
  };
  /** `field.cancel.custom.*` values, keyed without the prefix. */
  custom: Record<string, CustomFieldValue>;
  /** Every property as received, for anything not mapped above. */
  properties: Record<string, unknown>;
}

const RetentionWire = z.object({
  event: z.string().min(1).nullish(),
  event_type: z.string().min(1).nullish(),
  messageId: z.string().nullish(),
  originalTimestamp: z.string().nullish(),
  timestamp: z.string().nullish(),
  properties: z.record(z.string(), z.unknown()).nullish(),
});

const SUPPORTED: ReadonlySet<string> = new Set(RETENTION_EVENT_TYPES);
const utf8 = new TextDecoder("utf-8", { fatal: true });

function invalid(message: string, issues: z.core.$ZodIssue[]): WebhookPayloadError {
  return new WebhookPayloadError(message, { issues: redactIssues(issues) });
}

function decode(input: string | Uint8Array | object): unknown {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) return input;
  try {
    return JSON.parse(typeof input === "string" ? input : utf8.decode(input));
  } catch {
    throw invalid("Retention webhook body is not valid JSON", [
      { code: "custom", path: [], message: "Invalid JSON" } as z.core.$ZodIssue,
    ]);
  }
}

function text(value: unknown): string | null {
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function num(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : null;
}

function bool(value: unknown): boolean | null {
  if (typeof value === "boolean") return value;
  if (value === "true") return true;
  if (value === "false") return false;
  return null;
}

function isoMs(value: unknown): number | null {
  if (typeof value !== "string") return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : ms;
}

/**
 * Parses a Chargebee Retention event (raw text, bytes, or a parsed object). Unknown keys are kept in
 * `properties`; unknown event names are returned with `supported: false`.
 *
 * @throws {WebhookPayloadError} (HTTP 400) for invalid JSON, a non-object body, a missing event name, or
 *   a wrongly typed `messageId`/timestamp/`properties`.
 *
 * @example
 * verifyRetentionSignature(rawBody, headers.get("x-hub-signature"), secret);
 * const event = parseRetentionEvent(rawBody);
 * if (event.type === "cancel") markChurnIntent(event.account.billingId);
 */
export function parseRetentionEvent(input: string | Uint8Array | object): RetentionEvent {
  const result = RetentionWire.safeParse(decode(input));
  if (!result.success) {
    const first = result.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "(body)";
    throw invalid(
      `Invalid Chargebee Retention event: ${where}: ${first?.message ?? "invalid"}`,
      result.error.issues,
    );
  }
  const wire = result.data;
  const type = wire.event ?? wire.event_type;
  if (type == null) {
    throw invalid("Invalid Chargebee Retention event: event: missing event name", [
      { code: "custom", path: ["event"], message: "Missing event name" } as z.core.$ZodIssue,
    ]);
  }
  const props = wire.properties ?? {};
  const cancel = (key: string): unknown => props[`field.cancel.${key}`] ?? props[`cancel.${key}`];
  const custom: Record<string, CustomFieldValue> = {};
  for (const [key, value] of Object.entries(props)) {
    const name = key.startsWith("field.cancel.custom.")
      ? key.slice("field.cancel.custom.".length)
      : key.startsWith("cancel.custom.")
        ? key.slice("cancel.custom.".length)
        : null;
    if (name === null || name === "" || name === "__proto__") continue;
    if (typeof value === "string" || typeof value === "boolean") custom[name] = value;
    else if (typeof value === "number" && Number.isFinite(value)) custom[name] = value;
  }
  const createdAt = num(cancel("account.created_at"));
  return {
    type,
    supported: SUPPORTED.has(type),
    messageId: text(wire.messageId),
    occurredAt:
      isoMs(wire.originalTimestamp) ?? isoMs(wire.timestamp) ?? isoMs(props.client_timestamp),
    appId: text(props.app_id ?? cancel("app_id")),
    sessionId: text(props.session ?? props["field.session_id"]),
    userId: text(props.user_id),
    cookie: text(props.user_cookie ?? props["field.cookie"]),
    funnelId: num(props.funnel_id),
    modalName: text(props.modal_name),
    user: {
      email: text(cancel("email")),
      firstName: text(cancel("first_name")),
      lastName: text(cancel("last_name")),
    },
    account: {
      internalId: text(cancel("account.internal_id")),
      billingId: text(cancel("account.billing_id")),
      subscriptionId: text(cancel("subscription_id")),
      companyName: text(cancel("account.company_name")),
      companyDomain: text(cancel("account.company_domain")),
      plan: text(cancel("account.plan")),
      planTerm: text(cancel("account.plan_term")),
      value: num(cancel("account.value")),
      createdAt:
        createdAt !== null && Number.isSafeInteger(createdAt * 1000) ? createdAt * 1000 : null,
    },
    survey: {
      selectedReason: text(props["survey.selected_reason"]),
      displayReason: text(props["survey.display_reason"]),
      reason: text(props["survey.brightback_reason"]),
      feedback: text(props["survey.feedback"]),
      competition: text(props["survey.competition"]),
      sentiment: num(props["survey.sentiment"]),
      confirmation: bool(props["survey.confirmation"]),
    },
    custom,
    properties: props,
  };
}
