/**
 * the README ("Limits": one writer per storage) says two writers linking one component at
 * once "can interleave. The next link of that component repairs the result, because the edges (which
 * are append-only) are the truth." It does not: after two resolvers interleave, linking every
 * observation again leaves a person record merged away while its keys still point at it, so `resolve`
 * answers a person that does not hold the key (memory, SQLite) or `null` for known keys (PostgreSQL:
 * two person records merged into each other). `planIdentityChange` only writes a live person when no
 * stored key points at it (`!storedLive.has(id)`), so it never revives a record that is merged away.
 */
import type { IdentityKey, IdentityKeyKind, IdentityStore } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { afterAll, describe, expect, it } from "vitest";
import { createIdentityResolver, replayIdentityGraph } from "../src/index.js";
import { testPool } from "./postgres-pool.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
interface Obs {
  keys: IdentityKey[];
  evidence: { source: string; observationId: string; at: number };
}
const ob = (observationId: string, at: number, keys: IdentityKey[]): Obs => ({
  keys,
  evidence: { source: "s", observationId, at },
});

/** Two resolvers on one store link `obs` at once (alternating), then one links each again in turn. */
async function interleaveThenRepair(storage: IdentityStore, obs: readonly Obs[]) {
  const a = createIdentityResolver({ storage });
  const b = createIdentityResolver({ storage });
  await Promise.all(obs.map((o, i) => (i % 2 ? a : b).link(o.keys, o.evidence)));
  for (const o of obs) await a.link(o.keys, o.evidence);
  return a;
}

/** Each key's person as the pure graph has it, and as the resolver answers. */
async function compare(identity: ReturnType<typeof createIdentityResolver>, obs: readonly Obs[]) {
  const graph = replayIdentityGraph(obs);
  const persons = new Map(graph.persons().map((p) => [p.id, p]));
  const keys = [
    ...new Map(obs.flatMap((o) => o.keys).map((x) => [`${x.kind}:${x.value}`, x])).values(),
  ];
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const key of keys) {
    const name = `${key.kind}:${key.value}`;
    const p = await identity.resolve([key]);
    got[name] = p && { id: p.id, keys: p.keys.map((r) => r.key.value).sort() };
    const id = graph.personOf(key);
    const q = id === null ? undefined : persons.get(id);
    want[name] = q ? { id: q.id, keys: q.keys.map((r) => r.key.value).sort() } : null;
  }
  return { got, want };
}

const pool = testPool(4);
const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
});

describe("a link after two interleaved writers repairs the component", {
  timeout: 120_000,
}, () => {
  // o0: a visitor arrives with a partner's ref; o1 (later): an email seen with the same ref.
  const refCase = [
    ob("o0", 0, [k("affiliate_ref", "OTHER"), k("anonymous_id", "v0")]),
    ob("o1", 1, [k("email", "e2@acme.io"), k("affiliate_ref", "OTHER")]),
  ];

  it("memory: resolve(email) answers a person that holds the email (deterministic)", async () => {
    const identity = await interleaveThenRepair(createMemoryStorage(), refCase);
    const { got, want } = await compare(identity, refCase);
    // observed: email:e2@acme.io -> the person of v0 and OTHER, whose keys do not include e2
    expect(got).toEqual(want);
  });

  it("sqlite: resolve(email) answers a person that holds the email", async () => {
    let failures = 0;
    for (let i = 0; i < 10; i++) {
      const storage = createSqliteStorage({ path: ":memory:" });
      await storage.migrate();
      const { got, want } = await compare(await interleaveThenRepair(storage, refCase), refCase);
      if (JSON.stringify(got) !== JSON.stringify(want)) failures++;
      await storage.close();
    }
    expect(failures).toBe(0);
  });

  it("postgres: known visitors never resolve to null (no merge cycle between person records)", async () => {
    const anon = [
      ob("o0", 0, [k("anonymous_id", "v0")]),
      ob("o1", 0, [k("anonymous_id", "v4"), k("anonymous_id", "v0")]),
      ob("o0", 0, [k("anonymous_id", "v0")]),
      ob("o3", 10, [k("anonymous_id", "v0")]),
    ];
    let failures = 0;
    for (let i = 0; i < 20; i++) {
      const schema = `review_d_repair_${process.pid}_${Date.now().toString(36)}_${i}`;
      schemas.push(schema);
      const storage = createPostgresStorage({ pool, schema });
      await storage.migrate();
      const { got, want } = await compare(await interleaveThenRepair(storage, anon), anon);
      // observed in ~30 % of runs: both keys resolve to null; identity_persons holds p_X merged
      // into p_Y and p_Y merged into p_X, and linking every observation again leaves it so
      if (JSON.stringify(got) !== JSON.stringify(want)) failures++;
      await storage.close();
    }
    expect(failures).toBe(0);
  });
});
