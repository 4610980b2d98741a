/** A record that an inbound event (a webhook delivery) was accepted. */
export interface Receipt {
  /** The dedupe key, e.g. `chargebee:ev_123`. */
  key: string;
  /** Event type as received (`payment_succeeded`, or anything unsupported). */
  type: string;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/** Dedupes inbound events: the first claim of a key wins, every later one sees a duplicate. */
export interface ReceiptStore {
  /**
   * Claims `receipt.key` atomically. Returns `true` for the first claim ever, `false` for every later
   * one, including concurrent claims from other connections or processes (exactly one winner).
   */
  claimReceipt(receipt: Receipt): Promise<boolean>;
  /** The stored receipt, or `null`. */
  getReceipt(key: string): Promise<Receipt | null>;
}
