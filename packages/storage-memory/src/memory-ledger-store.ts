import type { LedgerStore, StoredCommission } from "@revtrace/core";
import { jsonCopy } from "./memory-json.js";

/** The commission ledger as an array in append order, indexed by key. */
export function createMemoryLedgerStore(): LedgerStore {
  const entries: StoredCommission[] = [];
  const byKey = new Map<string, StoredCommission>();
  return {
    async appendCommissions(commissions) {
      // Every entry is copied before the first is stored: one that cannot be stored fails the batch.
      const copies = commissions.map((c, i) => jsonCopy(c, `entries.${i}`));
      const added: StoredCommission[] = [];
      for (const commission of copies) {
        if (byKey.has(commission.key)) continue;
        const stored: StoredCommission = { ...commission, seq: entries.length + 1 };
        entries.push(stored);
        byKey.set(stored.key, stored);
        added.push(structuredClone(stored));
      }
      return added;
    },
    async listCommissions(query = {}) {
      const { partnerId, afterSeq = 0, limit = Number.POSITIVE_INFINITY } = query;
      const out: StoredCommission[] = [];
      for (let i = Math.max(0, afterSeq); i < entries.length && out.length < limit; i++) {
        const entry = entries[i] as StoredCommission;
        if (partnerId === undefined || entry.partnerId === partnerId)
          out.push(structuredClone(entry));
      }
      return out;
    },
    async getCommission(key) {
      const entry = byKey.get(key);
      return entry ? structuredClone(entry) : null;
    },
  };
}
