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
    ["\u201cnull\u201d", "junk"],
    ["\u2018undefined\u2019", "junk"],
    ["\u201enull\u201c", "junk"],
    ["\u00abnull\u00bb", "junk"],
    ["null\u200b", "junk"],
    ["\ufeffnull", "junk"],
    ["n\u200bu\u200cl\u200dl", "junk"],
    ["\u200b\u200b", "empty"],
    ["\uff4e\uff55\uff4c\uff4c", "junk"], // full-width "null"
    [" {} ", "junk"], // JSON.stringify({})
    ['"[]"', "junk"],
    ["<NULL>", "junk"],
    ["\uff5b\uff5d", "junk"], // full-width "{}"
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
    "{a}",
    "[1]",
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
    const typographic =
      "\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033\u00ab\u00bb\u2039\u203a\uff02\uff07";
    const reference = (value: string) => {
      let v = value
        .replace(/[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g, "")
        .trim();
      if (v === "") return "empty";
      if (v.length > MAX_ID_LENGTH) return "too_long";
      const q = v[0] as string;
      const z = v[v.length - 1] as string;
      if (
        v.length >= 2 &&
        (("'\"`".includes(q) && z === q) ||
          (typographic.includes(q) && `${typographic}'"\``.includes(z)))
      )
        v = v.slice(1, -1).trim();
      v = v.normalize("NFKC");
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
      "\u201c",
      "\u201d",
      "\u200b",
      "\ufeff",
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
