/**
 * The collect protocol between the browser tracker and the collect endpoint of
 * `@revtrace/pipeline`: one JSON body (sent as `text/plain`, so no CORS preflight) carrying events.
 *
 * @module
 */

/** Click-id query parameters captured on landing (PostHog's list plus TikTok, Google and Meta ids). */
export const CLICK_ID_PARAMS = [
  "ttclid",
  "gclid",
  "gclsrc",
  "dclid",
  "gbraid",
  "wbraid",
  "fbclid",
  "msclkid",
  "twclid",
  "li_fat_id",
  "igshid",
  "rdt_cid",
  "epik",
  "qclid",
  "sccid",
  "irclid",
  "_kx",
] as const;
export type ClickIdParam = (typeof CLICK_ID_PARAMS)[number];

/** UTM parameters captured on landing, without their `utm_` prefix. */
export const UTM_PARAMS = ["source", "medium", "campaign", "term", "content"] as const;
export type UtmParam = (typeof UTM_PARAMS)[number];

/** A landing: where the visitor came from and what the URL carried. */
export interface TouchEvent {
  type: "touch";
  /** Epoch milliseconds, the browser's clock. */
  at: number;
  /** The landing URL. */
  url: string;
  /** `document.referrer` when it is another site. */
  referrer?: string;
  utm?: Partial<Record<UtmParam, string>>;
  clickIds?: Partial<Record<ClickIdParam, string>>;
  /** The value of the configured affiliate parameter (default `ref`). */
  ref?: string;
  /** TikTok's `_ttp` cookie. */
  ttp?: string;
  /** True on the first landing this browser recorded. */
  first?: true;
}

/** A lead form or an explicit `identify` call. */
export interface IdentifyEvent {
  type: "identify";
  at: number;
  email?: string;
  phone?: string;
}

export type TrackerEvent = TouchEvent | IdentifyEvent;

/** The body of one collect request. */
export interface CollectBody {
  /** Protocol version. */
  v: 1;
  events: TrackerEvent[];
  /** A visitor id the page supplies instead of the server's cookie (GA's client id). */
  vid?: string;
}

/** Options of `init`. */
export interface TrackerOptions {
  /** Where events go: a same-origin path served by your own server. @default "/rt/collect" */
  endpoint?: string;
  /** The query parameter carrying an affiliate's ref. @default "ref" */
  affiliateParam?: string;
  /** Send nothing (and store nothing) until `consent(true)`. @default false */
  requireConsent?: boolean;
  /** Do nothing when the browser sends Do Not Track or Global Privacy Control. @default false */
  respectDoNotTrack?: boolean;
  /** Call `identify` on form submits with the form's email field (never a password). @default false */
  forms?: boolean;
  /** Reuse Google Analytics' client id (`_ga` cookie) as the visitor id. @default false */
  useGaClientId?: boolean;
}

/** What `init` returns. */
export interface Tracker {
  /** Links the visitor to an email and/or phone (a lead form). */
  identify(contact: { email?: string; phone?: string }): void;
  /** Grants (default) or refuses consent; before it, with `requireConsent`, nothing is sent. */
  consent(granted?: boolean): void;
  /** The click id to pass to Chargebee checkout as `cf_click_id`: the latest one seen, else the first. */
  clickId(): string | undefined;
  /** Sends what is queued now (also done on `pagehide` and when the page is hidden). */
  flush(): void;
}
