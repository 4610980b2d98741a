/**
 * Pure mapping from validated Chargebee wire objects to the normalized `@revtrace/core` billing model.
 * Times become epoch milliseconds (spec §5), amounts become {@link Money} (see `chargebee-money.ts`),
 * absent values become `null`.
 *
 * @module
 */
import type {
  Address,
  BillingCreditNote,
  BillingCustomer,
  BillingInvoice,
  BillingPayment,
  BillingRefund,
  BillingSubscription,
  CustomFieldValue,
  Money,
  SubscriptionItem,
} from "@revtrace/core";
import { isCurrencyCode } from "@revtrace/core";
import { chargebeeMoney } from "./chargebee-money.js";
import type { ResolvedParseOptions } from "./chargebee-parse-options.js";
import type {
  AddressWire,
  CreditNoteWire,
  CustomerWire,
  InvoiceWire,
  SubscriptionWire,
  TransactionWire,
} from "./chargebee-schemas.js";

/** A raw JSON object as received (used for keys the schemas do not name: `cf_*`, `cs_*`). */
export type RawObject = Readonly<Record<string, unknown>>;

const PII_STATES: ReadonlySet<string> = new Set(["active", "scheduled_for_clear", "cleared"]);

/** Seconds → milliseconds; `null` when absent. */
export function ms(seconds: number | null | undefined): number | null {
  return seconds == null ? null : seconds * 1000;
}

/** Trimmed text, `null` when absent or blank. */
function text(value: string | null | undefined): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  return trimmed === "" ? null : trimmed;
}

function moneyOrNull(amount: number | null | undefined, currency: string): Money | null {
  return amount == null ? null : chargebeeMoney(amount, currency);
}

/**
 * Spec §4.6: `cf_*` custom fields (and `cs_*` consent fields, spec §10) are flat keys whose values are
 * strings, numbers or booleans. Other values (`null`, objects) are skipped.
 */
export function customFieldsOf(raw: RawObject): Record<string, CustomFieldValue> {
  const fields: Record<string, CustomFieldValue> = {};
  for (const key in raw) {
    // `cf_` or `cs_` (char codes: c=99, f=102, s=115, _=95); cheaper than two startsWith per key.
    const second = key.charCodeAt(1);
    if (
      key.charCodeAt(0) !== 99 ||
      key.charCodeAt(2) !== 95 ||
      (second !== 102 && second !== 115)
    ) {
      continue;
    }
    const value = raw[key];
    if (typeof value === "string" || typeof value === "boolean") fields[key] = value;
    else if (typeof value === "number" && Number.isFinite(value)) fields[key] = value;
  }
  return fields;
}

/** A string or finite number as text; `null` otherwise. */
function idLike(value: unknown): string | null {
  if (typeof value === "string") return text(value);
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return null;
}

function address(wire: AddressWire | null | undefined): Address | null {
  if (wire == null) return null;
  return {
    firstName: wire.first_name ?? null,
    lastName: wire.last_name ?? null,
    email: text(wire.email),
    company: wire.company ?? null,
    phone: wire.phone ?? null,
    line1: wire.line1 ?? null,
    line2: wire.line2 ?? null,
    line3: wire.line3 ?? null,
    city: wire.city ?? null,
    state: wire.state ?? null,
    stateCode: wire.state_code ?? null,
    zip: wire.zip ?? null,
    country: wire.country ?? null,
  };
}

/** Spec §4.1 / checklist 7: `customer.email`, else `billing_address.email`, else the first contact's. */
function bestEmail(wire: CustomerWire): Pick<BillingCustomer, "email" | "emailSource"> {
  const own = text(wire.email);
  if (own !== null) return { email: own, emailSource: "customer" };
  const billing = text(wire.billing_address?.email);
  if (billing !== null) return { email: billing, emailSource: "billing_address" };
  for (const contact of wire.contacts ?? []) {
    const email = text(contact.email);
    if (email !== null) return { email, emailSource: "contact" };
  }
  return { email: null, emailSource: null };
}

/** Spec §4.1: the customer object. */
export function normalizeCustomer(wire: CustomerWire, raw: RawObject): BillingCustomer {
  const pii = wire.pii_cleared;
  const { email, emailSource } = bestEmail(wire);
  return {
    id: wire.id,
    email,
    emailSource,
    phone: text(wire.phone),
    firstName: text(wire.first_name),
    lastName: text(wire.last_name),
    company: text(wire.company),
    billingAddress: address(wire.billing_address),
    piiCleared:
      pii != null && PII_STATES.has(pii)
        ? (pii as NonNullable<BillingCustomer["piiCleared"]>)
        : null,
    deleted: wire.deleted === true,
    createdFromIp: wire.created_from_ip ?? null,
    locale: wire.locale ?? null,
    createdAt: ms(wire.created_at),
    customFields: customFieldsOf(raw),
    metaData: wire.meta_data ?? null,
    resourceVersion: wire.resource_version ?? null,
  };
}

/** Quantity as given, else parsed from the `*_in_decimal` twin, else Chargebee's default of 1. */
function quantity(value: number | null | undefined, decimal: string | null | undefined): number {
  if (value != null) return value;
  const parsed = decimal == null ? Number.NaN : Number(decimal);
  return Number.isFinite(parsed) ? parsed : 1;
}

/**
 * Spec §4.2: both catalog models. Items model when `subscription_items[]` is non-empty (compat sites
 * may send both shapes; the items list wins), else the Plans model (`plan_id` + `addons[]`). The
 * primary plan is the first item of type `plan`, else `plan_id`.
 */
function catalog(
  wire: SubscriptionWire,
  currency: string,
): Pick<BillingSubscription, "catalogModel" | "planId" | "items"> {
  const lines = wire.subscription_items;
  if (lines != null && lines.length > 0) {
    const items: SubscriptionItem[] = [];
    let planId: string | null = null;
    for (const line of lines) {
      if (planId === null && line.item_type === "plan") planId = line.item_price_id;
      items.push({
        id: line.item_price_id,
        type: line.item_type,
        quantity: quantity(line.quantity, line.quantity_in_decimal),
        unitPrice: moneyOrNull(line.unit_price, currency),
        amount: moneyOrNull(line.amount, currency),
      });
    }
    return { catalogModel: "items", planId: planId ?? wire.plan_id ?? null, items };
  }
  const items: SubscriptionItem[] = [];
  if (wire.plan_id != null) {
    items.push({
      id: wire.plan_id,
      type: "plan",
      quantity: quantity(wire.plan_quantity, wire.plan_quantity_in_decimal),
      unitPrice: moneyOrNull(wire.plan_unit_price, currency),
      amount: moneyOrNull(wire.plan_amount, currency),
    });
  }
  for (const addon of wire.addons ?? []) {
    items.push({
      id: addon.id,
      type: "addon",
      quantity: quantity(addon.quantity, addon.quantity_in_decimal),
      unitPrice: moneyOrNull(addon.unit_price, currency),
      amount: moneyOrNull(addon.amount, currency),
    });
  }
  const catalogModel = wire.plan_id == null && lines != null ? "items" : "plans";
  return { catalogModel, planId: wire.plan_id ?? null, items };
}

/** Spec §4.2 and §4.6: the subscription object, with the click id and affiliate ref extracted. */
export function normalizeSubscription(
  wire: SubscriptionWire,
  raw: RawObject,
  fallbackCurrency: string,
  options: ResolvedParseOptions,
): BillingSubscription {
  const currency = wire.currency_code ?? fallbackCurrency;
  const metaData = wire.meta_data ?? null;
  const { catalogModel, planId, items } = catalog(wire, currency);
  return {
    id: wire.id,
    customerId: wire.customer_id ?? null,
    status: wire.status ?? null,
    catalogModel,
    planId,
    items,
    currency,
    billingPeriod: wire.billing_period ?? null,
    billingPeriodUnit: wire.billing_period_unit ?? null,
    trialStart: ms(wire.trial_start),
    trialEnd: ms(wire.trial_end),
    createdAt: ms(wire.created_at),
    startedAt: ms(wire.started_at),
    activatedAt: ms(wire.activated_at),
    cancelledAt: ms(wire.cancelled_at),
    // Spec §4.2: two different fields, both kept: Chargebee's enum and the merchant's own code.
    cancelReason: wire.cancel_reason ?? null,
    cancelReasonCode: wire.cancel_reason_code ?? null,
    customFields: customFieldsOf(raw),
    clickId: idLike(raw[options.clickIdField]),
    affiliateRef: metaData === null ? null : idLike(metaData[options.affiliateRefKey]),
    metaData,
    resourceVersion: wire.resource_version ?? null,
  };
}

/** Spec §4.3 (and §8 for v1 `amount`/`paid_on`): the invoice summary. */
export function normalizeInvoice(wire: InvoiceWire, fallbackCurrency: string): BillingInvoice {
  const currency = wire.currency_code ?? fallbackCurrency;
  return {
    id: wire.id,
    subscriptionId: wire.subscription_id ?? null,
    status: wire.status ?? null,
    total: moneyOrNull(wire.total ?? wire.amount, currency),
    amountPaid: moneyOrNull(wire.amount_paid, currency),
    firstInvoice: wire.first_invoice ?? null,
    recurring: wire.recurring ?? null,
    date: ms(wire.date),
    paidAt: ms(wire.paid_at ?? wire.paid_on),
  };
}

/** Spec §4.5: the credit note summary. */
export function normalizeCreditNote(
  wire: CreditNoteWire,
  fallbackCurrency: string,
): BillingCreditNote {
  const currency = wire.currency_code ?? fallbackCurrency;
  return {
    id: wire.id,
    referenceInvoiceId: wire.reference_invoice_id ?? null,
    subscriptionId: wire.subscription_id ?? null,
    type: wire.type ?? null,
    status: wire.status ?? null,
    reasonCode: wire.reason_code ?? null,
    total: moneyOrNull(wire.total, currency),
    amountRefunded: moneyOrNull(wire.amount_refunded, currency),
    date: ms(wire.date),
  };
}

/** The objects a payment or refund is read from. */
export interface TransactionContext {
  transaction: TransactionWire;
  invoice: InvoiceWire | null | undefined;
  subscription: SubscriptionWire | null | undefined;
  creditNote?: CreditNoteWire | null | undefined;
}

/** The invoice a transaction belongs to: the content's invoice, v1 `invoice_id`, or `linked_invoices`. */
function invoiceIdOf({ transaction, invoice }: TransactionContext): string | null {
  return (
    invoice?.id ?? transaction.invoice_id ?? transaction.linked_invoices?.[0]?.invoice_id ?? null
  );
}

function subscriptionIdOf({
  transaction,
  invoice,
  subscription,
}: TransactionContext): string | null {
  return transaction.subscription_id ?? invoice?.subscription_id ?? subscription?.id ?? null;
}

/**
 * Spec §6, checklist 10: the payment value is `transaction.amount` (cash); `invoice.first_invoice`
 * separates a first payment from a renewal.
 */
export function normalizePayment(
  context: TransactionContext,
  fallbackCurrency: string,
): BillingPayment {
  const { transaction, invoice } = context;
  return {
    transactionId: transaction.id,
    invoiceId: invoiceIdOf(context),
    subscriptionId: subscriptionIdOf(context),
    amount: chargebeeMoney(transaction.amount, transaction.currency_code ?? fallbackCurrency),
    isFirstPayment: invoice?.first_invoice ?? null,
    isRecurring: invoice?.recurring ?? null,
    status: transaction.status ?? null,
    gateway: transaction.gateway ?? null,
    paymentMethod: transaction.payment_method ?? null,
    paidAt: ms(transaction.date),
    errorCode: transaction.error_code ?? null,
  };
}

/**
 * Spec §4.4, §6: money going back. A refund is the refund transaction's `amount` (may be partial); a
 * `payment_reversal` (chargeback, late direct-debit failure) is normalized the same way, marked by
 * `transactionType`. `refunded_txn_id` names the original payment, else `reference_transaction_id`
 * (the offline payment refunded or reversed, chargebee-node `Transaction` docs); credit notes come
 * from `credit_note` and `linked_credit_notes[]`.
 */
export function normalizeRefund(
  context: TransactionContext,
  fallbackCurrency: string,
): BillingRefund {
  const { transaction, creditNote } = context;
  const creditNoteIds: string[] = [];
  if (creditNote != null) creditNoteIds.push(creditNote.id);
  for (const link of transaction.linked_credit_notes ?? []) {
    if (!creditNoteIds.includes(link.cn_id)) creditNoteIds.push(link.cn_id);
  }
  return {
    transactionId: transaction.id,
    refundedTransactionId:
      transaction.refunded_txn_id ?? transaction.reference_transaction_id ?? null,
    invoiceId:
      invoiceIdOf(context) ??
      creditNote?.reference_invoice_id ??
      transaction.linked_credit_notes?.[0]?.cn_reference_invoice_id ??
      null,
    subscriptionId: subscriptionIdOf(context) ?? creditNote?.subscription_id ?? null,
    amount: chargebeeMoney(transaction.amount, transaction.currency_code ?? fallbackCurrency),
    creditNoteIds,
    refundedAt: ms(transaction.date),
    transactionType: transaction.type === "payment_reversal" ? "payment_reversal" : "refund",
    status: transaction.status ?? null,
  };
}

/**
 * The currency used where an object carries no `currency_code` (v1 payloads, spec §8): the first code
 * found on the event's money-bearing objects, then the customer's preferred currency, then
 * `defaultCurrency`.
 */
export function eventCurrency(
  codes: ReadonlyArray<string | null | undefined>,
  preferred: string | null | undefined,
  options: ResolvedParseOptions,
): string {
  for (const code of codes) if (code != null) return code;
  if (preferred != null && isCurrencyCode(preferred)) return preferred;
  return options.defaultCurrency;
}
