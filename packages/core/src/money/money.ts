/**
 * Money: an integer amount in minor units plus an ISO 4217 code. Never a float in storage.
 *
 * All arithmetic is exact: amounts are safe integers, and every operation that multiplies or divides
 * works in `bigint` and rounds explicitly.
 *
 * @module
 */
import { z } from "zod";
import { MoneyError } from "../errors.js";
import { currencyExponent, isCurrencyCode } from "./currencies.js";

/** An upper-case ISO 4217 code that revtrace knows (see `CURRENCY_EXPONENTS`). */
export const CurrencyCodeSchema = z
  .string()
  .refine(isCurrencyCode, { message: "Unknown ISO 4217 currency code" });

/**
 * An amount of money: `amount` is an integer in the currency's minor units (cents for USD, yen for JPY,
 * fils for KWD), `currency` an ISO 4217 code.
 *
 * @example { amount: 1999, currency: "USD" } // USD 19.99
 */
export const MoneySchema = z.object({
  amount: z.number().int().refine(Number.isSafeInteger, { message: "Amount exceeds 2^53 - 1" }),
  currency: CurrencyCodeSchema,
});

/** An amount of money in minor units. See {@link MoneySchema}. */
export type Money = z.infer<typeof MoneySchema>;

/** How to round a quotient that is not a whole number of minor units. */
export type Rounding = "half-even" | "half-up" | "floor" | "ceil" | "trunc";

/**
 * A currency code as it may appear in an error message: only short alphabetic codes are echoed, so a
 * message never carries arbitrary input.
 */
function describeCode(currency: unknown): string {
  return typeof currency === "string" && /^[A-Za-z]{1,8}$/.test(currency)
    ? `"${currency}"`
    : `of type ${currency === null ? "null" : typeof currency}`;
}

function exponentOf(currency: unknown): number {
  const exponent = typeof currency === "string" ? currencyExponent(currency) : undefined;
  if (exponent !== undefined) return exponent;
  if (typeof currency === "string" && currencyExponent(currency.toUpperCase()) !== undefined) {
    throw new MoneyError(
      `Currency codes are upper-case ISO 4217: ${describeCode(currency)} is not accepted`,
    );
  }
  throw new MoneyError(`Unknown currency code ${describeCode(currency)}`);
}

/**
 * Throws {@link MoneyError} unless `value` is a {@link Money}: an object whose `amount` is a safe
 * integer (no fraction, NaN, Infinity or beyond 2^53 − 1) and whose `currency` is a known upper-case
 * ISO 4217 code. Every Money function checks its arguments with it; use it at your own boundaries.
 *
 * @param label names the value in the message (e.g. `"refund.amount"`).
 */
export function assertMoney(value: unknown, label = "Money"): asserts value is Money {
  if (typeof value !== "object" || value === null) {
    throw new MoneyError(`${label} must be an object { amount, currency }`);
  }
  const { amount, currency } = value as { amount?: unknown; currency?: unknown };
  exponentOf(currency);
  if (!Number.isSafeInteger(amount)) {
    throw new MoneyError(
      `${label}.amount must be a safe integer of minor units (${describeAmount(amount)})`,
    );
  }
}

/** What is wrong with a non-safe-integer amount, without echoing it. */
function describeAmount(amount: unknown): string {
  if (typeof amount !== "number") return `got ${amount === null ? "null" : typeof amount}`;
  if (Number.isNaN(amount)) return "got NaN";
  if (!Number.isFinite(amount)) return "got an infinite number";
  if (!Number.isInteger(amount)) return "got a fractional number";
  return "got a number beyond 2^53 - 1";
}

function checked(amount: bigint, currency: string): Money {
  if (amount > BigInt(Number.MAX_SAFE_INTEGER) || amount < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new MoneyError(`Amount in ${currency} exceeds the safe integer range`);
  }
  return { amount: Number(amount), currency };
}

/** Builds a {@link Money} from minor units, checking the amount and the currency. */
export function money(amount: number, currency: string): Money {
  const value = { amount, currency };
  assertMoney(value);
  return value;
}

const MAJOR_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;

/**
 * Parses a major-unit amount ("19.99", 19.99, "-0.5", "1500") into minor units of `currency`.
 * Throws {@link MoneyError} when the value has more decimals than the currency allows, unless a
 * `rounding` is given.
 *
 * @example fromMajor("19.99", "USD") // { amount: 1999, currency: "USD" }
 * @example fromMajor("1500", "JPY")  // { amount: 1500, currency: "JPY" }
 */
export function fromMajor(value: string | number, currency: string, rounding?: Rounding): Money {
  const exponent = exponentOf(currency);
  let text: string;
  if (typeof value !== "number" && typeof value !== "string") {
    throw new MoneyError(
      `A major-unit amount is a decimal string or a number, not ${typeof value}`,
    );
  }
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new MoneyError("Amount must be a finite number");
    // Shortest round-trip representation; exponent notation only appears for |v| < 1e-6 or >= 1e21.
    text = String(value);
    if (/e/i.test(text)) text = value.toFixed(20).replace(/0+$/, "").replace(/\.$/, "");
  } else {
    text = value.trim();
  }
  const match = MAJOR_PATTERN.exec(text);
  if (!match) throw new MoneyError(`Not a decimal amount in ${currency}`);
  const [, sign, whole = "0", fraction = ""] = match;
  const kept = fraction.slice(0, exponent).padEnd(exponent, "0");
  const dropped = fraction.slice(exponent);
  let minor = BigInt(whole + kept);
  if (/[1-9]/.test(dropped)) {
    if (!rounding) {
      throw new MoneyError(`${currency} has ${exponent} decimal places; the amount has more`);
    }
    minor = roundQuotient(
      BigInt(whole + kept + dropped),
      10n ** BigInt(dropped.length),
      rounding,
      sign === "-",
    );
  }
  return checked(sign === "-" ? -minor : minor, currency);
}

/**
 * Formats minor units as a plain major-unit decimal string with exactly the currency's decimals.
 *
 * @example toMajor({ amount: 1999, currency: "USD" }) // "19.99"
 * @example toMajor({ amount: -5, currency: "KWD" })   // "-0.005"
 */
export function toMajor(value: Money): string {
  assertMoney(value);
  const exponent = exponentOf(value.currency);
  const negative = value.amount < 0;
  const digits = String(Math.abs(value.amount)).padStart(exponent + 1, "0");
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? "-" : ""}${whole}${exponent > 0 ? `.${fraction}` : ""}`;
}

/** Major units as a JavaScript number, for vendor APIs that want `value: 19.99`. Display only. */
export function toMajorNumber(value: Money): number {
  return Number(toMajor(value));
}

/**
 * Major units as a JavaScript number only when that number is the amount exactly: the decimal is
 * formatted from the integer minor units ({@link toMajor}), and the number kept only if it reads
 * back as the same minor units (what a vendor parsing the JSON gets). Else `null`: beyond about 15
 * significant digits a double cannot hold it, and `Number` would round silently
 * (`9007199254740991` cents is not `90071992547409.9`). For vendor APIs whose amounts are JSON
 * numbers.
 *
 * @example toExactMajorNumber({ amount: 1999, currency: "USD" }) // 19.99
 * @example toExactMajorNumber({ amount: Number.MAX_SAFE_INTEGER, currency: "USD" }) // null
 */
export function toExactMajorNumber(value: Money): number | null {
  const number = Number(toMajor(value));
  if (!Number.isFinite(number)) return null;
  try {
    return fromMajor(number, value.currency).amount === value.amount ? number : null;
  } catch {
    return null;
  }
}

/**
 * {@link toExactMajorNumber}, or a `MoneyError` naming `what` when no JSON number holds the amount
 * exactly: for sinks whose vendor takes amounts as JSON numbers and whose conversion is then
 * rejected rather than sent rounded.
 *
 * @example exactMajorNumber({ amount: 1999, currency: "USD" }, "value") // 19.99
 */
export function exactMajorNumber(value: Money, what: string): number {
  const number = toExactMajorNumber(value);
  if (number === null) {
    throw new MoneyError(
      `the ${what} in ${value.currency} has more digits than a JSON number holds exactly`,
    );
  }
  return number;
}

function sameCurrency(a: Money, b: Money): void {
  assertMoney(a, "The first Money");
  assertMoney(b, "The second Money");
  if (a.currency !== b.currency) {
    throw new MoneyError(`Cannot combine ${a.currency} with ${b.currency}`);
  }
}

/** `a + b`; both must be in the same currency. */
export function addMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(BigInt(a.amount) + BigInt(b.amount), a.currency);
}

/** `a - b`; both must be in the same currency. */
export function subtractMoney(a: Money, b: Money): Money {
  sameCurrency(a, b);
  return checked(BigInt(a.amount) - BigInt(b.amount), a.currency);
}

/** Sum of amounts in one currency; `currency` is required so that an empty list has one. */
export function sumMoney(values: readonly Money[], currency: string): Money {
  exponentOf(currency);
  if (!Array.isArray(values)) throw new MoneyError("sumMoney takes an array of Money");
  let total = 0n;
  for (const value of values) {
    assertMoney(value, "Each summed Money");
    if (value.currency !== currency)
      throw new MoneyError(`Cannot combine ${currency} with ${value.currency}`);
    total += BigInt(value.amount);
  }
  return checked(total, currency);
}

/** `n / d` rounded as asked; `negative` is the sign of the true quotient, `n` and `d` are >= 0. */
function roundQuotient(n: bigint, d: bigint, rounding: Rounding, negative: boolean): bigint {
  const q = n / d;
  const r = n % d;
  if (r === 0n) return q;
  switch (rounding) {
    case "trunc":
      return q;
    case "floor":
      return negative ? q + 1n : q;
    case "ceil":
      return negative ? q : q + 1n;
    case "half-up":
      return 2n * r >= d ? q + 1n : q;
    case "half-even": {
      const twice = 2n * r;
      if (twice > d) return q + 1n;
      if (twice < d) return q;
      return q % 2n === 0n ? q : q + 1n;
    }
  }
}

/** A scale factor as a bigint: a safe integer number or a bigint, else {@link MoneyError}. */
function integerFactor(factor: number | bigint, name: string): bigint {
  if (typeof factor === "bigint") return factor;
  if (!Number.isSafeInteger(factor)) {
    throw new MoneyError(`The scale ${name} must be a safe integer or a bigint`);
  }
  return BigInt(factor);
}

/**
 * `value × numerator / denominator`, rounded as asked. `floor`/`ceil` round toward −∞/+∞, `trunc`
 * toward zero, `half-up` away from zero on ties, `half-even` to the even neighbour on ties.
 *
 * @example scaleMoney({ amount: 1000, currency: "USD" }, 1, 3, "half-even") // 333
 */
export function scaleMoney(
  value: Money,
  numerator: number | bigint,
  denominator: number | bigint,
  rounding: Rounding,
): Money {
  assertMoney(value);
  const num = integerFactor(numerator, "numerator");
  const den = integerFactor(denominator, "denominator");
  if (den === 0n) throw new MoneyError("Cannot scale by a zero denominator");
  const product = BigInt(value.amount) * num;
  const negative = product < 0n !== den < 0n;
  const abs = (x: bigint) => (x < 0n ? -x : x);
  const magnitude = roundQuotient(abs(product), abs(den), rounding, negative);
  return checked(negative ? -magnitude : magnitude, value.currency);
}

function checkWeights(weights: readonly number[]): {
  total: number;
  max: number;
  integers: boolean;
} {
  if (!Array.isArray(weights)) throw new MoneyError("Allocation weights must be an array");
  if (weights.length === 0) throw new MoneyError("Cannot allocate into zero parts");
  let total = 0;
  let max = 0;
  let integers = true;
  for (const w of weights) {
    if (!Number.isFinite(w) || w < 0)
      throw new MoneyError("Allocation weights must be finite and >= 0");
    if (!Number.isSafeInteger(w)) integers = false;
    if (w > max) max = w;
    total += w;
  }
  if (!(total > 0)) throw new MoneyError("At least one allocation weight must be > 0");
  if (!Number.isFinite(total))
    throw new MoneyError("Allocation weights must sum to a finite number");
  return { total, max, integers };
}

/**
 * Hands out `left` units (positive: add one to the largest remainders; negative: take one back from the
 * smallest) with ties going to the earlier part. `|left|` is below the number of parts, so a selection
 * scan beats sorting; it wraps around only in the float path's pathological cases.
 */
function distributeLeftover(parts: number[], remainders: number[], left: number): void {
  if (left === 0) return;
  const n = parts.length;
  const step = left > 0 ? 1 : -1;
  let used = new Uint8Array(n);
  while (left !== 0) {
    let best = -1;
    for (let i = 0; i < n; i++) {
      if (used[i] === 1 || (step < 0 && parts[i] === 0)) continue;
      const r = remainders[i] as number;
      if (
        best === -1 ||
        (step > 0 ? r > (remainders[best] as number) : r < (remainders[best] as number))
      )
        best = i;
    }
    if (best === -1) {
      // Every part had its unit: start another round. A round that finds no part at all cannot
      // happen with a whole amount; refuse rather than loop.
      if (!used.includes(1)) throw new MoneyError("Cannot distribute the allocation's remainder");
      used = new Uint8Array(n);
      continue;
    }
    parts[best] = (parts[best] as number) + step;
    used[best] = 1;
    left -= step;
  }
}

/**
 * Splits `value` into parts proportional to `weights` so that the parts always sum exactly to `value`
 * (largest-remainder method: each part gets the floor of its share, and the units left over go to the
 * parts with the largest remainders, earlier parts first on ties). With integer weights every part is
 * the exact floor of its share (bigint arithmetic when the products exceed 2^53); with fractional
 * weights (time decay) shares are computed in floating point, so a part can differ by one minor unit
 * from the real-number share, but the sum is still exact and the result deterministic.
 *
 * @example allocateMoney({ amount: 100, currency: "USD" }, [1, 1, 1]) // 34, 33, 33
 */
export function allocateMoney(value: Money, weights: readonly number[]): Money[] {
  assertMoney(value);
  const { total, max, integers } = checkWeights(weights);
  const { currency } = value;
  const negative = value.amount < 0;
  const whole = Math.abs(value.amount);
  const n = weights.length;
  const parts: number[] = new Array(n);
  const remainders: number[] = new Array(n);
  let assigned = 0;
  if (n === 1) {
    return [{ amount: value.amount, currency }];
  }
  if (integers && whole * total <= Number.MAX_SAFE_INTEGER) {
    for (let i = 0; i < n; i++) {
      const product = whole * (weights[i] as number);
      const r = product % total;
      parts[i] = (product - r) / total;
      remainders[i] = r;
      assigned += parts[i] as number;
    }
  } else if (integers) {
    const big = BigInt(whole);
    const bigTotal = BigInt(total);
    for (let i = 0; i < n; i++) {
      const product = big * BigInt(weights[i] as number);
      parts[i] = Number(product / bigTotal);
      // Remainders compared as fractions of the same denominator: a float is precise enough to order them.
      remainders[i] = Number(product % bigTotal) / total;
      assigned += parts[i] as number;
    }
  } else {
    // whole × weight overflows to Infinity for huge weights; weight / total never exceeds 1.
    const huge = !Number.isFinite(whole * max);
    for (let i = 0; i < n; i++) {
      const weight = weights[i] as number;
      const share = huge ? whole * (weight / total) : (whole * weight) / total;
      const part = Math.floor(share);
      parts[i] = part;
      remainders[i] = share - part;
      assigned += part;
    }
  }
  distributeLeftover(parts, remainders, whole - assigned);
  const out: Money[] = new Array(n);
  for (let i = 0; i < n; i++)
    out[i] = { amount: negative ? -(parts[i] as number) || 0 : (parts[i] as number), currency };
  return out;
}

/** True when both values have the same currency and amount. */
export function moneyEquals(a: Money, b: Money): boolean {
  assertMoney(a, "The first Money");
  assertMoney(b, "The second Money");
  return a.currency === b.currency && a.amount === b.amount;
}

/** The currency's number of minor-unit digits; throws {@link MoneyError} for an unknown code. */
export function minorUnitExponent(currency: string): number {
  // Upper-case ISO 4217 only: "usd" is refused like an unknown code.
  return exponentOf(currency);
}
