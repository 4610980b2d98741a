/**
 * Chargebee Retention (the cancellation-flow product, formerly Brightback) events, parsed into core's
 * {@link RetentionEvent}. Retention speaks Segment (shared/seeds/003): a `track` per funnel step (the
 * name in `event`, flat dotted keys in `properties`: `field.cancel.email`, `survey.selected_reason`, …)
 * and an `identify` alongside `page_loaded` (`type: "identify"`, `cancel.*` keys in `traits`).
 * Identify-style keys without the `field.` prefix are read in track properties too. Retention webhooks
 * are verified separately with `verifyRetentionSignature`, or in one call with
 * `verifyAndParseRetentionEvent`.
 *
 * @module
 */
import {
  type CustomFieldValue,
  decodeWebhookBody,
  RETENTION_EVENT_TYPES,
  type RetentionEvent,
  redactIssues,
  WebhookPayloadError,
} from "@revtrace/core";
import { z } from "zod";

const dict = z.record(z.string(), z.unknown()).nullish();

const RetentionWire = z.object({
  type: z.string().nullish(),
  event: z.string().min(1).nullish(),
  event_type: z.string().min(1).nullish(),
  messageId: z.string().nullish(),
  originalTimestamp: z.string().nullish(),
  timestamp: z.string().nullish(),
  anonymousId: z.string().nullish(),
  properties: dict,
  traits: dict,
});

const SUPPORTED: ReadonlySet<string> = new Set(RETENTION_EVENT_TYPES);

function invalid(message: string, issues: z.core.$ZodIssue[]): WebhookPayloadError {
  return new WebhookPayloadError(message, { issues: redactIssues(issues) });
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

const CUSTOM_PREFIXES = ["field.cancel.custom.", "cancel.custom."] as const;

/** `*.cancel.custom.*` values, keyed without the prefix. */
function customOf(values: Readonly<Record<string, unknown>>): Record<string, CustomFieldValue> {
  const custom: Record<string, CustomFieldValue> = {};
  for (const [key, value] of Object.entries(values)) {
    const prefix = CUSTOM_PREFIXES.find((p) => key.startsWith(p));
    if (prefix === undefined) continue;
    const name = key.slice(prefix.length);
    if (name === "" || name === "__proto__") continue;
    if (typeof value === "string" || typeof value === "boolean") custom[name] = value;
    else if (typeof value === "number" && Number.isFinite(value)) custom[name] = value;
  }
  return custom;
}

/**
 * Parses a Chargebee Retention event: a `track` (`{ event, properties }`) or an `identify`
 * (`{ type: "identify", traits }`), as raw text, bytes or a parsed object. Unknown keys are kept in
 * `properties` / `traits`; unknown track names are returned with `supported: false`.
 *
 * @throws {WebhookPayloadError} (HTTP 400) for invalid JSON, a non-object body, a track without an
 *   event name, or a wrongly typed `messageId`/timestamp/`properties`/`traits`.
 *
 * @example
 * const event = parseRetentionEvent(rawBody);
 * if (event.call === "track" && event.type === "cancel") markChurnIntent(event.account.billingId);
 */
export function parseRetentionEvent(
  input: string | Uint8Array | ArrayBuffer | object,
): RetentionEvent {
  const body = decodeWebhookBody(input, "Chargebee Retention webhook body");
  const result = RetentionWire.safeParse(body);
  if (!result.success || typeof body !== "object" || Array.isArray(body)) {
    const issues = result.success
      ? [{ code: "custom", path: [], message: "Expected a JSON object" } as z.core.$ZodIssue]
      : result.error.issues;
    const first = issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "(body)";
    throw invalid(
      `Invalid Chargebee Retention event: ${where}: ${first?.message ?? "invalid"}`,
      issues,
    );
  }
  const wire = result.data;
  const call = wire.type === "identify" ? "identify" : "track";
  const type = call === "identify" ? "identify" : (wire.event ?? wire.event_type);
  if (type == null) {
    throw invalid("Invalid Chargebee Retention event: event: missing event name", [
      { code: "custom", path: ["event"], message: "Missing event name" } as z.core.$ZodIssue,
    ]);
  }
  const props = call === "track" ? (wire.properties ?? {}) : {};
  const traits = call === "identify" ? (wire.traits ?? {}) : {};
  const values = call === "track" ? props : traits;
  const cancel = (key: string): unknown => values[`field.cancel.${key}`] ?? values[`cancel.${key}`];
  const createdAt = num(cancel("account.created_at"));
  return {
    call,
    type,
    supported: call === "identify" || SUPPORTED.has(type),
    messageId: text(wire.messageId),
    occurredAt:
      isoMs(wire.originalTimestamp) ?? isoMs(wire.timestamp) ?? isoMs(props.client_timestamp),
    appId: text(values.app_id ?? cancel("app_id")),
    sessionId: text(values.session ?? values["field.session_id"]),
    // Seed 003: Retention's visitor id is `user_id` (the identify's `anonymousId`); the identify's
    // Segment `userId` is the merchant's account id, kept as `account.internalId`.
    userId: text(values.user_id ?? wire.anonymousId),
    cookie: text(values.user_cookie ?? values["field.cookie"]),
    funnelId: num(values.funnel_id),
    modalName: text(values.modal_name),
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
      selectedReason: text(values["survey.selected_reason"]),
      displayReason: text(values["survey.display_reason"]),
      reason: text(values["survey.brightback_reason"]),
      feedback: text(values["survey.feedback"]),
      competition: text(values["survey.competition"]),
      sentiment: num(values["survey.sentiment"]),
      confirmation: bool(values["survey.confirmation"]),
    },
    custom: customOf(values),
    properties: props,
    traits,
  };
}
