/**
 * A touchpoint: one recorded visit of an anonymous visitor, with what brought them (click ids, UTM
 * parameters, referrer) and what a conversion API later needs (user agent, IP, TikTok `_ttp`).
 *
 * @module
 */
import { z } from "zod";
import { personal } from "./personal-data.js";

/**
 * Ad-platform and affiliate click identifiers found on the landing URL (or cookie, for `ttp`).
 * Values are kept exactly as received: click ids must never be hashed or lower-cased.
 */
export const ClickIdsSchema = z.object({
  /** TikTok click id (`ttclid` query parameter). */
  ttclid: z.string().min(1).optional(),
  /** Google Ads click id. */
  gclid: z.string().min(1).optional(),
  /** Meta click id. */
  fbclid: z.string().min(1).optional(),
  /** Microsoft Ads click id. */
  msclkid: z.string().min(1).optional(),
  /** Google Ads: the click's source (`gclsrc`), Display & Video 360 (`dclid`), iOS app/web (`gbraid`, `wbraid`). */
  gclsrc: z.string().min(1).optional(),
  dclid: z.string().min(1).optional(),
  gbraid: z.string().min(1).optional(),
  wbraid: z.string().min(1).optional(),
  /** X (Twitter) Ads click id. */
  twclid: z.string().min(1).optional(),
  /** LinkedIn Ads click id. */
  li_fat_id: z.string().min(1).optional(),
  /** Instagram share id. */
  igshid: z.string().min(1).optional(),
  /** Reddit Ads click id. */
  rdt_cid: z.string().min(1).optional(),
  /** Pinterest click id. */
  epik: z.string().min(1).optional(),
  /** Quora Ads click id. */
  qclid: z.string().min(1).optional(),
  /** Snapchat Ads click id. */
  sccid: z.string().min(1).optional(),
  /** impact.com (affiliate network) click id. */
  irclid: z.string().min(1).optional(),
  /** Klaviyo tracking id (email). */
  _kx: z.string().min(1).optional(),
  /** An affiliate click id issued (or verified) by our server. */
  affiliateClickId: z.string().min(1).optional(),
  /** An affiliate/partner referral code (`ref`, `via`, …). */
  affiliateRef: z.string().min(1).optional(),
});
export type ClickIds = z.infer<typeof ClickIdsSchema>;

/** UTM campaign parameters. */
export const UtmSchema = z.object({
  source: z.string().min(1).optional(),
  medium: z.string().min(1).optional(),
  campaign: z.string().min(1).optional(),
  term: z.string().min(1).optional(),
  content: z.string().min(1).optional(),
});
export type Utm = z.infer<typeof UtmSchema>;

/** The marketing channel of a touchpoint, derived by {@link deriveChannel}. */
export const ChannelSchema = z.enum([
  "affiliate",
  "paid_social",
  "paid_search",
  "email",
  "organic_social",
  "organic_search",
  "referral",
  "direct",
]);
export type Channel = z.infer<typeof ChannelSchema>;

/** A touchpoint. `occurredAt` is epoch milliseconds. */
export const TouchpointSchema = z.object({
  /** Unique id (idempotency key when stored). */
  id: z.string().min(1),
  /** The visitor's anonymous id (first-party cookie). */
  anonymousId: z.string().min(1),
  /** When the visit happened, epoch milliseconds. */
  occurredAt: z.number().int().nonnegative(),
  clickIds: ClickIdsSchema.default({}),
  utm: UtmSchema.default({}),
  /** The `document.referrer` of the landing. */
  referrer: z.string().optional(),
  /** The full landing page URL. */
  landingPage: z.string().optional(),
  userAgent: personal(z.string(), "device").optional(),
  /** The visitor's IP address as seen by the collect endpoint. */
  ip: personal(z.string(), "network").optional(),
  /** TikTok's first-party `_ttp` cookie value (never hashed). */
  ttp: z.string().optional(),
  channel: ChannelSchema,
});
export type Touchpoint = z.infer<typeof TouchpointSchema>;
/** Touchpoint fields before the channel is derived. */
export type TouchpointInput = z.input<typeof TouchpointSchema>;

const SEARCH_ENGINES =
  /(^|\.)(google|bing|duckduckgo|yahoo|baidu|yandex|ecosia|brave|startpage|naver)\./;
const SOCIAL_SITES =
  /(^|\.)(facebook|instagram|tiktok|twitter|x|t|linkedin|lnkd|pinterest|reddit|youtube|snapchat|threads)\.(com|co|net|in)$/;
const PAID_MEDIUMS =
  /^(cpc|ppc|paid|paidsearch|paid_search|paid-search|cpm|cpv|paid_social|paid-social|paidsocial|display|ads?)$/;

function hostOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * Derives the channel from click ids, UTM parameters and the referrer, in this order: an affiliate id
 * or ref (or an impact.com `irclid`) → `affiliate`; an ad click id (`ttclid`, `fbclid`, `twclid`,
 * `li_fat_id`, `rdt_cid`, `epik`, `sccid`, `qclid` → paid social; `gclid`, `gbraid`, `wbraid`,
 * `dclid`, `msclkid` → paid search; Klaviyo's `_kx` → email); `utm_medium` (`email`, paid mediums, `social`, `organic`, `referral`); the referrer's host
 * (search engine, social site, any other site); otherwise `direct`. A referrer on the landing page's own
 * host is not a referral.
 */
export function deriveChannel(
  tp: Pick<TouchpointInput, "clickIds" | "utm" | "referrer" | "landingPage">,
): Channel {
  const click = tp.clickIds ?? {};
  const utm = tp.utm ?? {};
  if (click.affiliateClickId || click.affiliateRef || click.irclid) return "affiliate";
  if (
    click.ttclid ||
    click.fbclid ||
    click.twclid ||
    click.li_fat_id ||
    click.rdt_cid ||
    click.epik ||
    click.sccid ||
    click.qclid
  )
    return "paid_social";
  if (click.gclid || click.gbraid || click.wbraid || click.dclid || click.msclkid)
    return "paid_search";
  if (click._kx) return "email";
  const medium = utm.medium?.toLowerCase();
  const source = utm.source?.toLowerCase() ?? "";
  const sourceIsSocial = SOCIAL_SITES.test(`${source}.com`) || /social/.test(medium ?? "");
  if (medium) {
    if (/e-?mail|newsletter/.test(medium)) return "email";
    if (medium === "affiliate" || medium === "partner") return "affiliate";
    if (PAID_MEDIUMS.test(medium) || /paid/.test(medium))
      return sourceIsSocial ? "paid_social" : "paid_search";
    if (/social/.test(medium)) return "organic_social";
    if (medium === "organic") return "organic_search";
    if (medium === "referral") return "referral";
  }
  const referrer = hostOf(tp.referrer);
  if (referrer && referrer !== hostOf(tp.landingPage)) {
    if (SEARCH_ENGINES.test(referrer)) return "organic_search";
    if (SOCIAL_SITES.test(referrer)) return "organic_social";
    return "referral";
  }
  if (utm.source) return "referral";
  return "direct";
}

/**
 * Validates a touchpoint and fills in `channel` with {@link deriveChannel} when it is missing.
 * Throws the zod error when the input is invalid.
 */
export function createTouchpoint(
  input: Omit<TouchpointInput, "channel"> & { channel?: Channel },
): Touchpoint {
  return TouchpointSchema.parse({ ...input, channel: input.channel ?? deriveChannel(input) });
}
