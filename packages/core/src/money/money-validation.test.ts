import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MoneyError } from "../errors.js";
import { CURRENCY_EXPONENTS, isCurrencyCode } from "./currencies.js";
import {
  addMoney,
  allocateMoney,
  assertMoney,
  fromMajor,
  type Money,
  MoneySchema,
  minorUnitExponent,
  money,
  moneyEquals,
  scaleMoney,
  subtractMoney,
  sumMoney,
  toMajor,
  toMajorNumber,
} from "./money.js";

const codes = Object.keys(CURRENCY_EXPONENTS);
const goodCurrency = fc.constantFrom(...codes);
const goodAmount = fc.integer({ min: -1e12, max: 1e12 });
const good = fc.record({ amount: goodAmount, currency: goodCurrency });

/** Amounts that are not safe integers of minor units. */
const badAmount: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    100.5,
    -0.25,
    2 ** 53,
    -(2 ** 60),
    Number.MAX_VALUE,
  ),
  fc.double({ noNaN: true }).filter((x) => !Number.isSafeInteger(x)),
  fc.constantFrom("100", null, undefined, 10n, {}, true),
);
/** Currencies that are unknown or not upper-case. */
const badCurrency: fc.Arbitrary<unknown> = fc.oneof(
  goodCurrency.map((c) => c.toLowerCase()),
  goodCurrency.map((c) => `${c[0]}${c.slice(1).toLowerCase()}`),
  fc.constantFrom("XYZ", "XXX", "US", "USDD", "", " USD", "__proto__", "constructor", null, 840),
  fc.string().filter((s) => !isCurrencyCode(s)),
);
const badMoney: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ amount: badAmount, currency: goodCurrency }),
  fc.record({ amount: goodAmount, currency: badCurrency }),
  fc.constantFrom(null, undefined, 5, "USD 1.00", []),
);

function expectMoneyError(call: () => unknown): void {
  let thrown: unknown;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(MoneyError);
}

/** Every entry point that takes one Money, called with `value` in that place. */
const oneMoneyEntryPoints: Array<[string, (value: Money, other: Money) => unknown]> = [
  ["money", (v) => money(v?.amount, v?.currency)],
  ["assertMoney", (v) => assertMoney(v)],
  ["toMajor", (v) => toMajor(v)],
  ["toMajorNumber", (v) => toMajorNumber(v)],
  ["addMoney (left)", (v, o) => addMoney(v, o)],
  ["addMoney (right)", (v, o) => addMoney(o, v)],
  ["subtractMoney (left)", (v, o) => subtractMoney(v, o)],
  ["subtractMoney (right)", (v, o) => subtractMoney(o, v)],
  ["sumMoney", (v, o) => sumMoney([o, v], o.currency)],
  ["moneyEquals", (v, o) => moneyEquals(o, v)],
  ["scaleMoney", (v) => scaleMoney(v, 1, 3, "half-even")],
  ["allocateMoney (integer weights)", (v) => allocateMoney(v, [1, 1, 1])],
  ["allocateMoney (fractional weights)", (v) => allocateMoney(v, [0.41, 0.55, 0.74, 1])],
  ["allocateMoney (one part)", (v) => allocateMoney(v, [1])],
];

describe("every Money entry point refuses what is not Money (property)", () => {
  it.each(oneMoneyEntryPoints)("%s throws MoneyError on a bad amount or currency", (_, call) => {
    fc.assert(
      fc.property(badMoney, good, (bad, other) => {
        expectMoneyError(() => call(bad as Money, other));
      }),
    );
  });

  it("MoneySchema refuses the same values", () => {
    fc.assert(
      fc.property(badMoney, (bad) => {
        expect(MoneySchema.safeParse(bad).success).toBe(false);
      }),
    );
  });

  it("currency arguments: fromMajor, sumMoney, minorUnitExponent", () => {
    fc.assert(
      fc.property(badCurrency, (code) => {
        expectMoneyError(() => fromMajor("1.00", code as string));
        expectMoneyError(() => sumMoney([], code as string));
        expectMoneyError(() => minorUnitExponent(code as string));
      }),
    );
  });

  it("fromMajor refuses non-finite and non-decimal values", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
          fc.constantFrom(null, undefined, {}, 1n, "NaN", "Infinity", "1e3", "0x10"),
        ),
        goodCurrency,
        (value, code) => {
          expectMoneyError(() => fromMajor(value as string, code));
        },
      ),
    );
  });

  it("scaleMoney refuses non-integer factors instead of a raw RangeError", () => {
    const usd = { amount: 100, currency: "USD" };
    for (const factor of [Number.NaN, Number.POSITIVE_INFINITY, 1.5, 2 ** 60]) {
      expectMoneyError(() => scaleMoney(usd, factor, 3, "floor"));
      expectMoneyError(() => scaleMoney(usd, 1, factor, "floor"));
    }
    expect(scaleMoney(usd, 3n, 2n, "floor")).toEqual({ amount: 150, currency: "USD" });
  });
});

describe("the failures that were reported", () => {
  it("allocateMoney on a fractional amount throws instead of looping forever", () => {
    expectMoneyError(() => allocateMoney({ amount: 100.5, currency: "USD" }, [1, 1]));
    expectMoneyError(() => allocateMoney({ amount: 10050.5, currency: "USD" }, [0.3, 0.7]));
  });

  it("NaN and Infinity give MoneyError, not a RangeError", () => {
    expectMoneyError(() => allocateMoney({ amount: Number.NaN, currency: "USD" }, [1, 2]));
    expectMoneyError(() => scaleMoney({ amount: Number.NaN, currency: "USD" }, 1, 2, "floor"));
    expectMoneyError(() =>
      addMoney({ amount: Number.POSITIVE_INFINITY, currency: "USD" }, money(1, "USD")),
    );
  });

  it("lower-case codes are refused with a message that says so", () => {
    expect(() => money(1, "usd")).toThrow(/upper-case/);
    expect(() => money(1, "XYZ")).toThrow(/Unknown currency code "XYZ"/);
  });

  it("messages never echo arbitrary input", () => {
    try {
      money(1, "jane@example.com");
    } catch (error) {
      expect((error as Error).message).not.toContain("jane");
    }
  });

  it("allocateMoney with huge fractional weights terminates with an exact split (property)", () => {
    fc.assert(
      fc.property(
        good,
        fc.array(fc.double({ min: 0, max: Number.MAX_VALUE / 64, noNaN: true }), {
          minLength: 2,
          maxLength: 20,
        }),
        (value, weights) => {
          fc.pre(weights.some((w) => w > 0));
          const parts = allocateMoney(value, weights);
          expect(parts.reduce((sum, p) => sum + p.amount, 0)).toBe(value.amount);
        },
      ),
    );
  });
});
