/**
 * review-f: placeholder phones are junk at link (`normalize`), and a stored placeholder must be
 * classified `blocked` too (README: "a stored key that today's rules block: it stands alone"), for
 * every placeholder form `isPlaceholderPhone` names: repeated, alternating, runs, NANP 555-01xx.
 */
import type { IdentityKey, IdentityKeyKind } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import {
  createIdentityResolver,
  createKeyNormalizer,
  isPlaceholderPhone,
  resolveIdentityRules,
} from "../src/index.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const ev = (observationId: string, at: number) => ({ source: "test", observationId, at });
const keysOf = (p: { keys: { key: IdentityKey }[] } | null) =>
  p?.keys.map((r) => `${r.key.kind}:${r.key.value}`) ?? null;

// two alternating digits: isPlaceholderPhone says true, normalize says junk
const ALTERNATING = ["+12121212121", "+447979797979"];

describe("review-f: a stored alternating placeholder phone", () => {
  it.each(ALTERNATING)(
    "classify(%s) is blocked, as normalize and isPlaceholderPhone say",
    (phone) => {
      const normalizer = createKeyNormalizer(resolveIdentityRules({}));
      expect(isPlaceholderPhone(phone)).toBe(true);
      expect(normalizer.normalize(k("phone", phone))).toEqual({ ok: false, reason: "junk" });
      expect(normalizer.classify(k("phone", phone))).toBe("blocked");
    },
  );

  it("stops merging after blocklist.builtIn is turned back on, like a repeated-digit placeholder", async () => {
    for (const phone of ["+1 222 222 2222", "+1 212 121 2121"]) {
      const storage = createMemoryStorage();
      const before = createIdentityResolver({ storage, rules: { blocklist: { builtIn: false } } });
      await before.link([k("anonymous_id", "v1"), k("phone", phone)], ev("o1", 1));
      await before.link([k("anonymous_id", "v2"), k("phone", phone)], ev("o2", 2));
      const after = createIdentityResolver({ storage });
      await after.link([k("anonymous_id", "v1"), k("email", "jane@acme.io")], ev("o3", 3));
      // "+1 222 222 2222" passes; "+1 212 121 2121" keeps v1 and v2 merged through the placeholder
      expect(keysOf(await after.resolve([k("anonymous_id", "v1")])), phone).toEqual([
        "anonymous_id:v1",
        "email:jane@acme.io",
      ]);
    }
  });
});

/**
 * Policy gap (lower confidence): where forms make people type a real area code, the placeholder is
 * the area code followed by one repeated digit: Brazil "(11) 99999-9999", Germany "0171 1111111".
 * The national number then is not one repeated digit, so the check passes it, and the visitors who
 * type it merge until the anonymous-id hub threshold (25) is reached.
 */
describe("review-f: placeholder phones of other countries (area code + one repeated digit)", () => {
  it.each([
    ["BR", "(11) 99999-9999"],
    ["DE", "0171 1111111"],
  ] as const)("%s %s is junk", (country, raw) => {
    const normalizer = createKeyNormalizer(
      resolveIdentityRules({ phone: { defaultCountry: country } }),
    );
    expect(normalizer.normalize(k("phone", raw))).toEqual({ ok: false, reason: "junk" });
  });
});
