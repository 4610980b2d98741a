/**
 * Chargebee amounts → revtrace {@link Money}.
 *
 * Chargebee spec §5: amounts are integers in the currency's smallest unit *as Chargebee defines it*:
 * value × 100 for ordinary currencies, the whole amount for its zero-decimal currencies (JPY, KRW, XAF,
 * XOF). Every other currency, ISO three-decimal ones (KWD, BHD, OMR, JOD, TND) included, carries two
 * decimals in Chargebee's integers (its API docs, "Whole number currency values": "up to two decimal
 * places … multiplying it by 100"; pricing has at most two decimals unless multi-decimal pricing is
 * on, which only adds `*_in_decimal` strings): `12345` in KWD is KWD 123.45, 123450 fils in ISO units.
 *
 * `Money` is always in ISO 4217 minor units (core's table), because every consumer (attribution,
 * commissions, sinks) reads it with core's helpers. Where Chargebee's scale differs from ISO's, the
 * amount is converted **exactly or not at all**:
 * - Chargebee coarser than ISO (KWD, BHD, …: ISO 3 decimals; CLF, UYW: ISO 4; Chargebee 2):
 *   multiplied, always exact;
 * - Chargebee finer than ISO (CLP, ISK, UGX, VND, …: ISO 0 decimals, Chargebee 2, so `150050` is
 *   CLP 1500.50): divided when the fraction is zero (`150000` → CLP 1500); an amount with a fraction
 *   of the ISO unit is refused with a `MoneyError`, never rounded: rounding would lose money, and
 *   keeping Chargebee's scale under an ISO code would make every reader misread it by 100×.
 *
 * @module
 */
import { CURRENCY_EXPONENTS, type Money, MoneyError } from "@revtrace/core";

/** Spec §5: the zero-decimal currencies named in Chargebee's API docs. */
const CHARGEBEE_ZERO_DECIMAL: ReadonlySet<string> = new Set(["JPY", "KRW", "XAF", "XOF"]);

const POWERS = [1, 10, 100, 1000, 10_000] as const;

/** Core's ISO 4217 table as a Map: the parser looks a code up per amount, and this is its hot path. */
const ISO_EXPONENTS: ReadonlyMap<string, number> = new Map(Object.entries(CURRENCY_EXPONENTS));

/** The ISO 4217 exponent of an upper-case code known to `@revtrace/core`, else `undefined`. */
export function isoExponent(currency: string): number | undefined {
  return ISO_EXPONENTS.get(currency);
}

/**
 * The number of decimals Chargebee's integer amounts carry for `currency`: 0 for JPY/KRW/XAF/XOF, 2
 * for every other currency (see the module note).
 */
export function chargebeeExponent(currency: string): 0 | 2 {
  return CHARGEBEE_ZERO_DECIMAL.has(currency) ? 0 : 2;
}

/**
 * Converts a Chargebee integer amount to {@link Money} in the currency's ISO minor units, exactly.
 *
 * @throws {MoneyError} when `amount` is not a safe integer (NaN, 1.5, 2^60), when `currency` is not
 *   an upper-case ISO 4217 code known to `@revtrace/core`, when the ISO amount would leave the
 *   safe-integer range, or when the amount has a fraction of the ISO minor unit (CLP `150050`).
 *
 * @example chargebeeMoney(1999, "USD")   // { amount: 1999, currency: "USD" }
 * @example chargebeeMoney(1500, "JPY")   // { amount: 1500, currency: "JPY" } (¥1,500)
 * @example chargebeeMoney(12345, "KWD")  // { amount: 123450, currency: "KWD" } (KWD 123.45)
 * @example chargebeeMoney(150000, "CLP") // { amount: 1500, currency: "CLP" }
 * @example chargebeeMoney(123, "CLF")    // { amount: 12300, currency: "CLF" } (CLF 1.23)
 */
export function chargebeeMoney(amount: number, currency: string): Money {
  if (!Number.isSafeInteger(amount)) {
    throw new MoneyError(`A Chargebee ${String(currency)} amount must be a safe integer`);
  }
  const iso = typeof currency === "string" ? ISO_EXPONENTS.get(currency) : undefined;
  if (iso === undefined) throw new MoneyError("Unknown or lower-case ISO 4217 currency code");
  const own = chargebeeExponent(currency);
  if (own === iso) return { amount, currency };
  if (own < iso) {
    const scaled = amount * (POWERS[iso - own] as number);
    if (!Number.isSafeInteger(scaled)) {
      throw new MoneyError(`Amount in ${currency} exceeds the safe integer range`);
    }
    return { amount: scaled, currency };
  }
  const divisor = POWERS[own - iso] as number;
  if (amount % divisor !== 0) {
    throw new MoneyError(
      `Chargebee's ${currency} amount has a fraction of the ISO 4217 minor unit (${currency} has ${iso} decimals); it is refused, not rounded`,
    );
  }
  return { amount: amount / divisor || 0, currency };
}
