/**
 * Checks a commission event before the ledger decides anything, so that bad input is refused with a
 * clear error instead of writing `earned:undefined` or surfacing as a storage failure.
 *
 * @module
 */
import { assertMoney, isCurrencyCode, isStorableText } from "@revtrace/core";
import type { CommissionEvent } from "./commission-events.js";

/** A non-empty id storage can hold (no U+0000, no lone surrogate). */
const isId = (value: unknown) =>
  typeof value === "string" && value.length > 0 && isStorableText(value);

/** A payment's `referral`: `null`, or `{ partnerId, programId? }` with ids (programId may be null). */
function checkReferral(referral: unknown): void {
  if (referral === null) return;
  need(
    typeof referral === "object" && !Array.isArray(referral),
    "payment",
    "referral",
    "null or { partnerId, programId? }",
  );
  const { partnerId, programId } = referral as Record<string, unknown>;
  need(isId(partnerId), "payment", "referral.partnerId", "a non-empty string");
  need(
    programId === undefined || programId === null || isId(programId),
    "payment",
    "referral.programId",
    "a non-empty string, null or absent",
  );
}
/** The ECMAScript Date range, ±8.64e15 ms: beyond it, month arithmetic on a time gives NaN. */
const MAX_TIME = 8_640_000_000_000_000;
const inDateRange = (value: unknown) =>
  typeof value === "number" && Number.isFinite(value) && Math.abs(value) <= MAX_TIME;
const isTime = (value: unknown) => Number.isSafeInteger(value) && inDateRange(value);
/** Absent (`undefined`) or `null`: an optional field left out. */
const isUnset = (value: unknown) => value === undefined || value === null;
/** A 1-based count: 1, 2, 3, ... */
const isPositiveCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 1;
/** An upper-case ISO 4217 code, by core's table: the same check `assertMoney` makes. */
const isCurrency = (value: unknown) => typeof value === "string" && isCurrencyCode(value);

/** Money (else core `MoneyError`) that is not negative (else `TypeError`). */
function checkAmount(amount: unknown, type: string): void {
  assertMoney(amount, `${type}.amount`);
  need(amount.amount >= 0, type, "amount.amount", "zero or more minor units, not negative");
}

function need(ok: boolean, type: string, field: string, what: string): void {
  if (!ok) throw new TypeError(`Commission ${type} event: ${field} must be ${what}`);
}

/**
 * Throws `TypeError` naming the field (never its value) when `event` is not a valid payment, refund
 * or payout (a negative amount, a `paymentNumber` that is not 1, 2, 3..., a non-finite
 * `subscriptionStartedAt`, an id that is empty or unstorable, a payout currency that is not an
 * upper-case ISO 4217 code), and core `MoneyError` when its amount is not Money (a fraction, NaN, an
 * unknown or lower-case currency).
 */
export function checkCommissionEvent(event: CommissionEvent): void {
  if (typeof event !== "object" || event === null) {
    throw new TypeError("A commission event must be an object");
  }
  const type = (event as { type?: unknown }).type;
  const e = event as unknown as Record<string, unknown>;
  switch (type) {
    case "payment":
      need(isId(e.transactionId), type, "transactionId", "a non-empty string");
      need(isTime(e.paidAt), type, "paidAt", "integer epoch milliseconds within the Date range");
      checkAmount(e.amount, type);
      checkReferral(e.referral);
      for (const field of ["subscriptionId", "customerId"] as const) {
        need(
          isUnset(e[field]) || isId(e[field]),
          type,
          field,
          "a non-empty string, null or absent",
        );
      }
      need(
        isUnset(e.isFirstPayment) || typeof e.isFirstPayment === "boolean",
        type,
        "isFirstPayment",
        "a boolean, null or absent",
      );
      need(
        isUnset(e.paymentNumber) || isPositiveCount(e.paymentNumber),
        type,
        "paymentNumber",
        "a positive safe integer (1 for the first payment), null or absent",
      );
      need(
        isUnset(e.subscriptionStartedAt) || inDateRange(e.subscriptionStartedAt),
        type,
        "subscriptionStartedAt",
        "epoch milliseconds within the Date range (±8.64e15), null or absent",
      );
      return;
    case "refund":
      need(isId(e.transactionId), type, "transactionId", "a non-empty string");
      need(
        e.refundedTransactionId === null || isId(e.refundedTransactionId),
        type,
        "refundedTransactionId",
        "a non-empty string or null",
      );
      need(isTime(e.refundedAt), type, "refundedAt", "integer epoch milliseconds");
      checkAmount(e.amount, type);
      return;
    case "payout":
      need(isId(e.payoutId), type, "payoutId", "a non-empty string");
      need(isId(e.partnerId), type, "partnerId", "a non-empty string");
      need(isTime(e.paidAt), type, "paidAt", "integer epoch milliseconds within the Date range");
      need(
        isUnset(e.currency) || isCurrency(e.currency),
        type,
        "currency",
        "an upper-case ISO 4217 code, null or absent",
      );
      return;
    default:
      throw new TypeError('A commission event\'s type must be "payment", "refund" or "payout"');
  }
}
