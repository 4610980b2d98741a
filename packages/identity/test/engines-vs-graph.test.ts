/**
 * the resolver on SQLite and PostgreSQL against the pure graph (`replayIdentityGraph`) and
 * the memory engine, over random streams of links and erasures.
 */
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
  replayIdentityGraph,
} from "../src/index.js";
import { testPool } from "./postgres-pool.js";

interface Obs {
  keys: IdentityKey[];
  evidence: { source: string; observationId: string; at: number };
}
type Op = { type: "link"; obs: Obs } | { type: "forget"; key: IdentityKey };

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const UNIVERSE: IdentityKey[] = [
  ...["v0", "v1", "v2", "v3", "v4"].map((v) => k("anonymous_id", v)),
  ...["e0", "e1", "e2", "e3"].map((v) => k("email", `${v}@acme.io`)),
  k("email", "info@acme.io"),
  ...["c0", "c1", "c2"].map((v) => k("chargebee_customer_id", `cus_${v}`)),
  ...["k0", "k1", "k2"].map((v) => k("click_id", v)),
  k("external_id", "u0"),
  ...["0", "1"].map((v) => k("phone", `+1213373425${v}`)),
  k("affiliate_ref", "PARTNER"),
  k("affiliate_ref", "OTHER"),
];
const JUNK: IdentityKey[] = [
  k("anonymous_id", "null"),
  k("email", "test@test.com"),
  k("click_id", "undefined"),
];

const RULES: IdentityRulesInput = {
  kinds: {
    email: { limit: 2, hubThreshold: 4, anonymousIdHubThreshold: 3 },
    phone: { limit: 1, anonymousIdHubThreshold: 2 },
    anonymous_id: { hubThreshold: 3 },
    click_id: { hubThreshold: 2, anonymousIdHubThreshold: 2 },
  },
};

const obsArb = fc.record({
  keys: fc.uniqueArray(fc.constantFrom(...UNIVERSE, ...JUNK), { minLength: 1, maxLength: 4 }),
  at: fc.integer({ min: 0, max: 10 }),
  repeat: fc.nat(20),
});

const opsArb = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: obsArb.map((o) => ({ type: "link" as const, o })) },
      {
        weight: 1,
        arbitrary: fc.constantFrom(...UNIVERSE).map((key) => ({ type: "forget" as const, key })),
      },
    ),
    { minLength: 1, maxLength: 14 },
  )
  .map((list): Op[] => {
    const out: Op[] = [];
    const links: Obs[] = [];
    list.forEach((x, i) => {
      if (x.type === "forget") {
        out.push({ type: "forget", key: x.key });
        return;
      }
      // sometimes re-send an earlier observation exactly (a retry)
      const prev = links[x.o.repeat];
      const obs =
        x.o.repeat < 3 && prev !== undefined
          ? prev
          : { keys: x.o.keys, evidence: { source: "prop", observationId: `o${i}`, at: x.o.at } };
      links.push(obs);
      out.push({ type: "link", obs });
    });
    return out;
  });

const same = (a: IdentityKey, b: IdentityKey) => a.kind === b.kind && a.value === b.value;

/** The observations that remain after the stream, as the pure graph sees them. */
function remaining(ops: readonly Op[]): Obs[] {
  let list: Obs[] = [];
  for (const op of ops) {
    if (op.type === "link") {
      // the resolver rejects junk keys: the pure graph gets the observation without them
      const keys = op.obs.keys.filter((x) => !JUNK.some((j) => same(j, x)));
      if (keys.length > 0) list.push({ ...op.obs, keys });
    } else
      list = list
        .map((o) => ({ ...o, keys: o.keys.filter((x) => !same(x, op.key)) }))
        .filter((o) => o.keys.length > 0);
  }
  return list;
}

type Snap = Record<string, { id: string; createdAt: number; keys: string[] } | null>;
async function snapshot(identity: IdentityResolver, at?: number): Promise<Snap> {
  const out: Snap = {};
  for (const key of [...UNIVERSE, ...JUNK]) {
    const person =
      at === undefined ? await identity.resolve([key]) : await identity.resolveAt([key], at);
    out[`${key.kind}:${key.value}`] = person && {
      id: person.id,
      createdAt: person.createdAt,
      keys: person.keys.map((r) => `${r.key.kind}:${r.key.value}@${r.firstSeenAt}`).sort(),
    };
  }
  return out;
}
function expected(observations: readonly Obs[], until?: number): Snap {
  const graph = replayIdentityGraph(observations, RULES, until === undefined ? {} : { until });
  const persons = new Map(graph.persons().map((p) => [p.id, p]));
  const out: Snap = {};
  for (const key of [...UNIVERSE, ...JUNK]) {
    const id = graph.personOf(key);
    const person = id === null ? undefined : persons.get(id);
    out[`${key.kind}:${key.value}`] = person
      ? {
          id: person.id,
          createdAt: person.createdAt,
          keys: person.keys.map((r) => `${r.key.kind}:${r.key.value}@${r.firstSeenAt}`).sort(),
        }
      : null;
  }
  return out;
}

async function run(storage: IdentityStore, ops: readonly Op[]) {
  const identity = createIdentityResolver({ storage, rules: RULES });
  for (const op of ops) {
    if (op.type === "link") await identity.link(op.obs.keys, op.obs.evidence);
    else await identity.forget({ keys: [op.key] });
  }
  return identity;
}

const pool = testPool(4);
let schemaSeq = 0;
const schemas: string[] = [];
afterAll(async () => {
  for (const s of schemas) await pool.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  await pool.end();
});

const engines = {
  memory: async () => ({ storage: createMemoryStorage(), close: async () => {} }),
  sqlite: async () => {
    const storage = createSqliteStorage({ path: ":memory:" });
    await storage.migrate();
    return { storage, close: () => storage.close() };
  },
  postgres: async () => {
    const schema = `review_d_${process.pid}_${Date.now().toString(36)}_${schemaSeq++}`;
    schemas.push(schema);
    const storage = createPostgresStorage({ pool, schema });
    await storage.migrate();
    return { storage, close: () => storage.close() };
  },
} as const;

describe("resolver on every engine vs the pure graph", { timeout: 600_000 }, () => {
  for (const [name, make] of Object.entries(engines)) {
    it(`${name}: links, retries, junk, hubs, refs and erasures in the middle give the pure graph`, async () => {
      await fc.assert(
        fc.asyncProperty(opsArb, fc.integer({ min: -1, max: 10 }), async (ops, t) => {
          const { storage, close } = await make();
          try {
            const identity = await run(storage, ops);
            const rest = remaining(ops);
            expect(await snapshot(identity)).toEqual(expected(rest));
            expect(await snapshot(identity, t)).toEqual(expected(rest, t));
          } finally {
            await close();
          }
        }),
        { numRuns: Number(process.env.RUNS ?? (name === "postgres" ? 150 : 400)) },
      );
    });
  }
});

const linksOnly = (ops: readonly Op[]) => ops.flatMap((op) => (op.type === "link" ? [op.obs] : []));

describe("concurrent links", { timeout: 600_000 }, () => {
  for (const [name, make] of Object.entries(engines)) {
    it(`${name}: concurrent links from one resolver give the pure graph`, async () => {
      await fc.assert(
        fc.asyncProperty(opsArb, async (ops) => {
          const { storage, close } = await make();
          try {
            const identity = createIdentityResolver({ storage, rules: RULES });
            const obs = linksOnly(ops);
            await Promise.all(obs.map((o) => identity.link(o.keys, o.evidence)));
            expect(await snapshot(identity)).toEqual(
              expected(remaining(obs.map((o) => ({ type: "link", obs: o })))),
            );
          } finally {
            await close();
          }
        }),
        { numRuns: Number(process.env.RUNS ?? (name === "postgres" ? 60 : 200)) },
      );
    });
  }
});
