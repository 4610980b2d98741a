import type { Commission } from "../model/commission.js";

/** A stored ledger entry with its position in the ledger. */
export interface StoredCommission extends Commission {
  /**
   * Position in the ledger: 1, 2, 3 … without gaps, in append order. An entry becomes visible only
   * after every entry with a smaller `seq`, so a reader paging with `afterSeq` never skips one.
   */
  seq: number;
}

/** The append-only commission ledger. */
export interface LedgerStore {
  /**
   * Appends entries in order, atomically; an entry whose `key` is already stored (or appears earlier in
   * the same call) is skipped (idempotent), even when its other fields differ. Stored entries are never
   * changed or removed. Returns the entries that were new, with their `seq`, in order.
   */
  appendCommissions(entries: readonly Commission[]): Promise<StoredCommission[]>;
  /**
   * Entries in ledger order (`seq` ascending): optionally only one partner's, only those with
   * `seq > afterSeq`, and at most `limit` of them (default: all).
   */
  listCommissions(query?: {
    partnerId?: string;
    afterSeq?: number;
    limit?: number;
  }): Promise<StoredCommission[]>;
  /** One entry by key, or `null`. */
  getCommission(key: string): Promise<StoredCommission | null>;
}
