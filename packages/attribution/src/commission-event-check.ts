/**
 * Checks a commission event before the ledger decides anything, so that bad input is refused with a
 * clear error instead of writing `earned:undefined` or surfacing as a storage failure.
 *
 * @module
 */
import { assertMoney, isStorableText } from "@revtrace/core";
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
const isTime = (value: unknown) => Number.isSafeInteger(value);

function need(ok: boolean, type: string, field: string, what: string): void {
  if (!ok) throw new TypeError(`Commission ${type} event: ${field} must be ${what}`);
}

/**
 * Throws `TypeError` naming the field when `event` is not a valid payment, refund or payout, and core
 * `MoneyError` when its amount is not Money (a fraction, NaN, an unknown or lower-case currency).
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
      need(isTime(e.paidAt), type, "paidAt", "integer epoch milliseconds");
      assertMoney(e.amount, "payment.amount");
      checkReferral(e.referral);
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
      assertMoney(e.amount, "refund.amount");
      return;
    case "payout":
      need(isId(e.payoutId), type, "payoutId", "a non-empty string");
      need(isId(e.partnerId), type, "partnerId", "a non-empty string");
      need(isTime(e.paidAt), type, "paidAt", "integer epoch milliseconds");
      return;
    default:
      throw new TypeError('A commission event\'s type must be "payment", "refund" or "payout"');
  }
}
