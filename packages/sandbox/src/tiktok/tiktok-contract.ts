/**
 * The documented contract of TikTok's Events API 2.0 `event/track` for web events, as zod schemas the
 * emulator validates every request against. Written from shared/specs/tiktok-events-api.md (section
 * numbers below), independently of `@revtrace/sink-tiktok`, so that a misreading in the sink is caught
 * here rather than repeated. Stricter than TikTok where the spec says "do not": unknown fields are
 * refused (a typo such as `contents_ids` fails loudly).
 *
 * @module
 */
import { isIP } from "node:net";
import { z } from "zod";

/** Path of the endpoint, relative to the origin (TikTok spec §1; the trailing slash is part of it). */
export const TIKTOK_TRACK_PATH = "/open_api/v1.3/event/track/";

/** The production origin. */
export const TIKTOK_ORIGIN = "https://business-api.tiktok.com";

/** Most events in one request (TikTok spec §5). */
export const TIKTOK_MAX_EVENTS = 1000;

/** Return codes and their messages (official SDK constants, TikTok spec §6). */
export const TIKTOK_CODES = {
  OK: 0,
  PARTIAL_OK: 20001,
  INVALID_PARAMS: 40000,
  PERMISSION_ERROR: 40001,
  PARAM_ERROR: 40002,
  INVALID_BATCH_SIZE: 40061,
  PII_NOT_HASHED: 40062,
  INVALID_PARTNER_NAME: 40063,
  TOO_FREQUENT: 40100,
  ACCESS_TOKEN_EXPIRED: 40102,
  EMPTY_ACCESS_TOKEN: 40104,
  INVALID_ACCESS_TOKEN: 40105,
  SYSTEM_ERROR: 50000,
} as const;

/** Default `message` of each code the sandbox answers with. */
export const TIKTOK_CODE_MESSAGES: Readonly<Record<number, string>> = {
  0: "OK",
  20001: "Partial OK",
  40000: "Invalid params",
  40001: "No permission to operate pixel",
  40002: "Param error",
  40061: "Invalid batch size",
  40062: "PII not hashed",
  40063: "Invalid partner name",
  40100: "Too many requests. Please retry in some time.",
  40102: "Access token expired",
  40104: "Access token is empty",
  40105: "Access token is incorrect or has been revoked",
  40132: "Request frequency limited",
  50000: "System error",
  50002: "System timeout",
  60001: "System maintenance",
  61000: "Too many requests",
};

/** Currencies TikTok documents as supported (TikTok spec §2.3). */
export const TIKTOK_SUPPORTED_CURRENCIES = [
  "AED",
  "ARS",
  "AUD",
  "BDT",
  "BHD",
  "BIF",
  "BOB",
  "BRL",
  "CAD",
  "CHF",
  "CLP",
  "CNY",
  "COP",
  "CRC",
  "CZK",
  "DKK",
  "DZD",
  "EGP",
  "EUR",
  "GBP",
  "GTQ",
  "HKD",
  "HNL",
  "HUF",
  "IDR",
  "ILS",
  "INR",
  "ISK",
  "JPY",
  "KES",
  "KHR",
  "KRW",
  "KWD",
  "KZT",
  "MAD",
  "MOP",
  "MXN",
  "MYR",
  "NGN",
  "NIO",
  "NOK",
  "NZD",
  "OMR",
  "PEN",
  "PHP",
  "PKR",
  "PLN",
  "PYG",
  "QAR",
  "RON",
  "RUB",
  "SAR",
  "SEK",
  "SGD",
  "THB",
  "TRY",
  "TWD",
  "UAH",
  "USD",
  "VES",
  "VND",
  "ZAR",
] as const;

const SHA256 = /^[0-9a-f]{64}$/;

/** Message of a value that should have been hashed; such issues answer 40062 instead of 40002. */
export const NOT_HASHED_MESSAGE = "must be SHA-256 hashed: 64 lowercase hex characters";

/** A hashed matching key: one digest or a non-empty array of digests (TikTok spec §4). */
const hashed = (allowArray: boolean) =>
  z.unknown().superRefine((value, ctx) => {
    const values = allowArray && Array.isArray(value) ? (value as unknown[]) : [value];
    if (values.length === 0 || values.some((v) => typeof v !== "string")) {
      ctx.addIssue({
        code: "custom",
        message: allowArray ? "must be a string or an array of strings" : "must be a string",
      });
    } else if (values.some((v) => !SHA256.test(v as string))) {
      ctx.addIssue({ code: "custom", message: NOT_HASHED_MESSAGE });
    }
  });

/** A value TikTok wants exactly as received: it must not look like a SHA-256 digest (TikTok spec §4). */
const raw = (field: string) =>
  z
    .string()
    .min(1)
    .refine((value) => !SHA256.test(value), `${field} must be sent as received, never hashed`);

/** `user` (TikTok spec §4). */
export const TikTokUserContract = z.strictObject({
  email: hashed(true).optional(),
  phone: hashed(true).optional(),
  external_id: hashed(true).optional(),
  first_name: hashed(false).optional(),
  last_name: hashed(false).optional(),
  zip_code: hashed(false).optional(),
  city: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
  country: z.string().min(1).optional(),
  ttclid: raw("ttclid").optional(),
  ttp: raw("ttp").optional(),
  ip: z
    .string()
    .refine((value) => isIP(value) !== 0, "must be an IPv4 or IPv6 address")
    .optional(),
  user_agent: z.string().min(1).optional(),
  locale: z.string().min(1).optional(),
});

/** `properties.contents[]` (TikTok spec §2.3); ids are strings, numbers are numbers. */
const ContentContract = z.strictObject({
  content_id: z.string().min(1),
  content_name: z.string().optional(),
  content_category: z.string().optional(),
  price: z.number().optional(),
  quantity: z.number().optional(),
  brand: z.string().optional(),
});

/** `properties` (TikTok spec §2.3). */
export const TikTokPropertiesContract = z
  .strictObject({
    currency: z
      .enum(TIKTOK_SUPPORTED_CURRENCIES, { error: "is not a currency TikTok supports" })
      .optional(),
    value: z.number().nonnegative().optional(),
    contents: z.array(ContentContract).optional(),
    content_type: z.enum(["product", "product_group"]).optional(),
    content_ids: z.array(z.string().min(1)).optional(),
    num_items: z.number().int().optional(),
    order_id: z.string().min(1).optional(),
    shop_id: z.string().min(1).optional(),
    description: z.string().optional(),
    search_string: z.string().optional(),
    query: z.string().optional(),
    predicted_ltv: z.number().optional(),
  })
  .superRefine((properties, ctx) => {
    if (properties.value !== undefined && properties.currency === undefined) {
      ctx.addIssue({ code: "custom", path: ["currency"], message: "is required with value" });
    }
    if (properties.contents !== undefined && properties.content_ids !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["content_ids"],
        message: "send contents or content_ids, not both",
      });
    }
  });

/** `page` (TikTok spec §2.2). */
export const TikTokPageContract = z.strictObject({
  url: z.url(),
  referrer: z.string().optional(),
});

/** Limits on `event_time` (TikTok spec §8). */
export interface EventTimeWindow {
  /** Now, epoch milliseconds. */
  now: number;
  /** Oldest accepted age, days. */
  maxAgeDays: number;
  /** Tolerated clock skew into the future, seconds. */
  maxSkewSeconds: number;
}

/** One element of `data[]` for a web event (TikTok spec §2.2), with `event_time` checked against `window`. */
export function tiktokEventContract(window: () => EventTimeWindow) {
  return z.strictObject({
    event: z.string().min(1),
    event_time: z
      .number()
      .int()
      .superRefine((seconds, ctx) => {
        const { now, maxAgeDays, maxSkewSeconds } = window();
        const nowSeconds = Math.floor(now / 1000);
        if (seconds > 1e11)
          ctx.addIssue({ code: "custom", message: "must be Unix seconds, not milliseconds" });
        else if (seconds > nowSeconds + maxSkewSeconds)
          ctx.addIssue({ code: "custom", message: "is in the future" });
        else if (seconds < nowSeconds - maxAgeDays * 86_400) {
          ctx.addIssue({ code: "custom", message: `is older than ${maxAgeDays} days` });
        }
      }),
    // Always a JSON string (TikTok spec §7).
    event_id: z.string().min(1).optional(),
    user: TikTokUserContract.optional(),
    properties: TikTokPropertiesContract.optional(),
    page: TikTokPageContract.optional(),
    limited_data_use: z.boolean().optional(),
  });
}

/** The request body (TikTok spec §2.1); `data` elements are checked one by one afterwards. */
export const TikTokRequestContract = z.strictObject({
  event_source: z.literal("web", { error: "must be web (the sandbox emulates web events)" }),
  event_source_id: z.string().min(1),
  data: z.array(z.unknown()),
  test_event_code: z.string().min(1).optional(),
  partner_name: z.string().min(1).optional(),
});
