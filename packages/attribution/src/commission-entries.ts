/**
 * The commission ledger's logic, pure: existing entries + one event → the new entries to append.
 * Every key derives from Chargebee transaction ids (or your payout id), so a replayed or duplicated
 * event yields nothing new: Chargebee delivers at least once and in no particular order (Chargebee
 * spec §1, §7).
 *
 * Keys: `earned:<payment txn>`, `refund:<refund txn>` (refund journal), `reversal:<refund txn>`,
 * `reversal-residue:<payment txn>`, `paid:<payout id>:<payment txn>`.
 *
 * @module
 */
import {
  type Commission,
  type Money,
  MoneyError,
  StorageError,
  scaleMoney,
  toMajor,
} from "@revtrace/core";
import type {
  CommissionEvent,
  CommissionPayment,
  CommissionPayout,
  CommissionRefund,
} from "./commission-events.js";
import type { CommissionPolicy, CommissionRule } from "./commission-policy.js";
import {
  earnedKey,
  LedgerIndex,
  owedDelta,
  REFUND_JOURNAL_PARTNER_ID,
  subjectKey,
} from "./ledger-index.js";
import { addMonthsUtc } from "./time.js";

const fmt = (value: Money) => `${value.currency} ${toMajor(value)}`;

function paymentNumber(payment: CommissionPayment, earlier: readonly Commission[]): number {
  if (payment.paymentNumber != null) return payment.paymentNumber;
  if (payment.isFirstPayment === true) return 1;
  let before = 0;
  for (const entry of earlier) if (entry.occurredAt < payment.paidAt) before++;
  return before + 1;
}

function withinDuration(
  rule: CommissionRule,
  payment: CommissionPayment,
  number: number,
  earlier: readonly Commission[],
): boolean {
  const { duration } = rule;
  if (duration === "lifetime") return true;
  if (duration === "first_payment") return number === 1;
  if ("payments" in duration) return number <= duration.payments;
  let start = payment.subscriptionStartedAt ?? null;
  if (start === null) {
    start = payment.paidAt;
    for (const entry of earlier) start = Math.min(start, entry.occurredAt);
  }
  return payment.paidAt < addMonthsUtc(start, duration.months);
}

function earn(
  index: LedgerIndex,
  payment: CommissionPayment,
  rule: CommissionRule,
  programId: string | null,
) {
  const { amount } = payment;
  const partnerId = (payment.referral as { partnerId: string }).partnerId;
  if (amount.amount < 0 || (amount.amount === 0 && rule.trialPayments === "skip")) return null;
  const minimum = rule.minimumPayment?.find((m) => m.currency === amount.currency);
  if (minimum && amount.amount < minimum.amount) return null;
  const subject = subjectKey(
    partnerId,
    programId,
    payment.subscriptionId,
    payment.customerId,
    payment.transactionId,
  );
  const earlier = index.earnedBySubject.get(subject) ?? [];
  const number = paymentNumber(payment, earlier);
  if (!withinDuration(rule, payment, number, earlier)) return null;
  let commission: Money | undefined;
  let how: string;
  if (rule.ppm !== null) {
    commission = scaleMoney(amount, rule.ppm, 1_000_000, rule.rounding);
    how = `${rule.ppm / 10_000}% of ${fmt(amount)} (${rule.rounding})`;
  } else {
    commission = rule.flat?.find((m) => m.currency === amount.currency);
    how = `flat ${commission ? fmt(commission) : "-"} on ${fmt(amount)}`;
  }
  if (!commission || commission.amount <= 0) return null;
  const counted =
    typeof rule.duration === "string"
      ? rule.duration === "first_payment"
      : "payments" in rule.duration;
  const entry: Commission = {
    key: earnedKey(payment.transactionId),
    partnerId,
    programId,
    kind: "earned",
    amount: { amount: commission.amount, currency: commission.currency },
    transactionId: payment.transactionId,
    refundTransactionId: null,
    subscriptionId: payment.subscriptionId ?? null,
    customerId: payment.customerId ?? null,
    occurredAt: payment.paidAt,
    note: `${how}${counted ? `, payment #${number}` : ""}, rule ${rule.id}`,
    baseAmount: { amount: amount.amount, currency: amount.currency },
    payableAt: payment.paidAt + rule.holdMs,
    payoutId: null,
  };
  return entry;
}

const isJournal = (entry: Commission) => entry.partnerId === REFUND_JOURNAL_PARTNER_ID;

function compareJournal(a: Commission, b: Commission): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/**
 * Reversals owed on `earned` for every journaled refund of its payment not yet applied. Each refund
 * reverses `commission × refund / payment` (the rate of the original payment, never a blended one),
 * rounded toward zero so the sum can never exceed the commission; once refunds cover the whole
 * payment, a residue entry reverses the last minor units. After a payout the entries are clawbacks.
 * Amounts depend only on the refund itself, so any arrival order yields the same entries.
 */
function settleRefunds(earned: Commission, related: readonly Commission[]): Commission[] {
  const base = earned.baseAmount;
  if (!base) {
    throw new StorageError(
      `Earned entry ${earned.key} has no baseAmount; the ledger store must persist it`,
      {
        engine: "unknown",
      },
    );
  }
  const commission = earned.amount.amount;
  const keys = new Set<string>();
  let reversed = 0;
  let paidOut = false;
  const journal: Commission[] = [];
  for (const entry of related) {
    keys.add(entry.key);
    if (isJournal(entry)) journal.push(entry);
    else if (entry.partnerId !== earned.partnerId) continue;
    else if (entry.kind === "reversed" || entry.kind === "clawback")
      reversed -= entry.amount.amount;
    else if (entry.kind === "paid") paidOut = true;
  }
  journal.sort(compareJournal);
  const kind = paidOut ? "clawback" : "reversed";
  const out: Commission[] = [];
  const entry = (
    key: string,
    amount: number,
    refund: Commission,
    note: string,
    baseAmount: Money | null,
  ) => {
    out.push({
      key,
      partnerId: earned.partnerId,
      programId: earned.programId,
      kind,
      amount: { amount: -amount, currency: earned.amount.currency },
      transactionId: earned.transactionId,
      refundTransactionId: refund.refundTransactionId,
      subscriptionId: earned.subscriptionId,
      customerId: earned.customerId,
      occurredAt: refund.occurredAt,
      note,
      baseAmount,
      payableAt: null,
      payoutId: null,
    });
    reversed += amount;
  };
  let refunded = 0;
  for (const refund of journal) {
    const refundAmount = refund.baseAmount as Money;
    if (refundAmount.currency !== base.currency) {
      throw new MoneyError(
        `Refund ${refund.refundTransactionId} is in another currency than its payment`,
      );
    }
    refunded += refundAmount.amount;
    const key = `reversal:${refund.refundTransactionId}`;
    if (keys.has(key)) continue;
    const share =
      base.amount === 0
        ? commission
        : scaleMoney(earned.amount, refundAmount.amount, base.amount, "trunc").amount;
    const amount = Math.min(share, commission - reversed);
    if (amount <= 0) continue;
    entry(
      key,
      amount,
      refund,
      `refund ${fmt(refundAmount)} of payment ${fmt(base)}: commission ${fmt(earned.amount)} × ${refundAmount.amount}/${base.amount} at the original payment's rate, rounded toward zero`,
      refundAmount,
    );
  }
  const last = journal[journal.length - 1];
  const residueKey = `reversal-residue:${earned.transactionId}`;
  if (last && refunded >= base.amount && !keys.has(residueKey) && commission - reversed > 0) {
    entry(
      residueKey,
      commission - reversed,
      last,
      `payment ${fmt(base)} fully refunded: the rounding residue reverses the rest of the commission`,
      null,
    );
  }
  return out;
}

function onPayment(
  index: LedgerIndex,
  payment: CommissionPayment,
  policy: CommissionPolicy,
): Commission[] {
  if (payment.referral === null || index.byKey.has(earnedKey(payment.transactionId))) return [];
  // The refund journal's partner id is reserved.
  if (payment.referral.partnerId === REFUND_JOURNAL_PARTNER_ID) return [];
  const programId = payment.referral.programId ?? null;
  const rule = policy.ruleFor(payment.referral.partnerId, programId);
  if (rule === null) return [];
  const earned = earn(index, payment, rule, programId);
  if (earned === null) return [];
  // Refunds journaled before the payment arrived are applied now.
  return [
    earned,
    ...settleRefunds(earned, [...index.forTransaction(payment.transactionId), earned]),
  ];
}

function onRefund(index: LedgerIndex, refund: CommissionRefund): Commission[] {
  const out: Commission[] = [];
  let journal = index.byKey.get(`refund:${refund.transactionId}`);
  if (journal === undefined) {
    journal = {
      key: `refund:${refund.transactionId}`,
      partnerId: REFUND_JOURNAL_PARTNER_ID,
      programId: null,
      kind: "reversed",
      amount: { amount: 0, currency: refund.amount.currency },
      transactionId: refund.refundedTransactionId,
      refundTransactionId: refund.transactionId,
      subscriptionId: null,
      customerId: null,
      occurredAt: refund.refundedAt,
      note: `refund journal: ${fmt(refund.amount)} refunded`,
      baseAmount: { amount: refund.amount.amount, currency: refund.amount.currency },
      payableAt: null,
      payoutId: null,
    };
    out.push(journal);
  }
  const paymentTxn = journal.transactionId;
  if (paymentTxn === null) return out;
  const earned = index.byKey.get(earnedKey(paymentTxn));
  // No commission on that payment yet: the journal entry holds the refund until the payment arrives.
  if (earned === undefined) return out;
  const related = [...index.forTransaction(paymentTxn), ...out];
  return [...out, ...settleRefunds(earned, related)];
}

function onPayout(
  index: LedgerIndex,
  payout: CommissionPayout,
  policy: CommissionPolicy,
): Commission[] {
  const groups = new Map<
    string,
    { total: number; items: Array<{ earned: Commission; owed: number }> }
  >();
  for (const earned of index.earnedByPartner.get(payout.partnerId) ?? []) {
    const { currency } = earned.amount;
    if (payout.currency != null && currency !== payout.currency) continue;
    if ((earned.payableAt ?? earned.occurredAt) > payout.paidAt) continue;
    let owed = 0;
    for (const entry of index.forTransaction(earned.transactionId as string)) {
      if (entry.partnerId === earned.partnerId) owed += owedDelta(entry);
    }
    if (owed === 0) continue;
    let group = groups.get(currency);
    if (!group) {
      group = { total: 0, items: [] };
      groups.set(currency, group);
    }
    group.total += owed;
    group.items.push({ earned, owed });
  }
  const out: Commission[] = [];
  for (const [currency, group] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const minimum = policy.minimumPayouts?.find((m) => m.currency === currency)?.amount ?? 0;
    if (group.total <= 0 || group.total < minimum) continue;
    for (const { earned, owed } of group.items) {
      out.push({
        key: `paid:${payout.payoutId}:${earned.transactionId}`,
        partnerId: earned.partnerId,
        programId: earned.programId,
        kind: "paid",
        amount: { amount: owed, currency },
        transactionId: earned.transactionId,
        refundTransactionId: null,
        subscriptionId: earned.subscriptionId,
        customerId: earned.customerId,
        occurredAt: payout.paidAt,
        note:
          owed < 0 ? `payout ${payout.payoutId} recovers a clawback` : `payout ${payout.payoutId}`,
        baseAmount: null,
        payableAt: null,
        payoutId: payout.payoutId,
      });
    }
  }
  return out.filter((entry) => !index.byKey.has(entry.key));
}

/** The new entries for `event`, given an indexed ledger. */
export function decideEntries(
  index: LedgerIndex,
  event: CommissionEvent,
  policy: CommissionPolicy,
): Commission[] {
  switch (event.type) {
    case "payment":
      return onPayment(index, event, policy);
    case "refund":
      return onRefund(index, event);
    case "payout":
      return onPayout(index, event, policy);
  }
}

/**
 * The entries `event` adds to the ledger `entries` (pure; nothing is modified). Append them in order.
 * A duplicate or replayed event returns `[]`.
 *
 * @throws MoneyError when a refund's currency differs from its payment's.
 * @example
 * const policy = createCommissionPolicy({ rules: [{ percent: 30 }] });
 * const added = commissionEntries(ledger, { type: "payment", transactionId: "txn_1", amount, paidAt, referral: { partnerId: "p_1" } }, policy);
 */
export function commissionEntries(
  entries: readonly Commission[],
  event: CommissionEvent,
  policy: CommissionPolicy,
): Commission[] {
  return decideEntries(new LedgerIndex(entries), event, policy);
}
