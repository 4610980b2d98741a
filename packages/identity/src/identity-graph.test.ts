import type { IdentityKey, IdentityKeyKind } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type GraphObservation, personIdFor, replayIdentityGraph } from "./identity-graph.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const ev = (id: string, at: number, source = "test") => ({ source, observationId: id, at });
const obs = (id: string, at: number, ...keys: IdentityKey[]): GraphObservation => ({
  keys,
  evidence: ev(id, at),
});
const anon = (v: string) => k("anonymous_id", v);
const cus = (v: string) => k("chargebee_customer_id", v);
const email = (v: string) => k("email", v);

describe("replayIdentityGraph", () => {
  it("names a person after its founding observation and most trusted founding key", () => {
    const graph = replayIdentityGraph([
      obs("o1", 5, anon("v1"), cus("cus_1")),
      obs("o2", 9, anon("v1"), anon("v2")),
    ]);
    // cus_1 (priority 1) ranks before v1 (priority 6) in o1
    const id = personIdFor(ev("o1", 5), cus("cus_1"));
    expect(id).toMatch(/^p_[0-9a-f]{24}$/);
    expect(graph.personOf(anon("v2"))).toBe(id);
    expect(graph.personOf(anon("nobody"))).toBeNull();
    expect(graph.persons()).toEqual([
      {
        id,
        createdAt: 5,
        keys: [
          { key: anon("v1"), personId: id, firstSeenAt: 5 },
          { key: anon("v2"), personId: id, firstSeenAt: 9 },
          { key: cus("cus_1"), personId: id, firstSeenAt: 5 },
        ],
      },
    ]);
    expect(graph.merges).toEqual([]); // v2 was new: nothing existing was merged
  });

  it("records merges of existing persons (the older survives) and refused merges", () => {
    const graph = replayIdentityGraph([
      obs("o1", 1, anon("v1"), cus("a")),
      obs("o2", 2, anon("v2"), email("x@acme.io")),
      obs("o3", 3, anon("v1"), anon("v2")),
      obs("o4", 4, anon("v3"), cus("b")),
      obs("o5", 5, anon("v3"), email("x@acme.io")),
    ]);
    const a = personIdFor(ev("o1", 1), cus("a"));
    const x = personIdFor(ev("o2", 2), email("x@acme.io"));
    const b = personIdFor(ev("o4", 4), cus("b"));
    expect(graph.merges).toEqual([
      { survivor: a, absorbed: x, at: 3, observationId: "o3", source: "test" },
    ]);
    expect(graph.refusals).toEqual([
      {
        personIds: [b, a],
        keys: [anon("v3")],
        reason: "limit:chargebee_customer_id",
        evidence: { source: "test", observationId: "o5", at: 5 },
      },
    ]);
  });

  it("folds a repeated observation (same source, id and time) into the one containing it", () => {
    const once = replayIdentityGraph([obs("o1", 1, anon("v1"), email("x@acme.io"), anon("v2"))]);
    const split = replayIdentityGraph([
      obs("o1", 1, anon("v1"), email("x@acme.io")),
      obs("o1", 1, anon("v2"), anon("v1"), anon("v1"), email("x@acme.io")),
      obs("o1", 1, anon("v2")),
    ]);
    expect(split.persons()).toEqual(once.persons());
  });

  it("keeps observations sharing an id apart when their source or their keys differ", () => {
    const alice = email("alice@z.io");
    const bob = email("bob@z.io");
    const graph = replayIdentityGraph([
      { keys: [alice], evidence: ev("123", 5, "lead_form") },
      { keys: [bob], evidence: ev("123", 5, "checkout") },
      obs("o2", 6, anon("v1")),
      obs("o2", 6, anon("v2")),
    ]);
    expect(graph.persons().map((p) => p.keys.length)).toEqual([1, 1, 1, 1]);
    expect(graph.personOf(alice)).toBe(personIdFor(ev("123", 5, "lead_form"), alice));
    expect(graph.personOf(anon("v2"))).toBe(personIdFor(ev("o2", 6), anon("v2")));
    expect(() =>
      replayIdentityGraph([obs("o1", 1, alice, anon("v1")), obs("o1", 1, bob, anon("v1"))]),
    ).toThrow(TypeError);
  });

  it("detects hubs from the whole set of observations", () => {
    const observations = ["a", "b", "c", "d", "e", "f"].map((x, i) =>
      obs(`o${i}`, i, anon("kiosk"), email(`${x}@acme.io`)),
    );
    const graph = replayIdentityGraph(observations);
    expect(graph.hubs).toEqual([anon("kiosk")]); // 5 distinct emails: the default threshold
    expect(graph.persons()).toHaveLength(7);
    expect(replayIdentityGraph(observations.slice(0, 4)).persons()).toHaveLength(1);
    expect(
      replayIdentityGraph(observations, { kinds: { anonymous_id: { hubThreshold: null } } }).hubs,
    ).toEqual([]);
  });

  it("counts anonymous ids: an email seen with many visitors becomes a hub (hub:anonymous_id)", () => {
    const visitors = Array.from({ length: 30 }, (_, i) =>
      obs(`v${i}`, i, anon(`v${i}`), email("shared@acme.io")),
    );
    const observations = [...visitors, obs("cb", 100, cus("cus_1"), email("shared@acme.io"))];
    const graph = replayIdentityGraph(observations);
    expect(graph.hubReasons).toEqual([
      { key: email("shared@acme.io"), reason: "hub:anonymous_id" },
    ]);
    expect(graph.refusals.map((r) => r.reason)).toContain("hub:anonymous_id");
    expect(graph.persons()).toHaveLength(32);
    // below the default threshold (25) it merges
    expect(replayIdentityGraph(observations.slice(0, 24)).persons()).toHaveLength(1);
    // a hub by both counts reads "hub"
    const both = replayIdentityGraph(observations, {
      kinds: { email: { hubThreshold: 1 } },
    });
    expect(both.hubReasons.map((h) => h.reason)).toEqual(["hub"]);
  });

  it("answers as of a time with `until`", () => {
    const observations = [
      obs("o1", 1, anon("v1"), email("x@acme.io")),
      obs("o2", 2, anon("v2"), email("x@acme.io")),
    ];
    expect(replayIdentityGraph(observations, {}, { until: 1 }).personOf(anon("v2"))).toBeNull();
    expect(replayIdentityGraph(observations, {}, { until: 2 }).personOf(anon("v2"))).toBe(
      personIdFor(ev("o1", 1), email("x@acme.io")),
    );
  });

  const universe = [
    ...[0, 1, 2, 3, 4].map((i) => anon(`v${i}`)),
    ...[0, 1, 2, 3].map((i) => email(`e${i}@acme.io`)),
    email("support@acme.io"),
    ...[0, 1, 2].map((i) => cus(`cus_${i}`)),
    ...[0, 1].map((i) => k("click_id", `c${i}`)),
    k("affiliate_ref", "REF"),
  ];
  const observationsArb = fc
    .array(
      fc.record({
        keys: fc.uniqueArray(fc.constantFrom(...universe), { minLength: 1, maxLength: 4 }),
        at: fc.integer({ min: 0, max: 10 }),
      }),
      { maxLength: 25 },
    )
    .map((list) => list.map((o, i) => obs(`o${i}`, o.at, ...o.keys)));
  const tight = {
    kinds: {
      email: { limit: 2, hubThreshold: 4, anonymousIdHubThreshold: 3 },
      anonymous_id: { hubThreshold: 3 },
      click_id: { anonymousIdHubThreshold: 2 },
    },
  };

  it("gives the same persons, merges and refusals in any input order (property)", () => {
    fc.assert(
      fc.property(
        observationsArb.chain((o) =>
          fc.tuple(fc.constant(o), fc.shuffledSubarray(o, { minLength: o.length })),
        ),
        ([observations, shuffled]) => {
          const a = replayIdentityGraph(observations, tight);
          const b = replayIdentityGraph(shuffled, tight);
          expect(b.persons()).toEqual(a.persons());
          expect(b.merges).toEqual(a.merges);
          expect(b.refusals).toEqual(a.refusals);
          expect(b.hubs).toEqual(a.hubs);
          expect(b.hubReasons).toEqual(a.hubReasons);
        },
      ),
      { numRuns: 500 },
    );
  });

  it("never puts two Chargebee customers or more emails than the limit in one person (property)", () => {
    fc.assert(
      fc.property(observationsArb, (observations) => {
        for (const person of replayIdentityGraph(observations, tight).persons()) {
          const count = (kind: IdentityKeyKind) =>
            person.keys.filter((r) => r.key.kind === kind).length;
          expect(count("chargebee_customer_id")).toBeLessThanOrEqual(1);
          expect(count("email")).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: 500 },
    );
  });
});
