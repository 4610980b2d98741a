import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BUILT_IN_JUNK_IDS, junkIdReason, MAX_ID_LENGTH } from "./junk-id.js";

describe("junkIdReason", () => {
  it.each([
    ["", "empty"],
    [" \t\n", "empty"],
    ["x".repeat(MAX_ID_LENGTH + 1), "too_long"],
    ["null", "junk"],
    ["NULL", "junk"],
    ["'null'", "junk"],
    ['"undefined"', "junk"],
    ["`NaN`", "junk"],
    ['""', "junk"],
    ["[object Object]", "junk"],
    ["0", "junk"],
    ["000", "junk"],
    ["-1", "junk"],
    ["00000000-0000-0000-0000-000000000000", "junk"],
    ["Anonymous", "junk"],
    [" guest ", "junk"],
  ])("%j is %j", (value, reason) => {
    expect(junkIdReason(value)).toBe(reason);
  });

  it.each([
    "cus_16BPgPSLGt5Q41I0",
    "0b6f7c4e-3d0a-4c55-9b6e-1f2a3b4c5d6e",
    "E.1234567",
    "nullable",
    "x".repeat(MAX_ID_LENGTH),
    "'null",
    "10",
  ])("accepts %j", (value) => {
    expect(junkIdReason(value)).toBeNull();
  });

  it("rejects every listed value in any case, padded and quoted (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...BUILT_IN_JUNK_IDS),
        fc.constantFrom("", "'", '"', "`"),
        fc.constantFrom("", " ", "\t"),
        fc.boolean(),
        (value, quote, pad, upper) => {
          const v = upper ? value.toUpperCase() : value;
          expect(junkIdReason(`${pad}${quote}${v}${quote}${pad}`)).toBe("junk");
        },
      ),
    );
  });
  it("agrees with its plain definition: trim, unquote once, lower-case, look up", () => {
    const reference = (value: string) => {
      let v = value.trim();
      if (v === "") return "empty";
      if (v.length > MAX_ID_LENGTH) return "too_long";
      const q = v[0] as string;
      if (v.length >= 2 && "'\"`".includes(q) && v[v.length - 1] === q) v = v.slice(1, -1).trim();
      if (/^[0-]*$/.test(v)) return "junk";
      return BUILT_IN_JUNK_IDS.includes(v.toLowerCase()) ? "junk" : null;
    };
    // junk ids in any case, quoted or padded, with look-alikes: the Kelvin sign lower-cases to "k",
    // the dotted capital I to two units
    const pieces = [
      ...BUILT_IN_JUNK_IDS,
      "K",
      "\u212a",
      "\u0130",
      "i",
      "'",
      '"',
      "`",
      " ",
      "\u00a0",
    ];
    const value = fc.oneof(
      fc.string({ unit: "binary", maxLength: 40 }),
      fc
        .tuple(fc.constantFrom(...pieces), fc.constantFrom(...pieces), fc.boolean())
        .map(([a, b, upper]) => (upper ? `${a}${b}`.toUpperCase() : `${a}${b}`)),
      fc.constantFrom(...BUILT_IN_JUNK_IDS).map((v) => v.replace(/k/g, "\u212a").toUpperCase()),
    );
    fc.assert(
      fc.property(value, (v) => {
        expect(junkIdReason(v)).toBe(reference(v));
      }),
      { numRuns: 2000 },
    );
  });
});
