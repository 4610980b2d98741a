/**
 * `parseChargebeeEvent`: raw webhook body → validated, normalized {@link BillingEvent}.
 *
 * One pass per event: the builder chosen by `event_type` reads, checks and normalizes each field it
 * uses (`chargebee-read.ts`, `chargebee-normalize.ts`); unknown keys are never visited. The output is
 * not re-validated against `BillingEventSchema` on this hot path (the tests do that).
 *
 * @module
 */
import {
  type BillingCustomer,
  type BillingEvent,
  decodeWebhookBody,
  redactIssues,
  WebhookPayloadError,
} from "@revtrace/core";
import { z } from "zod";
import {
  type BaseEventType,
  baseEventType,
  isSupportedEventType,
} from "./chargebee-event-types.js";
import {
  failedPaymentOf,
  normalizeCreditNote,
  normalizeCustomer,
  normalizeInvoice,
  normalizeSubscription,
  paymentOf,
  readTransaction,
  refundOf,
} from "./chargebee-normalize.js";
import {
  type ChargebeeParseOptions,
  type ResolvedParseOptions,
  resolveParseOptions,
} from "./chargebee-parse-options.js";
import {
  array,
  currency,
  element,
  fail,
  isObject,
  MAX_EVENT_ID_LENGTH,
  object,
  type Path,
  type RawObject,
  seconds,
  str,
} from "./chargebee-read.js";

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

const BODY = "Chargebee webhook body";
const CONTENT: Path = ["content"];
/** Paths of the content objects, built once (they are only read when a field is refused). */
const AT_CREDIT_NOTE: Path = ["content", "credit_note"];
const AT_CUSTOMER: Path = ["content", "customer"];
const AT_INVOICE: Path = ["content", "invoice"];
const AT_SUBSCRIPTION: Path = ["content", "subscription"];
const AT_SUBSCRIPTIONS: Path = ["content", "subscriptions"];
const AT_TRANSACTION: Path = ["content", "transaction"];
/** Spec §4.4: the transaction statuses of a payment that collected nothing. */
const FAILED_STATUSES: ReadonlySet<string> = new Set(["failure", "timeout", "late_failure"]);

/** Spec §2: `GET /events/{id}` answers `{ "event": {…} }`; accept that shape too. */
function unwrap(value: unknown): unknown {
  if (isObject(value) && !("event_type" in value) && isObject(value.event)) return value.event;
  return value;
}

/** Spec §2: the envelope every event has. */
function baseEvent(raw: RawObject, supported: boolean): BillingEvent {
  const eventId = raw.id;
  if (typeof eventId !== "string" || eventId.trim() === "") {
    fail([], "id", "Expected a non-empty event id (a string)");
  }
  if (eventId.length > MAX_EVENT_ID_LENGTH) {
    fail([], "id", `Expected an event id of at most ${MAX_EVENT_ID_LENGTH} characters`);
  }
  const type = raw.event_type;
  if (typeof type !== "string" || type === "") {
    fail([], "event_type", "Expected a non-empty event type (a string)");
  }
  const occurredAt = seconds(raw, "occurred_at", []);
  if (occurredAt === null) fail([], "occurred_at", "Expected unix seconds (an integer)");
  const version = raw.api_version;
  if (version != null && version !== "v1" && version !== "v2") {
    fail([], "api_version", "Expected v1 or v2");
  }
  return {
    id: eventId,
    type,
    supported,
    occurredAt,
    source: str(raw, "source", []),
    // Spec §2, §8: payloads without `api_version` are v1-era.
    apiVersion: version ?? "v1",
    customer: null,
    subscription: null,
    subscriptions: null,
    payment: null,
    failedPayment: null,
    refund: null,
    invoice: null,
    creditNote: null,
  };
}

/** The event's `content` object (every supported event carries one). */
function contentOf(raw: RawObject, type: string): RawObject {
  return (
    object(raw, "content", []) ?? fail([], "content", `Expected an object (a ${type} carries one)`)
  );
}

/** A content object the event type must carry. */
function required(content: RawObject, key: string, type: string): RawObject {
  return (
    object(content, key, CONTENT) ??
    fail(CONTENT, key, `Expected an object (a ${type} carries content.${key})`)
  );
}

/**
 * The currency of amounts whose object carries no `currency_code`: the first code on the event's
 * money-bearing objects, then the customer's `preferred_currency_code`. v1-era payloads often carry
 * none at all (spec §8), so they fall back to `defaultCurrency`; a v2 event always carries one, and one
 * that does not is refused (by the first amount that needs it) rather than read as USD.
 */
function eventCurrency(
  event: BillingEvent,
  objects: ReadonlyArray<readonly [RawObject | null, Path]>,
  customer: RawObject | null,
  options: ResolvedParseOptions,
): string | null {
  for (const [raw, at] of objects) {
    if (raw === null) continue;
    const code = currency(raw, "currency_code", at);
    if (code !== null) return code;
  }
  if (customer !== null) {
    const preferred = currency(customer, "preferred_currency_code", AT_CUSTOMER);
    if (preferred !== null) return preferred;
  }
  return event.apiVersion === "v1" ? options.defaultCurrency : null;
}

function customerOf(raw: RawObject | null): BillingCustomer | null {
  return raw === null ? null : normalizeCustomer(raw, AT_CUSTOMER);
}

/** DESIGN §3: a customer whose personal data Chargebee cleared keeps it cleared everywhere. */
function clearSubscriptionPii(event: BillingEvent): BillingEvent {
  if (event.customer?.piiCleared !== "cleared") return event;
  if (event.subscription !== null) event.subscription.createdFromIp = null;
  for (const subscription of event.subscriptions ?? []) subscription.createdFromIp = null;
  return event;
}

type Builder = (raw: RawObject, options: ResolvedParseOptions) => BillingEvent;

const subscriptionEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const content = contentOf(raw, event.type);
  const subscription = required(content, "subscription", event.type);
  const customer = object(content, "customer", CONTENT);
  const invoice = object(content, "invoice", CONTENT);
  const code = eventCurrency(
    event,
    [
      [subscription, AT_SUBSCRIPTION],
      [invoice, AT_INVOICE],
    ],
    customer,
    options,
  );
  event.customer = customerOf(customer);
  event.subscription = normalizeSubscription(
    subscription,
    AT_SUBSCRIPTION,
    code,
    options,
    event.customer?.id ?? null,
    event.customer,
  );
  if (invoice !== null) event.invoice = normalizeInvoice(invoice, AT_INVOICE, code);
  return clearSubscriptionPii(event);
};

/** The transaction-bearing events' shared part: every content object normalized. */
function transactionParts(event: BillingEvent, content: RawObject, options: ResolvedParseOptions) {
  const transaction = required(content, "transaction", event.type);
  const invoice = object(content, "invoice", CONTENT);
  const creditNote = object(content, "credit_note", CONTENT);
  const customer = object(content, "customer", CONTENT);
  const subscription = object(content, "subscription", CONTENT);
  const code = eventCurrency(
    event,
    [
      [transaction, AT_TRANSACTION],
      [creditNote, AT_CREDIT_NOTE],
      [invoice, AT_INVOICE],
      [subscription, AT_SUBSCRIPTION],
    ],
    customer,
    options,
  );
  event.customer = customerOf(customer);
  if (subscription !== null) {
    event.subscription = normalizeSubscription(
      subscription,
      AT_SUBSCRIPTION,
      code,
      options,
      event.customer?.id ?? null,
      event.customer,
    );
  }
  if (invoice !== null) event.invoice = normalizeInvoice(invoice, AT_INVOICE, code);
  if (creditNote !== null) {
    event.creditNote = normalizeCreditNote(creditNote, AT_CREDIT_NOTE, code);
  }
  const txn = readTransaction(transaction, AT_TRANSACTION, code);
  const context = {
    invoice: event.invoice,
    subscription: event.subscription,
    creditNote: event.creditNote,
    customerId: event.customer?.id ?? null,
  };
  return { txn, context };
}

/**
 * Spec §6: `payment_succeeded` is money collected: its transaction must be a `payment` with status
 * `success` (a refund or a failed attempt under that name would be misread as revenue, so it is
 * refused). `payment_failed` collected nothing: it fills `failedPayment`, never `payment`.
 */
const paymentEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const { txn, context } = transactionParts(event, contentOf(raw, event.type), options);
  if (txn.type !== null && txn.type !== "payment") {
    fail(AT_TRANSACTION, "type", `Expected payment (a ${event.type} transaction is a payment)`);
  }
  if (event.type === "payment_succeeded") {
    if (txn.status !== null && txn.status !== "success") {
      fail(AT_TRANSACTION, "status", "Expected success (payment_succeeded is money collected)");
    }
    event.payment = paymentOf(txn, context);
  } else {
    if (txn.status === "success") {
      fail(AT_TRANSACTION, "status", "Expected a failed status (payment_failed collected nothing)");
    }
    event.failedPayment = failedPaymentOf(txn, context);
  }
  return clearSubscriptionPii(event);
};

/**
 * Spec §6: `payment_refunded` is "a refund transaction succeeded": a refund (or reversal)
 * transaction, never a payment, and one with status `success` (spec §4.4: only `success` has moved
 * money; a failed or pending refund under that name would be misread as money going back, so it is
 * refused, as a `payment_succeeded` that did not succeed is).
 */
const refundEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const { txn, context } = transactionParts(event, contentOf(raw, event.type), options);
  if (txn.type !== null && txn.type !== "refund" && txn.type !== "payment_reversal") {
    fail(AT_TRANSACTION, "type", "Expected refund (payment_refunded is money going back)");
  }
  if (txn.status !== null && txn.status !== "success") {
    fail(AT_TRANSACTION, "status", "Expected success (payment_refunded is money that went back)");
  }
  event.refund = refundOf(txn, context);
  return clearSubscriptionPii(event);
};

/**
 * Spec §4.4: only a successful `payment` is money collected, and a failed one (`failure`,
 * `timeout`, `late_failure`) a failed attempt; `refund` and `payment_reversal` (chargebacks) are money
 * going back; an `authorization`, a pending payment or any other type moves no money.
 */
const transactionEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const { txn, context } = transactionParts(event, contentOf(raw, event.type), options);
  switch (txn.type) {
    case "payment":
      if (txn.status === "success") event.payment = paymentOf(txn, context);
      else if (txn.status !== null && FAILED_STATUSES.has(txn.status)) {
        event.failedPayment = failedPaymentOf(txn, context);
      }
      break;
    case "refund":
    case "payment_reversal":
      event.refund = refundOf(txn, context);
      break;
  }
  return clearSubscriptionPii(event);
};

/** Spec §3, §10: customer events; `customer_deleted` may list `subscriptions` (an array). */
const customerEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const content = contentOf(raw, event.type);
  const customer = required(content, "customer", event.type);
  event.customer = normalizeCustomer(customer, AT_CUSTOMER);
  const list = array(content, "subscriptions", CONTENT);
  if (list !== null) {
    const code = eventCurrency(event, [], customer, options);
    const where = AT_SUBSCRIPTIONS;
    event.subscriptions = list.map((_, index) =>
      normalizeSubscription(
        element(list, index, where),
        [...where, index],
        code,
        options,
        event.customer?.id ?? null,
        event.customer,
      ),
    );
  }
  return clearSubscriptionPii(event);
};

/** Spec §3: `invoice_generated` (and its backdated variant). */
const invoiceEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const content = contentOf(raw, event.type);
  const invoice = required(content, "invoice", event.type);
  const customer = object(content, "customer", CONTENT);
  const subscription = object(content, "subscription", CONTENT);
  const code = eventCurrency(
    event,
    [
      [invoice, AT_INVOICE],
      [subscription, AT_SUBSCRIPTION],
    ],
    customer,
    options,
  );
  event.customer = customerOf(customer);
  event.invoice = normalizeInvoice(invoice, AT_INVOICE, code);
  if (subscription !== null) {
    event.subscription = normalizeSubscription(
      subscription,
      AT_SUBSCRIPTION,
      code,
      options,
      event.customer?.id ?? event.invoice.customerId,
      event.customer,
    );
  }
  return clearSubscriptionPii(event);
};

/** Spec §3: `credit_note_created` (and its backdated variant). */
const creditNoteEvent: Builder = (raw, options) => {
  const event = baseEvent(raw, true);
  const content = contentOf(raw, event.type);
  const creditNote = required(content, "credit_note", event.type);
  const customer = object(content, "customer", CONTENT);
  const code = eventCurrency(event, [[creditNote, AT_CREDIT_NOTE]], customer, options);
  event.customer = customerOf(customer);
  event.creditNote = normalizeCreditNote(creditNote, AT_CREDIT_NOTE, code);
  return event;
};

const BUILDERS: Readonly<Record<BaseEventType, Builder>> = {
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

function parseValue(value: unknown, options: ResolvedParseOptions): BillingEvent {
  const raw = unwrap(value);
  if (!isObject(raw)) return fail([], null, "Expected a JSON object");
  const type = raw.event_type;
  // Spec checklist 9: unknown types are acknowledged: envelope only, `supported: false`.
  if (typeof type !== "string" || !isSupportedEventType(type)) return baseEvent(raw, false);
  return BUILDERS[baseEventType(type)](raw, options);
}

/** Spec §9: a List Events page: `{ "list": [{ "event": {…} }], "next_offset": "…" }`. */
const EventListWire = z.object({
  list: z.array(z.object({ event: z.unknown() })),
  next_offset: z.string().nullish(),
});

function parseListValue(value: unknown, options: ResolvedParseOptions): ChargebeeEventPage {
  const page = EventListWire.safeParse(value);
  if (!page.success) {
    const first = page.error.issues[0];
    const where = first && first.path.length > 0 ? first.path.join(".") : "(body)";
    throw new WebhookPayloadError(
      `Invalid Chargebee event list: ${where}: ${first?.message ?? "invalid"}`,
      { issues: redactIssues(page.error.issues) },
    );
  }
  return {
    events: page.data.list.map((entry) => parseValue(entry.event, options)),
    nextOffset: page.data.next_offset ?? null,
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
    parse: (input) => parseValue(decodeWebhookBody(input, BODY), resolved),
    parseList: (input) => parseListValue(decodeWebhookBody(input, BODY), resolved),
  };
}

/**
 * Validates one Chargebee webhook body and returns it normalized.
 *
 * Accepts the raw text, the raw bytes, an already-parsed object, or the `{ "event": {…} }` wrapper of
 * `GET /events/{id}`. Unknown keys are ignored; unknown event types come back with `supported: false`
 * and only the envelope fields filled.
 *
 * @throws {WebhookPayloadError} (HTTP 400) naming the field: invalid JSON or UTF-8, a non-object body,
 *   a missing, blank or over-long `id`, a missing `event_type`, an `occurred_at` that is not unix
 *   seconds (milliseconds are refused), a supported event without its content object, a field of the
 *   wrong kind, a negative amount or quantity, an unknown currency, a v2 amount with no currency
 *   anywhere, a `payment_succeeded` whose transaction is not a successful payment, a
 *   `payment_refunded` whose transaction is not a successful refund. `issues` holds the
 *   path and rule, never input values.
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
  return parseValue(decodeWebhookBody(input, BODY), resolveParseOptions(options));
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
  return parseListValue(decodeWebhookBody(input, BODY), resolveParseOptions(options));
}
