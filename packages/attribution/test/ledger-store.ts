/**
 * The ledger stores of the attribution tests: a tiny in-memory `LedgerStore` following the core
 * contract, and one whose every call the fast-check scheduler interleaves.
 */
import type { Commission, LedgerStore, StoredCommission } from "@revtrace/core";
import type fc from "fast-check";

/** A LedgerStore following the core contract: append-only, idempotent on `key`, `seq` 1, 2, 3 … */
export function memoryLedgerStore(): LedgerStore & { rows: StoredCommission[]; lists: number } {
  const rows: StoredCommission[] = [];
  const store = {
    rows,
    /** How many `listCommissions` calls were made. */
    lists: 0,
    async appendCommissions(entries: readonly Commission[]) {
      const added: StoredCommission[] = [];
      for (const entry of entries) {
        if (rows.some((row) => row.key === entry.key)) continue;
        const row = { ...structuredClone(entry), seq: rows.length + 1 };
        rows.push(row);
        added.push(structuredClone(row));
      }
      return added;
    },
    async listCommissions(query: { partnerId?: string; afterSeq?: number; limit?: number } = {}) {
      store.lists++;
      return rows
        .filter(
          (row) =>
            row.seq > (query.afterSeq ?? 0) &&
            (query.partnerId === undefined || row.partnerId === query.partnerId),
        )
        .slice(0, query.limit ?? Number.POSITIVE_INFINITY)
        .map((row) => structuredClone(row));
    },
    async getCommission(key: string) {
      const row = rows.find((r) => r.key === key);
      return row ? structuredClone(row) : null;
    },
  };
  return store;
}

/** `store` with every call delayed, before and after it runs, by the fast-check scheduler `s`. */
export function scheduled<S extends LedgerStore>(store: S, s: fc.Scheduler): S {
  const delay = async <T>(label: string, call: () => Promise<T>): Promise<T> => {
    await s.schedule(Promise.resolve(), `${label} starts`);
    const result = await call();
    await s.schedule(Promise.resolve(), `${label} returns`);
    return result;
  };
  return {
    ...store,
    appendCommissions: (entries) => delay("append", () => store.appendCommissions(entries)),
    listCommissions: (query) => delay("list", () => store.listCommissions(query)),
    getCommission: (key) => delay("get", () => store.getCommission(key)),
  };
}
