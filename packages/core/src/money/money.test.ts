import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MoneyError } from "../errors.js";
import { CURRENCY_EXPONENTS } from "./currencies.js";
import {
  addMoney,
  allocateMoney,
  exactMajorNumber,
  fromMajor,
  type Money,
  MoneySchema,
  money,
  scaleMoney,
  subtractMoney,
  sumMoney,
  toExactMajorNumber,
  toMajor,
} from "./money.js";

const currencies = Object.keys(CURRENCY_EXPONENTS);
const currency = fc.constantFrom(...currencies);
const amount = fc.integer({ min: -1e15, max: 1e15 });
const anyMoney = fc.record({ amount, currency });

describe("currency table", () => {
  it("knows the exponents that matter for billing", () => {
    expect(CURRENCY_EXPONENTS).toMatchObject({
      USD: 2,
      EUR: 2,
      JPY: 0,
      KRW: 0,
      XAF: 0,
      XOF: 0,
      KWD: 3,
      BHD: 3,
      CLF: 4,
    });
    expect(currencies.length).toBeGreaterThan(150);
    expect(new Set(Object.values(CURRENCY_EXPONENTS))).toEqual(new Set([0, 2, 3, 4]));
  });
});

describe("fromMajor / toMajor", () => {
  it.each([
    ["19.99", "USD", 1999, "19.99"],
    ["0.5", "USD", 50, "0.50"],
    ["-0.05", "USD", -5, "-0.05"],
    ["1500", "JPY", 1500, "1500"],
    ["1.234", "KWD", 1234, "1.234"],
    ["0.0001", "CLF", 1, "0.0001"],
    [" 12 ", "EUR", 1200, "12.00"],
    [19.99, "USD", 1999, "19.99"],
    [0.1, "USD", 10, "0.10"],
  ] as const)("%s %s → %i minor units → %s", (input, code, minor, major) => {
    const value = fromMajor(input, code);
    expect(value).toEqual({ amount: minor, currency: code });
    expect(toMajor(value)).toBe(major);
  });

  it("refuses more decimals than the currency has, unless told how to round", () => {
    expect(() => fromMajor("1.5", "JPY")).toThrow(MoneyError);
    expect(() => fromMajor("1.005", "USD")).toThrow(MoneyError);
    expect(fromMajor("1.005", "USD", "half-even")).toEqual({ amount: 100, currency: "USD" });
    expect(fromMajor("1.015", "USD", "half-even")).toEqual({ amount: 102, currency: "USD" });
    expect(fromMajor("1.005", "USD", "half-up")).toEqual({ amount: 101, currency: "USD" });
    expect(fromMajor("-1.001", "USD", "floor")).toEqual({ amount: -101, currency: "USD" });
    expect(fromMajor("-1.001", "USD", "ceil")).toEqual({ amount: -100, currency: "USD" });
    expect(fromMajor("1.00000", "USD")).toEqual({ amount: 100, currency: "USD" });
  });

  it("rejects garbage, unknown currencies and unsafe amounts", () => {
    for (const bad of ["", "abc", "1,5", "1e5", "1.2.3", "--1"])
      expect(() => fromMajor(bad, "USD")).toThrow(MoneyError);
    expect(() => fromMajor("1", "XXX")).toThrow(MoneyError);
    expect(() => fromMajor(Number.NaN, "USD")).toThrow(MoneyError);
    expect(() => fromMajor("900719925474099.92", "USD")).toThrow(MoneyError);
    expect(() => money(1.5, "USD")).toThrow(MoneyError);
  });

  it("round-trips every currency through major-unit strings (property)", () => {
    fc.assert(
      fc.property(anyMoney, (value) => {
        expect(fromMajor(toMajor(value), value.currency)).toEqual(value);
      }),
    );
  });

  it("toMajor always has exactly the currency's decimals (property)", () => {
    fc.assert(
      fc.property(anyMoney, (value) => {
        const text = toMajor(value);
        const exponent = CURRENCY_EXPONENTS[value.currency] as number;
        expect(text.split(".")[1]?.length ?? 0).toBe(exponent);
      }),
    );
  });
});

describe("exactMajorNumber", () => {
  it("is toExactMajorNumber, or a MoneyError naming the field when no JSON number holds it", () => {
    expect(exactMajorNumber({ amount: 1999, currency: "USD" }, "value")).toBe(19.99);
    expect(() =>
      exactMajorNumber({ amount: Number.MAX_SAFE_INTEGER, currency: "USD" }, "price"),
    ).toThrow(new MoneyError("the price in USD has more digits than a JSON number holds exactly"));
  });
});

describe("toExactMajorNumber", () => {
  it("is the major-unit number when it holds the amount exactly, else null", () => {
    expect(toExactMajorNumber({ amount: 1999, currency: "USD" })).toBe(19.99);
    expect(toExactMajorNumber({ amount: 0, currency: "USD" })).toBe(0);
    expect(toExactMajorNumber({ amount: 1234, currency: "KWD" })).toBe(1.234);
    expect(toExactMajorNumber({ amount: 1500, currency: "JPY" })).toBe(1500);
    expect(toExactMajorNumber({ amount: 99_999_999_999_999, currency: "USD" })).toBe(
      999_999_999_999.99,
    );
    expect(toExactMajorNumber({ amount: Number.MAX_SAFE_INTEGER, currency: "USD" })).toBeNull();
    expect(toExactMajorNumber({ amount: Number.MAX_SAFE_INTEGER, currency: "JPY" })).toBe(
      Number.MAX_SAFE_INTEGER,
    );
  });

  it("agrees with toMajor whenever it answers (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -Number.MAX_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }),
        (n) => {
          const money = { amount: n, currency: "USD" };
          const number = toExactMajorNumber(money);
          if (number !== null) expect(fromMajor(number, "USD").amount).toBe(n);
        },
      ),
    );
  });
});

describe("arithmetic", () => {
  const usd = (amount: number): Money => ({ amount, currency: "USD" });

  it("adds, subtracts and sums in one currency only", () => {
    expect(addMoney(usd(150), usd(-50))).toEqual(usd(100));
    expect(subtractMoney(usd(150), usd(200))).toEqual(usd(-50));
    expect(sumMoney([usd(1), usd(2), usd(3)], "USD")).toEqual(usd(6));
    expect(sumMoney([], "JPY")).toEqual({ amount: 0, currency: "JPY" });
    expect(() => addMoney(usd(1), { amount: 1, currency: "EUR" })).toThrow(MoneyError);
    expect(() => addMoney(usd(Number.MAX_SAFE_INTEGER), usd(1))).toThrow(MoneyError);
  });

  it("scales with explicit rounding", () => {
    expect(scaleMoney(usd(1000), 1, 3, "half-even")).toEqual(usd(333));
    expect(scaleMoney(usd(1000), 2, 3, "floor")).toEqual(usd(666));
    expect(scaleMoney(usd(1000), 2, 3, "ceil")).toEqual(usd(667));
    expect(scaleMoney(usd(5), 1, 2, "half-even")).toEqual(usd(2));
    expect(scaleMoney(usd(7), 1, 2, "half-even")).toEqual(usd(4));
    expect(scaleMoney(usd(5), 1, 2, "half-up")).toEqual(usd(3));
    expect(scaleMoney(usd(-5), 1, 2, "half-up")).toEqual(usd(-3));
    expect(scaleMoney(usd(-5), 1, 2, "floor")).toEqual(usd(-3));
    expect(scaleMoney(usd(-5), 1, 2, "trunc")).toEqual(usd(-2));
    expect(() => scaleMoney(usd(5), 1, 0, "floor")).toThrow(MoneyError);
  });

  it("scaling by n/n is the identity and never exceeds the bounds of floor/ceil (property)", () => {
    fc.assert(
      fc.property(
        anyMoney,
        fc.integer({ min: 1, max: 1e6 }),
        fc.integer({ min: 0, max: 1e6 }),
        (value, den, n) => {
          const num = n % (den + 1);
          expect(scaleMoney(value, den, den, "half-even")).toEqual(value);
          const lo = scaleMoney(value, num, den, "floor").amount;
          const hi = scaleMoney(value, num, den, "ceil").amount;
          const mid = scaleMoney(value, num, den, "half-even").amount;
          expect(hi - lo).toBeLessThanOrEqual(1);
          expect(mid).toBeGreaterThanOrEqual(lo);
          expect(mid).toBeLessThanOrEqual(hi);
        },
      ),
    );
  });
});

describe("allocateMoney", () => {
  it("splits by largest remainder, earlier parts first on ties", () => {
    const parts = allocateMoney({ amount: 100, currency: "USD" }, [1, 1, 1]).map((m) => m.amount);
    expect(parts).toEqual([34, 33, 33]);
    expect(
      allocateMoney({ amount: 5, currency: "JPY" }, [0.4, 0.2, 0.4]).map((m) => m.amount),
    ).toEqual([2, 1, 2]);
    expect(
      allocateMoney({ amount: -100, currency: "USD" }, [1, 1, 1]).map((m) => m.amount),
    ).toEqual([-34, -33, -33]);
    expect(allocateMoney({ amount: 7, currency: "USD" }, [0, 1]).map((m) => m.amount)).toEqual([
      0, 7,
    ]);
    expect(allocateMoney({ amount: 7, currency: "USD" }, [3])).toEqual([
      { amount: 7, currency: "USD" },
    ]);
  });

  it("rejects weights that cannot allocate", () => {
    expect(() => allocateMoney({ amount: 1, currency: "USD" }, [])).toThrow(MoneyError);
    expect(() => allocateMoney({ amount: 1, currency: "USD" }, [0, 0])).toThrow(MoneyError);
    expect(() => allocateMoney({ amount: 1, currency: "USD" }, [1, -1])).toThrow(MoneyError);
    expect(() => allocateMoney({ amount: 1, currency: "USD" }, [1, Number.NaN])).toThrow(
      MoneyError,
    );
  });

  const weights = fc.array(
    fc.oneof(fc.integer({ min: 0, max: 1e9 }), fc.double({ min: 0, max: 1e6, noNaN: true })),
    {
      minLength: 1,
      maxLength: 30,
    },
  );

  it("parts always sum exactly to the whole, in the same currency (property)", () => {
    fc.assert(
      fc.property(anyMoney, weights, (value, ws) => {
        fc.pre(ws.some((w) => w > 0));
        const parts = allocateMoney(value, ws);
        expect(parts).toHaveLength(ws.length);
        expect(parts.reduce((sum, p) => sum + p.amount, 0)).toBe(value.amount);
        for (const part of parts) {
          expect(part.currency).toBe(value.currency);
          expect(Number.isSafeInteger(part.amount)).toBe(true);
          expect(Math.sign(part.amount) * Math.sign(value.amount)).not.toBe(-1);
        }
      }),
    );
  });

  it("integer weights give each part the floor or ceiling of its exact share (property)", () => {
    fc.assert(
      fc.property(
        anyMoney,
        fc.array(fc.integer({ min: 0, max: 1e6 }), { minLength: 1, maxLength: 20 }),
        (value, ws) => {
          fc.pre(ws.some((w) => w > 0));
          const total = ws.reduce((a, b) => a + b, 0);
          const parts = allocateMoney(value, ws);
          ws.forEach((w, i) => {
            const exact = (BigInt(Math.abs(value.amount)) * BigInt(w)) / BigInt(total);
            const got = BigInt(Math.abs((parts[i] as Money).amount));
            expect(got === exact || got === exact + 1n).toBe(true);
          });
        },
      ),
    );
  });

  it("is deterministic: equal weights give equal splits regardless of call", () => {
    fc.assert(
      fc.property(anyMoney, weights, (value, ws) => {
        fc.pre(ws.some((w) => w > 0));
        expect(allocateMoney(value, ws)).toEqual(allocateMoney(value, ws));
      }),
    );
  });
});

describe("MoneySchema", () => {
  it("accepts safe integer minor units with a known currency only", () => {
    expect(MoneySchema.safeParse({ amount: 1999, currency: "USD" }).success).toBe(true);
    expect(MoneySchema.safeParse({ amount: 19.99, currency: "USD" }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 1, currency: "usd" }).success).toBe(false);
    expect(MoneySchema.safeParse({ amount: 2 ** 60, currency: "USD" }).success).toBe(false);
  });
});
