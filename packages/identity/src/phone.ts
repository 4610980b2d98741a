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

/** The length of the run of identical digits that ends `digits`. */
function trailingRun(digits: string): number {
  const last = digits.charCodeAt(digits.length - 1);
  let i = digits.length - 1;
  while (i > 0 && digits.charCodeAt(i - 1) === last) i--;
  return digits.length - i;
}

/** Shortest run of one repeated digit that, after a short prefix, makes a placeholder. */
const MIN_PLACEHOLDER_RUN = 7;
/** Longest prefix (an area code, a mobile prefix) allowed before that run. */
const MAX_PLACEHOLDER_PREFIX = 4;

/**
 * Whether a national significant number is a placeholder:
 *
 * - one digit repeated (`111 111 1111`, `000 000 0000`);
 * - two digits alternating, at least 6 digits (`121 212 1212`);
 * - an ascending or descending run, at least 4 digits (`123 456 7890`, `987 654 3210`);
 * - a prefix of at most 4 digits followed by at least 7 of one repeated digit: where a form checks
 *   the area code or mobile prefix, people type a real one and fill the rest with one digit (Brazil
 *   `(11) 99999-9999`, a 2-digit DDD and a 9-digit mobile; Germany `0171 1111111`, a 3- or 4-digit
 *   mobile prefix; NANP `212 444 4444`, which a real Chargebee test customer holds in the fixtures).
 *   Four digits cover the area codes and mobile prefixes of NANP (3), Brazil (2), Germany (3–4),
 *   the UK (2–4), France (1), Italy (3). A real number of that shape is a vanity number (a business
 *   line such as `+1 212 777 7777` or `+44 20 7777 7777`); it is rejected too, as a missed merge on
 *   that key only: the person's other keys still link. For a random 10-digit number the odds are
 *   about 1 in 10^6;
 * - under country code 1, a NANP number reserved for fiction (`555-0100` to `555-0199` in any area
 *   code; NANPA).
 *
 * {@link mayBePlaceholderE164} is the cheap necessary condition of all of these on an E.164
 * string: keep the two in step.
 */
export function isPlaceholderNationalNumber(
  nationalNumber: string,
  countryCallingCode = "",
): boolean {
  const n = nationalNumber;
  if (n.length < 4) return false;
  if (steps(n, 0) || steps(n, 1) || steps(n, -1)) return true;
  if (n.length >= 6 && n.slice(0, 2).repeat(n.length).startsWith(n)) return true;
  if (n.length >= MIN_PLACEHOLDER_RUN) {
    const run = trailingRun(n);
    if (run >= MIN_PLACEHOLDER_RUN && n.length - run <= MAX_PLACEHOLDER_PREFIX) return true;
  }
  return (
    countryCallingCode === "1" &&
    n.length === 10 &&
    n.slice(3, 6) === "555" &&
    n.slice(6, 8) === "01"
  );
}

/**
 * Whether an E.164 string (`+` and digits, as keys are stored) may be a placeholder, from its last
 * digits alone (internal: the key normalizer classifies every stored phone, and parsing one costs
 * about 20 µs). `false` means {@link isPlaceholderNationalNumber} is false for its national number,
 * whatever the country code; `true` means the number has to be parsed to know. The national number
 * is a suffix of the string, so each placeholder form leaves a mark on its last digits:
 *
 * - a repeated digit, an ascending or a descending run (at least 4 digits), and a prefix followed by
 *   7 or more of one digit: the last 4 digits step by 0, +1 or -1;
 * - two digits alternating (at least 6 digits): the last 6 digits alternate;
 * - NANP 555-01xx: `+1`, 10 digits, `55501` at digits 4 to 8.
 */
export function mayBePlaceholderE164(value: string): boolean {
  if (value.charCodeAt(0) !== 43 || value.length < 6) return false;
  const tail = value.slice(-4);
  if (steps(tail, 0) || steps(tail, 1) || steps(tail, -1)) return true;
  const last = value.length - 1;
  if (
    value.length >= 7 &&
    value.charCodeAt(last) === value.charCodeAt(last - 2) &&
    value.charCodeAt(last) === value.charCodeAt(last - 4) &&
    value.charCodeAt(last - 1) === value.charCodeAt(last - 3) &&
    value.charCodeAt(last - 1) === value.charCodeAt(last - 5)
  )
    return true;
  return value.length === 12 && value.startsWith("+1") && value.slice(5, 10) === "55501";
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
