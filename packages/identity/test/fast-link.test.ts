/**
 * The incremental link (`fast-link.ts`, on a store with `readLinkState`) against the replay (the same
 * memory store without it): over random sequences of links, in and out of time order, repeats and
 * erasures, under tight guards and hub thresholds, every call answers the same and the stores end
 * up holding the same records, persons, edges and refusals.
 */
import type { IdentityKey, IdentityKeyKind, Storage } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createIdentityResolver, type IdentityRulesInput } from "../src/index.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
/** A small universe, so random observations collide often. */
const UNIVERSE: IdentityKey[] = [
  ...["v0", "v1", "v2", "v3", "v4", "v5"].map((v) => k("anonymous_id", v)),
  ...["e0", "e1", "e2", "e3"].map((v) => k("email", `${v}@acme.io`)),
  k("email", "info@acme.io"),
  ...["c0", "c1", "c2"].map((v) => k("chargebee_customer_id", `cus_${v}`)),
  ...["k0", "k1", "k2"].map((v) => k("click_id", v)),
  k("external_id", "u0"),
  ...["0", "1"].map((v) => k("phone", `+1213373425${v}`)),
  k("affiliate_ref", "PARTNER"),
  k("affiliate_ref", "OTHER"),
];

/** Tight limits and thresholds so guards and hubs fire in small cases. */
const TIGHT: IdentityRulesInput = {
  kinds: {
    email: { limit: 2, hubThreshold: 4, anonymousIdHubThreshold: 3 },
    phone: { limit: 1, anonymousIdHubThreshold: 2 },
    anonymous_id: { hubThreshold: 3 },
    click_id: { hubThreshold: 2, anonymousIdHubThreshold: 2 },
  },
};

type Op =
  | { op: "link"; keys: IdentityKey[]; observationId: string; at: number }
  | { op: "forgetKeys"; keys: IdentityKey[] }
  | { op: "forgetPerson"; of: IdentityKey };

const opsArb = fc
  .array(
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc.record({
          op: fc.constant("link" as const),
          keys: fc.uniqueArray(fc.constantFrom(...UNIVERSE), { minLength: 1, maxLength: 4 }),
          // mostly in time order (the incremental case), sometimes backdated or repeated
          late: fc.integer({ min: 0, max: 3 }),
          repeat: fc.integer({ min: 0, max: 9 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant("forgetKeys" as const),
          keys: fc.uniqueArray(fc.constantFrom(...UNIVERSE), { minLength: 1, maxLength: 2 }),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constant("forgetPerson" as const),
          of: fc.constantFrom(...UNIVERSE),
        }),
      },
    ),
    { minLength: 1, maxLength: 30 },
  )
  .map((list): Op[] => {
    const out: Op[] = [];
    const links: Extract<Op, { op: "link" }>[] = [];
    for (const [i, o] of list.entries()) {
      if (o.op !== "link") {
        out.push(o);
        continue;
      }
      // repeat === 0: the same observation again (same id, keys and time)
      const previous = links[links.length - 1];
      if (o.repeat === 0 && previous) {
        out.push(previous);
        continue;
      }
      // late === 0: backdated, before the observations linked so far
      const at = o.late === 0 ? Math.floor(i / 2) : 100 + i * 2;
      const link = { op: "link" as const, keys: o.keys, observationId: `o${i}`, at };
      links.push(link);
      out.push(link);
    }
    return out;
  });

/** Everything the identity part of a store holds about the universe, comparable. */
async function contents(storage: Storage, personIds: ReadonlySet<string>) {
  const records = await storage.findKeys(UNIVERSE);
  const ids = [...new Set([...personIds, ...records.map((r) => r.personId)])].sort();
  const persons = await Promise.all(ids.map((id) => storage.getPerson(id)));
  const refusals = await Promise.all(ids.map((id) => storage.listRefusals(id)));
  const members = await Promise.all(ids.map((id) => storage.listPersonKeys(id)));
  const sortBy = <T>(list: T[], f: (x: T) => string) =>
    [...list].sort((a, b) => (f(a) < f(b) ? -1 : f(a) > f(b) ? 1 : 0));
  const edgeId = (e: { a: IdentityKey; b: IdentityKey; evidence: { observationId: string } }) =>
    `${e.a.kind}:${e.a.value}|${e.b.kind}:${e.b.value}|${e.evidence.observationId}`;
  return {
    records: sortBy(records, (r) => `${r.key.kind}:${r.key.value}`),
    persons,
    members: members.map((list) => sortBy(list, (r) => `${r.key.kind}:${r.key.value}`)),
    refusals: refusals.map((list) => sortBy(list, (r) => JSON.stringify(r))),
    edges: sortBy(await storage.listEdges(UNIVERSE), edgeId),
  };
}

/** Runs `ops` on a resolver over `storage`, returning each answer (or error message). */
async function run(storage: Storage, rules: IdentityRulesInput, ops: readonly Op[]) {
  // a fixed clock: splits date their stored persons with it
  const identity = createIdentityResolver({ storage, rules, now: () => 1_000_000 });
  const answers: unknown[] = [];
  const personIds = new Set<string>();
  for (const op of ops) {
    try {
      if (op.op === "link") {
        const result = await identity.link(op.keys, {
          source: "prop",
          observationId: op.observationId,
          at: op.at,
        });
        for (const id of result.personIds) personIds.add(id);
        for (const m of result.merges) personIds.add(m.absorbed);
        answers.push(result);
      } else if (op.op === "forgetKeys") {
        answers.push(await identity.forget({ keys: op.keys }));
      } else {
        const person = await identity.resolve([op.of]);
        answers.push(person && (await identity.forget({ personId: person.id })));
      }
    } catch (error) {
      answers.push(`error: ${(error as Error).message}`);
    }
    answers.push(await contents(storage, personIds));
  }
  return answers;
}

/** A memory storage without `readLinkState`: every link replays its component. */
function replaying(): Storage {
  const storage = createMemoryStorage();
  delete storage.readLinkState;
  return storage;
}

/** A memory storage counting the answers of `readLinkState` that let a link go incremental. */
function counting(counter: { answered: number }): Storage {
  const storage = createMemoryStorage();
  const read = storage.readLinkState?.bind(storage);
  if (!read) throw new Error("the memory storage implements readLinkState");
  storage.readLinkState = async (keys, query) => {
    const state = await read(keys, query);
    if (state) counter.answered++;
    return state;
  };
  return storage;
}

describe("the incremental link", () => {
  for (const [name, rules] of [
    ["tight guards and hub thresholds", TIGHT],
    ["default rules", {}],
  ] as const) {
    it(`answers and stores exactly what the replay does (${name}; property)`, {
      timeout: 120_000,
    }, async () => {
      const counter = { answered: 0 };
      await fc.assert(
        fc.asyncProperty(opsArb, async (ops) => {
          const fast = await run(counting(counter), rules, ops);
          const replay = await run(replaying(), rules, ops);
          expect(fast).toEqual(replay);
        }),
        { numRuns: Number(process.env.FAST_LINK_RUNS ?? 300) },
      );
      // the property ran the incremental path, not only its fallbacks
      expect(counter.answered).toBeGreaterThan(300);
    });
  }

  it("is not taken once a write carried other rules (or none)", async () => {
    const storage = createMemoryStorage();
    const strict = createIdentityResolver({ storage, rules: TIGHT });
    const loose = createIdentityResolver({ storage });
    const reads: (object | null)[] = [];
    const read = storage.readLinkState?.bind(storage);
    storage.readLinkState = async (keys, query) => {
      const state = (await read?.(keys, query)) ?? null;
      reads.push(state);
      return state;
    };
    await strict.link([k("email", "a@acme.io"), k("anonymous_id", "v1")], {
      source: "t",
      observationId: "o1",
      at: 1,
    });
    await strict.link([k("email", "a@acme.io")], { source: "t", observationId: "o2", at: 2 });
    expect(reads.map((r) => r !== null)).toEqual([true, true]);
    // another resolver's rules: the persons may no longer be what a replay under TIGHT gives
    await loose.link([k("email", "b@acme.io")], { source: "t", observationId: "o3", at: 3 });
    await strict.link([k("email", "a@acme.io")], { source: "t", observationId: "o4", at: 4 });
    expect(reads.map((r) => r !== null)).toEqual([true, true, false, false]);
  });

  it("is not taken after a write without a rules tag", async () => {
    const storage = createMemoryStorage();
    const identity = createIdentityResolver({ storage });
    await storage.applyIdentityChange({});
    const state = await storage.readLinkState?.([k("email", "a@acme.io")], {
      rules: "x",
      observationId: "o1",
      neighboursFrom: [0],
      maxKeys: 10,
    });
    expect(state).toBeNull();
    const result = await identity.link([k("email", "a@acme.io")], {
      source: "t",
      observationId: "o1",
      at: 1,
    });
    expect(result.personId).not.toBeNull();
  });
});
