/**
 * Review o: a link's keys de-duplicated and ordered without Map/Array#sort (1875b19) give the same
 * link results and persons as before (62b27ba's resolver, copied to review-o-old/): duplicate keys,
 * keys equal only after normalization (emails in other cases or with spaces), more than 16 keys, and
 * maxKeysPerObservation truncation.
 */
import type { IdentityKey, IdentityKeyKind } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createIdentityResolver, type IdentityRulesInput } from "../src/index.js";
import { createIdentityResolver as createOldResolver } from "./review-o-old/identity-resolver-62b27ba.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const UNIVERSE: IdentityKey[] = [
  ...["v0", "v1", "v2", "v3"].map((v) => k("anonymous_id", v)),
  ...["e0", "e1", "e2"].flatMap((v) => [
    k("email", `${v}@acme.io`),
    k("email", ` ${v.toUpperCase()}@Acme.IO `),
    k("email", `${v}@ACME.io`),
  ]),
  k("email", "info@acme.io"),
  k("email", "not an email"),
  ...["c0", "c1", "c2"].map((v) => k("chargebee_customer_id", `cus_${v}`)),
  ...["k0", "k1", "k2"].map((v) => k("click_id", v)),
  ...["u0", "u1"].map((v) => k("external_id", v)),
  k("external_id", "null"),
  ...["0", "1"].map((v) => k("phone", `+1213373425${v}`)),
  k("phone", "(213) 373-4250"),
  k("affiliate_ref", "PARTNER"),
  k("affiliate_ref", "partner"),
];

const observations = fc.array(
  fc.record({
    keys: fc.array(fc.constantFrom(...UNIVERSE), { minLength: 0, maxLength: 22 }),
    at: fc.integer({ min: 0, max: 12 }),
  }),
  { minLength: 1, maxLength: 8 },
);

const RULESETS: [string, IdentityRulesInput][] = [
  ["default limits", {}],
  ["maxKeysPerObservation 3", { maxKeysPerObservation: 3 }],
  [
    "tight limits",
    {
      maxKeysPerObservation: 5,
      kinds: {
        email: { limit: 2, hubThreshold: 4, anonymousIdHubThreshold: 3 },
        phone: { limit: 1, anonymousIdHubThreshold: 2 },
        anonymous_id: { hubThreshold: 3 },
      },
    },
  ],
];

describe.each(RULESETS)("link results against 62b27ba (%s)", (_name, rules) => {
  it("are identical, key by key, with duplicates and > 16 keys", async () => {
    let linked = 0;
    let truncated = 0;
    await fc.assert(
      fc.asyncProperty(observations, async (list) => {
        const now = createIdentityResolver({ storage: createMemoryStorage(), rules });
        const old = createOldResolver({ storage: createMemoryStorage(), rules });
        for (const [i, o] of list.entries()) {
          const evidence = { source: "review-o", observationId: `o${i}`, at: o.at };
          const [a, b] = await Promise.all([
            now.link(o.keys, evidence).then(
              (r) => r,
              (e: Error) => `${e.name}: ${e.message}`,
            ),
            old.link(o.keys, evidence).then(
              (r) => r,
              (e: Error) => `${e.name}: ${e.message}`,
            ),
          ]);
          expect(a, `observation ${i}`).toEqual(b);
          if (typeof a !== "string" && a.personId) linked++;
          if (typeof a !== "string" && a.rejected.some((r) => r.reason === "too_many_keys"))
            truncated++;
        }
        for (const key of UNIVERSE)
          expect(await now.resolve([key]).catch(String)).toEqual(
            await old.resolve([key]).catch(String),
          );
      }),
      { numRuns: 150 },
    );
    // the comparison reached real links (and truncations, with a small maxKeysPerObservation)
    expect(linked).toBeGreaterThan(100);
    if (rules.maxKeysPerObservation) expect(truncated).toBeGreaterThan(10);
  }, 120_000);
});
