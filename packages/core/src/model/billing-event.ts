/**
 * BillingEvent: the normalized form of one Chargebee webhook event, as produced by
 * `@revtrace/chargebee`. Times are epoch milliseconds; money is {@link Money} in minor units; absent
 * values are `null`, never `undefined`, so the shape is the same for every event.
 *
 * @module
 */
import { z } from "zod";
import { MoneySchema } from "../money/money.js";
import { personal } from "./personal-data.js";

const nullableString = z.string().nullable();
const epochMs = z.number().int().nullable();
/** A nullable string marked as personal data (see {@link personal}). */
const personalString = (kind: Parameters<typeof personal>[1]) =>
  personal(z.string().nullable(), kind);

/** Values of Chargebee `cf_*` custom fields: strings, numbers or booleans (spec §4.6). */
export const CustomFieldValueSchema = z.union([z.string(), z.number(), z.boolean()]);
export type CustomFieldValue = z.infer<typeof CustomFieldValueSchema>;

/** A postal address (Chargebee `billing_address`). */
export const AddressSchema = z.object({
  firstName: personalString("name"),
  lastName: personalString("name"),
  email: personalString("email"),
  company: personalString("organization"),
  phone: personalString("phone"),
  line1: personalString("address"),
  line2: personalString("address"),
  line3: personalString("address"),
  city: personalString("address"),
  state: personalString("address"),
  stateCode: personalString("address"),
  zip: personalString("address"),
  /** ISO 3166-1 alpha-2 (not personal on its own; kept in logs). */
  country: nullableString,
});
export type Address = z.infer<typeof AddressSchema>;

/** The billed customer. */
export const BillingCustomerSchema = z.object({
  /** Chargebee `customer.id`: the primary join key. */
  id: z.string(),
  /** Best email: `customer.email`, else `billing_address.email`, else the first contact's email. */
  email: personalString("email"),
  /** Where `email` came from. */
  emailSource: z.enum(["customer", "billing_address", "contact"]).nullable(),
  /** Phone as given (free text, not E.164); normalize with `@revtrace/identity`. */
  phone: personalString("phone"),
  firstName: personalString("name"),
  lastName: personalString("name"),
  company: personalString("organization"),
  billingAddress: AddressSchema.nullable(),
  /** Chargebee `pii_cleared`; when `cleared`, personal fields are gone and must not be re-sent. */
  piiCleared: z.enum(["active", "scheduled_for_clear", "cleared"]).nullable(),
  /** `true` when the record is deleted. */
  deleted: z.boolean(),
  /** Signup IP (`created_from_ip`). */
  createdFromIp: personalString("network"),
  locale: nullableString,
  createdAt: epochMs,
  /** `cf_*` custom fields and `cs_*` consent fields, keyed by their full name (`cf_click_id`). */
  customFields: z.record(z.string(), CustomFieldValueSchema),
  /** Free JSON `meta_data`. */
  metaData: z.record(z.string(), z.unknown()).nullable(),
  resourceVersion: epochMs,
});
export type BillingCustomer = z.infer<typeof BillingCustomerSchema>;

/** One priced line of a subscription: a plan, add-on or charge. */
export const SubscriptionItemSchema = z.object({
  /** `item_price_id` (Items model) or plan/add-on id (Plans model). */
  id: z.string(),
  type: z.enum(["plan", "addon", "charge"]),
  quantity: z.number(),
  unitPrice: MoneySchema.nullable(),
  amount: MoneySchema.nullable(),
});
export type SubscriptionItem = z.infer<typeof SubscriptionItemSchema>;

/** The subscription the event is about. */
export const BillingSubscriptionSchema = z.object({
  id: z.string(),
  customerId: nullableString,
  status: nullableString,
  /** `plans` = Product Catalog 1.0 (`plan_id`/`addons`), `items` = 2.0 (`subscription_items[]`). */
  catalogModel: z.enum(["plans", "items"]),
  /** Primary plan: first item of type plan, else `plan_id`. */
  planId: nullableString,
  items: z.array(SubscriptionItemSchema),
  currency: nullableString,
  billingPeriod: z.number().int().nullable(),
  billingPeriodUnit: nullableString,
  trialStart: epochMs,
  trialEnd: epochMs,
  createdAt: epochMs,
  startedAt: epochMs,
  activatedAt: epochMs,
  cancelledAt: epochMs,
  /**
   * Chargebee `cancel_reason`: its system enum (`not_paid`, `no_card`, `fraud_review_failed`, …),
   * set when Chargebee itself cancelled the subscription.
   */
  cancelReason: nullableString,
  /** Chargebee `cancel_reason_code`: the merchant-defined reason text (Chargebee spec §4.2). */
  cancelReasonCode: nullableString,
  /** `cf_*` custom fields and `cs_*` consent fields, keyed by their full name. */
  customFields: z.record(z.string(), CustomFieldValueSchema),
  /** The ad/affiliate click id from the configured custom field (default `cf_click_id`). */
  clickId: nullableString,
  /** The affiliate ref from the configured `meta_data` key. */
  affiliateRef: nullableString,
  metaData: z.record(z.string(), z.unknown()).nullable(),
  /** Chargebee `resource_version`, epoch milliseconds. */
  resourceVersion: epochMs,
  /** Start of the current billing term (`current_term_start`), epoch milliseconds. */
  currentTermStart: epochMs,
  /** End of the current billing term (`current_term_end`), epoch milliseconds. */
  currentTermEnd: epochMs,
  /** When Chargebee bills next (`next_billing_at`), epoch milliseconds; `null` once nothing is due. */
  nextBillingAt: epochMs,
  /** Chargebee's own affiliate tracking token (`affiliate_token`), as text. */
  affiliateToken: nullableString,
  /** The IP the subscription was created from (`created_from_ip`). */
  createdFromIp: personalString("network"),
  /**
   * Chargebee `mrr`: monthly recurring revenue in the subscription's currency. Often 0 or absent right
   * at creation or activation (Chargebee spec §4.2): a state, never the value of an event.
   */
  mrr: MoneySchema.nullable(),
  /** Quantity of the primary plan (`plan_quantity`, or the first plan item's `quantity`). */
  planQuantity: z.number().nullable(),
  /** Unit price of the primary plan (`plan_unit_price`, or the first plan item's `unit_price`). */
  planUnitPrice: MoneySchema.nullable(),
});
export type BillingSubscription = z.infer<typeof BillingSubscriptionSchema>;

/**
 * Money collected: the transaction of `payment_succeeded`, or of `transaction_created` when its type
 * is `payment` and its status `success`. Never a failed, pending or refund transaction (failed
 * attempts are {@link BillingFailedPaymentSchema}).
 */
export const BillingPaymentSchema = z.object({
  transactionId: z.string(),
  /** Chargebee `transaction.customer_id`: ties the payment to its customer without `content.customer`. */
  customerId: nullableString,
  invoiceId: nullableString,
  subscriptionId: nullableString,
  /** The cash collected by this transaction (`transaction.amount`). */
  amount: MoneySchema,
  /** `invoice.first_invoice`: true for the subscription's first invoice, false for renewals. */
  isFirstPayment: z.boolean().nullable(),
  /** Invoice `recurring` flag. */
  isRecurring: z.boolean().nullable(),
  status: nullableString,
  gateway: nullableString,
  paymentMethod: nullableString,
  /** Transaction date, epoch milliseconds. */
  paidAt: epochMs,
  errorCode: nullableString,
  /** `transaction.exchange_rate`: the rate to the site's base currency (1 when they are the same). */
  exchangeRate: z.number().nullable(),
  /** `transaction.base_currency_code`: the site's base currency. */
  baseCurrencyCode: nullableString,
});
export type BillingPayment = z.infer<typeof BillingPaymentSchema>;

/**
 * A payment attempt that collected nothing (`payment_failed`, or `transaction_created` with a
 * `payment` transaction whose status is `failure`, `timeout` or `late_failure`). The amounts say
 * what was asked for, never what was received: this is not revenue (Chargebee spec §6).
 */
export const BillingFailedPaymentSchema = z.object({
  /** The failed transaction's id. */
  transactionId: z.string(),
  /** Chargebee `transaction.customer_id`. */
  customerId: nullableString,
  invoiceId: nullableString,
  subscriptionId: nullableString,
  /** The amount the attempt tried to collect (`transaction.amount`; may be below the invoice total when credits applied). */
  attemptedAmount: MoneySchema,
  /** What the invoice still asks for (`invoice.amount_due`). */
  amountDue: MoneySchema.nullable(),
  /** `invoice.dunning_status`: `in_progress`, `exhausted`, `stopped` or `success`. */
  dunningStatus: nullableString,
  /** `invoice.next_retry_at`: when Chargebee tries again, epoch milliseconds; `null` when it will not. */
  nextRetryAt: epochMs,
  /** `transaction.status` (`failure`, `timeout`, `late_failure`, …). */
  status: nullableString,
  /** The gateway's error code (`transaction.error_code`). */
  errorCode: nullableString,
  /** The gateway's error text (`transaction.error_text`, e.g. "Insufficient funds"). */
  errorText: nullableString,
  gateway: nullableString,
  paymentMethod: nullableString,
  /** `invoice.first_invoice`: true when the failed invoice is the subscription's first. */
  isFirstPayment: z.boolean().nullable(),
  /** When the attempt was made (`transaction.date`), epoch milliseconds. */
  attemptedAt: epochMs,
  exchangeRate: z.number().nullable(),
  baseCurrencyCode: nullableString,
});
export type BillingFailedPayment = z.infer<typeof BillingFailedPaymentSchema>;

/**
 * Money going back to the customer: a refund (`payment_refunded`, or `transaction_created` with a
 * `refund` transaction), or a payment reversal (`transaction_created` with a `payment_reversal`
 * transaction: a chargeback, or a direct debit that failed after it looked successful; Chargebee
 * spec §4.4). Either way it takes revenue back; `transactionType` tells them apart.
 */
export const BillingRefundSchema = z.object({
  /** The refund (or reversal) transaction's id. */
  transactionId: z.string(),
  /** Chargebee `transaction.customer_id`. */
  customerId: nullableString,
  /**
   * The payment transaction taken back: `refunded_txn_id`, else `reference_transaction_id` (set on
   * refunds and reversals of offline payments).
   */
  refundedTransactionId: nullableString,
  invoiceId: nullableString,
  subscriptionId: nullableString,
  amount: MoneySchema,
  creditNoteIds: z.array(z.string()),
  refundedAt: epochMs,
  /** Chargebee `transaction.type`: `refund`, or `payment_reversal` (a chargeback or reversal). */
  transactionType: z.enum(["refund", "payment_reversal"]),
  /** Chargebee `transaction.status` (`success`, `in_progress`, `failure`, …): only `success` has moved money. */
  status: nullableString,
  exchangeRate: z.number().nullable(),
  baseCurrencyCode: nullableString,
});
export type BillingRefund = z.infer<typeof BillingRefundSchema>;

/** An invoice summary (`invoice_generated`, and the invoice carried by payment events). */
export const BillingInvoiceSchema = z.object({
  id: z.string(),
  /** Chargebee `invoice.customer_id`: ties `invoice_generated` to its customer. */
  customerId: nullableString,
  subscriptionId: nullableString,
  status: nullableString,
  total: MoneySchema.nullable(),
  amountPaid: MoneySchema.nullable(),
  /** `amount_due`: what is still to be collected. */
  amountDue: MoneySchema.nullable(),
  firstInvoice: z.boolean().nullable(),
  recurring: z.boolean().nullable(),
  date: epochMs,
  paidAt: epochMs,
  /** Billing period start: v1 `start_date`, epoch milliseconds. */
  periodStart: epochMs,
  /** Billing period end: v1 `end_date`, epoch milliseconds. */
  periodEnd: epochMs,
  /** `dunning_status` (`in_progress`, `exhausted`, `stopped`, `success`). */
  dunningStatus: nullableString,
  /** `next_retry_at`, epoch milliseconds. */
  nextRetryAt: epochMs,
  exchangeRate: z.number().nullable(),
  baseCurrencyCode: nullableString,
});
export type BillingInvoice = z.infer<typeof BillingInvoiceSchema>;

/** A credit note summary (`credit_note_created`). */
export const BillingCreditNoteSchema = z.object({
  id: z.string(),
  /** Chargebee `credit_note.customer_id`. */
  customerId: nullableString,
  referenceInvoiceId: nullableString,
  subscriptionId: nullableString,
  type: nullableString,
  status: nullableString,
  reasonCode: nullableString,
  total: MoneySchema.nullable(),
  amountRefunded: MoneySchema.nullable(),
  date: epochMs,
});
export type BillingCreditNote = z.infer<typeof BillingCreditNoteSchema>;

/** One normalized Chargebee event. */
export const BillingEventSchema = z.object({
  /** Chargebee event id (`ev_…`, at most 40 characters): the dedupe key. */
  id: z.string().min(1).max(40),
  /** Chargebee `event_type`, verbatim. */
  type: z.string().min(1),
  /** False for event types revtrace does not interpret (acknowledged and recorded, not an error). */
  supported: z.boolean(),
  /** Chargebee `occurred_at`, epoch milliseconds. */
  occurredAt: z.number().int(),
  /** Chargebee `source` (`hosted_page`, `scheduled_job`, …). */
  source: nullableString,
  /** `v2`, or `v1` (also for very old payloads without `api_version`). */
  apiVersion: z.enum(["v1", "v2"]),
  customer: BillingCustomerSchema.nullable(),
  subscription: BillingSubscriptionSchema.nullable(),
  /**
   * The subscriptions listed by events whose content carries an array (`customer_deleted` →
   * `content.subscriptions[]`, Chargebee spec §3 and §10); `null` for every other event.
   */
  subscriptions: z.array(BillingSubscriptionSchema).nullable(),
  /**
   * Money collected, and only that: the transaction of `payment_succeeded`, or of
   * `transaction_created` when its type is `payment` and its status `success`. `null` for failed
   * attempts (see `failedPayment`), pending, refund and authorization transactions.
   */
  payment: BillingPaymentSchema.nullable(),
  /**
   * A payment attempt that collected nothing, with the dunning state (`payment_failed`, failed
   * `payment` transactions of `transaction_created`); see {@link BillingFailedPaymentSchema}.
   */
  failedPayment: BillingFailedPaymentSchema.nullable(),
  /** The money going back: refunds and payment reversals (chargebacks); see {@link BillingRefundSchema}. */
  refund: BillingRefundSchema.nullable(),
  invoice: BillingInvoiceSchema.nullable(),
  creditNote: BillingCreditNoteSchema.nullable(),
});
export type BillingEvent = z.infer<typeof BillingEventSchema>;
