/**
 * Property tests of the resolver on the memory storage: order independence, guards, junk, idempotence,
 * time travel and erasure, each against an independent expectation.
 */
import type { IdentityKey, IdentityKeyKind } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  BUILT_IN_JUNK_IDS,
  createIdentityResolver,
  createKeyNormalizer,
  type IdentityResolver,
  type IdentityRulesInput,
  replayIdentityGraph,
  resolveIdentityRules,
} from "../src/index.js";

interface Obs {
  keys: IdentityKey[];
  evidence: { source: string; observationId: string; at: number };
}

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
/** A small universe, so random observations collide often. */
const UNIVERSE: IdentityKey[] = [
  ...["v0", "v1", "v2", "v3", "v4", "v5"].map((v) => k("anonymous_id", v)),
  ...["e0", "e1", "e2", "e3", "e4"].map((v) => k("email", `${v}@acme.io`)),
  k("email", "info@acme.io"),
  ...["c0", "c1", "c2", "c3"].map((v) => k("chargebee_customer_id", `cus_${v}`)),
  ...["k0", "k1", "k2", "k3"].map((v) => k("click_id", v)),
  ...["u0", "u1"].map((v) => k("external_id", v)),
  ...["0", "1", "2"].map((v) => k("phone", `+1213373425${v}`)),
  k("affiliate_ref", "PARTNER"),
];

/** Tight limits and thresholds so guards and hubs fire in small cases. */
const RULES: IdentityRulesInput = {
  kinds: {
    email: { limit: 2, hubThreshold: 4, anonymousIdHubThreshold: 3 },
    phone: { limit: 1, anonymousIdHubThreshold: 2 },
    anonymous_id: { hubThreshold: 3 },
    click_id: { hubThreshold: 2, anonymousIdHubThreshold: 2 },
  },
};

const observationsArb = fc
  .array(
    fc.record({
      keys: fc.uniqueArray(fc.constantFrom(...UNIVERSE), { minLength: 1, maxLength: 4 }),
      at: fc.integer({ min: 0, max: 12 }),
    }),
    { minLength: 1, maxLength: 14 },
  )
  .map((list): Obs[] =>
    list.map((o, i) => ({
      keys: o.keys,
      evidence: { source: "prop", observationId: `o${i}`, at: o.at },
    })),
  );

const resolver = (rules: IdentityRulesInput = RULES) => {
  const storage = createMemoryStorage();
  return { storage, identity: createIdentityResolver({ storage, rules }) };
};

async function linkAll(identity: IdentityResolver, observations: readonly Obs[]) {
  for (const o of observations) await identity.link(o.keys, o.evidence);
}

/** Every key's person (id and keys), as a comparable value. */
async function snapshot(identity: IdentityResolver, keys: readonly IdentityKey[] = UNIVERSE) {
  const out: Record<string, { id: string; createdAt: number; keys: string[] } | null> = {};
  for (const key of keys) {
    const person = await identity.resolve([key]);
    out[`${key.kind}:${key.value}`] = person && {
      id: person.id,
      createdAt: person.createdAt,
      keys: person.keys.map((r) => `${r.key.kind}:${r.key.value}@${r.firstSeenAt}`),
    };
  }
  return out;
}

/** The same partition computed by the pure in-memory graph. */
function expectedSnapshot(observations: readonly Obs[], keys: readonly IdentityKey[] = UNIVERSE) {
  const graph = replayIdentityGraph(observations, RULES);
  const persons = new Map(graph.persons().map((p) => [p.id, p]));
  const out: Record<string, { id: string; createdAt: number; keys: string[] } | null> = {};
  for (const key of keys) {
    const id = graph.personOf(key);
    const person = id === null ? undefined : persons.get(id);
    out[`${key.kind}:${key.value}`] = person
      ? {
          id: person.id,
          createdAt: person.createdAt,
          keys: person.keys.map((r) => `${r.key.kind}:${r.key.value}@${r.firstSeenAt}`),
        }
      : null;
  }
  return out;
}

const permutation = (n: number) =>
  fc.shuffledSubarray(
    Array.from({ length: n }, (_, i) => i),
    { minLength: n, maxLength: n },
  );

// fast-check runs many cases per test: allow more than the default 5 s on a shared machine.
describe("identity resolver properties", { timeout: 60_000 }, () => {
  it("order independence: any arrival order gives the same persons and ids as the pure graph", async () => {
    await fc.assert(
      fc.asyncProperty(
        observationsArb.chain((obs) => fc.tuple(fc.constant(obs), permutation(obs.length))),
        async ([observations, order]) => {
          const a = resolver().identity;
          await linkAll(a, observations);
          const b = resolver().identity;
          await linkAll(
            b,
            order.map((i) => observations[i] as Obs),
          );
          const expected = expectedSnapshot(observations);
          expect(await snapshot(a)).toEqual(expected);
          expect(await snapshot(b)).toEqual(expected);
        },
      ),
      { numRuns: 150 },
    );
  });

  it("shared affiliate refs (followers): any arrival order gives the pure graph's persons and resolveAt", async () => {
    const refs = ["R1", "R2"].map((v) => k("affiliate_ref", v));
    const people = [0, 1, 2, 3, 4, 5].map((i) => [
      k("chargebee_customer_id", `cus_${i}`),
      k("anonymous_id", `v${i}`),
    ]);
    const keyArb = fc.constantFrom(
      ...refs,
      ...people.flat(),
      k("email", "shared@acme.io"),
      k("email", "info@acme.io"),
    );
    const obsArb = fc
      .array(
        fc.record({
          keys: fc.uniqueArray(keyArb, { minLength: 1, maxLength: 3 }),
          ref: fc.option(fc.constantFrom(...refs), { nil: undefined }),
          at: fc.integer({ min: 0, max: 8 }),
        }),
        { minLength: 1, maxLength: 16 },
      )
      .map((list): Obs[] =>
        list.map((o, i) => ({
          keys:
            o.ref && !o.keys.some((x) => x.value === o.ref?.value) ? [...o.keys, o.ref] : o.keys,
          evidence: { source: "prop", observationId: `o${i}`, at: o.at },
        })),
      );
    const universe = [...refs, ...people.flat(), k("email", "shared@acme.io")];
    await fc.assert(
      fc.asyncProperty(
        obsArb.chain((obs) => fc.tuple(fc.constant(obs), permutation(obs.length))),
        fc.integer({ min: 0, max: 8 }),
        async ([observations, order], t) => {
          const { identity } = resolver();
          await linkAll(
            identity,
            order.map((i) => observations[i] as Obs),
          );
          expect(await snapshot(identity, universe)).toEqual(
            expectedSnapshot(observations, universe),
          );
          const past = resolver().identity;
          await linkAll(
            past,
            observations.filter((o) => o.evidence.at <= t),
          );
          for (const key of universe)
            expect(await identity.resolveAt([key], t)).toEqual(await past.resolve([key]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it("guards are never violated: limits hold, and only merging keys hold a person together", async () => {
    const rules = resolveIdentityRules(RULES);
    const normalizer = createKeyNormalizer(rules);
    await fc.assert(
      fc.asyncProperty(observationsArb, async (observations) => {
        const { identity } = resolver();
        await linkAll(identity, observations);
        const hubs = new Set(
          replayIdentityGraph(observations, RULES).hubs.map((h) => `${h.kind}:${h.value}`),
        );
        const id = (key: IdentityKey) => `${key.kind}:${key.value}`;
        const merging = (key: IdentityKey) =>
          normalizer.classify(key) === "merge" && !hubs.has(id(key));
        const seen = new Set<string>();
        for (const key of UNIVERSE) {
          const person = await identity.resolve([key]);
          if (!person || seen.has(person.id)) continue;
          seen.add(person.id);
          const members = new Set(person.keys.map((r) => id(r.key)));
          // per-kind limits
          for (const [kind, rule] of Object.entries(rules.kinds)) {
            const count = person.keys.filter((r) => r.key.kind === kind).length;
            if (rule.limit !== null) expect(count).toBeLessThanOrEqual(rule.limit);
          }
          // hubs stand alone
          for (const r of person.keys) if (hubs.has(id(r.key))) expect(person.keys).toHaveLength(1);
          // merging members are connected through observations of merging members only
          const bridges = person.keys.filter((r) => merging(r.key)).map((r) => id(r.key));
          if (bridges.length > 0) {
            const reached = new Set([bridges[0] as string]);
            for (let changed = true; changed; ) {
              changed = false;
              for (const o of observations) {
                const inside = o.keys.map(id).filter((x) => members.has(x) && bridges.includes(x));
                if (inside.some((x) => reached.has(x)) && inside.some((x) => !reached.has(x))) {
                  for (const x of inside) reached.add(x);
                  changed = true;
                }
              }
            }
            expect([...reached].sort()).toEqual([...bridges].sort());
          }
          // a non-merging member was seen with a merging member of the same person
          for (const r of person.keys) {
            if (merging(r.key) || person.keys.length === 1) continue;
            const together = observations.some(
              (o) =>
                o.keys.some((x) => id(x) === id(r.key)) &&
                o.keys.some((x) => bridges.includes(id(x))),
            );
            expect(together).toBe(true);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it("junk ids never merge: adding them changes nothing and they resolve to nobody", async () => {
    const junkArb = fc
      .tuple(
        fc.constantFrom(...BUILT_IN_JUNK_IDS, "", "   ", "x".repeat(201), "0000", "--"),
        fc.constantFrom("", "'", '"', "`"),
        fc.boolean(),
        fc.constantFrom<IdentityKeyKind>(
          "anonymous_id",
          "external_id",
          "click_id",
          "chargebee_customer_id",
        ),
      )
      .map(([value, quote, upper, kind]) =>
        k(kind, ` ${quote}${upper ? value.toUpperCase() : value}${quote} `),
      );
    await fc.assert(
      fc.asyncProperty(
        observationsArb.chain((obs) =>
          fc.tuple(
            fc.constant(obs),
            fc.array(fc.tuple(fc.nat(obs.length - 1), junkArb), { maxLength: 8 }),
          ),
        ),
        async ([observations, injections]) => {
          const polluted = observations.map((o) => ({ ...o, keys: [...o.keys] }));
          for (const [i, junk] of injections) (polluted[i] as Obs).keys.push(junk);
          const { identity } = resolver();
          await linkAll(identity, polluted);
          expect(await snapshot(identity)).toEqual(expectedSnapshot(observations));
          for (const [, junk] of injections) expect(await identity.resolve([junk])).toBeNull();
        },
      ),
      { numRuns: 100 },
    );
  });

  it("junk emails and placeholder phones never merge: adding them changes nothing", async () => {
    const junkArb = fc.oneof(
      fc
        .tuple(
          fc.constantFrom("test", "null", "asdf", "qwerty", "noreply", "aaaa"),
          fc.constantFrom("", "\u200b", "+tag"),
          fc.constantFrom("gmail.com", "acme.io"),
          fc.boolean(),
        )
        .map(([word, extra, domain, self]) =>
          k("email", ` ${word}${extra}@${self ? `${word}.com` : domain} `.toUpperCase()),
        ),
      fc
        .tuple(fc.integer({ min: 0, max: 9 }), fc.constantFrom(" ", "-", ""))
        .map(([d, sep]) => k("phone", `+1${sep}${`${d}`.repeat(3)}${sep}${`${d}`.repeat(7)}`)),
      fc.constantFrom(k("phone", "+1 123 456 7890"), k("email", "\u201cnull\u201d")),
    );
    await fc.assert(
      fc.asyncProperty(
        observationsArb.chain((obs) =>
          fc.tuple(
            fc.constant(obs),
            fc.array(fc.tuple(fc.nat(obs.length - 1), junkArb), { maxLength: 8 }),
          ),
        ),
        async ([observations, injections]) => {
          const polluted = observations.map((o) => ({ ...o, keys: [...o.keys] }));
          for (const [i, junk] of injections) (polluted[i] as Obs).keys.push(junk);
          const { identity } = resolver();
          await linkAll(identity, polluted);
          expect(await snapshot(identity)).toEqual(expectedSnapshot(observations));
          for (const [, junk] of injections) expect(await identity.resolve([junk])).toBeNull();
        },
      ),
      { numRuns: 60 },
    );
  });

  it("link is idempotent: linking observations again, in any order, changes nothing", async () => {
    await fc.assert(
      fc.asyncProperty(
        observationsArb.chain((obs) => fc.tuple(fc.constant(obs), fc.subarray(obs))),
        async ([observations, again]) => {
          const { identity, storage } = resolver();
          await linkAll(identity, observations);
          const before = await snapshot(identity);
          const edges = await storage.listEdges(UNIVERSE);
          const persons = Object.values(before).flatMap((p) => (p ? [p.id] : []));
          const refusals = await Promise.all(persons.map((id) => storage.listRefusals(id)));
          await linkAll(identity, [...again].reverse());
          expect(await snapshot(identity)).toEqual(before);
          expect(await storage.listEdges(UNIVERSE)).toEqual(edges);
          expect(await Promise.all(persons.map((id) => storage.listRefusals(id)))).toEqual(
            refusals,
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it("resolveAt(t) answers what a resolver fed only the observations up to t answers", async () => {
    await fc.assert(
      fc.asyncProperty(
        observationsArb,
        fc.integer({ min: -1, max: 12 }),
        async (observations, t) => {
          const full = resolver().identity;
          await linkAll(full, observations);
          const past = resolver().identity;
          await linkAll(
            past,
            observations.filter((o) => o.evidence.at <= t),
          );
          for (const key of UNIVERSE)
            expect(await full.resolveAt([key], t)).toEqual(await past.resolve([key]));
        },
      ),
      { numRuns: 100 },
    );
  });

  it("forget(key) leaves the graph of the observations without that key", async () => {
    await fc.assert(
      fc.asyncProperty(
        observationsArb,
        fc.constantFrom(...UNIVERSE),
        async (observations, erased) => {
          const { identity, storage } = resolver();
          await linkAll(identity, observations);
          await identity.forget({ keys: [erased] });
          const same = (x: IdentityKey) => x.kind === erased.kind && x.value === erased.value;
          const without = observations
            .map((o) => ({ ...o, keys: o.keys.filter((x) => !same(x)) }))
            .filter((o) => o.keys.length > 0);
          const rest = UNIVERSE.filter((x) => !same(x));
          expect(await snapshot(identity, rest)).toEqual(expectedSnapshot(without, rest));
          expect(await identity.resolve([erased])).toBeNull();
          expect(await storage.listEdges([erased])).toEqual([]);
        },
      ),
      { numRuns: 100 },
    );
  });
});
