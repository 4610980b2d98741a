/**
 * `parseChargebeeEvent`: raw webhook body → validated, normalized {@link BillingEvent}.
 *
 * One zod pass per event, with the schema chosen by `event_type`; the output is built directly (it is
 * not re-validated against `BillingEventSchema` on this hot path; the tests do that).
 *
 * @module
 */
import { type BillingEvent, MoneyError, redactIssues, WebhookPayloadError } from "@revtrace/core";
import type { z } from "zod";
import { isSupportedEventType, type SupportedEventType } from "./chargebee-event-types.js";
import {
  eventCurrency,
  normalizeCreditNote,
  normalizeCustomer,
  normalizeInvoice,
  normalizePayment,
  normalizeRefund,
  normalizeSubscription,
  type RawObject,
} from "./chargebee-normalize.js";
import {
  type ChargebeeParseOptions,
  type ResolvedParseOptions,
  resolveParseOptions,
} from "./chargebee-parse-options.js";
import {
  CreditNoteEventWire,
  CustomerEventWire,
  type CustomerWire,
  EnvelopeWire,
  EventListWire,
  InvoiceEventWire,
  PaymentEventWire,
  RefundEventWire,
  SubscriptionEventWire,
  type SubscriptionWire,
  TransactionEventWire,
} from "./chargebee-schemas.js";

/**
 * A webhook body as the HTTP layer hands it over: the raw text, the raw bytes (`Buffer` is a
 * `Uint8Array`), or an object some middleware already parsed.
 */
export type ChargebeeWebhookInput = string | Uint8Array | ArrayBuffer | object;

/** One page of the List Events API, parsed (spec §9). */
export interface ChargebeeEventPage {
  events: BillingEvent[];
  /** Pass back verbatim to get the next page; `null` on the last page (spec §9). */
  nextOffset: string | null;
}

/** A parser with its options validated once; see {@link createChargebeeParser}. */
export interface ChargebeeParser {
  /** See {@link parseChargebeeEvent}. */
  parse(input: ChargebeeWebhookInput): BillingEvent;
  /** Parses a List Events response (`{ list: [{ event }], next_offset }`); see {@link parseChargebeeEventList}. */
  parseList(input: ChargebeeWebhookInput): ChargebeeEventPage;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function customIssue(message: string, path: PropertyKey[] = []): z.core.$ZodIssue {
  return { code: "custom", path, message } as z.core.$ZodIssue;
}

function invalid(message: string, issues: z.core.$ZodIssue[]): WebhookPayloadError {
  return new WebhookPayloadError(message, { issues: redactIssues(issues) });
}

/** Decodes the body; JSON errors never quote the body (it may hold personal data). */
function decode(input: ChargebeeWebhookInput): unknown {
  let textBody: string;
  if (typeof input === "string") {
    textBody = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else if (input instanceof Uint8Array || input instanceof ArrayBuffer) {
    try {
      textBody = utf8.decode(input);
    } catch {
      throw invalid("Webhook body is not valid UTF-8", [customIssue("Invalid UTF-8")]);
    }
  } else {
    return input;
  }
  try {
    return JSON.parse(textBody);
  } catch {
    throw invalid("Webhook body is not valid JSON", [customIssue("Invalid JSON")]);
  }
}

function isObject(value: unknown): value is RawObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Spec §2: `GET /events/{id}` answers `{ "event": {…} }`; accept that shape too. */
function unwrap(value: unknown): unknown {
  if (isObject(value) && !("event_type" in value) && isObject(value.event)) return value.event;
  return value;
}

function describe(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (first === undefined) return "Invalid Chargebee event";
  const where = first.path.length > 0 ? first.path.join(".") : "(body)";
  const more = issues.length > 1 ? ` (+${issues.length - 1} more)` : "";
  return `Invalid Chargebee event: ${where}: ${first.message}${more}`;
}

/** Fields shared by every event. */
interface Envelope {
  id: string;
  event_type: string;
  occurred_at: number;
  source?: string | null | undefined;
  api_version?: "v1" | "v2" | null | undefined;
}

function baseEvent(wire: Envelope, supported: boolean): BillingEvent {
  return {
    id: wire.id,
    type: wire.event_type,
    supported,
    occurredAt: wire.occurred_at * 1000,
    source: wire.source ?? null,
    // Spec §2, §8: payloads without `api_version` are v1-era.
    apiVersion: wire.api_version ?? "v1",
    customer: null,
    subscription: null,
    subscriptions: null,
    payment: null,
    refund: null,
    invoice: null,
    creditNote: null,
  };
}

type Builder = (raw: RawObject, options: ResolvedParseOptions) => BillingEvent;

function run<S extends z.ZodType>(schema: S, raw: RawObject): z.output<S> {
  const result = schema.safeParse(raw);
  if (!result.success) throw invalid(describe(result.error.issues), result.error.issues);
  return result.data;
}

/** The raw object under `content.<key>` (present: the schema has checked it). */
function rawOf(raw: RawObject, key: string): RawObject {
  return (raw.content as RawObject)[key] as RawObject;
}

/** Fills the event's customer and subscription from the content objects that carry them. */
function withParties(
  event: BillingEvent,
  raw: RawObject,
  content: {
    customer?: CustomerWire | null | undefined;
    subscription?: SubscriptionWire | null | undefined;
  },
  currency: string,
  options: ResolvedParseOptions,
): BillingEvent {
  if (content.customer != null) {
    event.customer = normalizeCustomer(content.customer, rawOf(raw, "customer"));
  }
  if (content.subscription != null) {
    event.subscription = normalizeSubscription(
      content.subscription,
      rawOf(raw, "subscription"),
      currency,
      options,
    );
  }
  return event;
}

const subscriptionEvent: Builder = (raw, options) => {
  const wire = run(SubscriptionEventWire, raw);
  const { subscription, customer, invoice } = wire.content;
  const currency = eventCurrency(
    [subscription.currency_code, invoice?.currency_code],
    customer?.preferred_currency_code,
    options,
  );
  const event = baseEvent(wire, true);
  event.subscription = normalizeSubscription(
    subscription,
    rawOf(raw, "subscription"),
    currency,
    options,
  );
  if (customer != null) event.customer = normalizeCustomer(customer, rawOf(raw, "customer"));
  if (invoice != null) event.invoice = normalizeInvoice(invoice, currency);
  return event;
};

const paymentEvent: Builder = (raw, options) => {
  const wire = run(PaymentEventWire, raw);
  const { transaction, invoice, customer, subscription } = wire.content;
  const currency = eventCurrency(
    [transaction.currency_code, invoice?.currency_code, subscription?.currency_code],
    customer?.preferred_currency_code,
    options,
  );
  const event = baseEvent(wire, true);
  event.payment = normalizePayment({ transaction, invoice, subscription }, currency);
  if (invoice != null) event.invoice = normalizeInvoice(invoice, currency);
  return withParties(event, raw, { customer, subscription }, currency, options);
};

const refundEvent: Builder = (raw, options) => {
  const wire = run(RefundEventWire, raw);
  const { transaction, invoice, credit_note: creditNote, customer, subscription } = wire.content;
  const currency = eventCurrency(
    [
      transaction.currency_code,
      creditNote?.currency_code,
      invoice?.currency_code,
      subscription?.currency_code,
    ],
    customer?.preferred_currency_code,
    options,
  );
  const event = baseEvent(wire, true);
  event.refund = normalizeRefund({ transaction, invoice, subscription, creditNote }, currency);
  if (invoice != null) event.invoice = normalizeInvoice(invoice, currency);
  if (creditNote != null) event.creditNote = normalizeCreditNote(creditNote, currency);
  return withParties(event, raw, { customer, subscription }, currency, options);
};

const customerEvent: Builder = (raw, options) => {
  const wire = run(CustomerEventWire, raw);
  const { customer, subscriptions } = wire.content;
  const event = baseEvent(wire, true);
  event.customer = normalizeCustomer(customer, rawOf(raw, "customer"));
  if (subscriptions != null) {
    const rawList = rawOf(raw, "subscriptions") as unknown as RawObject[];
    const currency = eventCurrency([], customer.preferred_currency_code, options);
    event.subscriptions = subscriptions.map((subscription, index) =>
      normalizeSubscription(subscription, rawList[index] as RawObject, currency, options),
    );
  }
  return event;
};

const invoiceEvent: Builder = (raw, options) => {
  const wire = run(InvoiceEventWire, raw);
  const { invoice, customer, subscription } = wire.content;
  const currency = eventCurrency(
    [invoice.currency_code, subscription?.currency_code],
    customer?.preferred_currency_code,
    options,
  );
  const event = baseEvent(wire, true);
  event.invoice = normalizeInvoice(invoice, currency);
  return withParties(event, raw, { customer, subscription }, currency, options);
};

const creditNoteEvent: Builder = (raw, options) => {
  const wire = run(CreditNoteEventWire, raw);
  const creditNote = wire.content.credit_note;
  const event = baseEvent(wire, true);
  event.creditNote = normalizeCreditNote(
    creditNote,
    eventCurrency([creditNote.currency_code], null, options),
  );
  return event;
};

const transactionEvent: Builder = (raw, options) => {
  const wire = run(TransactionEventWire, raw);
  const { transaction } = wire.content;
  const currency = eventCurrency([transaction.currency_code], null, options);
  const event = baseEvent(wire, true);
  const context = { transaction, invoice: null, subscription: null };
  // Spec §4.4: only a `payment` is money received; `refund` and `payment_reversal` (chargebacks)
  // are money going back; an `authorization` (or any other or missing type) moves no money.
  switch (transaction.type) {
    case "payment":
      event.payment = normalizePayment(context, currency);
      break;
    case "refund":
    case "payment_reversal":
      event.refund = normalizeRefund(context, currency);
      break;
  }
  return event;
};

const BUILDERS: Readonly<Record<SupportedEventType, Builder>> = {
  subscription_created: subscriptionEvent,
  subscription_started: subscriptionEvent,
  subscription_activated: subscriptionEvent,
  subscription_renewed: subscriptionEvent,
  subscription_cancelled: subscriptionEvent,
  subscription_reactivated: subscriptionEvent,
  subscription_changed: subscriptionEvent,
  subscription_deleted: subscriptionEvent,
  payment_succeeded: paymentEvent,
  payment_failed: paymentEvent,
  payment_refunded: refundEvent,
  customer_created: customerEvent,
  customer_changed: customerEvent,
  customer_deleted: customerEvent,
  invoice_generated: invoiceEvent,
  credit_note_created: creditNoteEvent,
  transaction_created: transactionEvent,
};

/** Spec checklist 9: unknown types are acknowledged: envelope only, `supported: false`. */
const unsupportedEvent: Builder = (raw) => baseEvent(run(EnvelopeWire, raw), false);

function parseValue(value: unknown, options: ResolvedParseOptions): BillingEvent {
  const raw = unwrap(value);
  if (!isObject(raw)) {
    throw invalid("Invalid Chargebee event: the body is not a JSON object", [
      customIssue("Expected a JSON object"),
    ]);
  }
  const type = raw.event_type;
  const build =
    typeof type === "string" && isSupportedEventType(type) ? BUILDERS[type] : unsupportedEvent;
  try {
    return build(raw, options);
  } catch (error) {
    // An amount that cannot be represented (e.g. beyond 2^53 after scaling) is a bad payload.
    if (MoneyError.isInstance(error)) {
      throw invalid("Invalid Chargebee event: an amount is out of range", [
        customIssue("Amount out of range"),
      ]);
    }
    throw error;
  }
}

function parseListValue(value: unknown, options: ResolvedParseOptions): ChargebeeEventPage {
  const wire = run(EventListWire, value as RawObject);
  return {
    events: wire.list.map((entry) => parseValue(entry.event, options)),
    nextOffset: wire.next_offset ?? null,
  };
}

/**
 * Creates a parser whose options are validated once (throws `ConfigError` naming the bad field).
 *
 * @example
 * const parser = createChargebeeParser({ clickIdField: "cf_ttclid" });
 * const event = parser.parse(rawBody);
 */
export function createChargebeeParser(options?: ChargebeeParseOptions): ChargebeeParser {
  const resolved = resolveParseOptions(options);
  return {
    parse: (input) => parseValue(decode(input), resolved),
    parseList: (input) => parseListValue(decode(input), resolved),
  };
}

/**
 * Validates one Chargebee webhook body and returns it normalized.
 *
 * Accepts the raw text, the raw bytes, an already-parsed object, or the `{ "event": {…} }` wrapper of
 * `GET /events/{id}`. Unknown keys are ignored; unknown event types come back with `supported: false`
 * and only the envelope fields filled.
 *
 * @throws {WebhookPayloadError} (HTTP 400) for invalid JSON or UTF-8, a non-object body, a missing or
 *   malformed `id`/`event_type`/`occurred_at`, or a content object of the wrong shape; `issues` holds
 *   the zod issues (paths and messages, never input values).
 * @throws {ConfigError} when `options` are invalid.
 *
 * @example
 * const event = parseChargebeeEvent(rawBody);
 * if (event.type === "payment_succeeded") console.log(event.payment?.amount);
 */
export function parseChargebeeEvent(
  input: ChargebeeWebhookInput,
  options?: ChargebeeParseOptions,
): BillingEvent {
  return parseValue(decode(input), resolveParseOptions(options));
}

/**
 * Parses a List Events API response (`{ "list": [{ "event": {…} }], "next_offset": "…" }`, spec §9)
 * into normalized events and the opaque offset of the next page.
 *
 * @throws {WebhookPayloadError} when the page or one of its events is invalid.
 */
export function parseChargebeeEventList(
  input: ChargebeeWebhookInput,
  options?: ChargebeeParseOptions,
): ChargebeeEventPage {
  return parseListValue(decode(input), resolveParseOptions(options));
}
