import fc from "fast-check";
import { getCountries, getCountryCallingCode } from "libphonenumber-js";
import { describe, expect, it } from "vitest";
import {
  isPlaceholderNationalNumber,
  isPlaceholderPhone,
  mayBePlaceholderE164,
  normalizePhone,
} from "./phone.js";

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

describe("placeholders: an area code or mobile prefix followed by one repeated digit", () => {
  it.each([
    ["(11) 99999-9999", "BR"],
    ["(21) 3333-3333", "BR"],
    ["0171 1111111", "DE"],
    ["01511 2222222", "DE"],
    ["030 7777777", "DE"],
    ["212 444 4444", "US"], // a real Chargebee test customer's phone (bonusly fixtures)
    ["06 11 11 11 11", "FR"],
    ["020 7777 7777", "GB"],
  ] as const)("%j (%s) is a placeholder", (raw, country) => {
    expect(normalizePhone(raw, { defaultCountry: country })).not.toBeNull();
    expect(isPlaceholderPhone(raw, { defaultCountry: country })).toBe(true);
  });

  it.each([
    ["(11) 99876-5432", "BR"],
    ["0171 1111112", "DE"], // the run does not end the number
    ["030 1234 5555", "DE"], // a run of 4 only
    ["212 944 4444", "US"], // 6 repeated digits after a 4-digit prefix
    ["01511 1222222", "DE"], // 6 repeated digits after a 5-digit prefix
  ] as const)("%j (%s) is not", (raw, country) => {
    expect(normalizePhone(raw, { defaultCountry: country })).not.toBeNull();
    expect(isPlaceholderPhone(raw, { defaultCountry: country })).toBe(false);
  });

  it("the rule: at most 4 digits, then at least 7 of one digit (property)", () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[0-9]{0,6}$/),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 10 }),
        (prefix, digit, run) => {
          const last = prefix.charCodeAt(prefix.length - 1) - 48;
          fc.pre(last !== digit); // the prefix does not lengthen the run
          const n = `${prefix}${String(digit).repeat(run)}`;
          fc.pre(n.length >= 4);
          if (run >= 7 && prefix.length <= 4) expect(isPlaceholderNationalNumber(n)).toBe(true);
        },
      ),
    );
  });
});

/** Placeholder national numbers of every form `isPlaceholderNationalNumber` names. */
const placeholderNationalNumber = fc.oneof(
  // one digit repeated, ascending, descending
  fc
    .tuple(
      fc.integer({ min: 0, max: 9 }),
      fc.constantFrom(0, 1, 9),
      fc.integer({ min: 4, max: 15 }),
    )
    .map(([d, step, length]) =>
      Array.from({ length }, (_, i) => String((d + step * i) % 10)).join(""),
    ),
  // two digits alternating
  fc
    .tuple(fc.stringMatching(/^[0-9]{2}$/), fc.integer({ min: 6, max: 15 }))
    .map(([two, length]) => two.repeat(length).slice(0, length)),
  // a short prefix and a run of one digit
  fc
    .tuple(
      fc.stringMatching(/^[0-9]{0,4}$/),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({ min: 7, max: 11 }),
    )
    .map(([prefix, d, run]) => `${prefix}${String(d).repeat(run)}`),
  // NANP fiction numbers
  fc
    .tuple(fc.stringMatching(/^[2-9][0-9]{2}$/), fc.stringMatching(/^[0-9]{2}$/))
    .map(([area, xx]) => `${area}55501${xx}`),
);

describe("mayBePlaceholderE164 (the stored-key pre-check)", () => {
  const codes = [...new Set(getCountries().map((c) => getCountryCallingCode(c)))];

  it("holds for every placeholder, whatever the country code (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), placeholderNationalNumber, (cc, n) => {
        // a NANP fiction number is a placeholder under +1 only
        const code = /^\d{3}55501\d{2}$/.test(n) ? "1" : cc;
        expect(isPlaceholderNationalNumber(n, code)).toBe(true);
        expect(mayBePlaceholderE164(`+${code}${n}`)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("is implied by isPlaceholderNationalNumber on any digits (property)", () => {
    fc.assert(
      fc.property(fc.constantFrom(...codes), fc.stringMatching(/^[0-9]{4,15}$/), (cc, n) => {
        if (isPlaceholderNationalNumber(n, cc))
          expect(mayBePlaceholderE164(`+${cc}${n}`)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it("is false for most real numbers and for other stored forms", () => {
    for (const value of ["+12133734253", "+442079460958", "+919812340591", "2121212121", "+1"])
      expect(mayBePlaceholderE164(value)).toBe(false);
  });
});
