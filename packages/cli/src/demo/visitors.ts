/**
 * The demo's simulated visitors: where each came from (TikTok ads, Google ads and search, partners'
 * links, direct), when they came back, who filled the lead form, and who went on to subscribe. The
 * bodies are exactly what `@revtrace/tracker` posts to the collect endpoint.
 *
 * @module
 */
import type { SeededRandom as Random } from "@revtrace/core";

export const DAY = 86_400_000;
export const HOUR = 3_600_000;
export const SITE = "https://app.lovelace-analytics.io";

/** The partners whose `?ref=` codes the demo's collect endpoint accepts (`verifyAffiliateRef`). */
export const PARTNERS = ["ada-reviews", "saas-weekly", "devtools-digest"] as const;
/** Kiflo's partner ids of the demo partners (the leads they registered in Kiflo). */
export const KIFLO_PARTNER_IDS: Record<(typeof PARTNERS)[number], number> = {
  "ada-reviews": 101,
  "saas-weekly": 102,
  "devtools-digest": 103,
};

export type SourceKind = "tiktok" | "google_ads" | "google_organic" | "affiliate" | "direct";

/** One landing, as the tracker's `touch` event. */
export interface TouchEvent {
  type: "touch";
  at: number;
  url: string;
  referrer?: string;
  utm?: Record<string, string>;
  clickIds?: Record<string, string>;
  ref?: string;
  first?: true;
}

export interface IdentifyEvent {
  type: "identify";
  at: number;
  email: string;
}

/** One simulated visit (one collect request), at a simulated time. */
export interface Visit {
  at: number;
  events: (TouchEvent | IdentifyEvent)[];
}

export interface Visitor {
  n: number;
  source: SourceKind;
  campaign: string | null;
  /** The click id of the first landing (ttclid, gclid), carried to Chargebee as `cf_click_id`. */
  clickId: string | null;
  partner: (typeof PARTNERS)[number] | null;
  email: string | null;
  visits: Visit[];
  /** When the visitor checks out (simulated time), or `null` when they never subscribe. */
  checkoutAt: number | null;
}

const COMPANIES = [
  "northwind",
  "globex",
  "initech",
  "umbrella",
  "hooli",
  "vandelay",
  "acme",
  "stark",
];

function touch(
  kind: SourceKind,
  at: number,
  random: Random,
  visitor: Partial<Visitor>,
  first: boolean,
) {
  const event: TouchEvent = { type: "touch", at, url: `${SITE}/` };
  if (first) event.first = true;
  if (kind === "tiktok") {
    const campaign = visitor.campaign ?? "spring_launch";
    const ttclid = visitor.clickId ?? "";
    event.url = `${SITE}/?utm_source=tiktok&utm_medium=paid_social&utm_campaign=${campaign}&ttclid=${ttclid}`;
    event.referrer = "https://www.tiktok.com/";
    event.utm = { source: "tiktok", medium: "paid_social", campaign };
    event.clickIds = { ttclid };
  } else if (kind === "google_ads") {
    const campaign = visitor.campaign ?? "brand_search";
    const gclid = visitor.clickId ?? "";
    event.url = `${SITE}/pricing?utm_source=google&utm_medium=cpc&utm_campaign=${campaign}&gclid=${gclid}`;
    event.referrer = "https://www.google.com/";
    event.utm = { source: "google", medium: "cpc", campaign };
    event.clickIds = { gclid };
  } else if (kind === "google_organic") {
    event.url = `${SITE}/${random.pick(["blog/attribution-101", "docs", "pricing"])}`;
    event.referrer = "https://www.google.com/";
  } else if (kind === "affiliate") {
    event.url = `${SITE}/?ref=${visitor.partner}`;
    event.referrer = `https://${visitor.partner}.blog/best-revenue-tools`;
    event.ref = visitor.partner ?? "";
  } else {
    event.url = `${SITE}/${random.pick(["", "pricing", "signup"])}`;
  }
  return event;
}

/** Simulates `count` visitors arriving between `start` and `start + days` (simulated epoch ms). */
export function simulateVisitors(
  random: Random,
  count: number,
  start: number,
  days: number,
): Visitor[] {
  const visitors: Visitor[] = [];
  for (let n = 1; n <= count; n++) {
    const roll = random.next();
    const source: SourceKind =
      roll < 0.3
        ? "tiktok"
        : roll < 0.5
          ? "google_ads"
          : roll < 0.62
            ? "google_organic"
            : roll < 0.77
              ? "affiliate"
              : "direct";
    const visitor: Visitor = {
      n,
      source,
      campaign:
        source === "tiktok"
          ? random.pick(["spring_launch", "spring_launch", "creator_collab"])
          : source === "google_ads"
            ? random.pick(["brand_search", "competitor_terms"])
            : null,
      clickId:
        source === "tiktok"
          ? `E.C.P.demo${n.toString(36)}${random.int(1e5, 9e5)}`
          : source === "google_ads"
            ? `Cj0KCQdemo${n.toString(36)}${random.int(1e5, 9e5)}`
            : null,
      partner: source === "affiliate" ? random.pick(PARTNERS) : null,
      email: null,
      visits: [],
      checkoutAt: null,
    };
    const arrival = start + random.int(0, (days - 4) * 24) * HOUR + random.int(0, 59) * 60_000;
    visitor.visits.push({ at: arrival, events: [touch(source, arrival, random, visitor, true)] });
    let last = arrival;
    // Some come back: through search, directly, or through another TikTok ad. Never after the
    // simulation's end (its "now"): a later visit, lead or checkout would be due in the future, and
    // the demo's final drain would wait for it (the same draws either way, so every seed keeps its
    // other visitors).
    const latest = start + days * DAY - 4 * HOUR;
    const returns = random.chance(0.45) ? random.int(1, 3) : 0;
    for (let r = 0; r < returns; r++) {
      last = Math.min(last + random.int(2, 72) * HOUR, latest);
      const again: SourceKind = random.pick(["direct", "direct", "google_organic", source]);
      visitor.visits.push({ at: last, events: [touch(again, last, random, visitor, false)] });
    }
    const convertOdds = {
      tiktok: 0.22,
      google_ads: 0.28,
      google_organic: 0.12,
      affiliate: 0.4,
      direct: 0.08,
    };
    const converts = random.chance(convertOdds[source]);
    if (converts || random.chance(0.15)) {
      last += random.int(1, 30) * 60_000;
      const company = random.pick(COMPANIES);
      visitor.email = `visitor-${String(n).padStart(3, "0")}@${company}-${random.int(10, 99)}.io`;
      visitor.visits.push({
        at: last,
        events: [{ type: "identify", at: last, email: visitor.email }],
      });
    }
    if (converts) visitor.checkoutAt = last + random.int(5, 180) * 60_000;
    visitors.push(visitor);
  }
  return visitors;
}
