/**
 * One resolver, no concurrency: erasing a visitor un-hubs a phone, so a partner's ref (a follower)
 * now joins the phone's person. The visitor v1 the ref joined before is reached only through the ref
 * (followers do not widen a component), so the plan must not merge v1's person away on that partial
 * view: it loads v1 too, and `resolve(v1)` is v1 alone, with the pure graph's person id. Were v1's
 * old person marked merged into the phone's, v1's revenue would go to the phone's owner. Every engine.
 */
import type { IdentityKey, IdentityKeyKind, IdentityStore } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import {
  createIdentityResolver,
  type IdentityRulesInput,
  replayIdentityGraph,
} from "../src/index.js";
import { testPool } from "./postgres-pool.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const RULES: IdentityRulesInput = { kinds: { phone: { anonymousIdHubThreshold: 2 } } };
const phone = k("phone", "+12133734251");
const ref = k("affiliate_ref", "OTHER");
const [v0, v1, v2] = ["v0", "v1", "v2"].map((v) => k("anonymous_id", v)) as [
  IdentityKey,
  IdentityKey,
  IdentityKey,
];
const at = (observationId: string, t: number) => ({ source: "s", observationId, at: t });

const pool = testPool(2);
const schema = `review_d_follow_${process.pid}_${Date.now().toString(36)}`;
afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});
const engines: Record<string, () => Promise<IdentityStore & { close(): Promise<void> }>> = {
  memory: async () => createMemoryStorage(),
  sqlite: async () => {
    const s = createSqliteStorage({ path: ":memory:" });
    await s.migrate();
    return s;
  },
  postgres: async () => {
    const s = createPostgresStorage({ pool, schema });
    await s.migrate();
    return s;
  },
};

describe("forget() that un-hubs a key leaves every follower on its own person", () => {
  for (const [name, make] of Object.entries(engines)) {
    it(`${name}: resolve(v1) after forget(v0) is v1's own person, as the pure graph says`, async () => {
      const storage = await make();
      const identity = createIdentityResolver({ storage, rules: RULES });
      await identity.link([ref, phone], at("o0", 0));
      await identity.link([v0, phone, v2], at("o1", 0)); // phone: 2 visitors, a hub
      await identity.link([v1, ref], at("o2", 1)); // the ref joins v1
      await identity.forget({ keys: [v0] }); // phone: 1 visitor, no longer a hub
      const graph = replayIdentityGraph(
        [
          { keys: [ref, phone], evidence: at("o0", 0) },
          { keys: [phone, v2], evidence: at("o1", 0) },
          { keys: [v1, ref], evidence: at("o2", 1) },
        ],
        RULES,
      );
      const person = await identity.resolve([v1]);
      await storage.close();
      // observed: p_8aac… holding OTHER, v2 and the phone, not v1
      expect(person?.keys.map((r) => r.key.value)).toEqual(["v1"]);
      expect(person?.id).toBe(graph.personOf(v1));
    });
  }
});
