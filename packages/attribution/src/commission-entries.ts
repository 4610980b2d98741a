/**
 * The commission ledger's logic, pure: existing entries + one event → the new entries to append.
 * Every key derives from Chargebee transaction ids (or your payout id), so a replayed or duplicated
 * event yields nothing new: Chargebee delivers at least once and in no particular order (Chargebee
 * spec §1, §7).
 *
 * Keys: `earned:<payment txn>`, `payment:<payment txn>` (payment journal), `refund:<refund txn>`
 * (refund journal), `counted:<payment txn>` (numbering journal), `reversal:<refund txn>`,
 * `reversal-residue:<payment txn>`, `refund-skipped:<refund txn>`, `renumbered:<payment txn>`,
 * `paid:<payout id>:<payment txn>`, `reversal-excess:<reduction key>` (what concurrent writers
 * reversed beyond a commission, given back).
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
import { checkCommissionEvent } from "./commission-event-check.js";
import type {
  CommissionEvent,
  CommissionPayment,
  CommissionPayout,
  CommissionRefund,
  Referral,
} from "./commission-events.js";
import type { CommissionPolicy, CommissionRule } from "./commission-policy.js";
import {
  countedJournal,
  counts,
  paymentLimit,
  renumberedEntries,
} from "./commission-renumbering.js";
import {
  earnedKey,
  isJournal,
  JOURNAL_PARTNER_ID,
  LedgerIndex,
  owedDelta,
  paymentJournalKey,
  paymentSubject,
  refundJournalKey,
} from "./ledger-index.js";
import { addMonthsUtc } from "./time.js";

const fmt = (value: Money) => `${value.currency} ${toMajor(value)}`;

/** Whether the recorded payment `entry` came before `payment` (by time, then transaction id). */
function isBefore(entry: Commission, payment: CommissionPayment): boolean {
  if (entry.occurredAt !== payment.paidAt) return entry.occurredAt < payment.paidAt;
  return (entry.transactionId as string) < payment.transactionId;
}

/**
 * The 1-based number of `payment` among the subscription's payments that `rule` counts. In order of
 * trust: `paymentNumber`; `isFirstPayment` (Chargebee `invoice.first_invoice`): `true` is #1, `false`
 * is #2 at least; then the payments of the subscription already recorded with an earlier `paidAt`
 * (earned or journaled, see {@link JOURNAL_PARTNER_ID}). Only the first two are independent of the
 * order in which payments arrive.
 *
 * A trial invoice of zero that the rule skips can be the subscription's first invoice: once it is
 * recorded, the next paid payment (`isFirstPayment: false`) is #1 for that rule.
 *
 * `counted` says the number came from counting, so it may be too low (see `commission-renumbering`).
 */
function paymentNumber(
  payment: CommissionPayment,
  rule: CommissionRule,
  seen: readonly Commission[],
): { number: number; counted: boolean } {
  if (payment.paymentNumber != null) return { number: payment.paymentNumber, counted: false };
  if (payment.isFirstPayment === true) return { number: 1, counted: false };
  let counted = 0;
  let skippedTrial = false;
  for (const entry of seen) {
    if (entry.transactionId === payment.transactionId || !isBefore(entry, payment)) continue;
    const amount = (entry.baseAmount ?? entry.amount).amount;
    if (counts(rule, amount)) counted++;
    else if (amount === 0) skippedTrial = true;
  }
  if (payment.isFirstPayment === false && !skippedTrial)
    return { number: Math.max(counted + 1, 2), counted: true };
  return { number: counted + 1, counted: true };
}

function withinDuration(
  rule: CommissionRule,
  payment: CommissionPayment,
  number: number,
  seen: readonly Commission[],
): boolean {
  const { duration } = rule;
  if (duration === "lifetime") return true;
  if (duration === "first_payment") return number === 1;
  if ("payments" in duration) return number <= duration.payments;
  let start = payment.subscriptionStartedAt ?? null;
  if (start === null) {
    start = payment.paidAt;
    for (const entry of seen) start = Math.min(start, entry.occurredAt);
  }
  return payment.paidAt < addMonthsUtc(start, duration.months);
}

/** Why a payment earned nothing (for the payment journal's note). */
type NoCommission =
  | "no referral"
  | "no matching rule"
  | "not a positive amount"
  | "trial payment skipped"
  | "below the minimum payment"
  | "outside the rule's duration"
  | "no commission in this currency"
  | "commission rounds to zero";

/** An earned commission, with how its payment was numbered. */
interface Earned {
  entry: Commission;
  number: number;
  /** The number was counted from the payments recorded so far (it may be renumbered). */
  counted: boolean;
}

function earn(
  index: LedgerIndex,
  payment: CommissionPayment,
  rule: CommissionRule,
  programId: string | null,
): Earned | NoCommission {
  const { amount } = payment;
  const partnerId = (payment.referral as Referral).partnerId;
  if (amount.amount < 0) return "not a positive amount";
  if (amount.amount === 0 && rule.trialPayments === "skip") return "trial payment skipped";
  const minimum = rule.minimumPayment?.find((m) => m.currency === amount.currency);
  if (minimum && amount.amount < minimum.amount) return "below the minimum payment";
  const subject = paymentSubject(payment.subscriptionId, payment.customerId);
  const seen = subject === null ? [] : (index.paymentsBySubject.get(subject) ?? []);
  const { number, counted: numberCounted } = paymentNumber(payment, rule, seen);
  if (!withinDuration(rule, payment, number, seen)) return "outside the rule's duration";
  let commission: Money | undefined;
  let how: string;
  if (rule.ppm !== null) {
    commission = scaleMoney(amount, rule.ppm, 1_000_000, rule.rounding);
    how = `${rule.ppm / 10_000}% of ${fmt(amount)} (${rule.rounding})`;
  } else {
    commission = rule.flat?.find((m) => m.currency === amount.currency);
    how = `flat ${commission ? fmt(commission) : "-"} on ${fmt(amount)}`;
  }
  if (!commission) return "no commission in this currency";
  if (commission.amount <= 0) return "commission rounds to zero";
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
  return { entry, number, counted: numberCounted };
}

/** The journal entry of a payment that earned nothing, so later payments count it. */
function journalPayment(payment: CommissionPayment, why: NoCommission): Commission {
  const { amount } = payment;
  return {
    key: paymentJournalKey(payment.transactionId),
    partnerId: JOURNAL_PARTNER_ID,
    programId: null,
    kind: "earned",
    amount: { amount: 0, currency: amount.currency },
    transactionId: payment.transactionId,
    refundTransactionId: null,
    subscriptionId: payment.subscriptionId ?? null,
    customerId: payment.customerId ?? null,
    occurredAt: payment.paidAt,
    note: `payment journal: ${fmt(amount)} paid, no commission (${why})`,
    baseAmount: { amount: amount.amount, currency: amount.currency },
    payableAt: null,
    payoutId: null,
  };
}

/** A refund in another currency than its payment: skipped (nothing reversed), and said so. */
export const isSkippedRefund = (entry: Commission): boolean =>
  entry.key.startsWith("refund-skipped:");

function compareJournal(a: Commission, b: Commission): number {
  if (a.occurredAt !== b.occurredAt) return a.occurredAt - b.occurredAt;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}

/** Key prefix of the entries that give back what concurrent writers reversed beyond a commission. */
const EXCESS_PREFIX = "reversal-excess:";

/**
 * The stored reductions of `earned` (reversals, clawbacks, renumberings, in ledger order) that took
 * it below zero, each with the part of it beyond the commission. A writer caps what it reverses by
 * the ledger it read, so two writers deciding at once (two refunds, or a refund and the residue) can
 * together reverse more. Each part depends only on the reductions stored before it, which every
 * writer sees in the same order, so concurrent writers compute the same entries and keys.
 */
function overReversals(
  earned: Commission,
  related: readonly Commission[],
): { reduction: Commission; amount: number }[] {
  const commission = earned.amount.amount;
  const out: { reduction: Commission; amount: number }[] = [];
  let net = 0;
  for (const entry of related) {
    if (isJournal(entry) || entry.partnerId !== earned.partnerId) continue;
    if (entry.kind !== "reversed" && entry.kind !== "clawback") continue;
    if (entry.key.startsWith(EXCESS_PREFIX)) continue;
    const reduction = -entry.amount.amount;
    if (reduction <= 0) continue;
    net += reduction;
    if (net > commission) {
      const amount = Math.min(reduction, net - commission);
      out.push({ reduction: entry, amount });
      net -= amount;
    }
  }
  return out;
}

/**
 * Reversals owed on `earned` for every journaled refund of its payment not yet applied. Each refund
 * reverses `commission × refund / payment` (the rate of the original payment, never a blended one),
 * rounded toward zero so the sum can never exceed the commission; once refunds cover the whole
 * payment, a residue entry reverses the last minor units. After a payout the entries are clawbacks.
 * Amounts depend only on the refund itself, so any arrival order yields the same entries. A refund in
 * another currency than the payment reverses nothing: it gets a zero `refund-skipped:` entry instead.
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
  const excess = overReversals(earned, related);
  for (const entry of related) {
    keys.add(entry.key);
    if (isJournal(entry)) {
      if (entry.refundTransactionId !== null) journal.push(entry);
    } else if (entry.partnerId !== earned.partnerId) continue;
    else if (entry.kind === "reversed" || entry.kind === "clawback")
      reversed -= entry.amount.amount;
    else if (entry.kind === "paid") paidOut = true;
  }
  journal.sort(compareJournal);
  const kind = paidOut ? "clawback" : "reversed";
  const out: Commission[] = [];
  // Writers that decided at the same time from older copies reversed more than the commission:
  // give the excess back, so reductions never exceed it.
  for (const { reduction, amount } of excess) {
    const key = `${EXCESS_PREFIX}${reduction.key}`;
    if (keys.has(key)) continue;
    out.push({
      ...reduction,
      key,
      amount: { amount, currency: earned.amount.currency },
      note: `reductions of ${fmt(earned.amount)} recorded at the same time exceeded it: ${fmt({ amount, currency: earned.amount.currency })} given back`,
      baseAmount: null,
      payableAt: null,
      payoutId: null,
    });
    reversed -= amount;
  }
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
      kind: amount === 0 ? "reversed" : kind,
      amount: { amount: amount === 0 ? 0 : -amount, currency: earned.amount.currency },
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
      const key = `refund-skipped:${refund.refundTransactionId}`;
      if (!keys.has(key))
        entry(
          key,
          0,
          refund,
          `refund ${fmt(refundAmount)} skipped: the payment is in ${base.currency}, so nothing is reversed`,
          refundAmount,
        );
      continue;
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
  const last = journal.findLast(
    (refund) => (refund.baseAmount as Money).currency === base.currency,
  );
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

/**
 * Whether payments that earn nothing are journaled: only while some rule is not `lifetime` (numbering
 * payments, or finding a `{ months }` rule's start, needs them).
 */
const journalsPayments = (policy: CommissionPolicy) =>
  policy.rules.some((rule) => rule.duration !== "lifetime");

function onPayment(
  index: LedgerIndex,
  payment: CommissionPayment,
  policy: CommissionPolicy,
): Commission[] {
  const { transactionId } = payment;
  if (
    index.byKey.has(earnedKey(transactionId)) ||
    index.byKey.has(paymentJournalKey(transactionId))
  )
    return [];
  const nothing = (why: NoCommission) =>
    journalsPayments(policy) ? withRenumbering(index, policy, [journalPayment(payment, why)]) : [];
  // The journal's partner id is reserved.
  if (payment.referral === null || payment.referral.partnerId === JOURNAL_PARTNER_ID)
    return nothing("no referral");
  const programId = payment.referral.programId ?? null;
  const rule = policy.ruleFor(payment.referral.partnerId, programId);
  if (rule === null) return nothing("no matching rule");
  const earned = earn(index, payment, rule, programId);
  if (typeof earned === "string") return nothing(earned);
  const { entry } = earned;
  const own =
    earned.counted && paymentLimit(rule) !== null
      ? [entry, countedJournal(entry, earned.number)]
      : [entry];
  // Refunds journaled before the payment arrived are applied now.
  own.push(...settleRefunds(entry, [...index.forTransaction(transactionId), ...own]));
  return withRenumbering(index, policy, own);
}

/**
 * The reversals owed on payments of `subject` now numbered beyond their rule, given the ledger in
 * `index` plus the entries `added` just decided (not appended yet; `payment`, when given, is the new
 * payment's own entry among them).
 */
function renumbering(
  index: LedgerIndex,
  policy: CommissionPolicy,
  subject: string,
  added: readonly Commission[],
  payment?: Commission,
): Commission[] {
  const keys = new Set(added.map((entry) => entry.key));
  const known = index.paymentsBySubject.get(subject) ?? [];
  return renumberedEntries(
    {
      payments: payment ? [...known, payment] : known,
      has: (key) => keys.has(key) || index.byKey.has(key),
      forTransaction: (txn) => [
        ...index.forTransaction(txn),
        ...added.filter((entry) => entry.transactionId === txn),
      ],
    },
    policy,
  );
}

/**
 * `own` (the entries of a payment just decided, its earned or journal entry first) followed by the
 * reversals that payment makes owed on later payments of its subscription now numbered beyond their
 * rule.
 */
function withRenumbering(
  index: LedgerIndex,
  policy: CommissionPolicy,
  own: Commission[],
): Commission[] {
  const payment = own[0] as Commission;
  const subject = paymentSubject(payment.subscriptionId, payment.customerId);
  if (subject === null) return own;
  return [...own, ...renumbering(index, policy, subject, own, payment)];
}

function onRefund(index: LedgerIndex, refund: CommissionRefund): Commission[] {
  const out: Commission[] = [];
  let journal = index.byKey.get(refundJournalKey(refund.transactionId));
  const paymentTxn = journal ? journal.transactionId : refund.refundedTransactionId;
  const earned = paymentTxn === null ? undefined : index.byKey.get(earnedKey(paymentTxn));
  if (journal === undefined) {
    const base = earned?.baseAmount;
    if (base && base.currency !== refund.amount.currency) {
      throw new MoneyError(
        `Refund ${refund.transactionId} is in another currency than its payment`,
      );
    }
    journal = {
      key: refundJournalKey(refund.transactionId),
      partnerId: JOURNAL_PARTNER_ID,
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
  // No commission on that payment yet: the journal entry holds the refund until the payment arrives.
  if (paymentTxn === null || earned === undefined) return out;
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
  checkCommissionEvent(event);
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
 * What is still owed on the payment `event` concerns (a payment, or the payment a refund refunds),
 * given every entry in `index`: `[]` unless another writer recorded a related entry from an older copy
 * of the ledger (a refund journaled while the payment was being earned, two refunds at once, or, with
 * `policy`, a payment of the same subscription recorded at the same time that renumbers this one or a
 * later one). A ledger wrapper calls it after appending, until it returns nothing, so concurrent
 * writers converge.
 */
export function settleEntries(
  index: LedgerIndex,
  event: CommissionEvent,
  policy?: CommissionPolicy,
): Commission[] {
  let paymentTxn: string | null;
  if (event.type === "payment") paymentTxn = event.transactionId;
  else if (event.type === "refund")
    paymentTxn =
      index.byKey.get(refundJournalKey(event.transactionId))?.transactionId ??
      event.refundedTransactionId;
  else return [];
  const earned = paymentTxn === null ? undefined : index.byKey.get(earnedKey(paymentTxn));
  const refunds =
    paymentTxn === null || earned === undefined
      ? []
      : settleRefunds(earned, index.forTransaction(paymentTxn));
  const subject =
    event.type === "payment" ? paymentSubject(event.subscriptionId, event.customerId) : null;
  if (!policy || subject === null) return refunds;
  // A renumbering this payment caused, appended while another writer reversed a refund of the
  // renumbered payment, can take that payment below zero: settle the subscription's other payments
  // too, so the excess is given back (see `overReversals`).
  for (const payment of index.paymentsBySubject.get(subject) ?? []) {
    const txn = payment.transactionId;
    const other = txn === null || txn === paymentTxn ? undefined : index.byKey.get(earnedKey(txn));
    if (other && txn !== null) refunds.push(...settleRefunds(other, index.forTransaction(txn)));
  }
  // Renumbered after the refunds settled above, so the two never reverse the same minor units.
  const renumbered = renumbering(index, policy, subject, refunds);
  return [...refunds, ...renumbered];
}

/**
 * The entries `event` adds to the ledger `entries` (pure; nothing is modified). Append them in order.
 * A duplicate or replayed event returns `[]`.
 *
 * @throws TypeError naming the field when the event is malformed (unknown `type`, missing
 * `transactionId`, a non-integer `paidAt`); MoneyError when its amount is not Money.
 * @throws MoneyError when a new refund's currency differs from its already-recorded payment's (a held
 * refund in another currency does not block its payment: it is skipped, see {@link isSkippedRefund}).
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
