/**
 * Lookback windows the destinations judge conversions by (research identity-attribution §2.1–2.2, §3).
 * Use one per named model run, e.g. `{ name: "tiktok", model: "last_touch", lookbackMs:
 * LOOKBACK_PRESETS.tiktok, clickIds: ["ttclid"] }`.
 *
 * @module
 */
import { days } from "./time.js";

/** Lookback windows in ms. */
export const LOOKBACK_PRESETS = Object.freeze({
  /** TikTok: default 7-day click window (TikTok for Business "Flexible attribution windows"). */
  tiktok: days(7),
  /** Meta: default 7-day click (Meta Business Help "About the attribution setting"). */
  meta: days(7),
  /** GA4: 90 days, the default for conversions other than acquisition (`AttributionSettings`). */
  ga4: days(90),
  /** Affiliate cookie of 30 days (Tolt, AFFY). */
  affiliate30: days(30),
  /** Affiliate cookie of 60 days (Rewardful, FirstPromoter). */
  affiliate60: days(60),
  /** Affiliate cookie of 90 days (Dub). */
  affiliate90: days(90),
});
