/**
 * Pure mapping from revtrace conversions to Kiflo requests, and the records the sink keeps in its
 * mapping store. No I/O here. Section numbers refer to shared/specs/kiflo.md; "Kiflo's Chargebee
 * page" is Kiflo's help-centre article on its Chargebee integration.
 *
 * @module
 */
import {
  type BillingEvent,
  ConfigError,
  type Conversion,
  type Money,
  toExactMajorNumber,
} from "@revtrace/core";
import { hashIdentityValue, normalizeEmail } from "@revtrace/identity";
import type {
  KifloCreateCustomerRequest,
  KifloCreateTransactionRequest,
  KifloPropertyDefinition,
  KifloUpdateTransactionRequest,
} from "./kiflo-api-types.js";
import { itemError, missingPropertyError } from "./kiflo-error.js";
import { KIFLO_PROPERTY_LABELS } from "./kiflo-settings.js";

/** The internal names of the properties the sink writes, resolved from Kiflo's definitions. */
export interface KifloPropertyNames {
  /** Customer property "ChargeBee Customer ID". */
  chargebeeCustomerId: string;
  /** Transaction property "Chargebee Transaction ID" (`null` when transactions are off). */
  chargebeeTransactionId: string | null;
  /** Transaction property "Chargebee Invoice ID" (`null` when transactions are off). */
  chargebeeInvoiceId: string | null;
  /** Whether customers have a built-in `name` property (the sink then sends the company or full name). */
  customerHasName: boolean;
}

/** Finds the definition labelled `label` (case-insensitive, trimmed: Kiflo spec §4). */
function byLabel(definitions: readonly KifloPropertyDefinition[], label: string) {
  const wanted = label.trim().toLowerCase();
  return definitions.find((d) => d.label.trim().toLowerCase() === wanted);
}

/**
 * Resolves the property names by label. `transactionDefinitions` is `null` when transactions are off.
 * @throws ConfigError naming the missing label.
 */
export function resolvePropertyNames(
  customerDefinitions: readonly KifloPropertyDefinition[],
  transactionDefinitions: readonly KifloPropertyDefinition[] | null,
): KifloPropertyNames {
  const customer = byLabel(customerDefinitions, KIFLO_PROPERTY_LABELS.chargebeeCustomerId);
  if (!customer) throw missingPropertyError("customer", KIFLO_PROPERTY_LABELS.chargebeeCustomerId);
  let transactionId: string | null = null;
  let invoiceId: string | null = null;
  if (transactionDefinitions) {
    const tx = byLabel(transactionDefinitions, KIFLO_PROPERTY_LABELS.chargebeeTransactionId);
    if (!tx) {
      throw missingPropertyError("transaction", KIFLO_PROPERTY_LABELS.chargebeeTransactionId);
    }
    const invoice = byLabel(transactionDefinitions, KIFLO_PROPERTY_LABELS.chargebeeInvoiceId);
    if (!invoice) {
      throw missingPropertyError("transaction", KIFLO_PROPERTY_LABELS.chargebeeInvoiceId);
    }
    transactionId = tx.name;
    invoiceId = invoice.name;
  }
  return {
    chargebeeCustomerId: customer.name,
    chargebeeTransactionId: transactionId,
    chargebeeInvoiceId: invoiceId,
    customerHasName: customerDefinitions.some((d) => d.name === "name"),
  };
}

/** A skipped item and why. */
export interface Skip {
  kind: "skip";
  reason: string;
}

/** What the sink needs from a successful payment. */
export interface PaymentFacts {
  kind: "payment";
  /** Chargebee transaction id: the idempotency key of the Kiflo transaction. */
  transactionId: string;
  invoiceId: string | null;
  /** Collected money, positive, minor units. */
  amount: Money;
  chargebeeCustomerId: string;
  /** Normalized email, `null` when unknown, invalid or PII-cleared. */
  email: string | null;
  /** The customer's display name for Kiflo (company, else full name), `null` when unknown. */
  displayName: string | null;
  /** The subscription's first payment (when deals are associated, Kiflo's Chargebee page). */
  isFirstPayment: boolean;
}

/** What the sink needs from a refund or payment reversal. */
export interface RefundFacts {
  kind: "refund";
  /** The refund transaction's id: each is applied once. */
  refundId: string;
  /** The payment it takes money back from. */
  paymentTransactionId: string;
  /** Money going back, positive, minor units. */
  amount: Money;
}

const text = (value: unknown): string | null =>
  typeof value === "string" && value.trim() !== "" ? value : null;

/** A string field of an object that may not have it (BillingEvent grows: read defensively). */
const field = (value: unknown, key: string): string | null =>
  typeof value === "object" && value !== null
    ? text((value as Record<string, unknown>)[key])
    : null;

/** The Chargebee customer id of an event, wherever this version of the BillingEvent carries it. */
export function chargebeeCustomerIdOf(event: BillingEvent): string | null {
  return (
    text(event.customer?.id) ??
    field(event, "customerId") ??
    field(event.payment, "customerId") ??
    field(event.refund, "customerId") ??
    field(event.subscription, "customerId") ??
    field(event.invoice, "customerId")
  );
}

/** Kiflo matches on the email (Kiflo's Chargebee page): the normalized one, never a PII-cleared one. */
export function emailOf(conversion: Conversion): string | null {
  const customer = conversion.billingEvent?.customer;
  if (customer?.piiCleared === "cleared") return null;
  const raw = customer?.email ?? conversion.contact.email;
  return raw ? normalizeEmail(raw) : null;
}

function displayNameOf(conversion: Conversion): string | null {
  const customer = conversion.billingEvent?.customer;
  if (customer?.piiCleared === "cleared") return null;
  const company = text(customer?.company) ?? text(conversion.contact.company);
  if (company) return company;
  const first = text(customer?.firstName) ?? text(conversion.contact.firstName);
  const last = text(customer?.lastName) ?? text(conversion.contact.lastName);
  const full = [first, last].filter(Boolean).join(" ");
  return full === "" ? null : full;
}

/** The facts of a `first_payment` / `recurring_payment`, or why it is skipped. */
export function paymentFacts(conversion: Conversion): PaymentFacts | Skip {
  const event = conversion.billingEvent;
  const payment = event?.payment;
  if (!event || !payment) return { kind: "skip", reason: "the conversion carries no payment" };
  // Kiflo acts "on successful payment" only (Kiflo's Chargebee page).
  if (payment.status !== null && payment.status !== undefined && payment.status !== "success") {
    return { kind: "skip", reason: `the payment's status is ${payment.status}, not success` };
  }
  if (!(payment.amount.amount > 0)) {
    return { kind: "skip", reason: "the payment collected no money" };
  }
  const chargebeeCustomerId = chargebeeCustomerIdOf(event);
  if (!chargebeeCustomerId) {
    return { kind: "skip", reason: "the payment names no Chargebee customer" };
  }
  return {
    kind: "payment",
    transactionId: payment.transactionId,
    invoiceId: text(payment.invoiceId) ?? text(event.invoice?.id),
    amount: payment.amount,
    chargebeeCustomerId,
    email: emailOf(conversion),
    displayName: displayNameOf(conversion),
    isFirstPayment: conversion.name === "first_payment",
  };
}

/** The facts of a `refund`, or why it is skipped. */
export function refundFacts(conversion: Conversion): RefundFacts | Skip {
  const refund = conversion.billingEvent?.refund;
  if (!refund) return { kind: "skip", reason: "the conversion carries no refund" };
  if (refund.status !== null && refund.status !== undefined && refund.status !== "success") {
    return { kind: "skip", reason: `the refund's status is ${refund.status}, not success` };
  }
  const paymentTransactionId = text(refund.refundedTransactionId);
  if (!paymentTransactionId) {
    return { kind: "skip", reason: "the refund does not name the payment it refunds" };
  }
  const amount = { amount: Math.abs(refund.amount.amount), currency: refund.amount.currency };
  if (amount.amount === 0) return { kind: "skip", reason: "the refund moved no money" };
  return { kind: "refund", refundId: refund.transactionId, paymentTransactionId, amount };
}

/** The default transaction name: `Chargebee invoice <id>`, else `Chargebee payment <transaction id>`. */
export function defaultTransactionName(facts: PaymentFacts): string {
  return facts.invoiceId
    ? `Chargebee invoice ${facts.invoiceId}`
    : `Chargebee payment ${facts.transactionId}`;
}

/** Properties of a customer the sink creates or converts: email and the Chargebee customer id. */
export function customerProperties(
  facts: PaymentFacts,
  names: KifloPropertyNames,
): Record<string, string> {
  const properties: Record<string, string> = {};
  if (facts.email) properties.email = facts.email;
  if (names.customerHasName && facts.displayName) properties.name = facts.displayName;
  properties[names.chargebeeCustomerId] = facts.chargebeeCustomerId;
  return properties;
}

/** `POST /customers` for a Chargebee customer, credited to `partnerId` (the deal's source partner). */
export function createCustomerRequest(
  facts: PaymentFacts,
  names: KifloPropertyNames,
  partnerId: number | null,
  source: string,
): KifloCreateCustomerRequest {
  const request: KifloCreateCustomerRequest = {
    properties: customerProperties(facts, names),
    source,
  };
  if (partnerId !== null) request.partnerId = partnerId;
  return request;
}

function requireTransactionNames(names: KifloPropertyNames) {
  if (!names.chargebeeTransactionId || !names.chargebeeInvoiceId) {
    throw new ConfigError("Kiflo transaction properties were not resolved", {
      fields: ["createTransactionFromPayment"],
    });
  }
  return { tx: names.chargebeeTransactionId, invoice: names.chargebeeInvoiceId };
}

/** What the sink records about a Kiflo transaction it created (enough to rebuild it for a `PUT`). */
export interface TransactionRecord {
  state: "created";
  kifloId: number;
  kifloCustomerId: number;
  currency: string;
  /** The payment, minor units. */
  amount: number;
  name: string;
  chargebeeTransactionId: string;
  invoiceId: string | null;
  /** Refunds applied: refund transaction id → minor units. */
  refunds: Record<string, number>;
  /** True once a full refund reversed (deleted) the transaction. */
  deleted: boolean;
  /** The partner and deal Kiflo gave the transaction (absent when none, or in older records). */
  partnerId?: number;
  dealId?: number;
}

/** A claim on a create in progress: `owner` is the sink instance, `at` when it was taken. */
export interface Claim {
  state: "claimed";
  owner: string;
  at: number;
}

/** A Kiflo customer the sink knows for a Chargebee customer. */
export interface CustomerRecord {
  state: "known";
  kifloId: number;
}

/** Why an amount cannot be sent: no JSON number holds it exactly. */
export function inexactAmountReason(money: Money): string {
  return `the amount in ${money.currency} has more digits than a JSON number holds exactly`;
}

/**
 * An amount in major units as the JSON number Kiflo takes (spec §1), exactly; throws an item
 * refusal when no JSON number holds it (the sink checks first, so this is a safety net).
 */
export function exactAmount(money: Money): number {
  const number = toExactMajorNumber(money);
  if (number === null) throw itemError(inexactAmountReason(money));
  return number;
}

/** Transaction properties (name, amount in major units, the Chargebee ids): spec §1, §3. */
function transactionProperties(
  record: Pick<TransactionRecord, "name" | "currency" | "chargebeeTransactionId" | "invoiceId">,
  amountMinor: number,
  names: KifloPropertyNames,
): KifloCreateTransactionRequest["properties"] {
  const { tx, invoice } = requireTransactionNames(names);
  const properties: KifloCreateTransactionRequest["properties"] = {
    name: record.name,
    // Kiflo takes decimals in major units (spec §1), so the currency's exponent applies.
    amount: exactAmount({ amount: amountMinor, currency: record.currency }),
  };
  properties[tx] = record.chargebeeTransactionId;
  if (record.invoiceId) properties[invoice] = record.invoiceId;
  return properties;
}

/** `POST /transactions` for a payment: one customer identifier, Kiflo's own id (spec §5). */
export function createTransactionRequest(
  facts: PaymentFacts,
  names: KifloPropertyNames,
  kifloCustomerId: number,
  name: string,
): KifloCreateTransactionRequest {
  const base = {
    name,
    currency: facts.amount.currency,
    chargebeeTransactionId: facts.transactionId,
    invoiceId: facts.invoiceId,
  };
  return {
    currency: facts.amount.currency,
    properties: transactionProperties(base, facts.amount.amount, names),
    customer: { id: kifloCustomerId },
  };
}

/** The record of a transaction the sink created (or found) for a payment. */
export function transactionRecord(
  facts: PaymentFacts,
  kifloId: number,
  kifloCustomerId: number,
  name: string,
  links: { partnerId?: number | null | undefined; dealId?: number | null | undefined } = {},
): TransactionRecord {
  return {
    ...(links.partnerId != null ? { partnerId: links.partnerId } : {}),
    ...(links.dealId != null ? { dealId: links.dealId } : {}),
    state: "created",
    kifloId,
    kifloCustomerId,
    currency: facts.amount.currency,
    amount: facts.amount.amount,
    name,
    chargebeeTransactionId: facts.transactionId,
    invoiceId: facts.invoiceId,
    refunds: {},
    deleted: false,
  };
}

/** Payment minus every refund applied, minor units (never below zero). */
export function netAmount(record: TransactionRecord): number {
  const refunded = Object.values(record.refunds).reduce((sum, value) => sum + value, 0);
  return Math.max(0, record.amount - refunded);
}

/** `PUT /transactions/{id}` setting the amount to what is left after the refunds (idempotent). */
export function updateTransactionRequest(
  record: TransactionRecord,
  names: KifloPropertyNames,
): KifloUpdateTransactionRequest {
  // Spec §3: `PUT /transactions/{id}` takes {currency, id, properties, customerId, dealId,
  // partnerId}. A PUT replaces the record, so the partner (whose reward the transaction earns, spec
  // §4) and the deal Kiflo set are sent back rather than left out.
  return {
    id: record.kifloId,
    currency: record.currency,
    properties: transactionProperties(record, netAmount(record), names),
    customerId: record.kifloCustomerId,
    ...(record.partnerId != null ? { partnerId: record.partnerId } : {}),
    ...(record.dealId != null ? { dealId: record.dealId } : {}),
  };
}

/** The mapping key of an email: its SHA-256, so the store holds no raw address. */
export function emailKey(email: string): string {
  return hashIdentityValue(email);
}

/** True when Kiflo `properties` carry `email` (case-insensitive, normalized). */
export function hasEmail(properties: Record<string, unknown> | null | undefined, email: string) {
  const value = properties?.email;
  return typeof value === "string" && normalizeEmail(value) === email;
}

/** Parses a stored record, `null` for anything the sink did not write. */
export function parseRecord(
  value: string | null,
): TransactionRecord | Claim | CustomerRecord | null {
  if (value === null) return null;
  try {
    const parsed = JSON.parse(value) as { state?: unknown };
    if (
      parsed &&
      (parsed.state === "created" || parsed.state === "claimed" || parsed.state === "known")
    ) {
      return parsed as TransactionRecord | Claim | CustomerRecord;
    }
  } catch {
    // Not the sink's JSON: treated as absent-but-occupied by the caller.
  }
  return null;
}
