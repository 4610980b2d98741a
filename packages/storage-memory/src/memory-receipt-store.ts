import type { Receipt, ReceiptStore } from "@revtrace/core";

/** Receipts by key; the first claim wins. */
export function createMemoryReceiptStore(): ReceiptStore {
  const receipts = new Map<string, Receipt>();
  return {
    async claimReceipt(receipt) {
      if (receipts.has(receipt.key)) return false;
      receipts.set(receipt.key, { ...receipt });
      return true;
    },
    async getReceipt(key) {
      const receipt = receipts.get(key);
      return receipt ? { ...receipt } : null;
    },
  };
}
