import { MoneyError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { chargebeeExponent, chargebeeMoney } from "./chargebee-money.js";

describe("chargebeeExponent", () => {
  it("is 0 for Chargebee's zero-decimal currencies (spec §5)", () => {
    for (const code of ["JPY", "KRW", "XAF", "XOF"]) expect(chargebeeExponent(code)).toBe(0);
  });
  it("is 3 for ISO three-decimal currencies (assumption)", () => {
    for (const code of ["KWD", "BHD", "OMR", "JOD", "TND"]) expect(chargebeeExponent(code)).toBe(3);
  });
  it("is 2 for everything else, including ISO zero-decimal currencies Chargebee does not list", () => {
    for (const code of ["USD", "EUR", "INR", "CLP", "VND", "CLF"]) {
      expect(chargebeeExponent(code)).toBe(2);
    }
  });
});

describe("chargebeeMoney", () => {
  it("keeps minor units when Chargebee's scale is the ISO one", () => {
    expect(chargebeeMoney(1999, "USD")).toEqual({ amount: 1999, currency: "USD" });
    expect(chargebeeMoney(1500, "JPY")).toEqual({ amount: 1500, currency: "JPY" });
    expect(chargebeeMoney(12345, "KWD")).toEqual({ amount: 12345, currency: "KWD" });
    expect(chargebeeMoney(-250, "EUR")).toEqual({ amount: -250, currency: "EUR" });
  });
  it("rescales where Chargebee's two decimals differ from the ISO exponent", () => {
    // CLP: Chargebee sends ×100, ISO has no decimals.
    expect(chargebeeMoney(150000, "CLP")).toEqual({ amount: 1500, currency: "CLP" });
    expect(chargebeeMoney(150050, "CLP")).toEqual({ amount: 1500, currency: "CLP" }); // half-even
    expect(chargebeeMoney(150150, "CLP")).toEqual({ amount: 1502, currency: "CLP" });
    expect(chargebeeMoney(-7, "CLP")).toEqual({ amount: 0, currency: "CLP" });
    // CLF: ISO four decimals.
    expect(chargebeeMoney(123, "CLF")).toEqual({ amount: 12300, currency: "CLF" });
  });
  it("throws MoneyError when rescaling leaves the safe-integer range", () => {
    expect(() => chargebeeMoney(Number.MAX_SAFE_INTEGER, "CLF")).toThrow(MoneyError);
  });
});
