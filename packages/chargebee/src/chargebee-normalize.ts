/**
 * Pure mapping from raw Chargebee objects to the normalized `@revtrace/core` billing model, checking
 * every field it reads (see `chargebee-read.ts`). Times become epoch milliseconds (spec §5), amounts
 * become {@link Money} (see `chargebee-money.ts`), absent values become `null`.
 *
 * @module
 */
import type {
  Address,
  BillingCreditNote,
  BillingCustomer,
  BillingFailedPayment,
  BillingInvoice,
  BillingPayment,
  BillingRefund,
  BillingSubscription,
  CustomFieldValue,
  Money,
  SubscriptionItem,
} from "@revtrace/core";
import { MoneyError } from "@revtrace/core";
import { chargebeeMoney } from "./chargebee-money.js";
import type { ResolvedParseOptions } from "./chargebee-parse-options.js";
import {
  amount,
  array,
  bool,
  currency,
  element,
  fail,
  id,
  int,
  isObject,
  millis,
  num,
  object,
  optId,
  type Path,
  quantity,
  type RawObject,
  seconds,
  str,
  text,
} from "./chargebee-read.js";

const PII_STATES: ReadonlySet<string> = new Set(["active", "scheduled_for_clear", "cleared"]);
const ITEM_TYPES: ReadonlySet<string> = new Set(["plan", "addon", "charge"]);

/**
 * Money from a Chargebee amount. `currencyCode` is the object's own `currency_code`, else the event's
 * (see {@link eventCurrency}); with none at all the event is refused rather than guessed.
 */
function moneyAt(
  value: number | null,
  currencyCode: string | null,
  at: Path,
  key: string,
): Money | null {
  if (value === null) return null;
  if (currencyCode === null) {
    return fail(at, "currency_code", "No currency_code on this object or anywhere in the event");
  }
  try {
    return chargebeeMoney(value, currencyCode);
  } catch (error) {
    if (MoneyError.isInstance(error)) return fail(at, key, error.message);
    throw error;
  }
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

/**
 * A string or finite number as text; `null` otherwise (custom fields and `meta_data` values). An
 * integer beyond 2^53 − 1 is `null` too: JSON parsing already rounded it (a 20-digit click id held
 * in a number field arrives as `12345678901234567000`), so its text would name another click.
 */
function idLike(value: unknown): string | null {
  if (typeof value === "string") {
    const trimmed = value.trim();
    return trimmed === "" ? null : trimmed;
  }
  if (typeof value !== "number" || !Number.isFinite(value)) return null;
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return null;
  return String(value);
}

/** How deeply a `meta_data` string may nest once decoded (the raw body's own depth is checked upstream). */
const MAX_META_DATA_DEPTH = 64;

/**
 * Spec §4.6: `meta_data` is free JSON (an object). Chargebee takes it as a JSON-encoded string on
 * input (its KB on subscription meta_data: "pass the value for the metaData parameter as a JSON
 * string"), and that string can reach us as is (relays, replays of API input, v1-era integrations).
 * A string holding a JSON object is read as that object and a blank one as absent, instead of
 * refusing the whole event, its money included. Any other value (an array, a string that is not a
 * JSON object, or one nested deeper than {@link MAX_META_DATA_DEPTH}) is refused, naming the field.
 */
function metaDataOf(raw: RawObject, at: Path): Record<string, unknown> | null {
  const value = raw.meta_data;
  if (typeof value !== "string")
    return object(raw, "meta_data", at) as Record<string, unknown> | null;
  if (value.trim() === "") return null;
  const decoded = nestingExceeds(value, MAX_META_DATA_DEPTH) ? null : parseJson(value);
  if (isObject(decoded)) return decoded as Record<string, unknown>;
  return fail(at, "meta_data", "Expected an object (or a string holding a JSON object)");
}

/** `JSON.parse`, or `undefined` for text that is not JSON. */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** True when JSON text nests objects/arrays deeper than `max` (brackets inside strings ignored). */
function nestingExceeds(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92)
        i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) {
      if (++depth > max) return true;
    } else if (c === 125 || c === 93) depth--;
  }
  return false;
}

/** Spec §4.1: `billing_address`. */
function address(raw: RawObject, at: Path): Address {
  return {
    firstName: str(raw, "first_name", at),
    lastName: str(raw, "last_name", at),
    email: text(raw, "email", at),
    company: str(raw, "company", at),
    phone: str(raw, "phone", at),
    line1: str(raw, "line1", at),
    line2: str(raw, "line2", at),
    line3: str(raw, "line3", at),
    city: str(raw, "city", at),
    state: str(raw, "state", at),
    stateCode: str(raw, "state_code", at),
    zip: str(raw, "zip", at),
    country: str(raw, "country", at),
  };
}

/** Spec §4.1 / checklist 7: `customer.email`, else `billing_address.email`, else the first contact's. */
function bestEmail(
  own: string | null,
  billing: Address | null,
  raw: RawObject,
  at: Path,
): Pick<BillingCustomer, "email" | "emailSource"> {
  const contacts = array(raw, "contacts", at);
  let contactEmail: string | null = null;
  if (contacts !== null) {
    const where = [...at, "contacts"];
    for (let i = 0; i < contacts.length; i++) {
      const email = text(element(contacts, i, where), "email", [...where, i]);
      if (contactEmail === null && email !== null) contactEmail = email;
    }
  }
  if (own !== null) return { email: own, emailSource: "customer" };
  if (billing?.email != null) return { email: billing.email, emailSource: "billing_address" };
  if (contactEmail !== null) return { email: contactEmail, emailSource: "contact" };
  return { email: null, emailSource: null };
}

/**
 * Spec §4.1: the customer object. DESIGN §3, spec §4.1: when `pii_cleared` is `cleared` the person's
 * data is gone (GDPR), so every personal field (email, phone, names, company, address, signup IP,
 * custom fields and `meta_data`) is `null`/empty, whatever the payload still carries.
 */
export function normalizeCustomer(raw: RawObject, at: Path): BillingCustomer {
  const pii = str(raw, "pii_cleared", at);
  const billingRaw = object(raw, "billing_address", at);
  const billing = billingRaw === null ? null : address(billingRaw, [...at, "billing_address"]);
  const { email, emailSource } = bestEmail(text(raw, "email", at), billing, raw, at);
  const customer: BillingCustomer = {
    id: id(raw, "id", at),
    email,
    emailSource,
    phone: text(raw, "phone", at),
    firstName: text(raw, "first_name", at),
    lastName: text(raw, "last_name", at),
    company: text(raw, "company", at),
    billingAddress: billing,
    piiCleared:
      pii !== null && PII_STATES.has(pii)
        ? (pii as NonNullable<BillingCustomer["piiCleared"]>)
        : null,
    deleted: bool(raw, "deleted", at) === true,
    createdFromIp: str(raw, "created_from_ip", at),
    locale: str(raw, "locale", at),
    createdAt: seconds(raw, "created_at", at),
    customFields: customFieldsOf(raw),
    metaData: metaDataOf(raw, at),
    resourceVersion: millis(raw, "resource_version", at),
  };
  // Checked like any other customer (currency codes are read by the event's currency chain).
  currency(raw, "preferred_currency_code", at);
  if (customer.piiCleared === "cleared") {
    customer.email = null;
    customer.emailSource = null;
    customer.phone = null;
    customer.firstName = null;
    customer.lastName = null;
    customer.company = null;
    customer.billingAddress = null;
    customer.createdFromIp = null;
    customer.customFields = {};
    customer.metaData = null;
  }
  return customer;
}

/** Quantity as given, else parsed from the `*_in_decimal` twin, else Chargebee's default of 1. */
function quantityOf(raw: RawObject, key: string, at: Path): number {
  const value = quantity(raw, key, at);
  if (value !== null) return value;
  const decimal = str(raw, `${key}_in_decimal`, at);
  const parsed = decimal === null ? Number.NaN : Number(decimal);
  if (Number.isNaN(parsed)) return 1;
  if (Number.isFinite(parsed) && parsed >= 0) return parsed;
  return fail(at, `${key}_in_decimal`, "Expected a quantity: a number >= 0");
}

interface Catalog {
  catalogModel: BillingSubscription["catalogModel"];
  planId: string | null;
  items: SubscriptionItem[];
  plan: SubscriptionItem | null;
}

/** One Items-model line or Plans-model add-on. */
function itemOf(
  raw: RawObject,
  at: Path,
  idKey: string,
  type: SubscriptionItem["type"],
  code: string | null,
): SubscriptionItem {
  return {
    id: id(raw, idKey, at),
    type,
    quantity: quantityOf(raw, "quantity", at),
    unitPrice: moneyAt(amount(raw, "unit_price", at), code, at, "unit_price"),
    amount: moneyAt(amount(raw, "amount", at), code, at, "amount"),
  };
}

/**
 * Spec §4.2: both catalog models. Items model when `subscription_items[]` is non-empty (compat sites
 * may send both shapes; the items list wins), else the Plans model (`plan_id` + `addons[]`). The
 * primary plan is the first item of type `plan`, else `plan_id`.
 */
function catalog(raw: RawObject, at: Path, code: string | null): Catalog {
  const planIdField = optId(raw, "plan_id", at);
  const lines = array(raw, "subscription_items", at);
  if (lines !== null && lines.length > 0) {
    const where = [...at, "subscription_items"];
    const items: SubscriptionItem[] = [];
    let plan: SubscriptionItem | null = null;
    for (let i = 0; i < lines.length; i++) {
      const line = element(lines, i, where);
      const lineAt = [...where, i];
      const type = line.item_type;
      if (typeof type !== "string" || !ITEM_TYPES.has(type)) {
        fail(lineAt, "item_type", "Expected plan, addon or charge");
      }
      const item = itemOf(line, lineAt, "item_price_id", type as SubscriptionItem["type"], code);
      if (plan === null && item.type === "plan") plan = item;
      items.push(item);
    }
    return { catalogModel: "items", planId: plan?.id ?? planIdField, items, plan };
  }
  const items: SubscriptionItem[] = [];
  let plan: SubscriptionItem | null = null;
  if (planIdField !== null) {
    plan = {
      id: planIdField,
      type: "plan",
      quantity: quantityOf(raw, "plan_quantity", at),
      unitPrice: moneyAt(amount(raw, "plan_unit_price", at), code, at, "plan_unit_price"),
      amount: moneyAt(amount(raw, "plan_amount", at), code, at, "plan_amount"),
    };
    items.push(plan);
  }
  const addons = array(raw, "addons", at);
  if (addons !== null) {
    const where = [...at, "addons"];
    for (let i = 0; i < addons.length; i++) {
      items.push(itemOf(element(addons, i, where), [...where, i], "id", "addon", code));
    }
  }
  const catalogModel = planIdField === null && lines !== null ? "items" : "plans";
  return { catalogModel, planId: planIdField, items, plan };
}

/**
 * Spec §4.2 and §4.6: the subscription object, with the click id and affiliate ref extracted.
 * `customerId` is used when the subscription carries none (v1 payloads, spec §8). The click id and
 * the affiliate ref are read from the subscription, else from `customer`, the event's customer
 * (spec §4.6: custom fields and `meta_data` exist on both; a checkout that set
 * `customer[cf_click_id]` instead of `subscription[cf_click_id]` still attributes).
 */
export function normalizeSubscription(
  raw: RawObject,
  at: Path,
  eventCurrencyCode: string | null,
  options: ResolvedParseOptions,
  customerId: string | null = null,
  customer: BillingCustomer | null = null,
): BillingSubscription {
  const code = currency(raw, "currency_code", at) ?? eventCurrencyCode;
  const metaData = metaDataOf(raw, at);
  const { catalogModel, planId, items, plan } = catalog(raw, at, code);
  const ownerId = optId(raw, "customer_id", at) ?? customerId;
  // only the subscription's own customer: a payer of another customer's subscription (a parent
  // account, a gift) has its own clicks
  const owner = customer !== null && customer.id === ownerId ? customer : null;
  return {
    id: id(raw, "id", at),
    customerId: ownerId,
    status: str(raw, "status", at),
    catalogModel,
    planId,
    items,
    currency: code,
    billingPeriod: int(raw, "billing_period", at),
    billingPeriodUnit: str(raw, "billing_period_unit", at),
    trialStart: seconds(raw, "trial_start", at),
    trialEnd: seconds(raw, "trial_end", at),
    createdAt: seconds(raw, "created_at", at),
    startedAt: seconds(raw, "started_at", at),
    activatedAt: seconds(raw, "activated_at", at),
    cancelledAt: seconds(raw, "cancelled_at", at),
    // Spec §4.2: two different fields, both kept: Chargebee's enum and the merchant's own code.
    cancelReason: str(raw, "cancel_reason", at),
    cancelReasonCode: str(raw, "cancel_reason_code", at),
    customFields: customFieldsOf(raw),
    clickId:
      idLike(raw[options.clickIdField]) ??
      (owner === null ? null : idLike(owner.customFields[options.clickIdField])),
    affiliateRef:
      (metaData === null ? null : idLike(metaData[options.affiliateRefKey])) ??
      (owner?.metaData == null ? null : idLike(owner.metaData[options.affiliateRefKey])),
    metaData,
    resourceVersion: millis(raw, "resource_version", at),
    currentTermStart: seconds(raw, "current_term_start", at),
    currentTermEnd: seconds(raw, "current_term_end", at),
    nextBillingAt: seconds(raw, "next_billing_at", at),
    affiliateToken: idLike(raw.affiliate_token),
    createdFromIp: str(raw, "created_from_ip", at),
    mrr: moneyAt(amount(raw, "mrr", at), code, at, "mrr"),
    planQuantity: plan?.quantity ?? null,
    planUnitPrice: plan?.unitPrice ?? null,
  };
}

/** Spec §4.3 (and §8 for v1 `amount`/`paid_on`/`start_date`/`end_date`): the invoice summary. */
export function normalizeInvoice(
  raw: RawObject,
  at: Path,
  eventCurrencyCode: string | null,
): BillingInvoice {
  const code = currency(raw, "currency_code", at) ?? eventCurrencyCode;
  const total = amount(raw, "total", at);
  return {
    id: id(raw, "id", at),
    customerId: optId(raw, "customer_id", at),
    subscriptionId: optId(raw, "subscription_id", at),
    status: str(raw, "status", at),
    total:
      total !== null
        ? moneyAt(total, code, at, "total")
        : moneyAt(amount(raw, "amount", at), code, at, "amount"),
    amountPaid: moneyAt(amount(raw, "amount_paid", at), code, at, "amount_paid"),
    amountDue: moneyAt(amount(raw, "amount_due", at), code, at, "amount_due"),
    firstInvoice: bool(raw, "first_invoice", at),
    recurring: bool(raw, "recurring", at),
    date: seconds(raw, "date", at),
    paidAt: seconds(raw, "paid_at", at) ?? seconds(raw, "paid_on", at),
    periodStart: seconds(raw, "start_date", at),
    periodEnd: seconds(raw, "end_date", at),
    dunningStatus: str(raw, "dunning_status", at),
    nextRetryAt: seconds(raw, "next_retry_at", at),
    exchangeRate: num(raw, "exchange_rate", at),
    baseCurrencyCode: currency(raw, "base_currency_code", at),
  };
}

/** Spec §4.5: the credit note summary. */
export function normalizeCreditNote(
  raw: RawObject,
  at: Path,
  eventCurrencyCode: string | null,
): BillingCreditNote {
  const code = currency(raw, "currency_code", at) ?? eventCurrencyCode;
  return {
    id: id(raw, "id", at),
    customerId: optId(raw, "customer_id", at),
    referenceInvoiceId: optId(raw, "reference_invoice_id", at),
    subscriptionId: optId(raw, "subscription_id", at),
    type: str(raw, "type", at),
    status: str(raw, "status", at),
    reasonCode: str(raw, "reason_code", at),
    total: moneyAt(amount(raw, "total", at), code, at, "total"),
    amountRefunded: moneyAt(amount(raw, "amount_refunded", at), code, at, "amount_refunded"),
    date: seconds(raw, "date", at),
  };
}

/** Spec §4.4: a transaction, read once and shared by the payment, failed-payment and refund views. */
export interface Transaction {
  id: string;
  customerId: string | null;
  subscriptionId: string | null;
  /** v1 `invoice_id`, else `linked_invoices[0].invoice_id`. */
  invoiceId: string | null;
  type: string | null;
  status: string | null;
  amount: Money;
  date: number | null;
  gateway: string | null;
  paymentMethod: string | null;
  errorCode: string | null;
  errorText: string | null;
  refundedTransactionId: string | null;
  creditNoteIds: string[];
  creditNoteInvoiceId: string | null;
  exchangeRate: number | null;
  baseCurrencyCode: string | null;
}

/** Reads the transaction at `at` (its `amount` is required: spec §4.4). */
export function readTransaction(
  raw: RawObject,
  at: Path,
  eventCurrencyCode: string | null,
): Transaction {
  const code = currency(raw, "currency_code", at) ?? eventCurrencyCode;
  const value = amount(raw, "amount", at);
  if (value === null)
    fail(at, "amount", "Expected an amount: a non-negative safe integer of minor units");
  let invoiceId = optId(raw, "invoice_id", at);
  const linked = array(raw, "linked_invoices", at);
  if (linked !== null) {
    const where = [...at, "linked_invoices"];
    for (let i = 0; i < linked.length; i++) {
      // Optional in Chargebee's own types (chargebee-node `InvoiceTransaction.invoice_id?`): an
      // entry without one links nothing, and is no reason to refuse the payment.
      const entry = optId(element(linked, i, where), "invoice_id", [...where, i]);
      if (invoiceId === null) invoiceId = entry;
    }
  }
  const creditNoteIds: string[] = [];
  let creditNoteInvoiceId: string | null = null;
  const notes = array(raw, "linked_credit_notes", at);
  if (notes !== null) {
    const where = [...at, "linked_credit_notes"];
    for (let i = 0; i < notes.length; i++) {
      const note = element(notes, i, where);
      const noteAt = [...where, i];
      // Optional in chargebee-node's `CreditNoteTransaction.cn_id?`, like `invoice_id` above.
      const cnId = optId(note, "cn_id", noteAt);
      const reference = optId(note, "cn_reference_invoice_id", noteAt);
      if (cnId !== null && !creditNoteIds.includes(cnId)) creditNoteIds.push(cnId);
      if (creditNoteInvoiceId === null) creditNoteInvoiceId = reference;
    }
  }
  return {
    id: id(raw, "id", at),
    customerId: optId(raw, "customer_id", at),
    subscriptionId: optId(raw, "subscription_id", at),
    invoiceId,
    type: str(raw, "type", at),
    status: str(raw, "status", at),
    amount: moneyAt(value, code, at, "amount") as Money,
    date: seconds(raw, "date", at),
    gateway: str(raw, "gateway", at),
    paymentMethod: str(raw, "payment_method", at),
    errorCode: str(raw, "error_code", at),
    errorText: str(raw, "error_text", at),
    // Spec §4.4: `refunded_txn_id` names the original payment; `reference_transaction_id` the
    // offline payment refunded or reversed.
    refundedTransactionId:
      optId(raw, "refunded_txn_id", at) ?? optId(raw, "reference_transaction_id", at),
    creditNoteIds,
    creditNoteInvoiceId,
    exchangeRate: num(raw, "exchange_rate", at),
    baseCurrencyCode: currency(raw, "base_currency_code", at),
  };
}

/** What a transaction is read with: the invoice and subscription of the same event, when present. */
export interface TransactionContext {
  invoice: BillingInvoice | null;
  subscription: BillingSubscription | null;
  creditNote?: BillingCreditNote | null;
  /** The event's `content.customer` id, when it carries one. */
  customerId?: string | null;
}

/**
 * Whose money it is: the transaction's `customer_id`, else its invoice's, credit note's or
 * subscription's, else the event's own customer. v1-era transactions and invoices carry no
 * `customer_id` (spec §8, the chargebee-go sample), and a refund outside a subscription then names
 * its customer only in `content.customer`.
 */
function customerIdOf(txn: Transaction, context: TransactionContext): string | null {
  return (
    txn.customerId ??
    context.invoice?.customerId ??
    context.creditNote?.customerId ??
    context.subscription?.customerId ??
    context.customerId ??
    null
  );
}

function subscriptionIdOf(txn: Transaction, context: TransactionContext): string | null {
  return txn.subscriptionId ?? context.invoice?.subscriptionId ?? context.subscription?.id ?? null;
}

/**
 * When `subscription` was first activated: `activated_at` when it is its start, its trial's end or
 * its creation (`activated_at` moves forward when a cancelled subscription is reactivated: then
 * unknown, `null`), else `started_at`.
 */
function firstActivation(subscription: BillingSubscription | null | undefined): number | null {
  if (!subscription) return null;
  const { activatedAt, startedAt, trialEnd, createdAt } = subscription;
  if (activatedAt === null) return startedAt;
  return activatedAt === startedAt || activatedAt === trialEnd || activatedAt === createdAt
    ? activatedAt
    : null;
}

/**
 * Whether the invoice is the subscription's first: `invoice.first_invoice` (spec §4.3). A v1 invoice
 * has no such field (spec §8) but keeps its period (`start_date`): a recurring invoice whose period
 * starts when the subscription was first activated (see {@link firstActivation}) is its first, one starting earlier or
 * later is not. `null` when neither tells.
 */
function isFirstInvoice({ invoice, subscription }: TransactionContext): boolean | null {
  if (!invoice) return null;
  if (invoice.firstInvoice !== null) return invoice.firstInvoice;
  const anchor = firstActivation(subscription);
  if (invoice.recurring !== true || invoice.periodStart === null || anchor === null) return null;
  if (invoice.subscriptionId !== null && invoice.subscriptionId !== subscription?.id) return null;
  // equal only: an invoice starting earlier is an older term (activated_at moves forward when a
  // cancelled subscription is reactivated) or a charge before the activation (a trial's setup fee)
  return invoice.periodStart === anchor;
}

/**
 * Spec §6, checklist 10: money collected. The value is `transaction.amount` (cash);
 * `invoice.first_invoice` separates a first payment from a renewal (see {@link isFirstInvoice}).
 */
export function paymentOf(txn: Transaction, context: TransactionContext): BillingPayment {
  const { invoice } = context;
  return {
    transactionId: txn.id,
    customerId: customerIdOf(txn, context),
    invoiceId: invoice?.id ?? txn.invoiceId,
    subscriptionId: subscriptionIdOf(txn, context),
    amount: txn.amount,
    isFirstPayment: isFirstInvoice(context),
    isRecurring: invoice?.recurring ?? null,
    status: txn.status,
    gateway: txn.gateway,
    paymentMethod: txn.paymentMethod,
    paidAt: txn.date,
    errorCode: txn.errorCode,
    exchangeRate: txn.exchangeRate,
    baseCurrencyCode: txn.baseCurrencyCode,
  };
}

/** Spec §6: a failed attempt: what was asked for, why it failed, and the invoice's dunning state. */
export function failedPaymentOf(
  txn: Transaction,
  context: TransactionContext,
): BillingFailedPayment {
  const { invoice } = context;
  return {
    transactionId: txn.id,
    customerId: customerIdOf(txn, context),
    invoiceId: invoice?.id ?? txn.invoiceId,
    subscriptionId: subscriptionIdOf(txn, context),
    attemptedAmount: txn.amount,
    amountDue: invoice?.amountDue ?? null,
    dunningStatus: invoice?.dunningStatus ?? null,
    nextRetryAt: invoice?.nextRetryAt ?? null,
    status: txn.status,
    errorCode: txn.errorCode,
    errorText: txn.errorText,
    gateway: txn.gateway,
    paymentMethod: txn.paymentMethod,
    isFirstPayment: isFirstInvoice(context),
    attemptedAt: txn.date,
    exchangeRate: txn.exchangeRate,
    baseCurrencyCode: txn.baseCurrencyCode,
  };
}

/**
 * Spec §4.4, §6: money going back. A refund is the refund transaction's `amount` (may be partial); a
 * `payment_reversal` (chargeback, late direct-debit failure) is normalized the same way, marked by
 * `transactionType`; credit notes come from `credit_note` and `linked_credit_notes[]`.
 */
export function refundOf(txn: Transaction, context: TransactionContext): BillingRefund {
  const { invoice, creditNote } = context;
  const creditNoteIds = creditNote == null ? [] : [creditNote.id];
  for (const cnId of txn.creditNoteIds) if (!creditNoteIds.includes(cnId)) creditNoteIds.push(cnId);
  return {
    transactionId: txn.id,
    customerId: customerIdOf(txn, context),
    refundedTransactionId: txn.refundedTransactionId,
    invoiceId:
      invoice?.id ??
      txn.invoiceId ??
      creditNote?.referenceInvoiceId ??
      txn.creditNoteInvoiceId ??
      null,
    subscriptionId: subscriptionIdOf(txn, context) ?? creditNote?.subscriptionId ?? null,
    amount: txn.amount,
    creditNoteIds,
    refundedAt: txn.date,
    transactionType: txn.type === "payment_reversal" ? "payment_reversal" : "refund",
    status: txn.status,
    exchangeRate: txn.exchangeRate,
    baseCurrencyCode: txn.baseCurrencyCode,
  };
}
