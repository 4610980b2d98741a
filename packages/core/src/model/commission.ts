/**
 * Commission ledger entries: the append-only record of what partners earned, were paid, and lost to
 * refunds.
 *
 * @module
 */
import { z } from "zod";
import { MoneySchema } from "../money/money.js";

/**
 * The kinds of ledger entry. Amounts are positive for `earned`/`paid`, negative for reversals and
 * clawbacks (a `paid` entry is negative when a payout recovers an earlier clawback).
 */
export const CommissionEntryKindSchema = z.enum([
  /** Commission earned on a payment. */
  "earned",
  /** Commission reversed by a refund before payout. */
  "reversed",
  /** Commission paid out to the partner. */
  "paid",
  /** A refund after payout: the partner owes it back (negative balance). */
  "clawback",
]);
export type CommissionEntryKind = z.infer<typeof CommissionEntryKindSchema>;

/** One ledger entry. */
export const CommissionSchema = z.object({
  /** Idempotency key, derived from Chargebee transaction ids (a replay never double-counts). */
  key: z.string().min(1),
  partnerId: z.string().min(1),
  programId: z.string().nullable(),
  kind: CommissionEntryKindSchema,
  /** Signed amount in the payment's currency. */
  amount: MoneySchema,
  /** The payment transaction the entry belongs to. */
  transactionId: z.string().nullable(),
  /** The refund transaction, for reversals and clawbacks. */
  refundTransactionId: z.string().nullable(),
  subscriptionId: z.string().nullable(),
  customerId: z.string().nullable(),
  /** Epoch milliseconds. */
  occurredAt: z.number().int(),
  /** Free-form explanation (rule applied, rate, base amount). */
  note: z.string().nullable(),
  /**
   * The amount the entry was computed from: the payment for `earned`, the refund for `reversed` and
   * `clawback`. Reversals use it to apply the rate of the original payment. Optional for entries written
   * before it existed; stores must persist it.
   */
  baseAmount: MoneySchema.nullable().optional(),
  /** For `earned`: when the commission leaves its hold period and becomes payable (epoch ms). */
  payableAt: z.number().int().nullable().optional(),
  /** For `paid`: the payout the entry belongs to. */
  payoutId: z.string().nullable().optional(),
});
export type Commission = z.infer<typeof CommissionSchema>;
