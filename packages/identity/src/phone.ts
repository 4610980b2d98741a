/**
 * Phone normalization to E.164 with libphonenumber-js, and placeholder numbers.
 *
 * @module
 */
import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js";

/** Options of {@link normalizePhone}. */
export interface NormalizePhoneOptions {
  /**
   * Country assumed for numbers written without `+` (ISO 3166-1 alpha-2, e.g. `"US"`). Without it,
   * only international numbers (`+…`) are accepted.
   * @default undefined
   */
  defaultCountry?: CountryCode | null | undefined;
}

/** A parsed number: E.164, and the country calling code and national significant number in it. */
export interface PhoneParts {
  number: string;
  countryCallingCode: string;
  nationalNumber: string;
}

/** {@link normalizePhone}, keeping the parts of the number (internal: the key normalizer checks them). */
export function parsePhone(raw: string, options: NormalizePhoneOptions = {}): PhoneParts | null {
  const country = options.defaultCountry ?? undefined;
  const parsed = parsePhoneNumberFromString(raw.trim(), {
    defaultCountry: country,
    extract: false,
  });
  if (!parsed?.isPossible()) return null;
  // A national number with a leading 0 (a trunk prefix left in, as in "+43 0…") can parse to a
  // number whose own parse drops another 0: not a stable number, so no key (keys are idempotent:
  // normalizing a normalized phone gives it back). Italy keeps its leading 0 and stays stable.
  if (parsed.nationalNumber.startsWith("0")) {
    const again = parsePhoneNumberFromString(parsed.number, { extract: false });
    if (again?.number !== parsed.number) return null;
  }
  return {
    number: parsed.number,
    countryCallingCode: parsed.countryCallingCode,
    nationalNumber: parsed.nationalNumber,
  };
}

/**
 * Normalizes a phone number to E.164 (`+15551234567`). The whole input must be one number
 * (libphonenumber-js `extract: false`); extensions are dropped. Returns `null` when it cannot be
 * parsed or its length is impossible for its country (`isPossible()`; the bundled "min" metadata
 * checks lengths, not digit patterns). Idempotent. Placeholders (`+1 111 111 1111`) are valid numbers
 * here: see {@link isPlaceholderPhone}.
 *
 * @example
 * normalizePhone("(213) 373-4253", { defaultCountry: "US" }); // "+12133734253"
 * normalizePhone("12"); // null
 */
export function normalizePhone(raw: string, options: NormalizePhoneOptions = {}): string | null {
  return parsePhone(raw, options)?.number ?? null;
}

/** Whether each digit of `digits` steps by `step` (mod 10) from the one before. */
function steps(digits: string, step: number): boolean {
  for (let i = 1; i < digits.length; i++) {
    if ((digits.charCodeAt(i) - digits.charCodeAt(i - 1) + 10) % 10 !== (step + 10) % 10)
      return false;
  }
  return true;
}

/**
 * Whether a national significant number is a placeholder: one digit repeated (`111 111 1111`,
 * `000 000 0000`), two digits alternating (`121 212 1212`), an ascending or descending run
 * (`123 456 7890`, `987 654 3210`), or, under country code 1, a NANP number reserved for fiction
 * (`555-0100` to `555-0199` in any area code; NANPA).
 */
export function isPlaceholderNationalNumber(
  nationalNumber: string,
  countryCallingCode = "",
): boolean {
  const n = nationalNumber;
  if (n.length < 4) return false;
  if (steps(n, 0) || steps(n, 1) || steps(n, -1)) return true;
  if (n.length >= 6 && n.slice(0, 2).repeat(n.length).startsWith(n)) return true;
  return (
    countryCallingCode === "1" &&
    n.length === 10 &&
    n.slice(3, 6) === "555" &&
    n.slice(6, 8) === "01"
  );
}

/**
 * Whether a phone number (any form {@link normalizePhone} accepts; an E.164 string is simplest) is a
 * placeholder that people type to get past a form, rather than someone's number: see
 * {@link isPlaceholderNationalNumber}. Numbers that do not parse are not placeholders (they are
 * invalid).
 *
 * @example
 * isPlaceholderPhone("+1 111 111 1111"); // true
 * isPlaceholderPhone("+12133734253"); // false
 */
export function isPlaceholderPhone(phone: string, options: NormalizePhoneOptions = {}): boolean {
  const parts = parsePhone(phone, options);
  return (
    parts !== null && isPlaceholderNationalNumber(parts.nationalNumber, parts.countryCallingCode)
  );
}
