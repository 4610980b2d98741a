/**
 * Options of the Chargebee event parser, validated once with zod (core `parseOptions`).
 *
 * @module
 */
import { isCurrencyCode, parseOptions } from "@revtrace/core";
import { z } from "zod";

/** Options of {@link parseChargebeeEvent} and {@link createChargebeeParser}. */
export interface ChargebeeParseOptions {
  /**
   * The subscription custom field holding the ad/affiliate click id (spec §4.6). Must start with `cf_`.
   * @default "cf_click_id"
   */
  clickIdField?: string;
  /**
   * The key of the subscription's `meta_data` holding the affiliate reference (AFFY's fallback chain,
   * seeds/004).
   * @default "affiliate_ref"
   */
  affiliateRefKey?: string;
  /**
   * Currency for payloads that carry no `currency_code` anywhere (v1-era payloads, spec §8: single-currency
   * sites). Set it to your site's base currency.
   * @default "USD"
   */
  defaultCurrency?: string;
}

/** {@link ChargebeeParseOptions} with every default applied. */
export interface ResolvedParseOptions {
  readonly clickIdField: string;
  readonly affiliateRefKey: string;
  readonly defaultCurrency: string;
}

/** The schema of {@link ChargebeeParseOptions} (also nested under `parse` in the API options). */
export const ParseOptionsSchema = z.strictObject({
  clickIdField: z
    .string()
    .regex(/^cf_.+/, { message: "Custom field names start with cf_" })
    .default("cf_click_id"),
  affiliateRefKey: z.string().min(1).default("affiliate_ref"),
  defaultCurrency: z
    .string()
    .refine(isCurrencyCode, { message: "Unknown ISO 4217 currency code" })
    .default("USD"),
});

/** The defaults, resolved once. */
export const DEFAULT_PARSE_OPTIONS: ResolvedParseOptions = Object.freeze(
  ParseOptionsSchema.parse({}),
);

/**
 * Validates `options` and applies the defaults; throws {@link ConfigError} naming the bad fields and
 * why (`Invalid Chargebee parser options: clickIdField: Custom field names start with cf_`).
 */
export function resolveParseOptions(
  options: ChargebeeParseOptions | undefined,
): ResolvedParseOptions {
  if (options === undefined) return DEFAULT_PARSE_OPTIONS;
  return parseOptions(ParseOptionsSchema, options, "Chargebee parser options");
}
