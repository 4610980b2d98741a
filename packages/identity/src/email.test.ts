import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { foldGmailAddress, isReservedEmailDomain, normalizeEmail } from "./email.js";

const localArb = fc.stringMatching(/^[a-z0-9_%+-]{1,20}(\.[a-z0-9_%+-]{1,10}){0,2}$/);
const domainArb = fc.stringMatching(/^[a-z0-9]{1,12}(-[a-z0-9]{1,5})?\.(com|io|co\.uk|de)$/);
const emailArb = fc.tuple(localArb, domainArb).map(([l, d]) => `${l}@${d}`);
/** The same address as a person might type it: random case and surrounding whitespace. */
const typedArb = emailArb.chain((email) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: email.length, maxLength: email.length }),
      fc.constantFrom("", " ", "\t", "\n "),
      fc.constantFrom("", " ", "\r\n"),
    )
    .map(([upper, before, after]) => ({
      email,
      typed: before + [...email].map((c, i) => (upper[i] ? c.toUpperCase() : c)).join("") + after,
    })),
);

describe("normalizeEmail", () => {
  it.each([
    ["  Jane.Doe@Example.COM ", "jane.doe@example.com"],
    ["JOSÉ@café.fr", "josé@café.fr"],
    ["jose\u0301@cafe\u0301.fr", "jos\u00e9@caf\u00e9.fr"], // NFD input, NFC output
    ["o'brien+news@sub.acme.co.uk", "o'brien+news@sub.acme.co.uk"],
    // NFKC: full-width and other compatibility forms fold to the characters they stand for
    ["\uff4a\uff41\uff4e\uff45@\uff41\uff43\uff4d\uff45.io", "jane@acme.io"],
    ["\uff2a\uff41\uff4e\uff45\uff20\uff21\uff43\uff4d\uff45\uff0e\uff49\uff4f", "jane@acme.io"],
    ["\ufb01nance@acme.io", "finance@acme.io"], // the "fi" ligature
    ["jane@\u212acme.io", "jane@kcme.io"], // KELVIN SIGN
    // "İ".toLowerCase() is "i" + U+0307: the dot goes
    ["\u0130NFO@acme.io", "info@acme.io"],
    ["i\u0307nfo@acme.io", "info@acme.io"],
    ["I\u0307NFO@acme.io", "info@acme.io"],
    ["\u0130\u0301@acme.io", "\u00ed@acme.io"], // what is left composes (í)
    ["y\u0307@acme.io", "\u1e8f@acme.io"], // other dots above stay
  ])("normalizes %j", (raw, expected) => {
    expect(normalizeEmail(raw)).toBe(expected);
  });

  it.each([
    "",
    "plainaddress",
    "@acme.io",
    "jane@",
    "jane@localhost",
    "jane@@acme.io",
    "jane@a@acme.io",
    "jane doe@acme.io",
    ".jane@acme.io",
    "jane.@acme.io",
    "ja..ne@acme.io",
    "jane@acme..io",
    "jane@-acme.io",
    "jane@acme-.io",
    "jane@127.0.0.1",
    '"jane"@acme.io',
    `${"a".repeat(65)}@acme.io`,
    `jane@${"a".repeat(64)}.io`,
    `${"a".repeat(60)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.io`,
  ])("rejects %j", (raw) => {
    expect(normalizeEmail(raw)).toBeNull();
  });

  it("maps every typed variant of an address to the same value (property)", () => {
    fc.assert(
      fc.property(typedArb, ({ email, typed }) => {
        expect(normalizeEmail(typed)).toBe(email);
      }),
    );
  });

  /** Characters that NFKC, lower-casing or the dotted-i rule change, among plain ones. */
  const trickyArb = fc.string({
    unit: fc.constantFrom(
      ..."aiI.@-+\u0130\u0307\u0301\u0323\u03a3\u03c3\u212a\u2126\u2122\ufb01\u00b2\u2460\u01c5",
      "\uff41",
      "\uff29",
      "\uff20",
      "\uff0e",
      "\u3000",
      "\u00a0",
    ),
    maxLength: 20,
  });

  it("is idempotent and its output is trimmed, lower-case NFKC (property)", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          emailArb,
          fc.string({ unit: "grapheme", maxLength: 40 }),
          fc.tuple(trickyArb, trickyArb).map(([l, d]) => `${l}@${d}.io`),
        ),
        (raw) => {
          const once = normalizeEmail(raw);
          if (once === null) return;
          expect(normalizeEmail(once)).toBe(once);
          expect(once).toBe(once.normalize("NFKC").trim().toLowerCase().normalize("NFKC"));
          expect(once).not.toContain("i\u0307");
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("foldGmailAddress", () => {
  it.each([
    ["jane.doe@gmail.com", "janedoe@gmail.com"],
    ["j.a.n.e.doe+ads@googlemail.com", "janedoe@gmail.com"],
    ["janedoe+@gmail.com", "janedoe@gmail.com"],
    ["jane.doe+tag@acme.io", "jane.doe+tag@acme.io"],
    ["+only@gmail.com", "+only@gmail.com"],
  ])("folds %j to %j", (email, expected) => {
    expect(foldGmailAddress(email)).toBe(expected);
  });

  it("is idempotent, and folded variants of one Gmail address agree (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z0-9]{1,12}$/),
        fc.array(fc.nat(12)),
        fc.option(fc.stringMatching(/^[a-z0-9]{1,6}$/)),
        fc.constantFrom("gmail.com", "googlemail.com"),
        (name, dots, tag, domain) => {
          const chars = [...name];
          for (const d of dots) chars.splice(Math.min(d, chars.length - 1) + 1, 0, ".");
          const local = chars
            .join("")
            .replace(/\.{2,}/g, ".")
            .replace(/\.$/, "");
          const email = `${local}${tag === null ? "" : `+${tag}`}@${domain}`;
          const folded = foldGmailAddress(email);
          expect(folded).toBe(`${name}@gmail.com`);
          expect(foldGmailAddress(folded)).toBe(folded);
        },
      ),
    );
  });
});

describe("isReservedEmailDomain", () => {
  it.each([
    ["test@example.com", true],
    ["a@sub.example.org", true],
    ["a@foo.test", true],
    ["a@foo.invalid", true],
    ["a@localhost", true],
    ["a@example.co", false],
    ["a@myexample.com", false],
    ["a@acme.io", false],
  ])("%j -> %j", (email, reserved) => {
    expect(isReservedEmailDomain(email)).toBe(reserved);
  });
});
