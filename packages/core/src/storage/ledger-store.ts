import type { Commission } from "../model/commission.js";

/** A stored ledger entry with its position in the ledger. */
export interface StoredCommission extends Commission {
  /** Monotonic position in the ledger (1, 2, 3 …). */
  seq: number;
}

/** The append-only commission ledger. */
export interface LedgerStore {
  /**
   * Appends entries in order; an entry whose `key` is already stored is skipped (idempotent), even when
   * its other fields differ. Returns the entries that were new.
   */
  appendCommissions(entries: readonly Commission[]): Promise<StoredCommission[]>;
  /** Entries in ledger order, optionally for one partner and after a position. */
  listCommissions(query?: {
    partnerId?: string;
    afterSeq?: number;
    limit?: number;
  }): Promise<StoredCommission[]>;
  /** One entry by key, or `null`. */
  getCommission(key: string): Promise<StoredCommission | null>;
}
