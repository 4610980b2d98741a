/**
 * Balances per partner and currency, derived from the entries (never stored, never edited).
 *
 * @module
 */
import type { Commission, Money } from "@revtrace/core";
import { isJournal, owedDelta } from "./ledger-index.js";

/** What a partner has, in one currency. Every figure is exact in minor units. */
export interface CommissionBalance {
  partnerId: string;
  currency: string;
  /** Earned net of reversals, still in its hold period and unpaid. */
  pending: Money;
  /**
   * Owed now: commissions out of their hold and unpaid, minus clawbacks not yet recovered by a payout
   * (negative when the partner owes money back).
   */
  payable: Money;
  /** Paid out so far (net of clawbacks recovered by payouts). */
  paid: Money;
  /**
   * Taken back after payout so far, as a positive amount: what refunds (and renumbering) took from
   * commissions already paid out. Judged from the order of the entries, not from their `kind`: a
   * `reversed` entry decided next to a payout (a payout racing a refund in another process) is counted
   * as what it is, money taken back after a payout, and so is a payout that paid a commission already
   * reversed. On a ledger recorded by one writer the two agree.
   */
  clawedBack: Money;
}

/** Options of {@link commissionBalances}. */
export interface BalanceOptions {
  /** Point in time (epoch ms): entries after it are left out, and holds are judged at it. */
  asOf: number;
  /** Only this partner. */
  partnerId?: string;
}

interface Owed {
  payableAt: number | null;
  owed: number;
}

/**
 * How much of `entry` takes back money already paid out, given what was owed on its commission
 * before it (`owed`: earned, minus reductions, minus payouts; zero or less once paid out). A reduction
 * (reversal or clawback) takes back what exceeds the unpaid part; a payout that pays more than was
 * owed paid a reduction out, which is taken back the same way. One writer recording in turn pays
 * exactly what is owed and records reductions after a payout as clawbacks, so this then equals the
 * clawback entries. Negative for an entry that gives back a reduction counted so.
 */
function takenBack(entry: Commission, owed: number): number {
  const unpaid = Math.max(0, owed);
  if (entry.kind === "reversed" || entry.kind === "clawback") {
    const reduction = -entry.amount.amount;
    // A give-back (`reversal-excess:`, positive) of reductions that went beyond the commission
    // returns first what they counted as taken back: the part of `owed` below zero.
    if (reduction < 0) return -Math.min(-reduction, Math.max(0, -owed));
    return reduction > unpaid ? reduction - unpaid : 0;
  }
  if (entry.kind === "paid" && entry.amount.amount > unpaid) return entry.amount.amount - unpaid;
  return 0;
}

/**
 * Balances per partner and currency at `asOf`, sorted by partner then currency. `pending + payable`
 * always equals the sum of the earned, reversed and clawback entries minus the paid ones (entries up to
 * `asOf`).
 */
export function commissionBalances(
  entries: readonly Commission[],
  options: BalanceOptions,
): CommissionBalance[] {
  const groups = new Map<
    string,
    {
      partnerId: string;
      currency: string;
      paid: number;
      clawedBack: number;
      owed: Map<string, Owed>;
    }
  >();
  for (const entry of entries) {
    if (isJournal(entry) || entry.occurredAt > options.asOf) continue;
    if (options.partnerId !== undefined && entry.partnerId !== options.partnerId) continue;
    const { currency } = entry.amount;
    const groupKey = `${entry.partnerId}\u0000${currency}`;
    let group = groups.get(groupKey);
    if (!group) {
      group = { partnerId: entry.partnerId, currency, paid: 0, clawedBack: 0, owed: new Map() };
      groups.set(groupKey, group);
    }
    if (entry.kind === "paid") group.paid += entry.amount.amount;
    const commissionKey = entry.transactionId ?? entry.key;
    let owed = group.owed.get(commissionKey);
    if (!owed) {
      owed = { payableAt: null, owed: 0 };
      group.owed.set(commissionKey, owed);
    }
    if (entry.kind === "earned") owed.payableAt = entry.payableAt ?? entry.occurredAt;
    group.clawedBack += takenBack(entry, owed.owed);
    owed.owed += owedDelta(entry);
  }
  const out: CommissionBalance[] = [];
  for (const group of groups.values()) {
    let pending = 0;
    let payable = 0;
    for (const { payableAt, owed } of group.owed.values()) {
      if (payableAt !== null && payableAt > options.asOf) pending += owed;
      else payable += owed;
    }
    const money = (amount: number): Money => ({ amount, currency: group.currency });
    out.push({
      partnerId: group.partnerId,
      currency: group.currency,
      pending: money(pending),
      payable: money(payable),
      paid: money(group.paid),
      clawedBack: money(group.clawedBack),
    });
  }
  return out.sort((a, b) =>
    a.partnerId !== b.partnerId
      ? a.partnerId < b.partnerId
        ? -1
        : 1
      : a.currency < b.currency
        ? -1
        : a.currency > b.currency
          ? 1
          : 0,
  );
}
