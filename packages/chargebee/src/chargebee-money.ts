/**
 * Chargebee amounts → revtrace {@link Money}.
 *
 * Chargebee spec §5: amounts are integers in the currency's smallest unit *as Chargebee defines it*:
 * value × 100 for ordinary currencies, the whole amount for its zero-decimal currencies (JPY, KRW, XAF,
 * XOF). Chargebee's handling of ISO three-decimal currencies (KWD, BHD, OMR, JOD, TND, …) is unverified
 * (spec §5, §11); we assume, as issue 4 asks, that their amounts carry three decimals (fils), i.e. the
 * ISO 4217 exponent. Every other currency is scaled from Chargebee's two decimals to its ISO exponent
 * with the core money helpers (never a fixed `/ 100`).
 *
 * @module
 */
import { currencyExponent, fromMajor, type Money } from "@revtrace/core";

/** Chargebee spec §5: the zero-decimal currencies named in Chargebee's API docs. */
const CHARGEBEE_ZERO_DECIMAL: ReadonlySet<string> = new Set(["JPY", "KRW", "XAF", "XOF"]);

/**
 * The number of decimals Chargebee's integer amounts carry for `currency`: 0 for JPY/KRW/XAF/XOF,
 * 3 for ISO three-decimal currencies (assumption, see the module note), 2 otherwise.
 */
export function chargebeeExponent(currency: string): 0 | 2 | 3 {
  if (CHARGEBEE_ZERO_DECIMAL.has(currency)) return 0;
  return currencyExponent(currency) === 3 ? 3 : 2;
}

/** Writes `amount` (an integer with `exponent` implied decimals) as a major-unit decimal string. */
function toDecimalString(amount: number, exponent: number): string {
  const digits = String(Math.abs(amount)).padStart(exponent + 1, "0");
  const cut = digits.length - exponent;
  return `${amount < 0 ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`;
}

/**
 * Converts a Chargebee integer amount to {@link Money} in the currency's ISO minor units.
 * `currency` must be a code known to `@revtrace/core` (the schemas check it first). When Chargebee's
 * scale and the ISO exponent differ (e.g. CLP: Chargebee ×100, ISO 0 decimals) the value goes through
 * `fromMajor`, rounding half-to-even. Throws `MoneyError` when the result leaves the safe-integer range.
 *
 * @example chargebeeMoney(1999, "USD") // { amount: 1999, currency: "USD" }
 * @example chargebeeMoney(1500, "JPY") // { amount: 1500, currency: "JPY" } (¥1,500)
 * @example chargebeeMoney(12345, "KWD") // { amount: 12345, currency: "KWD" } (KWD 12.345)
 */
export function chargebeeMoney(amount: number, currency: string): Money {
  const exponent = chargebeeExponent(currency);
  if (exponent === currencyExponent(currency)) return { amount, currency };
  return fromMajor(toDecimalString(amount, exponent), currency, "half-even");
}
