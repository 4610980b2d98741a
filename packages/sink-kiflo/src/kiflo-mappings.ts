/**
 * What the sink remembers, on any revtrace `MappingStore`, with a bounded in-memory cache in front:
 * Chargebee customer → Kiflo customer, email (hashed) → leads and deals, Chargebee transaction →
 * Kiflo transaction. Creates are guarded by claims: a claim is taken atomically before Kiflo is asked
 * to create anything, and replaced by the outcome (compare-and-set) in the same step that records it.
 * A claim whose holder died expires after `claimTtlMs`; whoever takes it over looks in Kiflo before
 * creating.
 *
 * @module
 */
import { createRecentMap, type MappingStore } from "@revtrace/core";
import {
  type Claim,
  type CustomerRecord,
  parseRecord,
  type TransactionRecord,
} from "./kiflo-mapper.js";

/** Namespaces of the sink's mappings. */
export const KIFLO_NAMESPACES = {
  customer: "kiflo:customer",
  transaction: "kiflo:transaction",
  leadsByEmail: "kiflo:leads-by-email",
  dealsByEmail: "kiflo:deals-by-email",
} as const;

type Namespace = (typeof KIFLO_NAMESPACES)[keyof typeof KIFLO_NAMESPACES];

/** The outcome of {@link KifloMappings.claim}. */
export type ClaimResult<R> =
  | { kind: "done"; record: R; raw: string }
  | { kind: "claimed"; raw: string; takenOver: boolean }
  | { kind: "busy"; retryAfterMs: number };

/** The sink's mappings. */
export interface KifloMappings {
  /** The final record of a key (cached), `null` when absent or only claimed. */
  record<R extends TransactionRecord | CustomerRecord>(
    ns: Namespace,
    key: string,
  ): Promise<{ record: R; raw: string } | null>;
  /** Ids stored for an email key (cached). */
  ids(ns: Namespace, key: string): Promise<number[] | null>;
  setIds(ns: Namespace, key: string, ids: readonly number[]): Promise<void>;
  /** Records a final value whatever was there (a lookup found it in Kiflo). */
  put(ns: Namespace, key: string, record: TransactionRecord | CustomerRecord): Promise<void>;
  /** Takes the claim of `key`, or says it is done or busy. */
  claim<R extends TransactionRecord | CustomerRecord>(
    ns: Namespace,
    key: string,
  ): Promise<ClaimResult<R>>;
  /** Replaces the claim (or a record) `raw` by `record`; `false` when `raw` is no longer there. */
  complete(
    ns: Namespace,
    key: string,
    raw: string,
    record: TransactionRecord | CustomerRecord,
  ): Promise<boolean>;
}

/** Creates the mappings of one sink instance (`owner` identifies its claims). */
export function createKifloMappings(
  store: MappingStore,
  options: { owner: string; claimTtlMs: number; cacheSize: number; now: () => number },
): KifloMappings {
  // values known to be final, the least recently used forgotten first
  const cache = createRecentMap<string, string>(options.cacheSize);
  const cacheKey = (ns: string, key: string) => `${ns}\u0000${key}`;
  const remember = (ns: string, key: string, raw: string) => cache.set(cacheKey(ns, key), raw);

  async function read(ns: string, key: string, fresh: boolean): Promise<string | null> {
    if (!fresh) {
      const hit = cache.get(cacheKey(ns, key));
      if (hit !== undefined) return hit;
    }
    const raw = await store.getMapping(ns, key);
    if (raw !== null && parseRecord(raw)?.state !== "claimed") remember(ns, key, raw);
    return raw;
  }

  return {
    async record<R extends TransactionRecord | CustomerRecord>(ns: Namespace, key: string) {
      const raw = await read(ns, key, false);
      const parsed = parseRecord(raw);
      if (raw === null || !parsed || parsed.state === "claimed") return null;
      return { record: parsed as R, raw };
    },
    async ids(ns, key) {
      const raw = await read(ns, key, false);
      if (raw === null) return null;
      try {
        const parsed: unknown = JSON.parse(raw);
        return Array.isArray(parsed) && parsed.every(Number.isSafeInteger) ? parsed : null;
      } catch {
        return null;
      }
    },
    async setIds(ns, key, ids) {
      const raw = JSON.stringify([...ids]);
      await store.putMapping(ns, key, raw);
      remember(ns, key, raw);
    },
    async put(ns, key, record) {
      const raw = JSON.stringify(record);
      await store.putMapping(ns, key, raw);
      remember(ns, key, raw);
    },
    async claim<R extends TransactionRecord | CustomerRecord>(
      ns: Namespace,
      key: string,
    ): Promise<ClaimResult<R>> {
      // A few rounds: each lost race means someone else moved the key on; re-read and decide again.
      for (let round = 0; round < 5; round++) {
        const raw = await read(ns, key, true);
        const at = options.now();
        const claim = JSON.stringify({
          state: "claimed",
          owner: options.owner,
          at,
        } satisfies Claim);
        if (raw === null) {
          if (await store.putMappingIfAbsent(ns, key, claim)) {
            return { kind: "claimed", raw: claim, takenOver: false };
          }
          continue;
        }
        const parsed = parseRecord(raw);
        if (parsed && parsed.state !== "claimed") {
          return { kind: "done", record: parsed as R, raw };
        }
        const held = parsed as Claim | null;
        const expiresAt = held ? held.at + options.claimTtlMs : 0;
        // Our own claim (a send of this instance that failed before recording: the caller serializes
        // sends per key), an expired one (its holder is presumed dead), or a value that is not ours.
        if (held === null || held.owner === options.owner || at >= expiresAt) {
          if (await store.replaceMapping(ns, key, raw, claim)) {
            return { kind: "claimed", raw: claim, takenOver: true };
          }
          continue;
        }
        return { kind: "busy", retryAfterMs: Math.max(1, expiresAt - at) };
      }
      return { kind: "busy", retryAfterMs: 1_000 };
    },
    async complete(ns, key, raw, record) {
      const next = JSON.stringify(record);
      const replaced = await store.replaceMapping(ns, key, raw, next);
      if (replaced) remember(ns, key, next);
      else cache.delete(cacheKey(ns, key));
      return replaced;
    },
  };
}
