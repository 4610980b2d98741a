/**
 * Renumbering: a payment numbered by counting the subscription's payments recorded before it gets a
 * number that is too low when an earlier payment arrives after it (Chargebee delivers in no order,
 * spec §1). Counting can only undercount (every payment counted is real), so a payment refused as
 * outside a `{ payments: n }` or `first_payment` rule stays refused, and the one mistake possible is a
 * payment that earned though it lies beyond the rule. Once the payments before it are recorded, that
 * commission is reversed by a `renumbered:<txn>` entry, so the ledger nets to what the in-order ledger
 * holds, whatever the arrival order.
 *
 * Which payments were numbered by counting is journaled (`counted:<txn>`, a zero entry of
 * {@link JOURNAL_PARTNER_ID}): a number given by `paymentNumber`, or `isFirstPayment: true`, is
 * trusted and never renumbered, and neither are entries written before this journal existed.
 *
 * @module
 */
import type { Commission } from "@revtrace/core";
import type { CommissionPolicy, CommissionRule } from "./commission-policy.js";
import { JOURNAL_PARTNER_ID } from "./ledger-index.js";

/** Key of the journal entry saying a payment's number was counted (so it may be renumbered). */
export const countedKey = (transactionId: string) => `counted:${transactionId}`;

/** Key of the entry reversing a commission whose payment turned out to lie beyond its rule. */
export const renumberedKey = (transactionId: string) => `renumbered:${transactionId}`;

/** Whether `rule` counts a payment of `amount` minor units: trial (zero) invoices only when it earns on them. */
export const counts = (rule: CommissionRule, amount: number) =>
  amount > 0 || (amount === 0 && rule.trialPayments === "earn");

/** The number of payments `rule` earns on (`first_payment` is 1), or `null` when it counts none. */
export function paymentLimit(rule: CommissionRule): number | null {
  const { duration } = rule;
  if (duration === "first_payment") return 1;
  if (typeof duration === "object" && "payments" in duration) return duration.payments;
  return null;
}

/** Whether payment entry `a` came before payment entry `b` (by time, then transaction id). */
const before = (a: Commission, b: Commission) =>
  a.occurredAt !== b.occurredAt
    ? a.occurredAt < b.occurredAt
    : (a.transactionId as string) < (b.transactionId as string);

/** The journal entry of an earned payment whose number `number` was counted. */
export function countedJournal(earned: Commission, number: number): Commission {
  return {
    key: countedKey(earned.transactionId as string),
    partnerId: JOURNAL_PARTNER_ID,
    programId: null,
    kind: "reversed",
    amount: { amount: 0, currency: earned.amount.currency },
    transactionId: earned.transactionId,
    refundTransactionId: null,
    subscriptionId: earned.subscriptionId,
    customerId: earned.customerId,
    occurredAt: earned.occurredAt,
    note: `numbering journal: payment #${number} counted from the payments recorded so far`,
    baseAmount: null,
    payableAt: null,
    payoutId: null,
  };
}

/** What the renumbering needs to know of the ledger (with the entries being decided included). */
export interface RenumberingView {
  /** Every payment of one subscription (earned and journaled entries, one per payment). */
  payments: readonly Commission[];
  has(key: string): boolean;
  forTransaction(transactionId: string): readonly Commission[];
}

/**
 * The reversals owed on the subscription's counted payments that now lie beyond their rule: for each,
 * what is left of its commission (after refunds), reversed at the payment's own time, as a clawback
 * once it was paid out. Keyed by the payment, so writers that renumber at the same time add it once.
 */
export function renumberedEntries(view: RenumberingView, policy: CommissionPolicy): Commission[] {
  const out: Commission[] = [];
  for (const earned of view.payments) {
    if (earned.partnerId === JOURNAL_PARTNER_ID) continue;
    const txn = earned.transactionId as string;
    if (!view.has(countedKey(txn)) || view.has(renumberedKey(txn))) continue;
    const rule = policy.ruleFor(earned.partnerId, earned.programId);
    const limit = rule === null ? null : paymentLimit(rule);
    if (rule === null || limit === null) continue;
    let number = 1;
    for (const other of view.payments) {
      if (other.transactionId === txn || !before(other, earned)) continue;
      if (counts(rule, (other.baseAmount ?? other.amount).amount)) number++;
    }
    if (number <= limit) continue;
    let left = earned.amount.amount;
    let paidOut = false;
    for (const entry of view.forTransaction(txn)) {
      if (entry.partnerId !== earned.partnerId) continue;
      if (entry.kind === "reversed" || entry.kind === "clawback") left += entry.amount.amount;
      else if (entry.kind === "paid") paidOut = true;
    }
    if (left <= 0) continue;
    out.push({
      key: renumberedKey(txn),
      partnerId: earned.partnerId,
      programId: earned.programId,
      kind: paidOut ? "clawback" : "reversed",
      amount: { amount: -left, currency: earned.amount.currency },
      transactionId: txn,
      refundTransactionId: null,
      subscriptionId: earned.subscriptionId,
      customerId: earned.customerId,
      occurredAt: earned.occurredAt,
      note: `renumbered: payment #${number} of the subscription once the payments before it were recorded, beyond the rule's ${limit} (rule ${rule.id}); its commission is reversed`,
      baseAmount: null,
      payableAt: null,
      payoutId: null,
    });
  }
  return out;
}
