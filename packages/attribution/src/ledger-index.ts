/**
 * An in-memory index over ledger entries, so each event is decided by lookups rather than scans.
 *
 * @module
 */
import type { Commission } from "@revtrace/core";

/** Partner id of the refund journal: one zero-amount entry per refund seen, so a refund that arrives
 * before its payment is kept (held) and applied when the payment arrives. Never part of a balance. */
export const REFUND_JOURNAL_PARTNER_ID = "~refunds";

/** Key of the earned entry of a payment (one per payment). */
export const earnedKey = (transactionId: string) => `earned:${transactionId}`;

function push<K>(map: Map<K, Commission[]>, key: K, entry: Commission): void {
  const list = map.get(key);
  if (list) list.push(entry);
  else map.set(key, [entry]);
}

/** Groups the earned commissions of one partner, program and subscription (or customer). */
export function subjectKey(
  partnerId: string,
  programId: string | null,
  subscriptionId: string | null | undefined,
  customerId: string | null | undefined,
  transactionId: string | null,
): string {
  const subject = subscriptionId
    ? `s:${subscriptionId}`
    : customerId
      ? `c:${customerId}`
      : `t:${transactionId}`;
  return `${partnerId}\u0000${programId ?? ""}\u0000${subject}`;
}

/** The ledger, indexed. Append-only like the ledger itself. */
export class LedgerIndex {
  readonly entries: Commission[] = [];
  readonly byKey = new Map<string, Commission>();
  /** Entries about a payment transaction (earned, reversals, payouts, refund journal), in ledger order. */
  readonly byTransaction = new Map<string, Commission[]>();
  /** Earned entries per partner, in ledger order. */
  readonly earnedByPartner = new Map<string, Commission[]>();
  /** Earned entries per {@link subjectKey}. */
  readonly earnedBySubject = new Map<string, Commission[]>();

  constructor(entries: Iterable<Commission> = []) {
    for (const entry of entries) this.add(entry);
  }

  /** Adds an entry; an entry whose key is already present is ignored (as stores do). */
  add(entry: Commission): void {
    if (this.byKey.has(entry.key)) return;
    this.entries.push(entry);
    this.byKey.set(entry.key, entry);
    if (entry.transactionId !== null) push(this.byTransaction, entry.transactionId, entry);
    if (entry.kind === "earned") {
      push(this.earnedByPartner, entry.partnerId, entry);
      push(
        this.earnedBySubject,
        subjectKey(
          entry.partnerId,
          entry.programId,
          entry.subscriptionId,
          entry.customerId,
          entry.transactionId,
        ),
        entry,
      );
    }
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
  if (entry.partnerId === REFUND_JOURNAL_PARTNER_ID) return 0;
  return entry.kind === "paid" ? -entry.amount.amount : entry.amount.amount;
}
