/**
 * Deliberately broken storage engines: the memory engine with one defect each, wrapped. The
 * conformance suite must fail on every one of them (`conformance-catches.test.ts` checks it); a
 * faithful wrapper (no defect) must pass it, so a failure is the defect's and not the wrapper's.
 *
 * Each engine names the suite's tests that must catch its defect (full names below the
 * `storage conformance: <name>` block, suites joined by ` > `): if the suite stops catching it, the meta-test fails.
 *
 * @module
 */
import type { OutboxItem, Storage, StoredCommission } from "@revtrace/core";
import type { StorageConformanceOptions } from "@revtrace/testing/storage";
import { createMemoryStorage } from "../src/index.js";

/** One broken engine: how it breaks the memory engine, and the tests that must catch it. */
export interface BrokenEngine {
  /** Methods replacing the memory engine's, given the engine they wrap. */
  readonly breaks: (inner: Storage) => Partial<Storage>;
  /** Tests (full name below the suite's block) that must fail for this engine. */
  readonly caughtBy: readonly string[];
  /** Options of the suite for this engine (a short timeout where the defect is a hang). */
  readonly options?: StorageConformanceOptions;
}

/** The memory engine with the methods `breaks` returns in place of its own (every other one as it is). */
export function wrapMemory(breaks: BrokenEngine["breaks"]): Storage {
  const inner = createMemoryStorage();
  return { ...inner, ...breaks(inner) };
}

export const brokenEngines: Record<string, BrokenEngine> = {
  // An acknowledged write that is not stored: the last touchpoint of a batch is dropped.
  "lost touchpoint write": {
    breaks: (inner) => ({
      addTouchpoints: (touchpoints) =>
        inner.addTouchpoints(touchpoints.length > 1 ? touchpoints.slice(0, -1) : touchpoints),
    }),
    caughtBy: [
      "touchpoints > returns at most `limit` rows, the earliest first, and 1000 by default",
      "touchpoints > orders by time, then id in binary order, across visitors and insertion order",
    ],
  },
  // The ledger answers with every entry but does not store the last one of a batch.
  "lost ledger write": {
    breaks: (inner) => ({
      async appendCommissions(entries) {
        if (entries.length < 2) return inner.appendCommissions(entries);
        const stored = await inner.appendCommissions(entries.slice(0, -1));
        const last = entries.at(-1) as StoredCommission;
        const seq = (stored.at(-1)?.seq ?? 0) + 1;
        return [...stored, { ...JSON.parse(JSON.stringify(last)), seq }];
      },
    }),
    caughtBy: [
      "commission ledger > appends with gapless seqs in order and skips known keys, even when changed",
    ],
  },
  // Dedupe that accepts a repeat: every claim of a receipt key wins.
  "duplicate receipt accept": {
    breaks: (inner) => ({
      claimReceipt: async (receipt) => {
        await inner.claimReceipt(receipt);
        return true;
      },
    }),
    caughtBy: [
      "receipts > lets the first claim of a key win and keeps the first receipt",
      "receipts > has exactly one winner among concurrent claims of one key",
    ],
  },
  // An inbox that reports a redelivered event as new (its work is enqueued again if new).
  "duplicate ingest accept": {
    breaks: (inner) => ({
      ingest: async (event, work) => {
        await inner.ingest(event, work);
        return { duplicate: false };
      },
    }),
    caughtBy: [
      "inbox > has exactly one winner among concurrent ingests of one key; only its work is enqueued",
    ],
  },
  // Concurrent claimers of one sink share one answer: an item is handed to two workers.
  "duplicate outbox claim": {
    breaks: (inner) => {
      const pending = new Map<string, Promise<OutboxItem[]>>();
      return {
        claim(query) {
          const shared = pending.get(query.sink);
          if (shared) return shared;
          const claimed = inner.claim(query).finally(() => pending.delete(query.sink));
          pending.set(query.sink, claimed);
          return claimed;
        },
      };
    },
    caughtBy: ["outbox > never gives one item to two concurrent claimers"],
  },
  // A lease that expired and was reclaimed by another worker still settles the item: the engine
  // accepts any token it ever handed out for the item.
  "stale lease that still settles": {
    breaks: (inner) => {
      const current = new Map<string, string>();
      const issued = new Map<string, Set<string>>();
      const token = (id: string, leaseToken: string) =>
        issued.get(id)?.has(leaseToken) ? (current.get(id) ?? leaseToken) : leaseToken;
      return {
        async claim(query) {
          const items = await inner.claim(query);
          for (const item of items) {
            const lease = item.leaseToken as string;
            current.set(item.id, lease);
            issued.set(item.id, (issued.get(item.id) ?? new Set()).add(lease));
          }
          return items;
        },
        ack: (id, leaseToken, now) => inner.ack(id, token(id, leaseToken), now),
        retry: (id, leaseToken, failure) => inner.retry(id, token(id, leaseToken), failure),
        deadLetter: (id, leaseToken, failure) =>
          inner.deadLetter(id, token(id, leaseToken), failure),
      };
    },
    caughtBy: [
      "outbox > reclaims an expired lease with a new token; the lost lease can no longer settle",
    ],
  },
  // Batches written entry by entry: the entries before a failing one stay written.
  "non-atomic batch": {
    breaks: (inner) => {
      /** Writes each entry alone, then fails with the first entry's error, if any. */
      const oneByOne = async <T, R>(entries: readonly T[], write: (entry: T) => Promise<R>) => {
        const results: R[] = [];
        let failure: unknown;
        for (const entry of entries) {
          try {
            results.push(await write(entry));
          } catch (error) {
            failure ??= error;
          }
        }
        if (failure !== undefined) throw failure;
        return results;
      };
      return {
        enqueue: async (items, now) =>
          (await oneByOne(items, (item) => inner.enqueue([item], now))).reduce((a, b) => a + b, 0),
        addTouchpoints: async (touchpoints) => {
          await oneByOne(touchpoints, (tp) => inner.addTouchpoints([tp]));
        },
        appendCommissions: async (entries) =>
          (await oneByOne(entries, (entry) => inner.appendCommissions([entry]))).flat(),
        // The event is stored first, its work enqueued after: failing work leaves the event.
        ingest: async (event, work) => {
          const result = await inner.ingest(event, []);
          if (!result.duplicate) await inner.enqueue(work, event.receivedAt);
          return result;
        },
      };
    },
    caughtBy: [
      "atomic batches > a failing batch writes nothing",
      "inbox > a failed ingest writes nothing: no claim, no event, no work, no duplicate count",
    ],
  },
  // The staleness rule broken: an equal version (the same state) answered as stale.
  "equal resource version called stale": {
    breaks: (inner) => ({
      async advanceResourceVersion(type, id, version) {
        const stored = await inner.getResourceVersion(type, id);
        if (stored === version) return false;
        return inner.advanceResourceVersion(type, id, version);
      },
    }),
    caughtBy: [
      "resource versions > advances only forward, per resource type and id; unknown is null",
    ],
  },
  // close() that strands the calls in flight: they never settle (a webhook never answered).
  "close() that strands calls in flight": {
    breaks: (inner) => {
      let closing = false;
      const strand =
        <A extends unknown[], R>(call: (...args: A) => Promise<R>) =>
        (...args: A): Promise<R> =>
          call(...args).then((value) => (closing ? new Promise<R>(() => {}) : value));
      return {
        claimReceipt: strand(inner.claimReceipt),
        ingest: strand(inner.ingest),
        enqueue: strand(inner.enqueue),
        appendCommissions: strand(inner.appendCommissions),
        getReceipt: strand(inner.getReceipt),
        close() {
          closing = true;
          return inner.close();
        },
      };
    },
    caughtBy: ["lifecycle > close() in the same tick as calls in flight lets each of them settle"],
    // The suite waits half the test timeout for a call to settle: 1 s here, not 10.
    options: { timeoutMs: 2_000 },
  },
};
