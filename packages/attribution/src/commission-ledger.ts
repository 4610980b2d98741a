/**
 * The commission ledger over a core `LedgerStore`: a thin wrapper that keeps an indexed mirror of the
 * stored entries, decides each event with the pure {@link commissionEntries} logic, and appends.
 *
 * @module
 */
import {
  type Clock,
  type Commission,
  type LedgerStore,
  parseOptions,
  type StoredCommission,
  systemClock,
} from "@revtrace/core";
import { z } from "zod";
import {
  type BalanceOptions,
  type CommissionBalance,
  commissionBalances,
} from "./commission-balances.js";
import { decideEntries, settleEntries } from "./commission-entries.js";
import { checkCommissionEvent } from "./commission-event-check.js";
import type { CommissionEvent } from "./commission-events.js";
import { type CommissionPolicyOptions, createCommissionPolicy } from "./commission-policy.js";
import { LedgerIndex } from "./ledger-index.js";

/** Options of {@link createCommissionLedger}: the rules plus where entries live. */
export type CommissionLedgerOptions = CommissionPolicyOptions & {
  /** Where entries are appended: any storage (`createMemoryStorage()`, SQLite or Postgres storage). */
  store: LedgerStore;
  /** Clock for `balances()` without `asOf`. @default Date.now */
  now?: Clock;
};

/** A commission ledger bound to a store. */
export interface CommissionLedger {
  /**
   * Records a payment, refund or payout and returns the entries it appended (none for a duplicate or
   * replay). Calls are serialized within the process.
   */
  record(event: CommissionEvent): Promise<StoredCommission[]>;
  /** Balances per partner and currency, with holds judged at `asOf` (default now). */
  balances(options?: Partial<BalanceOptions>): Promise<CommissionBalance[]>;
  /** Every entry in ledger order (optionally one partner's). */
  entries(partnerId?: string): Promise<Commission[]>;
}

const WrapperSchema = z.object({
  store: z.custom<LedgerStore>(
    (value) =>
      typeof value === "object" &&
      value !== null &&
      ["appendCommissions", "listCommissions", "getCommission"].every(
        (method) => typeof (value as Record<string, unknown>)[method] === "function",
      ),
    { message: "Expected a LedgerStore" },
  ),
  now: z
    .custom<Clock>((value) => typeof value === "function", { message: "Expected a function" })
    .optional(),
});

/**
 * Creates a ledger over `store`. Other writers to the same store (other processes) are picked up
 * before each call (entries after the last seen `seq`); keys keep concurrent writers from
 * double-counting, and refunds are settled again after each append, so writers that decided from an
 * older copy at the same time still converge.
 *
 * @throws ConfigError naming the bad option.
 */
export function createCommissionLedger(options: CommissionLedgerOptions): CommissionLedger {
  const { store, now = systemClock } = parseOptions(
    WrapperSchema,
    options,
    "commission ledger options",
  );
  const { store: _store, now: _now, ...policyOptions } = options;
  const policy = createCommissionPolicy(policyOptions);
  const index = new LedgerIndex();
  let lastSeq = 0;
  let queue: Promise<unknown> = Promise.resolve();

  async function sync(): Promise<void> {
    const fresh = await store.listCommissions({ afterSeq: lastSeq });
    for (const entry of fresh) {
      const { seq, ...commission } = entry;
      index.add(commission);
      lastSeq = Math.max(lastSeq, seq);
    }
  }

  /**
   * Appends `entries` and brings the index up to date. When the new rows directly follow the last
   * seen `seq`, nobody wrote in between and they are simply indexed; otherwise (another writer, or a
   * key someone else already stored) the index catches up from the store.
   */
  async function append(entries: Commission[]): Promise<StoredCommission[]> {
    const stored = await store.appendCommissions(entries);
    let next = lastSeq + 1;
    const alone = stored.length === entries.length && stored.every((row) => row.seq === next++);
    if (!alone) await sync();
    else
      for (const { seq, ...commission } of stored) {
        index.add(commission);
        lastSeq = seq;
      }
    return stored;
  }

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    record(event) {
      try {
        checkCommissionEvent(event);
      } catch (error) {
        return Promise.reject(error);
      }
      return serialized(async () => {
        await sync();
        const out: StoredCommission[] = [];
        const tried = new Set<string>();
        // Another process may have decided from an older copy at the same time (a refund journaled
        // while this payment was earned, two refunds at once): settle again after each append until
        // nothing new is owed. Keys make the writers' overlapping entries count once.
        let added = decideEntries(index, event, policy);
        while (added.length > 0) {
          for (const entry of added) tried.add(entry.key);
          out.push(...(await append(added)));
          added = settleEntries(index, event, policy).filter((entry) => !tried.has(entry.key));
        }
        return out;
      });
    },
    balances(query = {}) {
      return serialized(async () => {
        await sync();
        return commissionBalances(index.entries, { ...query, asOf: query.asOf ?? now() });
      });
    },
    entries(partnerId) {
      return serialized(async () => {
        await sync();
        return partnerId === undefined
          ? index.entries.slice()
          : index.entries.filter((e) => e.partnerId === partnerId);
      });
    },
  };
}
