/**
 * An in-memory index over ledger entries, so each event is decided by lookups rather than scans.
 *
 * @module
 */
import type { Commission } from "@revtrace/core";

/**
 * Partner id of the journal: zero-amount entries that record what the ledger has seen without owing
 * anything. One per refund (`refund:<refund txn>`), so a refund that arrives before its payment is kept
 * (held) and applied when the payment arrives; and, while a rule counts payments, one per payment that
 * earned nothing (`payment:<txn>`), so later payments are numbered from every payment of the
 * subscription. Never part of a balance; a referral to this partner earns nothing.
 */
export const JOURNAL_PARTNER_ID = "~journal";

/** Whether `entry` is a journal entry (see {@link JOURNAL_PARTNER_ID}). */
export const isJournal = (entry: Commission): boolean => entry.partnerId === JOURNAL_PARTNER_ID;

/** Key of the earned entry of a payment (one per payment). */
export const earnedKey = (transactionId: string) => `earned:${transactionId}`;

function push<K>(map: Map<K, Commission[]>, key: K, entry: Commission): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

/**
 * The payments that are numbered together: those of one subscription (else one customer); `null` for a
 * payment with neither, which stands alone.
 */
export function paymentSubject(
  subscriptionId: string | null | undefined,
  customerId: string | null | undefined,
): string | null {
  return subscriptionId ? `s:${subscriptionId}` : customerId ? `c:${customerId}` : null;
}

/** Key of the journal entry of a refund. */
export const refundJournalKey = (refundTransactionId: string) => `refund:${refundTransactionId}`;

/** Key of the journal entry of a payment that earned nothing. */
export const paymentJournalKey = (transactionId: string) => `payment:${transactionId}`;

/** The ledger, indexed. Append-only like the ledger itself. */
export class LedgerIndex {
  readonly entries: Commission[] = [];
  readonly byKey = new Map<string, Commission>();
  /** Entries about a payment transaction (earned, reversals, payouts, refund journal), in ledger order. */
  readonly byTransaction = new Map<string, Commission[]>();
  /** Earned entries per partner, in ledger order. */
  readonly earnedByPartner = new Map<string, Commission[]>();
  /**
   * Every payment seen per {@link paymentSubject}: the earned entries and the journal entries of the
   * payments that earned nothing (one per payment transaction, in ledger order).
   */
  readonly paymentsBySubject = new Map<string, Commission[]>();

  constructor(entries: Iterable<Commission> = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Adds an entry; an entry whose key is already present is ignored (as stores do). */
  add(entry: Commission): void {
    if (this.byKey.has(entry.key)) return;
    this.entries.push(entry);
    this.byKey.set(entry.key, entry);
    if (entry.transactionId !== null) push(this.byTransaction, entry.transactionId, entry);
    if (entry.kind !== "earned") return;
    if (!isJournal(entry)) push(this.earnedByPartner, entry.partnerId, entry);
    const subject = paymentSubject(entry.subscriptionId, entry.customerId);
    if (subject === null || entry.transactionId === null) return;
    // A payment counts once, even when racing writers recorded it both as earned and as journaled.
    const seen = this.paymentsBySubject.get(subject);
    if (seen?.some((other) => other.transactionId === entry.transactionId)) return;
    push(this.paymentsBySubject, subject, entry);
  }

  /** Entries about payment `transactionId`. */
  forTransaction(transactionId: string): readonly Commission[] {
    return this.byTransaction.get(transactionId) ?? [];
  }
}

/**
 * What an entry changes in the amount owed to the partner for its commission: earned adds, reversals
 * and clawbacks (stored negative) subtract, payouts subtract what they paid.
 */
export function owedDelta(entry: Commission): number {
  if (isJournal(entry)) return 0;
  return entry.kind === "paid" ? -entry.amount.amount : entry.amount.amount;
}
