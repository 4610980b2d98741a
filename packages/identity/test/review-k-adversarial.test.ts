/**
 * Adversarial streams through the resolver's public API on every engine (memory, SQLite file,
 * PostgreSQL): shuffled arrival orders with retries, equal timestamps, evidence at the ends of the
 * time range, spelling variants of one email or phone (case, NFKC, spaces, national formats), chains
 * of persons joined by late observations, erasure then re-link, and a hub email shared by hundreds
 * of visitors before a real customer. The oracle is the same stream linked in order on the memory
 * engine, and `replayIdentityGraph` over the normalized keys. Synthetic data.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { IdentityKey, IdentityKeyKind, IdentityStore } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  createIdentityResolver,
  type IdentityResolver,
  type IdentityRulesInput,
  normalizeIdentityKey,
  replayIdentityGraph,
} from "../src/index.js";
import { testPool } from "./postgres-pool.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const RULES: IdentityRulesInput = {
  phone: { defaultCountry: "US" },
  kinds: { email: { limit: 2, anonymousIdHubThreshold: 4 }, anonymous_id: { hubThreshold: 3 } },
};

/** Spellings of the same keys: every entry of a group normalizes to the group's first. */
const SPELLINGS: IdentityKey[][] = [
  [k("email", "jane@acme.io"), k("email", " Jane@ACME.io "), k("email", "ｊａｎｅ@ａｃｍｅ.io")],
  [k("email", "bob@acme.io"), k("email", "BOB@acme.IO"), k("email", "bob@acme.io\u200b")],
  [k("phone", "+12133734253"), k("phone", "(213) 373-4253"), k("phone", "+1 213.373.4253")],
  [k("phone", "+12133734254"), k("phone", "213 373 4254")],
  [k("chargebee_customer_id", "cus_A")],
  [k("chargebee_customer_id", "cus_B")],
  [k("click_id", "clk_1")],
  [k("affiliate_ref", "PARTNER")],
  ...["v0", "v1", "v2", "v3", "v4", "v5"].map((v) => [k("anonymous_id", v)]),
];
const CANON = SPELLINGS.map((g) => g[0] as IdentityKey);
/** The same keys, reversed and each spelled as the `n`-th variant of its group. */
const respell = (keys: readonly IdentityKey[], n: number): IdentityKey[] =>
  keys
    .map((key) => {
      const group = SPELLINGS.find((g) => g.includes(key)) as IdentityKey[];
      return group[(n + 1) % group.length] as IdentityKey;
    })
    .reverse();
const TIMES = [-8.64e15, -1, 0, 0, 1, 1_700_000_000_000, 1_700_000_000_000, 8.64e15];

interface Obs {
  keys: IdentityKey[];
  evidence: { source: string; observationId: string; at: number };
}

const obsArb = fc.record({
  groups: fc.uniqueArray(fc.nat(SPELLINGS.length - 1), { minLength: 1, maxLength: 4 }),
  spelling: fc.nat(2),
  at: fc.constantFrom(...TIMES),
});
const streamArb = fc.array(obsArb, { minLength: 1, maxLength: 12 }).map((list): Obs[] =>
  list.map((o, i) => ({
    keys: o.groups.map((g) => {
      const group = SPELLINGS[g] as IdentityKey[];
      return group[o.spelling % group.length] as IdentityKey;
    }),
    evidence: { source: i % 2 ? "form" : "chargebee", observationId: `o${i}`, at: o.at },
  })),
);
const scenarioArb = streamArb.chain((obs) =>
  fc
    .tuple(
      fc.shuffledSubarray(obs, { minLength: obs.length, maxLength: obs.length }),
      fc.array(fc.nat(), { maxLength: 4 }),
    )
    .map(([shuffled, dups]) => {
      const noisy = shuffled.slice();
      for (const d of dups) {
        const again = obs[d % obs.length];
        // a retry, its keys in another order and spelled another way
        if (again)
          noisy.splice(d % (noisy.length + 1), 0, { ...again, keys: respell(again.keys, d) });
      }
      return { obs, noisy };
    }),
);

/** A scenario the property once failed on (see its test). */
const TWO_WRITERS_CREATED_AT = JSON.parse(
  readFileSync(new URL("./fixtures/two-writers-created-at.json", import.meta.url), "utf8"),
) as { obs: Obs[]; noisy: Obs[] };

const pool = testPool(4);
const schemas: string[] = [];
const dirs: string[] = [];
let seq = 0;
afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const engines: Record<string, () => Promise<{ storage: IdentityStore; close(): Promise<void> }>> = {
  memory: async () => ({ storage: createMemoryStorage(), close: async () => {} }),
  sqlite: async () => {
    const dir = mkdtempSync(join(tmpdir(), "review-k-identity-"));
    dirs.push(dir);
    const storage = createSqliteStorage({ path: join(dir, "id.db") });
    await storage.migrate();
    return { storage, close: () => storage.close() };
  },
  postgres: async () => {
    const schema = `review_k_id_${process.pid}_${Date.now().toString(36)}_${seq++}`;
    schemas.push(schema);
    const storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    return { storage, close: () => storage.close() };
  },
};

type Snap = Record<string, { id: string; createdAt: number; keys: string[] } | null>;
async function snapshot(identity: IdentityResolver): Promise<Snap> {
  const out: Snap = {};
  for (const [i, group] of SPELLINGS.entries())
    for (const key of group) {
      const person = await identity.resolve([key]);
      out[`${i}:${key.kind}:${key.value}`] = person && {
        id: person.id,
        createdAt: person.createdAt,
        keys: person.keys.map((r) => `${r.key.kind}:${r.key.value}@${r.firstSeenAt}`).sort(),
      };
    }
  return out;
}
/** The pure graph over the normalized keys, resolved the way the snapshot is. */
function expected(observations: readonly Obs[]): Snap {
  const normalized = observations.map((o) => ({
    ...o,
    keys: o.keys.map((key) => {
      const r = normalizeIdentityKey(key, RULES);
      if (!r.ok) throw new Error(`fixture key rejected: ${r.reason}`);
      return r.key;
    }),
  }));
  const graph = replayIdentityGraph(normalized, RULES);
  const persons = new Map(graph.persons().map((p) => [p.id, p]));
  const out: Snap = {};
  for (const [i, group] of SPELLINGS.entries())
    for (const key of group) {
      const id = graph.personOf(CANON[i] as IdentityKey);
      const p = id === null ? undefined : persons.get(id);
      out[`${i}:${key.kind}:${key.value}`] = p
        ? {
            id: p.id,
            createdAt: p.createdAt,
            keys: p.keys.map((r) => `${r.key.kind}:${r.key.value}@${r.firstSeenAt}`).sort(),
          }
        : null;
    }
  return out;
}

describe("review-k: adversarial identity streams on every engine", { timeout: 600_000 }, () => {
  for (const [name, make] of Object.entries(engines)) {
    it(`${name}: shuffled spellings, retries, equal and extreme times give the pure graph`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ obs, noisy }) => {
          const { storage, close } = await make();
          try {
            const identity = createIdentityResolver({ storage, rules: RULES });
            for (const o of noisy) await identity.link(o.keys, o.evidence);
            expect(await snapshot(identity)).toEqual(expected(obs));
          } finally {
            await close();
          }
        }),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 200 : 40)) },
      );
    });

    it(`${name}: erasing a key then linking everything again gives the pure graph`, async () => {
      await fc.assert(
        fc.asyncProperty(
          scenarioArb,
          fc.nat(SPELLINGS.length - 1),
          fc.nat(2),
          async ({ obs, noisy }, g, s) => {
            const { storage, close } = await make();
            try {
              const identity = createIdentityResolver({ storage, rules: RULES });
              for (const o of noisy) await identity.link(o.keys, o.evidence);
              const group = SPELLINGS[g] as IdentityKey[];
              const person = await identity.resolve([group[s % group.length] as IdentityKey]);
              if (person) await identity.forget({ personId: person.id });
              else await identity.forget({ keys: [group[s % group.length] as IdentityKey] });
              for (const o of obs) await identity.link(o.keys, o.evidence);
              expect(await snapshot(identity)).toEqual(expected(obs));
            } finally {
              await close();
            }
          },
        ),
        { numRuns: Number(process.env.RUNS ?? (name === "memory" ? 150 : 25)) },
      );
    });

    it(`${name}: an email shared by 500 visitors, then a real customer, merges no visitor`, async () => {
      const { storage, close } = await make();
      try {
        const identity = createIdentityResolver({ storage });
        const shared = k("email", "team@acme.io");
        const all: Obs[] = [];
        for (let i = 0; i < 500; i++)
          all.push({
            keys: [k("anonymous_id", `hub_v${i}`), shared],
            evidence: { source: "form", observationId: `f${i}`, at: 1_000 + (i % 7) },
          });
        const buy: Obs = {
          keys: [k("chargebee_customer_id", "cus_real"), shared, k("anonymous_id", "hub_real")],
          evidence: { source: "chargebee", observationId: "ev_1", at: 2_000 },
        };
        all.push(buy);
        for (const o of all) await identity.link(o.keys, o.evidence);
        const customer = await identity.resolve([k("chargebee_customer_id", "cus_real")]);
        const visitor = await identity.resolve([k("anonymous_id", "hub_v3")]);
        expect(customer?.keys.map((r) => r.key.value).sort()).toEqual(["cus_real", "hub_real"]);
        expect(visitor?.keys.map((r) => r.key.value)).toEqual(["hub_v3"]);
        const graph = replayIdentityGraph(all);
        expect(customer?.id).toBe(graph.personOf(k("chargebee_customer_id", "cus_real")));
        expect(visitor?.id).toBe(graph.personOf(k("anonymous_id", "hub_v3")));
      } finally {
        await close();
      }
    });

    it(`${name}: two resolvers linking at once, then one relinking everything, give the pure graph`, async () => {
      await fc.assert(
        fc.asyncProperty(scenarioArb, async ({ obs, noisy }) => {
          const { storage, close } = await make();
          try {
            const [a, b] = [0, 1].map(() => createIdentityResolver({ storage, rules: RULES }));
            await Promise.all(
              [a, b].map(async (r, side) => {
                for (const [i, o] of noisy.entries())
                  if (i % 2 === side) await r?.link(o.keys, o.evidence);
              }),
            );
            // the edges are the truth: the next link of each component repairs it
            const c = createIdentityResolver({ storage, rules: RULES });
            for (const o of obs) await c.link(o.keys, o.evidence);
            expect(await snapshot(c)).toEqual(expected(obs));
          } finally {
            await close();
          }
        }),
        {
          numRuns: Number(process.env.RUNS ?? (name === "memory" ? 150 : 25)),
          // found by CI on 2026-12-08 (seed -1988990407): one writer's stale read left a person's
          // `createdAt` at 1.7e12 where its keys were seen at 0, and relinking never repaired it
          examples: [[TWO_WRITERS_CREATED_AT]],
        },
      );
    });
  }
});
