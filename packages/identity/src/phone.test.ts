import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isPlaceholderPhone, normalizePhone } from "./phone.js";

describe("normalizePhone", () => {
  it.each([
    ["(213) 373-4253", "US", "+12133734253"],
    ["+1 213 373 4253", undefined, "+12133734253"],
    ["+1 213 373 4253 ext. 12", undefined, "+12133734253"],
    ["020 7946 0958", "GB", "+442079460958"],
    ["0044 20 7946 0958", "FR", "+442079460958"],
    ["09812345678", "IN", "+919812345678"],
    ["919812345678", "IN", "+919812345678"],
    ["+919812345678", "US", "+919812345678"],
    ["+39 06 6982 0000", undefined, "+390669820000"], // Italy keeps its leading 0
  ] as const)("normalizes %j (default country %j)", (raw, country, expected) => {
    expect(normalizePhone(raw, { defaultCountry: country })).toBe(expected);
  });

  it.each([
    ["12", undefined],
    ["(213) 373-4253", undefined], // national form without a default country
    ["+1 213 373", undefined], // too short for +1
    ["+1 213 373 4253 9999", undefined], // too long for +1
    ["call me on +1 213 373 4253", "US"], // the whole input must be the number
    ["not a phone", "US"],
    ["", "US"],
    // a trunk 0 left in after +43: it parses to +430000005, whose own parse drops another 0
    ["+4300000005", "US"],
  ] as const)("rejects %j", (raw, country) => {
    expect(normalizePhone(raw, { defaultCountry: country })).toBeNull();
  });

  it("is idempotent and writes the same number the same way whatever the format (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[2-9][0-9]{2}[2-9][0-9]{6}$/),
        fc.constantFrom(
          (d: string) => `+1${d}`,
          (d: string) => `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`,
          (d: string) => `${d.slice(0, 3)}.${d.slice(3, 6)}.${d.slice(6)}`,
          (d: string) => `1 ${d}`,
          (d: string) => ` +1 (${d.slice(0, 3)}) ${d.slice(3)} `,
        ),
        (digits, format) => {
          const once = normalizePhone(format(digits), { defaultCountry: "US" });
          expect(once).toBe(`+1${digits}`);
          expect(normalizePhone(once as string)).toBe(once);
          expect(normalizePhone(once as string, { defaultCountry: "GB" })).toBe(once);
        },
      ),
    );
  });
});

describe("isPlaceholderPhone", () => {
  it.each([
    "+1 111 111 1111",
    "+1 000 000 0000",
    "+1 (234) 567-8901",
    "+1 987 654 3210",
    "+44 1111 111111",
    "+1 212 555 0123",
    "+1 121 212 1212",
  ])("%j is a placeholder", (phone) => {
    expect(isPlaceholderPhone(phone)).toBe(true);
  });

  it.each(["+1 213 373 4253", "+44 20 7946 0958", "+1 212 555 1234", "not a phone"])(
    "%j is not",
    (phone) => {
      expect(isPlaceholderPhone(phone)).toBe(false);
    },
  );

  it("a repeated digit is a placeholder in any country and formatting (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("1", "44", "33", "49", "91"),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom(" ", "-", "", "."),
        (cc, digit, sep) => {
          const national = String(digit).repeat(10);
          const raw = `+${cc}${sep}${national.slice(0, 3)}${sep}${national.slice(3)}`;
          if (normalizePhone(raw) !== null) expect(isPlaceholderPhone(raw)).toBe(true);
        },
      ),
    );
  });
});
