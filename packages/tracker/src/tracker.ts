/**
 * The browser tracker: records each landing (click ids, UTM parameters, the external referrer, the
 * landing URL, TikTok's `_ttp` cookie) and lead-form identities, and sends them to a same-origin
 * collect endpoint with `fetch` + `keepalive` as `text/plain` (no CORS preflight), or `sendBeacon`
 * when the page goes away. The visitor id is a cookie the server sets (`HttpOnly`, first party), so
 * this script never reads it. Kept small on purpose: every byte ships to every visitor.
 *
 * @module
 */
import {
  CLICK_ID_PARAMS,
  type CollectBody,
  type TouchEvent,
  type Tracker,
  type TrackerEvent,
  type TrackerOptions,
  UTM_PARAMS,
} from "./tracker-types.js";

/**
 * Browsers cap the keepalive requests and beacons in flight at 64 KB together: the tracker keeps
 * them within `BUDGET` bytes, in bodies of at most `BODY` bytes.
 */
const BUDGET = 60_000;
const BODY = BUDGET / 2;
/** The endpoint takes at most 50 events a body. */
const EVENTS = 50;
/** Retries of a request the endpoint did not accept (5xx, 429) or that failed, before it is dropped. */
const RETRIES = 5;
/** A string's length in UTF-8 bytes. */
const size = (text: string): number => new Blob([text]).size;
/** Longest URL or referrer kept. */
const MAX_URL = 2_000;
const FIRST = "rt_ft";
const LAST_CLICK = "rt_ck";

// (`||` rather than `?.` and `??`, which the ES2017 build spells out at length.)
const cookie = (name: string): string | undefined =>
  (document.cookie.match(new RegExp(`(?:^|; )${name}=([^;]*)`)) || [])[1];

/** `decodeURIComponent`, or the value as it is when it is not valid percent-encoding. */
function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * `value` trimmed and cut to at most `max` UTF-16 units (the endpoint's bounds), never inside a
 * surrogate pair; `undefined` when it is blank or holds U+0000 or a lone surrogate, which the endpoint
 * refuses (and with it the whole body), or when it is not a string (`identify({ email: 42 })`: no
 * TypeError thrown into the page).
 */
function clean(value: unknown, max: number): string | undefined {
  try {
    const cut = (value as string)
      .trim()
      .slice(0, max)
      .replace(/[\ud800-\udbff]$/, "");
    // `encodeURIComponent` throws on a lone surrogate
    if (cut && !/\0/.test(cut) && encodeURIComponent(cut)) return cut;
  } catch {}
}

/** Where the tracker's state lives when `localStorage` is unavailable: this page's memory. */
const memory: Record<string, string | null> = {};
let persisted = true;

/** Reads a key, after writing it (a string) or removing it (`null`); in memory without `localStorage`. */
function store(key: string, value?: string | null): string | null {
  if (value !== undefined) memory[key] = value;
  try {
    if (value === null) localStorage.removeItem(key);
    else if (value !== undefined) localStorage.setItem(key, value);
    // once a write threw (a full quota, Safari's old private mode: reads work, writes throw), the
    // page's memory holds the state
    if (persisted) return localStorage.getItem(key);
  } catch {
    persisted = false;
  }
  return memory[key] || null;
}

/** The referrer's host, `""` when there is none. */
function referrerHost(): string {
  try {
    return new URL(document.referrer).host;
  } catch {
    return "";
  }
}

/** What the current URL says about where the visitor came from; `undefined` for internal navigation. */
function landing(affiliateParam: string, hasFirst: boolean): TouchEvent | undefined {
  const query = new URLSearchParams(location.search);
  const touch: TouchEvent = { type: "touch", at: Date.now(), url: location.href.slice(0, MAX_URL) };
  const pick = <K extends string>(keys: readonly K[], get: (key: K) => string | null) => {
    const found: Partial<Record<K, string>> = {};
    let any = false;
    for (const key of keys) {
      const value = clean(get(key), 500);
      if (value) {
        found[key] = value;
        any = true;
      }
    }
    return any ? found : undefined;
  };
  // Click ids exactly as in the URL: percent-decoded, but a `+` stays a `+` (not a space).
  touch.clickIds = pick(CLICK_ID_PARAMS, (key) => {
    const raw = location.search.match(new RegExp(`[?&]${key}=([^&]*)`))?.[1];
    return raw === undefined ? null : decode(raw);
  });
  touch.utm = pick(UTM_PARAMS, (key) => query.get(`utm_${key}`));
  touch.ref = clean(query.get(affiliateParam), 200);
  const host = referrerHost();
  // The endpoint takes http(s) referrers only (not `android-app://…`).
  const referrer =
    host && host !== location.host && /^https?:/.test(document.referrer)
      ? document.referrer.slice(0, MAX_URL)
      : "";
  if (referrer) touch.referrer = referrer;
  touch.ttp = clean(decode(cookie("_ttp") || ""), 200);
  if (!hasFirst) touch.first = true;
  return touch.clickIds || touch.utm || touch.ref || referrer || !hasFirst ? touch : undefined;
}

/** Starts the tracker on this page and records the landing. */
export function init(options: TrackerOptions = {}): Tracker {
  const endpoint = options.endpoint || "/rt/collect";
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const off = options.respectDoNotTrack && (nav.doNotTrack === "1" || nav.globalPrivacyControl);
  let consented = !options.requireConsent;
  let queue: TrackerEvent[] = [];
  // GA's client id, when it has the form the endpoint takes (else the endpoint refuses every body)
  const vid =
    options.useGaClientId &&
    ((cookie("_ga") || "")
      .split(".")
      .slice(2)
      .join(".")
      .match(/^[\w.-]{1,100}$/) || [])[0];

  /** Bytes of keepalive requests and beacons in flight (browsers allow 64 KB for all of them together). */
  let inflight = 0;
  /** Failures in a row: the next retry is due after 0.5 s, doubled at each. */
  let failures = 0;
  /** True while a retry is due: nothing is sent before it, unless the page goes away. */
  let waiting = false;

  /**
   * Sends the queue in bodies of at most `BODY` bytes (UTF-8): one request at a time while the page
   * lives, beacons within `BUDGET` when it goes away. A failed request's events go back to the queue and
   * are retried with a growing delay; an event too big for keepalive goes out as a plain fetch.
   */
  function send(leaving?: boolean) {
    if (off || !consented) return;
    while (queue.length > 0) {
      const body: CollectBody = { v: 1, events: [] };
      if (vid) body.vid = vid;
      let bytes = size(JSON.stringify(body)) - 1;
      for (const event of queue) {
        const more = size(JSON.stringify(event)) + 1;
        if (body.events.length > 0 && (bytes + more > BODY || body.events.length === EVENTS)) break;
        bytes += more;
        body.events.push(event);
      }
      const fits = inflight + bytes <= BUDGET;
      if (leaving ? !fits : inflight > 0 || waiting) return;
      const events = queue.splice(0, body.events.length);
      const text = JSON.stringify(body);
      inflight += bytes;
      if (
        leaving &&
        "sendBeacon" in nav &&
        nav.sendBeacon(endpoint, new Blob([text], { type: "text/plain" }))
      ) {
        setTimeout(() => {
          inflight -= bytes;
          send();
        }, 5_000);
        continue;
      }
      fetch(endpoint, {
        method: "POST",
        body: text,
        keepalive: fits,
        credentials: "same-origin",
        headers: { "content-type": "text/plain" },
      })
        .catch(() => undefined)
        .then((response) => {
          inflight -= bytes;
          const status = response ? response.status : 0;
          // Delivered, or refused for good (a 4xx but 429): done with these events.
          if (status && status !== 429 && status < 500) failures = 0;
          else if (failures++ < RETRIES && consented) {
            // Not accepted (5xx, 429) or a network error: resent after Retry-After or the backoff.
            // An answered request's events go back to the queue at once, so that a page going away
            // sends them in a beacon. A network error's go back only when the retry is due: a
            // keepalive request a leaving page lost track of (its promise rejects) may well be
            // delivered, and a page that is really unloaded never runs the timer, so `pagehide`
            // never sends them a second time.
            if (status) queue = events.concat(queue);
            waiting = true;
            return setTimeout(
              () => {
                waiting = false;
                if (!status && consented) queue = events.concat(queue);
                send();
              },
              // biome-ignore lint/complexity/useOptionalChain: the ES2017 build spells `?.` out at length
              Number(response && response.headers.get("retry-after")) * 1_000 || 250 << failures,
            );
          } else failures = 0; // dropped after `RETRIES` retries
          send();
        });
    }
  }

  function push(event: TrackerEvent) {
    if (off) return;
    queue.push(event);
    send();
  }

  /** Remembers the first landing (never overwritten) and the latest click id; only with consent. */
  function remember(touch: TouchEvent) {
    const ids = touch.clickIds;
    const click = touch.ref || (ids && Object.values(ids)[0]);
    // (a late consent may find one another tab stored meanwhile: never overwritten)
    if (touch.first && !store(FIRST))
      store(FIRST, JSON.stringify({ at: touch.at, click, url: touch.url }));
    if (click) store(LAST_CLICK, click);
  }

  // Under Do Not Track / GPC (when respected) nothing is read, stored or sent.
  // Without storage, a page reached from this site is internal navigation, not a first landing.
  // When nothing is stored and the referrer is this site, a write and its removal (both read back
  // blank) tell whether storage works at all.
  const hasFirst =
    store(FIRST) !== null ||
    (referrerHost() === location.host && !store(FIRST, "") && !store(FIRST, null) && !persisted);
  const touch = off ? undefined : landing(options.affiliateParam || "ref", hasFirst);
  if (touch) {
    if (consented) remember(touch);
    push(touch);
  }

  const tracker: Tracker = {
    identify(contact = {}) {
      const event: TrackerEvent = { type: "identify", at: Date.now() };
      event.email = clean(contact.email, 254);
      event.phone = clean(contact.phone, 40);
      if (event.email || event.phone) push(event);
    },
    consent(granted = true) {
      consented = granted;
      if (!granted) {
        // Withdrawn: forget the queue and what was stored.
        queue = [];
        store(FIRST, null);
        store(LAST_CLICK, null);
        return;
      }
      const first = queue.find((e): e is TouchEvent => e.type === "touch");
      if (first) remember(first);
      send();
    },
    clickId() {
      if (off) return;
      const last = store(LAST_CLICK);
      if (last) return last;
      try {
        // nothing stored: `JSON.parse("null").click` throws
        return JSON.parse(String(store(FIRST))).click;
      } catch {}
    },
    flush: () => send(true),
  };

  addEventListener("pagehide", () => send(true));
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") send(true);
  });
  if (options.forms) {
    document.addEventListener(
      "submit",
      (event) => {
        const form = event.target as HTMLFormElement;
        // The first text, email or tel field matching: never a password, checkbox or hidden field.
        const field = (selector: string) => {
          if ("querySelectorAll" in form)
            for (const input of form.querySelectorAll<HTMLInputElement>(selector))
              if (/^(text|email|tel)$/.test(input.type)) return input.value;
        };
        // Email and phone fields only: a phone is named so or autocompletes `tel` (a card number or
        // a one-time code in a type=tel field is not a phone).
        tracker.identify({
          email: field("input[type=email],input[name*=email i]"),
          phone: field("input[autocomplete$=tel],input[name*=phone i]"),
        });
      },
      true,
    );
  }
  return tracker;
}
