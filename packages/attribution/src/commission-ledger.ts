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
  type StoredCommission,
  systemClock,
} from "@revtrace/core";
import { z } from "zod";
import {
  type BalanceOptions,
  type CommissionBalance,
  commissionBalances,
} from "./commission-balances.js";
import { decideEntries } from "./commission-entries.js";
import type { CommissionEvent } from "./commission-events.js";
import { type CommissionPolicyOptions, createCommissionPolicy } from "./commission-policy.js";
import { LedgerIndex } from "./ledger-index.js";
import { parseOptions } from "./parse-options.js";

/** Options of {@link createCommissionLedger}: the rules plus where entries live. */
export type CommissionLedgerOptions = CommissionPolicyOptions & {
  /** Where entries are appended (e.g. `createMemoryStorage().ledger`, or SQLite/Postgres). */
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
 * Creates a ledger over `store`. Other writers to the same store are picked up before each call
 * (entries after the last seen `seq`); keys keep concurrent writers from double-counting.
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

  function serialized<T>(task: () => Promise<T>): Promise<T> {
    const result = queue.then(task);
    queue = result.catch(() => undefined);
    return result;
  }

  return {
    record(event) {
      return serialized(async () => {
        await sync();
        const added = decideEntries(index, event, policy);
        return added.length === 0 ? [] : store.appendCommissions(added);
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
