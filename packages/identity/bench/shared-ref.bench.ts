/**
 * A partner's affiliate ref shared by many customers (synthetic): per-link cost of `resolver.link`
 * when 10,000 customers already carry the same `affiliate_ref`, against the same links when every
 * customer has a ref of its own (the baseline, same run, same engine). An `affiliate_ref` never
 * merges, so it must not widen a link's component: the target is a ratio within 2×.
 *
 * Each customer is one observation `[chargebee_customer_id, anonymous_id, affiliate_ref]`. The store
 * is filled with `CUSTOMERS` customers, then `LINKS` new customers are linked and timed. Memory and
 * SQLite (`:memory:`, the embedded default engine). `SHARED_REF_CUSTOMERS` and `SHARED_REF_LINKS`
 * (env vars) change the sizes.
 */
import { performance } from "node:perf_hooks";
import type { IdentityKey, IdentityStore } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { createIdentityResolver } from "../src/index.js";

const CUSTOMERS = Number(process.env.SHARED_REF_CUSTOMERS ?? 10_000);
const LINKS = Number(process.env.SHARED_REF_LINKS ?? 2_000);

const observation = (i: number, shared: boolean) => ({
  keys: [
    { kind: "chargebee_customer_id", value: `cus_${i}` },
    { kind: "anonymous_id", value: `v_${i}` },
    { kind: "affiliate_ref", value: shared ? "PARTNER" : `REF_${i}` },
  ] as IdentityKey[],
  evidence: { source: "bench", observationId: `o${i}`, at: 1_000 + i },
});

/** Microseconds per link of `LINKS` new customers after `CUSTOMERS` existing ones. */
async function perLink(storage: IdentityStore, shared: boolean): Promise<number> {
  const identity = createIdentityResolver({ storage });
  for (let i = 0; i < CUSTOMERS; i++) {
    const o = observation(i, shared);
    await identity.link(o.keys, o.evidence);
  }
  const start = performance.now();
  for (let i = CUSTOMERS; i < CUSTOMERS + LINKS; i++) {
    const o = observation(i, shared);
    await identity.link(o.keys, o.evidence);
  }
  return ((performance.now() - start) * 1000) / LINKS;
}

const engines: [string, () => Promise<IdentityStore & { close(): Promise<void> }>][] = [
  ["@revtrace/storage-memory", async () => createMemoryStorage()],
  [
    "@revtrace/storage-sqlite (:memory:)",
    async () => {
      const storage = createSqliteStorage({ path: ":memory:" });
      await storage.migrate();
      return storage;
    },
  ],
];

console.log(
  `Shared affiliate ref: ${CUSTOMERS.toLocaleString("en-US")} customers, then ${LINKS.toLocaleString("en-US")} timed links`,
);
for (const [name, open] of engines) {
  const unique = await open();
  const uniqueUs = await perLink(unique, false);
  await unique.close();
  const shared = await open();
  const sharedUs = await perLink(shared, true);
  await shared.close();
  console.log(
    `${name}: unique refs ${uniqueUs.toFixed(1)} µs/link (baseline), one shared ref ${sharedUs.toFixed(1)} µs/link = ${(sharedUs / uniqueUs).toFixed(2)}× the baseline (target ≤ 2×)`,
  );
}
