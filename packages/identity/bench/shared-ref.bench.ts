/**
 * A partner's affiliate ref shared by many customers (synthetic): per-link cost of `resolver.link`
 * when 10,000 customers already carry the same `affiliate_ref`, against the same links when every
 * customer has a ref of its own (the baseline, same run, same engine). An `affiliate_ref` never
 * merges, so it must not widen a link's component: the target is a ratio within 2×.
 *
 * Each customer is one observation `[chargebee_customer_id, anonymous_id, affiliate_ref]`. Both
 * stores are filled with `CUSTOMERS` customers, then `LINKS` new customers are linked and timed, in
 * alternating rounds (unique, shared, unique, …) so that the machine's load touches both alike. Memory and
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

/** A resolver on `storage` holding `CUSTOMERS` customers already. */
async function filled(storage: IdentityStore, shared: boolean) {
  const identity = createIdentityResolver({ storage });
  for (let i = 0; i < CUSTOMERS; i++) {
    const o = observation(i, shared);
    await identity.link(o.keys, o.evidence);
  }
  return identity;
}

/** Microseconds of linking customers `from` to `to` (new ones). */
async function timeLinks(
  identity: ReturnType<typeof createIdentityResolver>,
  shared: boolean,
  from: number,
  to: number,
) {
  const start = performance.now();
  for (let i = from; i < to; i++) {
    const o = observation(i, shared);
    await identity.link(o.keys, o.evidence);
  }
  return (performance.now() - start) * 1000;
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
  const uniqueStore = await open();
  const sharedStore = await open();
  const unique = await filled(uniqueStore, false);
  const shared = await filled(sharedStore, true);
  // alternating rounds, so that a change of machine load touches both sides alike
  const ROUNDS = 10;
  const per = Math.ceil(LINKS / ROUNDS);
  let uniqueUs = 0;
  let sharedUs = 0;
  for (let r = 0, from = CUSTOMERS; r < ROUNDS; r++, from += per) {
    uniqueUs += await timeLinks(unique, false, from, from + per);
    sharedUs += await timeLinks(shared, true, from, from + per);
  }
  uniqueUs /= per * ROUNDS;
  sharedUs /= per * ROUNDS;
  await uniqueStore.close();
  await sharedStore.close();
  console.log(
    `${name}: unique refs ${uniqueUs.toFixed(1)} µs/link (baseline), one shared ref ${sharedUs.toFixed(1)} µs/link = ${(sharedUs / uniqueUs).toFixed(2)}× the baseline (target ≤ 2×)`,
  );
}
