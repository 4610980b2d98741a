import type { IdentityKey, IdentityKeyKind } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashIdentityValue } from "./hash.js";
import { resolveIdentityRules } from "./identity-rules.js";
import {
  createKeyNormalizer,
  erasureForms,
  type KeyCheck,
  normalizeIdentityKey,
} from "./key-normalizer.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const ok = (kind: IdentityKeyKind, value: string, keyClass = "merge"): KeyCheck =>
  ({ ok: true, key: k(kind, value), keyClass }) as KeyCheck;

describe("normalizeIdentityKey", () => {
  it.each([
    [k("email", " Jane@Acme.IO "), ok("email", "jane@acme.io")],
    [k("email", "Info@Acme.io"), ok("email", "info@acme.io", "role_mailbox")],
    [k("email", "jane@example.com"), { ok: false, reason: "reserved_domain" }],
    [k("email", "jane"), { ok: false, reason: "invalid_email" }],
    [k("email", "null"), { ok: false, reason: "junk" }],
    [k("phone", "+1 (213) 373-4253"), ok("phone", "+12133734253")],
    [k("phone", "(213) 373-4253"), { ok: false, reason: "invalid_phone" }],
    [k("click_id", " IwAR2xYz "), ok("click_id", "IwAR2xYz")],
    [k("anonymous_id", "'undefined'"), { ok: false, reason: "junk" }],
    [k("affiliate_ref", "PARTNER10"), ok("affiliate_ref", "PARTNER10", "no_merge")],
    // no store can hold U+0000 or a lone surrogate: rejected here, never refused by storage later
    [k("click_id", "ttclid\u0000"), { ok: false, reason: "unstorable" }],
    [k("anonymous_id", "v_\ud83d"), { ok: false, reason: "unstorable" }],
    [k("email", "jane\u0000@acme.io"), { ok: false, reason: "unstorable" }],
    [k("click_id", "ok_\ud83d\ude00"), ok("click_id", "ok_\ud83d\ude00")],
    [
      { kind: "external_id", value: null } as unknown as IdentityKey,
      { ok: false, reason: "not_a_string" },
    ],
  ])("%j -> %j", (key, expected) => {
    expect(normalizeIdentityKey(key)).toEqual(expected);
  });

  it("uses the default country for national phone numbers", () => {
    expect(
      normalizeIdentityKey(k("phone", "020 7946 0958"), { phone: { defaultCountry: "GB" } }),
    ).toEqual(ok("phone", "+442079460958"));
  });

  it("blocks configured values (any case) and patterns, and can turn the built-in list off", () => {
    const rules = {
      blocklist: { values: ["QA@acme.io", "abc-999"], patterns: [/^test[_-]/i, /@qa\.acme\.io$/g] },
    };
    expect(normalizeIdentityKey(k("email", "qa@ACME.io"), rules)).toEqual({
      ok: false,
      reason: "blocked",
    });
    expect(normalizeIdentityKey(k("external_id", "ABC-999"), rules)).toEqual({
      ok: false,
      reason: "blocked",
    });
    expect(normalizeIdentityKey(k("anonymous_id", "TEST_42"), rules)).toEqual({
      ok: false,
      reason: "blocked",
    });
    // a /g pattern is not stateful across calls
    for (let i = 0; i < 3; i++) {
      expect(normalizeIdentityKey(k("email", "x@qa.acme.io"), rules)).toEqual({
        ok: false,
        reason: "blocked",
      });
    }
    expect(
      normalizeIdentityKey(k("external_id", "null"), { blocklist: { builtIn: false } }),
    ).toEqual(ok("external_id", "null"));
    expect(normalizeIdentityKey(k("external_id", " "), { blocklist: { builtIn: false } })).toEqual({
      ok: false,
      reason: "empty",
    });
  });

  it("hashes configured kinds, keeps a hashed role mailbox recognizable, passes digests through", () => {
    const rules = { hashedKinds: ["email", "external_id"] as IdentityKeyKind[] };
    const digest = hashIdentityValue("jane@acme.io");
    expect(normalizeIdentityKey(k("email", "JANE@acme.io"), rules)).toEqual(ok("email", digest));
    expect(normalizeIdentityKey(k("email", digest), rules)).toEqual(ok("email", digest));
    expect(normalizeIdentityKey(k("email", "sales@acme.io"), rules)).toEqual(
      ok("email", `role:${hashIdentityValue("sales@acme.io")}`, "role_mailbox"),
    );
    expect(normalizeIdentityKey(k("external_id", "u_1"), rules)).toEqual(
      ok("external_id", hashIdentityValue("u_1")),
    );
    // not hashed: a digest is not an email
    expect(normalizeIdentityKey(k("email", digest))).toEqual({
      ok: false,
      reason: "invalid_email",
    });
  });

  it("folds Gmail addresses only when asked, before the role check", () => {
    expect(normalizeIdentityKey(k("email", "Jane.Doe+x@googlemail.com"))).toEqual(
      ok("email", "jane.doe+x@googlemail.com"),
    );
    const fold = { email: { foldGmail: true } };
    expect(normalizeIdentityKey(k("email", "Jane.Doe+x@googlemail.com"), fold)).toEqual(
      ok("email", "janedoe@gmail.com"),
    );
    expect(normalizeIdentityKey(k("email", "in.fo@gmail.com"), fold)).toEqual(
      ok("email", "info@gmail.com", "role_mailbox"),
    );
  });

  it("role mailboxes follow the configured mode and list", () => {
    expect(
      normalizeIdentityKey(k("email", "sales@acme.io"), { roleMailboxes: { mode: "block" } }),
    ).toEqual({
      ok: false,
      reason: "role_mailbox",
    });
    expect(
      normalizeIdentityKey(k("email", "sales@acme.io"), { roleMailboxes: { mode: "merge" } }),
    ).toEqual(ok("email", "sales@acme.io"));
    expect(
      normalizeIdentityKey(k("email", "Ops@acme.io"), { roleMailboxes: { localParts: ["OPS"] } }),
    ).toEqual(ok("email", "ops@acme.io", "role_mailbox"));
  });

  it("checks the Gmail-folded form for junk too (a counterexample the property found)", () => {
    const rules = resolveIdentityRules({ email: { foldGmail: true } });
    const normalizer = createKeyNormalizer(rules);
    // Folds to `--@gmail.com`, which is junk: accepting the unfolded form broke idempotence.
    expect(normalizer.normalize(k("email", "--.-+@googlemail.com"))).toEqual({
      ok: false,
      reason: "junk",
    });
  });

  it("is idempotent on accepted keys, whatever the rules (property)", () => {
    const kinds: IdentityKeyKind[] = ["email", "phone", "click_id", "anonymous_id", "external_id"];
    const valueArb = fc.oneof(
      fc.stringMatching(/^ ?[A-Za-z0-9.+_-]{1,10}@(gmail|googlemail|acme)\.(com|io) ?$/),
      fc.stringMatching(/^ ?\+?1? ?\(?[2-9]\d{2}\)? ?\d{3}-?\d{4} ?$/),
      fc.string({ maxLength: 30 }),
      fc.constantFrom("info@acme.io", "In.Fo+x@gmail.com", "null"),
    );
    const rulesArb = fc.record({
      hashedKinds: fc.subarray(kinds),
      email: fc.record({ foldGmail: fc.boolean() }),
      phone: fc.record({ defaultCountry: fc.constantFrom("US" as const, null) }),
      roleMailboxes: fc.record({ mode: fc.constantFrom("no_merge" as const, "merge" as const) }),
    });
    fc.assert(
      fc.property(fc.constantFrom(...kinds), valueArb, rulesArb, (kind, value, rules) => {
        const normalizer = createKeyNormalizer(resolveIdentityRules(rules));
        const once = normalizer.normalize(k(kind, value));
        if (!once.ok) return;
        expect(normalizer.normalize(once.key)).toEqual(once);
        expect(normalizer.classify(once.key)).toBe(once.keyClass);
      }),
      { numRuns: 1000 },
    );
  });
});

describe("review fixes", () => {
  it("accepts emails of 201-254 characters (the 200-character junk limit is for ids)", () => {
    const local = `${"jane.doe.".repeat(7)}x`;
    const domain = `${"acme-".repeat(12)}abc.${"b".repeat(63)}.${"c".repeat(58)}.io`;
    const email = `${local}@${domain}`;
    expect(email).toHaveLength(254);
    const normalizer = createKeyNormalizer(resolveIdentityRules({}));
    expect(normalizer.normalize(k("email", email))).toEqual(ok("email", email));
    expect(normalizer.classify(k("email", email))).toBe("merge");
    expect(normalizer.normalize(k("email", `${local}@${"a".repeat(49)}.${domain}`))).toEqual({
      ok: false,
      reason: "invalid_email",
    });
    expect(normalizer.normalize(k("anonymous_id", "v".repeat(201)))).toEqual({
      ok: false,
      reason: "too_long",
    });
  });

  it("rejects a pre-hashed digest of a blocklisted email or phone", () => {
    const rules = resolveIdentityRules({
      hashedKinds: ["email", "phone", "external_id"],
      blocklist: { values: [" QA@Acme.io ", "+1 213 373 4253", "ext-1"] },
      phone: { defaultCountry: "US" },
    });
    const normalizer = createKeyNormalizer(rules);
    for (const key of [
      k("email", hashIdentityValue("qa@acme.io")),
      k("phone", hashIdentityValue("+12133734253")),
      k("external_id", hashIdentityValue("ext-1")),
    ]) {
      expect(normalizer.normalize(key)).toEqual({ ok: false, reason: "blocked" });
      expect(normalizer.classify(key)).toBe("blocked");
    }
    const other = hashIdentityValue("jane@acme.io");
    expect(normalizer.normalize(k("email", other))).toEqual(ok("email", other));
  });
});

describe("junk emails, placeholder phones and reserved domains", () => {
  const normalizer = createKeyNormalizer(resolveIdentityRules({}));
  it.each([
    "test@test.com",
    "NULL@null.com",
    " asdf@asdf.com ",
    "noreply@acme.io",
    "“null”",
    "null\u200b",
  ])("rejects the email %j as junk", (value) => {
    expect(normalizer.normalize(k("email", value))).toEqual({ ok: false, reason: "junk" });
  });

  it.each(["+1 111 111 1111", "+1 000 000 0000", "+1 (123) 456-7890", "+1-212-555-0199"])(
    "rejects the phone %j as junk, after normalizing it",
    (value) => {
      expect(normalizer.normalize(k("phone", value))).toEqual({ ok: false, reason: "junk" });
      // a stored placeholder (linked before this rule) is blocked too
      expect(normalizer.classify(k("phone", normalizePhoneForTest(value)))).toBe("blocked");
    },
  );

  it("removes zero-width characters from stored values", () => {
    expect(normalizer.normalize(k("anonymous_id", "v_1\u200b"))).toEqual(ok("anonymous_id", "v_1"));
    expect(normalizer.normalize(k("email", "\ufeffjane@acme.io\u200b"))).toEqual(
      ok("email", "jane@acme.io"),
    );
  });

  it("reserved domains have their own switch, independent of the built-in junk rules", () => {
    const testSite = createKeyNormalizer(
      resolveIdentityRules({ email: { allowReservedDomains: true } }),
    );
    expect(testSite.normalize(k("email", "jane@example.com"))).toEqual(
      ok("email", "jane@example.com"),
    );
    expect(testSite.normalize(k("email", "test@example.com"))).toEqual(
      ok("email", "test@example.com"),
    );
    expect(testSite.classify(k("email", "jane@acme.test"))).toBe("merge");
    // the junk rules stay on
    expect(testSite.normalize(k("anonymous_id", "null"))).toEqual({ ok: false, reason: "junk" });
    expect(testSite.normalize(k("email", "test@test.com"))).toEqual({ ok: false, reason: "junk" });
    // and turning the junk rules off keeps reserved domains out
    const noBuiltIn = createKeyNormalizer(resolveIdentityRules({ blocklist: { builtIn: false } }));
    expect(noBuiltIn.normalize(k("email", "jane@example.com"))).toEqual({
      ok: false,
      reason: "reserved_domain",
    });
    expect(noBuiltIn.normalize(k("email", "test@test.com"))).toEqual(ok("email", "test@test.com"));
  });
});

function normalizePhoneForTest(value: string): string {
  const check = createKeyNormalizer(
    resolveIdentityRules({ blocklist: { builtIn: false } }),
  ).normalize(k("phone", value));
  if (!check.ok) throw new Error("not a phone");
  return check.key.value;
}

describe("erasureForms: emails stored before NFKC", () => {
  const rules = resolveIdentityRules({});
  const values = (value: string) =>
    erasureForms({ kind: "email", value }, rules).map((k) => k.value);

  it("a full-width or dotted-İ address also erases its former NFC lower-case key and its digest", () => {
    const fullWidth = "\uff2a\uff41\uff4e\uff45@acme.io";
    expect(values(fullWidth)).toEqual(
      expect.arrayContaining([
        "jane@acme.io",
        "\uff4a\uff41\uff4e\uff45@acme.io",
        hashIdentityValue("\uff4a\uff41\uff4e\uff45@acme.io"),
      ]),
    );
    expect(values("\u0130NFO@acme.io")).toEqual(
      expect.arrayContaining(["info@acme.io", "i\u0307nfo@acme.io"]),
    );
  });

  it("an ASCII address has no extra form", () => {
    expect(values("Jane@Acme.io").filter((v) => v.includes("@"))).toEqual([
      "Jane@Acme.io",
      "jane@acme.io",
    ]);
  });
});
