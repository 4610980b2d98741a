/**
 * ISO 4217 minor-unit exponents.
 *
 * Source: the ISO 4217 "List One" (current currencies and funds), as maintained by SIX for ISO.
 * Every active code is listed with its exponent (0, 2, 3 or 4). A few codes withdrawn in recent years are
 * kept (with their last exponent) because historical invoices still carry them; they are marked below.
 *
 * @module
 */

const ZERO_DECIMAL = [
  "BIF",
  "CLP",
  "DJF",
  "GNF",
  "ISK",
  "JPY",
  "KMF",
  "KRW",
  "PYG",
  "RWF",
  "UGX",
  "UYI",
  "VND",
  "VUV",
  "XAF",
  "XOF",
  "XPF",
] as const;

const THREE_DECIMAL = ["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"] as const;

const FOUR_DECIMAL = ["CLF", "UYW"] as const;

const TWO_DECIMAL = [
  "AED",
  "AFN",
  "ALL",
  "AMD",
  "AOA",
  "ARS",
  "AUD",
  "AWG",
  "AZN",
  "BAM",
  "BBD",
  "BDT",
  "BMD",
  "BND",
  "BOB",
  "BOV",
  "BRL",
  "BSD",
  "BTN",
  "BWP",
  "BYN",
  "BZD",
  "CAD",
  "CDF",
  "CHE",
  "CHF",
  "CHW",
  "CNY",
  "COP",
  "COU",
  "CRC",
  "CUP",
  "CVE",
  "CZK",
  "DKK",
  "DOP",
  "DZD",
  "EGP",
  "ERN",
  "ETB",
  "EUR",
  "FJD",
  "FKP",
  "GBP",
  "GEL",
  "GHS",
  "GIP",
  "GMD",
  "GTQ",
  "GYD",
  "HKD",
  "HNL",
  "HTG",
  "HUF",
  "IDR",
  "ILS",
  "INR",
  "IRR",
  "JMD",
  "KES",
  "KGS",
  "KHR",
  "KPW",
  "KYD",
  "KZT",
  "LAK",
  "LBP",
  "LKR",
  "LRD",
  "LSL",
  "MAD",
  "MDL",
  "MGA",
  "MKD",
  "MMK",
  "MNT",
  "MOP",
  "MRU",
  "MUR",
  "MVR",
  "MWK",
  "MXN",
  "MXV",
  "MYR",
  "MZN",
  "NAD",
  "NGN",
  "NIO",
  "NOK",
  "NPR",
  "NZD",
  "PAB",
  "PEN",
  "PGK",
  "PHP",
  "PKR",
  "PLN",
  "QAR",
  "RON",
  "RSD",
  "RUB",
  "SAR",
  "SBD",
  "SCR",
  "SDG",
  "SEK",
  "SGD",
  "SHP",
  "SLE",
  "SOS",
  "SRD",
  "SSP",
  "STN",
  "SVC",
  "SYP",
  "SZL",
  "THB",
  "TJS",
  "TMT",
  "TOP",
  "TRY",
  "TTD",
  "TWD",
  "TZS",
  "UAH",
  "USD",
  "USN",
  "UYU",
  "UZS",
  "VED",
  "VES",
  "WST",
  "XCD",
  "XCG",
  "YER",
  "ZAR",
  "ZMW",
  "ZWG",
  // Withdrawn recently, still seen on historical invoices: Netherlands Antillean guilder (→ XCG, 2025),
  // Bulgarian lev (→ EUR, 2026), Croatian kuna (→ EUR, 2023), Cuban convertible peso (2021),
  // Sierra Leonean leone old code (→ SLE), Zimbabwe dollar (→ ZWG, 2024), Mauritanian ouguiya old
  // code (→ MRU, 2018; Chargebee's supported-currencies page still lists MRO).
  "ANG",
  "BGN",
  "HRK",
  "CUC",
  "SLL",
  "ZWL",
  "MRO",
] as const;

/** Every currency code revtrace knows, with its number of minor-unit digits. */
export const CURRENCY_EXPONENTS: Readonly<Record<string, 0 | 2 | 3 | 4>> = Object.freeze(
  Object.fromEntries([
    ...ZERO_DECIMAL.map((c) => [c, 0] as const),
    ...TWO_DECIMAL.map((c) => [c, 2] as const),
    ...THREE_DECIMAL.map((c) => [c, 3] as const),
    ...FOUR_DECIMAL.map((c) => [c, 4] as const),
  ]),
);

/** An ISO 4217 alphabetic code known to {@link CURRENCY_EXPONENTS}. */
export type CurrencyCode = string;

/** True when `code` is a currency revtrace knows (upper-case ISO 4217). */
export function isCurrencyCode(code: string): boolean {
  return Object.hasOwn(CURRENCY_EXPONENTS, code);
}

/**
 * The number of minor-unit digits of `code` (JPY 0, USD 2, KWD 3, CLF 4), or `undefined` for an unknown
 * code.
 */
export function currencyExponent(code: string): 0 | 2 | 3 | 4 | undefined {
  return isCurrencyCode(code) ? CURRENCY_EXPONENTS[code] : undefined;
}
