/**
 * zod schemas for the parts of Chargebee webhook bodies that revtrace reads. Written from the spec and
 * real payloads (spec §2–§4, §10: never from the SDK's generated content types). Objects are in strip
 * mode: unknown keys are ignored and not copied (spec §2; perf: `looseObject` costs ~1.7× more,
 * research/perf-anchors.md). Optional fields accept `null` as well as absence.
 *
 * @module
 */
import { isCurrencyCode } from "@revtrace/core";
import { z } from "zod";

/** Largest unix-seconds value whose milliseconds are still a safe integer. */
const MAX_UNIX_SECONDS = Math.floor(Number.MAX_SAFE_INTEGER / 1000);

/**
 * Rules checked on top of a field's type (the field schema checks `string`/`number`):
 * - `id`: a non-empty string (spec §5: ids are strings, never numbers);
 * - `seconds`: spec §5, unix seconds: an integer ≥ 0 whose × 1000 is a safe integer;
 * - `millis`: spec §5, `resource_version`: epoch milliseconds, a safe integer ≥ 0;
 * - `integer`: amounts in minor units (spec §5: at most 2^53 − 1) and counts: a safe integer;
 * - `currency`: an ISO 4217 code known to `@revtrace/core` (money is only built from these).
 */
type FieldRule = "id" | "seconds" | "millis" | "integer" | "currency";

const RULES: Record<FieldRule, { test: (value: unknown) => boolean; message: string }> = {
  id: { test: (v) => typeof v !== "string" || v.length > 0, message: "Expected a non-empty id" },
  seconds: {
    test: (v) => typeof v !== "number" || (Number.isInteger(v) && v >= 0 && v <= MAX_UNIX_SECONDS),
    message: "Expected unix seconds (an integer)",
  },
  millis: {
    test: (v) => typeof v !== "number" || (Number.isSafeInteger(v) && v >= 0),
    message: "Expected epoch milliseconds (an integer)",
  },
  integer: {
    test: (v) => typeof v !== "number" || Number.isSafeInteger(v),
    message: "Expected a safe integer",
  },
  currency: {
    test: (v) => typeof v !== "string" || isCurrencyCode(v),
    message: "Unknown ISO 4217 currency code",
  },
};

/**
 * Adds ONE check to an object schema that applies {@link FieldRule}s to its fields. A zod check per
 * field (`z.int()`, `.min(1)`, `.refine()`) costs ~4× a bare `z.string()`/`z.number()`; with ~40 such
 * fields per payment event that was ~15% of the parse budget (bench/parse.bench.ts). Issues carry the
 * field's path, as per-field checks would.
 */
function withRules<S extends z.ZodObject>(
  schema: S,
  fields: Partial<Record<keyof z.output<S> & string, FieldRule>>,
): S {
  const entries = Object.entries(fields).map(
    ([key, rule]) => [key, RULES[rule as FieldRule]] as const,
  );
  return schema.check((payload) => {
    const value = payload.value as Record<string, unknown>;
    for (const [key, rule] of entries) {
      const field = value[key];
      if (field != null && !rule.test(field)) {
        payload.issues.push({ code: "custom", message: rule.message, path: [key], input: field });
      }
    }
  });
}

const optNumber = z.number().nullish();
const optString = z.string().nullish();
const optBool = z.boolean().nullish();
const id = z.string();
/** Spec §4.6: `meta_data` is free JSON (an object). */
const metaData = z.record(z.string(), z.unknown()).nullish();

/** Spec §4.1: `billing_address`. */
export const AddressWire = z.object({
  first_name: optString,
  last_name: optString,
  email: optString,
  company: optString,
  phone: optString,
  line1: optString,
  line2: optString,
  line3: optString,
  city: optString,
  state: optString,
  state_code: optString,
  zip: optString,
  country: optString,
});
export type AddressWire = z.infer<typeof AddressWire>;

/** Spec §4.1: customer. */
export const CustomerWire = withRules(
  z.object({
    id,
    email: optString,
    phone: optString,
    first_name: optString,
    last_name: optString,
    company: optString,
    billing_address: AddressWire.nullish(),
    contacts: z.array(z.object({ email: optString })).nullish(),
    pii_cleared: optString,
    deleted: optBool,
    created_from_ip: optString,
    locale: optString,
    created_at: optNumber,
    preferred_currency_code: optString,
    meta_data: metaData,
    resource_version: optNumber,
  }),
  { id: "id", created_at: "seconds", resource_version: "millis" },
);
export type CustomerWire = z.infer<typeof CustomerWire>;

/** Spec §4.2: Items-model (Product Catalog 2.0) line. */
const SubscriptionItemWire = withRules(
  z.object({
    item_price_id: id,
    item_type: z.enum(["plan", "addon", "charge"]),
    quantity: z.number().nullish(),
    quantity_in_decimal: optString,
    unit_price: optNumber,
    amount: optNumber,
  }),
  { item_price_id: "id", unit_price: "integer", amount: "integer" },
);

/** Spec §4.2: Plans-model (Product Catalog 1.0) add-on. */
const AddonWire = withRules(
  z.object({
    id,
    quantity: z.number().nullish(),
    quantity_in_decimal: optString,
    unit_price: optNumber,
    amount: optNumber,
  }),
  { id: "id", unit_price: "integer", amount: "integer" },
);

/** Spec §4.2: subscription, in either catalog model (or both, on compat sites). */
export const SubscriptionWire = withRules(
  z.object({
    id,
    customer_id: optString,
    status: optString,
    plan_id: optString,
    plan_quantity: z.number().nullish(),
    plan_quantity_in_decimal: optString,
    plan_unit_price: optNumber,
    plan_amount: optNumber,
    addons: z.array(AddonWire).nullish(),
    subscription_items: z.array(SubscriptionItemWire).nullish(),
    currency_code: optString,
    billing_period: optNumber,
    billing_period_unit: optString,
    trial_start: optNumber,
    trial_end: optNumber,
    created_at: optNumber,
    started_at: optNumber,
    activated_at: optNumber,
    cancelled_at: optNumber,
    cancel_reason: optString,
    cancel_reason_code: optString,
    meta_data: metaData,
    resource_version: optNumber,
  }),
  {
    id: "id",
    currency_code: "currency",
    plan_unit_price: "integer",
    plan_amount: "integer",
    billing_period: "integer",
    trial_start: "seconds",
    trial_end: "seconds",
    created_at: "seconds",
    started_at: "seconds",
    activated_at: "seconds",
    cancelled_at: "seconds",
    resource_version: "millis",
  },
);
export type SubscriptionWire = z.infer<typeof SubscriptionWire>;

/** Spec §4.4: transaction (v1 payloads carry a single `invoice_id`, §8). */
export const TransactionWire = withRules(
  z.object({
    id,
    type: optString,
    status: optString,
    amount: z.number(),
    currency_code: optString,
    date: optNumber,
    gateway: optString,
    payment_method: optString,
    error_code: optString,
    subscription_id: optString,
    invoice_id: optString,
    linked_invoices: z.array(z.object({ invoice_id: id })).nullish(),
    refunded_txn_id: optString,
    reference_transaction_id: optString,
    linked_credit_notes: z
      .array(z.object({ cn_id: id, cn_reference_invoice_id: optString }))
      .nullish(),
  }),
  { id: "id", currency_code: "currency", amount: "integer", date: "seconds" },
);
export type TransactionWire = z.infer<typeof TransactionWire>;

/** Spec §4.3: invoice; v1 uses `amount` and `paid_on` (§8). */
export const InvoiceWire = withRules(
  z.object({
    id,
    subscription_id: optString,
    status: optString,
    total: optNumber,
    amount: optNumber,
    amount_paid: optNumber,
    first_invoice: optBool,
    recurring: optBool,
    date: optNumber,
    paid_at: optNumber,
    paid_on: optNumber,
    currency_code: optString,
  }),
  {
    id: "id",
    currency_code: "currency",
    total: "integer",
    amount: "integer",
    amount_paid: "integer",
    date: "seconds",
    paid_at: "seconds",
    paid_on: "seconds",
  },
);
export type InvoiceWire = z.infer<typeof InvoiceWire>;

/** Spec §4.5: credit note (v2 only). */
export const CreditNoteWire = withRules(
  z.object({
    id,
    reference_invoice_id: optString,
    subscription_id: optString,
    type: optString,
    status: optString,
    reason_code: optString,
    total: optNumber,
    amount_refunded: optNumber,
    date: optNumber,
    currency_code: optString,
  }),
  {
    id: "id",
    currency_code: "currency",
    total: "integer",
    amount_refunded: "integer",
    date: "seconds",
  },
);
export type CreditNoteWire = z.infer<typeof CreditNoteWire>;

/** Spec §2: the envelope fields every event must have. */
const envelopeShape = {
  id,
  event_type: id,
  occurred_at: z.number(),
  source: optString,
  // Spec §2, §8: absent on very old payloads (treated as v1).
  api_version: z.enum(["v1", "v2"]).nullish(),
};

/** Spec §2: `id` is the dedupe key; `event_type` selects the content schema. */
const envelopeRules = { id: "id", event_type: "id", occurred_at: "seconds" } as const;

/** The envelope alone: unsupported event types are validated only this far. */
export const EnvelopeWire = withRules(z.object(envelopeShape), envelopeRules);

/** Builds the schema of a whole event whose `content` holds `content`. */
function eventWith<T extends z.core.$ZodLooseShape>(content: T) {
  return withRules(z.object({ ...envelopeShape, content: z.object(content) }), envelopeRules);
}

/** Spec §3: subscription events carry `subscription` (required here) and usually `customer`, `invoice`. */
export const SubscriptionEventWire = eventWith({
  subscription: SubscriptionWire,
  customer: CustomerWire.nullish(),
  invoice: InvoiceWire.nullish(),
});

/** Spec §3: `payment_succeeded` / `payment_failed`. */
export const PaymentEventWire = eventWith({
  transaction: TransactionWire,
  invoice: InvoiceWire.nullish(),
  customer: CustomerWire.nullish(),
  subscription: SubscriptionWire.nullish(),
});

/** Spec §3: `payment_refunded` (v2 adds `credit_note`). */
export const RefundEventWire = eventWith({
  transaction: TransactionWire,
  invoice: InvoiceWire.nullish(),
  credit_note: CreditNoteWire.nullish(),
  customer: CustomerWire.nullish(),
  subscription: SubscriptionWire.nullish(),
});

/** Spec §3, §10: customer events; `customer_deleted` may list `subscriptions` (an array). */
export const CustomerEventWire = eventWith({
  customer: CustomerWire,
  subscriptions: z.array(SubscriptionWire).nullish(),
});

/** Spec §3: `invoice_generated`. */
export const InvoiceEventWire = eventWith({
  invoice: InvoiceWire,
  customer: CustomerWire.nullish(),
  subscription: SubscriptionWire.nullish(),
});

/** Spec §3: `credit_note_created`. */
export const CreditNoteEventWire = eventWith({ credit_note: CreditNoteWire });

/** Spec §3: `transaction_created`. */
export const TransactionEventWire = eventWith({ transaction: TransactionWire });

/** Spec §2: `GET /events/{id}` wraps the event as `{ "event": {…} }`. */
export const WrappedEventWire = z.object({ event: z.record(z.string(), z.unknown()) });

/** Spec §9: a List Events page: `{ "list": [{ "event": {…} }], "next_offset": "…" }`. */
export const EventListWire = z.object({
  list: z.array(z.object({ event: z.unknown() })),
  next_offset: optString,
});
