/**
 * Phone normalization to E.164 with libphonenumber-js.
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

/**
 * Normalizes a phone number to E.164 (`+15551234567`). The whole input must be one number
 * (libphonenumber-js `extract: false`); extensions are dropped. Returns `null` when it cannot be
 * parsed or its length is impossible for its country (`isPossible()`; the bundled "min" metadata
 * checks lengths, not digit patterns). Idempotent.
 *
 * @example
 * normalizePhone("(213) 373-4253", { defaultCountry: "US" }); // "+12133734253"
 * normalizePhone("12"); // null
 */
export function normalizePhone(raw: string, options: NormalizePhoneOptions = {}): string | null {
  const country = options.defaultCountry ?? undefined;
  const parsed = parsePhoneNumberFromString(raw.trim(), {
    defaultCountry: country,
    extract: false,
  });
  if (!parsed?.isPossible()) return null;
  return parsed.number;
}
