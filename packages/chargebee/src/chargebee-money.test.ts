import { MoneyError } from "@revtrace/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chargebeeExponent, chargebeeMoney } from "./chargebee-money.js";

describe("chargebeeExponent", () => {
  it("is 0 for Chargebee's zero-decimal currencies (spec §5)", () => {
    for (const code of ["JPY", "KRW", "XAF", "XOF"]) expect(chargebeeExponent(code)).toBe(0);
  });
  it("is 2 for everything else: ISO three-decimal currencies and ISO zero-decimal ones Chargebee does not list", () => {
    for (const code of [
      "USD",
      "EUR",
      "INR",
      "CLP",
      "VND",
      "CLF",
      "KWD",
      "BHD",
      "OMR",
      "JOD",
      "TND",
    ]) {
      expect(chargebeeExponent(code)).toBe(2);
    }
  });
});

describe("chargebeeMoney", () => {
  it("keeps minor units when Chargebee's scale is the ISO one", () => {
    expect(chargebeeMoney(1999, "USD")).toEqual({ amount: 1999, currency: "USD" });
    expect(chargebeeMoney(1500, "JPY")).toEqual({ amount: 1500, currency: "JPY" });
    expect(chargebeeMoney(-250, "EUR")).toEqual({ amount: -250, currency: "EUR" });
  });

  it("scales ISO three-decimal currencies up from Chargebee's two decimals (KWD 123.45 is 123450 fils)", () => {
    expect(chargebeeMoney(12345, "KWD")).toEqual({ amount: 123450, currency: "KWD" });
    expect(chargebeeMoney(-1, "BHD")).toEqual({ amount: -10, currency: "BHD" });
  });

  it("converts exactly where Chargebee's two decimals differ from the ISO exponent", () => {
    // CLP: Chargebee sends ×100, ISO has no decimals.
    expect(chargebeeMoney(150000, "CLP")).toEqual({ amount: 1500, currency: "CLP" });
    expect(chargebeeMoney(-700, "CLP")).toEqual({ amount: -7, currency: "CLP" });
    // CLF: ISO four decimals.
    expect(chargebeeMoney(123, "CLF")).toEqual({ amount: 12300, currency: "CLF" });
  });

  it("refuses, never rounds, an amount finer than the ISO unit (CLP 1500.50)", () => {
    expect(() => chargebeeMoney(150050, "CLP")).toThrow(MoneyError);
    expect(() => chargebeeMoney(150050, "CLP")).toThrow(/refused, not rounded/);
    expect(() => chargebeeMoney(1, "VND")).toThrow(MoneyError);
  });

  it.each([[Number.NaN], [1.5], [2 ** 60], [Number.POSITIVE_INFINITY], [-(2 ** 53)]])(
    "refuses %s on the fast path too (USD, same scale)",
    (amount) => {
      expect(() => chargebeeMoney(amount, "USD")).toThrow(MoneyError);
    },
  );

  it.each([["usd"], ["XYZ"], [""], ["__proto__"]])("refuses the currency %j", (currency) => {
    expect(() => chargebeeMoney(100, currency)).toThrow(MoneyError);
  });

  it("throws MoneyError when scaling up leaves the safe-integer range", () => {
    expect(() => chargebeeMoney(Number.MAX_SAFE_INTEGER, "CLF")).toThrow(MoneyError);
  });

  it("never changes the value: the ISO amount is Chargebee's amount at the ISO scale", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e12, max: 1e12 }),
        fc.constantFrom("USD", "JPY", "KWD", "CLP", "CLF", "ISK", "EUR"),
        (amount, currency) => {
          let result: ReturnType<typeof chargebeeMoney>;
          try {
            result = chargebeeMoney(amount, currency);
          } catch (error) {
            expect(MoneyError.isInstance(error)).toBe(true);
            return;
          }
          // value = amount / 10^chargebee = result / 10^iso, compared in bigint.
          const iso = { USD: 2, JPY: 0, KWD: 3, CLP: 0, CLF: 4, ISK: 0, EUR: 2 }[
            currency
          ] as number;
          const own = chargebeeExponent(currency);
          expect(BigInt(result.amount) * 10n ** BigInt(own)).toBe(
            BigInt(amount) * 10n ** BigInt(iso),
          );
        },
      ),
    );
  });
});
