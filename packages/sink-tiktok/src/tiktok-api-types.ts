/**
 * The TikTok Events API 2.0 (`POST /open_api/v1.3/event/track/`) request and response shapes, as zod
 * schemas. Section numbers refer to shared/specs/tiktok-events-api.md.
 *
 * @module
 */
import { z } from "zod";

/** API version pinned by this package (TikTok spec §1). */
export const TIKTOK_API_VERSION = "v1.3";

/** Current standard web events, unified on 2025-05-01 (TikTok spec §3). */
export const TIKTOK_STANDARD_EVENTS = [
  "AddPaymentInfo",
  "AddToCart",
  "AddToWishlist",
  "ApplicationApproval",
  "CompleteRegistration",
  "Contact",
  "CustomizeProduct",
  "Download",
  "FindLocation",
  "InitiateCheckout",
  "Lead",
  "Purchase",
  "Schedule",
  "Search",
  "StartTrial",
  "SubmitApplication",
  "Subscribe",
  "ViewContent",
] as const;

/** A current standard event name. */
export type TikTokStandardEvent = (typeof TIKTOK_STANDARD_EVENTS)[number];

/** Legacy names still accepted, with the current name TikTok converts them to (TikTok spec §3). */
export const TIKTOK_LEGACY_ALIASES = {
  CompletePayment: "Purchase",
  SubmitForm: "Lead",
} as const satisfies Record<string, TikTokStandardEvent>;

/** Soft-deprecated names TikTok still supports as they are (TikTok spec §3). */
export const TIKTOK_SUPPORTED_LEGACY_EVENTS = ["ClickButton", "PlaceAnOrder", "PageView"] as const;

/** Reserved names that must not be used as custom events: TikTok maps them itself (TikTok spec §3). */
export const TIKTOK_RESERVED_EVENTS = [
  "AddBilling",
  "Browse",
  "Checkout",
  "ClickForm",
  "ClickInDownloadPage",
  "ClickToDownload",
  "Consult",
  "ConsultByPhone",
  "Registration",
  "StartCheckout",
  "ViewConsultationPage",
  "ViewDownloadPage",
  "ViewForm",
] as const;

/** An event name: a standard name, a legacy alias, or a custom name. */
export type TikTokEventName =
  | TikTokStandardEvent
  | keyof typeof TIKTOK_LEGACY_ALIASES
  | (typeof TIKTOK_SUPPORTED_LEGACY_EVENTS)[number]
  | (string & {});

/** Currencies TikTok documents as supported for `properties.currency` (TikTok spec §2.3). */
export const TIKTOK_CURRENCIES: ReadonlySet<string> = new Set([
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
]);

/** At most this many events in one request's `data[]` (TikTok spec §5). */
export const TIKTOK_MAX_BATCH_SIZE = 1000;

/** A SHA-256 digest as TikTok wants it: 64 lowercase hex characters (TikTok spec §4). */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

const hashed = z.string().regex(SHA256_HEX, "must be a lowercase SHA-256 hex digest");
const hashedOneOrMore = z.union([hashed, z.array(hashed).min(1)]);

/** The `user` object (TikTok spec §4): hashed matching keys and raw browser identifiers. */
export const TikTokUserSchema = z.object({
  email: hashedOneOrMore.optional(),
  phone: hashedOneOrMore.optional(),
  external_id: hashedOneOrMore.optional(),
  first_name: hashed.optional(),
  last_name: hashed.optional(),
  zip_code: hashed.optional(),
  city: z.string().min(1).optional(),
  state: z.string().min(1).optional(),
  country: z.string().min(1).optional(),
  /** Never hashed (TikTok spec §4). */
  ttclid: z.string().min(1).optional(),
  /** Never hashed (TikTok spec §4). */
  ttp: z.string().min(1).optional(),
  ip: z.union([z.ipv4(), z.ipv6()]).optional(),
  user_agent: z.string().min(1).optional(),
  locale: z.string().min(1).optional(),
});
export type TikTokUser = z.infer<typeof TikTokUserSchema>;

/** One item of `properties.contents` (TikTok spec §2.3). */
export const TikTokContentSchema = z.object({
  content_id: z.string().min(1),
  content_name: z.string().optional(),
  content_category: z.string().optional(),
  price: z.number().finite().optional(),
  quantity: z.number().finite().optional(),
  brand: z.string().optional(),
});
export type TikTokContent = z.infer<typeof TikTokContentSchema>;

/** The `properties` object (TikTok spec §2.3). */
export const TikTokPropertiesSchema = z.object({
  currency: z
    .string()
    .refine((code) => TIKTOK_CURRENCIES.has(code), "unsupported currency")
    .optional(),
  value: z.number().finite().nonnegative().optional(),
  contents: z.array(TikTokContentSchema).optional(),
  content_type: z.enum(["product", "product_group"]).optional(),
  order_id: z.string().min(1).optional(),
});
export type TikTokProperties = z.infer<typeof TikTokPropertiesSchema>;

/** An absolute http(s) URL. */
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an absolute http(s) URL" });

/** The `page` object (TikTok spec §2.2: `url` is the full URL, e.g. `location.href`). */
export const TikTokPageSchema = z.object({
  url: httpUrl,
  referrer: httpUrl.optional(),
});
export type TikTokPage = z.infer<typeof TikTokPageSchema>;

/** One element of `data[]` (TikTok spec §2.2). */
export const TikTokEventSchema = z.object({
  event: z.string().min(1),
  /** Unix seconds, UTC (TikTok spec §2.2). */
  event_time: z.number().int().positive(),
  /** Always a string (TikTok spec §7). */
  event_id: z.string().min(1),
  user: TikTokUserSchema,
  properties: TikTokPropertiesSchema.optional(),
  page: TikTokPageSchema.optional(),
  limited_data_use: z.boolean().optional(),
});
export type TikTokEvent = z.infer<typeof TikTokEventSchema>;

/** The body of `POST event/track/` (TikTok spec §2.1). */
export const TikTokTrackRequestSchema = z.object({
  event_source: z.literal("web"),
  /** The pixel code. */
  event_source_id: z.string().min(1),
  data: z.array(TikTokEventSchema).max(TIKTOK_MAX_BATCH_SIZE),
  test_event_code: z.string().min(1).optional(),
  partner_name: z.string().min(1).optional(),
});
export type TikTokTrackRequest = z.infer<typeof TikTokTrackRequestSchema>;

/** Every TikTok answer, success or not, HTTP 200 included (TikTok spec §6). */
export const TikTokResponseSchema = z.object({
  code: z.number().int(),
  message: z.string(),
  request_id: z.string().optional(),
  data: z.unknown().optional(),
});
export type TikTokResponse = z.infer<typeof TikTokResponseSchema>;
