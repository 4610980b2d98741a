/**
 * Conversion → TikTok event, as pure functions: normalization and SHA-256 hashing of matching keys
 * (email, phone and hashing from `@revtrace/identity`, with TikTok's rules on top), the choice of the
 * attributed touchpoint, properties, page and `event_id`. Section numbers refer to
 * shared/specs/tiktok-events-api.md.
 *
 * @module
 */
import { isIP } from "node:net";
import {
  type Conversion,
  exactMajorNumber,
  type IdentityKeyKind,
  type Touchpoint,
} from "@revtrace/core";
import { hashIdentityValue, isSha256Hex, normalizeEmail, normalizePhone } from "@revtrace/identity";
import {
  TIKTOK_CURRENCIES,
  type TikTokContent,
  type TikTokEvent,
  type TikTokPage,
  type TikTokProperties,
  type TikTokUser,
  TikTokUserSchema,
} from "./tiktok-api-types.js";
import type { TikTokSettings, TikTokTarget } from "./tiktok-settings.js";

const DAY_MS = 86_400_000;

type PhoneRegion = NonNullable<NonNullable<Parameters<typeof normalizePhone>[1]>["defaultCountry"]>;

/**
 * `value` when it is an IP address TikTok takes (`user.ip`, TikTok spec §4), else `undefined`. Node's
 * `isIP` accepts an IPv6 address with a zone id (`fe80::1%eth0`), which the request schema (and TikTok)
 * refuses: such an address is a link-local interface name, never the browser's public address, so it
 * is dropped and the event kept.
 */
export function tiktokIp(value: string | null | undefined): string | undefined {
  if (!value) return undefined;
  const ip = value.trim();
  if (isIP(ip) === 0) return undefined;
  return TikTokUserSchema.shape.ip.safeParse(ip).success ? ip : undefined;
}

/**
 * Phone: E.164 with the leading `+` (TikTok spec §4: country code, digits only, no national trunk `0`),
 * by `@revtrace/identity`'s libphonenumber-js normalizer, as TikTok recommends. A country code written
 * in brackets (`(+1)2133734253`, TikTok's own test vector) is unwrapped first. Numbers without a
 * country code use `defaultCountry`. `undefined` when the number cannot be a phone number.
 */
export function normalizeTikTokPhone(
  value: string,
  defaultCountry?: string | null,
): string | undefined {
  const unwrapped = value.trim().replace(/^\(\s*(\+\d{1,3})\s*\)/, "$1 ");
  // The region type is libphonenumber-js's `CountryCode`, taken from the normalizer's own signature so
  // that this package needs no dependency on libphonenumber-js for a type.
  const region = defaultCountry ? (defaultCountry.toUpperCase() as PhoneRegion) : undefined;
  return normalizePhone(unwrapped, { defaultCountry: region }) ?? undefined;
}

/** External id: trimmed only; TikTok hashes the raw value and does not ask for lowercasing (spec §4). */
export function normalizeExternalId(value: string): string | undefined {
  const id = value.trim();
  return id === "" ? undefined : id;
}

/** First or last name: lowercase, whitespace and punctuation removed (TikTok spec §4). */
export function normalizeName(value: string): string | undefined {
  const name = value
    .normalize("NFC")
    .toLowerCase()
    .replace(/[\s\p{P}]/gu, "");
  return name === "" ? undefined : name;
}

/** Zip code: spaces and dashes removed, lowercase (TikTok spec §4). */
export function normalizeZip(value: string): string | undefined {
  const zip = value.toLowerCase().replace(/[\s-]/g, "");
  return zip === "" ? undefined : zip;
}

/** City, state, country: lowercase letters and digits only, sent unhashed (TikTok spec §4). */
export function normalizeLocation(value: string): string | undefined {
  const text = value
    .normalize("NFC")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, "");
  return text === "" ? undefined : text;
}

/**
 * Normalizes then SHA-256 hashes `value` (lowercase hex, TikTok spec §4); a value that is already a
 * SHA-256 hex digest (either case) is passed through lower-cased, so it is never hashed twice (TikTok
 * spec §4, "Already-hashed input"). `undefined` when `normalize` refuses the value.
 */
export function hashMatchKey(
  value: string,
  normalize: (value: string) => string | null | undefined,
): string | undefined {
  const trimmed = value.trim();
  const lower = trimmed.toLowerCase();
  if (isSha256Hex(lower)) return lower;
  const normalized = normalize(trimmed);
  return normalized == null ? undefined : hashIdentityValue(normalized);
}

function hashAll(
  values: ReadonlyArray<string | null | undefined>,
  normalize: (value: string) => string | null | undefined,
): string | string[] | undefined {
  const out: string[] = [];
  for (const value of values) {
    if (value == null) continue;
    const hash = hashMatchKey(value, normalize);
    if (hash !== undefined && !out.includes(hash)) out.push(hash);
  }
  if (out.length === 0) return undefined;
  return out.length === 1 ? out[0] : out;
}

/**
 * The touchpoint whose browser data goes to TikTok: among the credited touchpoints, the most recent one
 * carrying a `ttclid`, else the most recent one.
 */
export function attributedTouchpoint(
  conversion: Pick<Conversion, "credits">,
): Touchpoint | undefined {
  let best: Touchpoint | undefined;
  for (const { touchpoint } of conversion.credits) {
    if (best === undefined) {
      best = touchpoint;
      continue;
    }
    const hasClick = touchpoint.clickIds?.ttclid ? 1 : 0;
    const bestHasClick = best.clickIds?.ttclid ? 1 : 0;
    if (
      hasClick > bestHasClick ||
      (hasClick === bestHasClick && touchpoint.occurredAt > best.occurredAt)
    ) {
      best = touchpoint;
    }
  }
  return best;
}

function keysOf(conversion: Conversion, kind: IdentityKeyKind): string[] {
  return conversion.identityKeys.filter((key) => key.kind === kind).map((key) => key.value);
}

function assign<K extends keyof TikTokUser>(
  user: TikTokUser,
  key: K,
  value: TikTokUser[K] | undefined,
): void {
  if (value !== undefined) user[key] = value;
}

/** The `user` object: click ids raw, contact fields normalized and hashed (TikTok spec §4). */
export function buildUser(
  conversion: Conversion,
  touchpoint: Touchpoint | undefined,
  defaultCountry?: string | null,
): TikTokUser {
  const user: TikTokUser = {};
  // ttclid and ttp are sent exactly as received, never hashed (TikTok spec §4).
  assign(user, "ttclid", touchpoint?.clickIds?.ttclid);
  assign(user, "ttp", touchpoint?.ttp);
  const customer = conversion.billingEvent?.customer ?? null;
  // Chargebee cleared this customer's personal data: only the ad identifiers may still be sent.
  if (customer?.piiCleared === "cleared") return user;

  const { contact } = conversion;
  const address = customer?.billingAddress ?? null;
  const country = contact.country ?? address?.country ?? null;
  const region = country ?? defaultCountry ?? null;
  assign(user, "email", hashAll([contact.email, ...keysOf(conversion, "email")], normalizeEmail));
  assign(
    user,
    "phone",
    hashAll([contact.phone, ...keysOf(conversion, "phone")], (value) =>
      normalizeTikTokPhone(value, region),
    ),
  );
  assign(
    user,
    "external_id",
    hashAll([contact.externalId, ...keysOf(conversion, "external_id")], normalizeExternalId),
  );
  assign(
    user,
    "first_name",
    contact.firstName ? hashMatchKey(contact.firstName, normalizeName) : undefined,
  );
  assign(
    user,
    "last_name",
    contact.lastName ? hashMatchKey(contact.lastName, normalizeName) : undefined,
  );
  assign(user, "zip_code", address?.zip ? hashMatchKey(address.zip, normalizeZip) : undefined);
  assign(user, "city", address?.city ? normalizeLocation(address.city) : undefined);
  const state = address?.stateCode ?? address?.state;
  assign(user, "state", state ? normalizeLocation(state) : undefined);
  assign(user, "country", country ? normalizeLocation(country) : undefined);
  // The browser's public IP, sent with its user agent (TikTok spec §4).
  assign(user, "ip", tiktokIp(touchpoint?.ip));
  assign(user, "user_agent", touchpoint?.userAgent || undefined);
  assign(user, "locale", customer?.locale || undefined);
  return user;
}

/**
 * The `properties` object: `value` in major units with `currency` (only currencies TikTok supports,
 * spec §2.3), `contents` from the subscription's plan and item prices, `order_id` from the invoice.
 */
export function buildProperties(
  conversion: Conversion,
  notes: string[],
): TikTokProperties | undefined {
  const properties: TikTokProperties = {};
  const { value } = conversion;
  if (value) {
    if (!TIKTOK_CURRENCIES.has(value.currency)) {
      notes.push(`currency ${value.currency} is not supported by TikTok; value not sent`);
    } else if (value.amount < 0) {
      notes.push("negative value not sent (TikTok has no negative-value convention)");
    } else {
      // `value` is the order total as a plain number; 0 is sent explicitly (TikTok spec §2.3).
      // Spec §2.3: a plain JSON number, never a string; an amount no number holds exactly is rejected.
      properties.value = exactMajorNumber(value, "value");
      properties.currency = value.currency;
    }
  }
  const billing = conversion.billingEvent;
  const contents: TikTokContent[] = [];
  for (const item of billing?.subscription?.items ?? []) {
    const content: TikTokContent = { content_id: item.id, quantity: item.quantity };
    const price = item.unitPrice;
    if (price && price.amount >= 0 && TIKTOK_CURRENCIES.has(price.currency)) {
      // `contents[].price` is a unit price in the request's one currency (TikTok spec §2.3).
      properties.currency ??= price.currency;
      if (properties.currency === price.currency) content.price = exactMajorNumber(price, "price");
    }
    contents.push(content);
  }
  if (contents.length > 0) {
    properties.contents = contents;
    properties.content_type = "product";
  }
  const orderId = orderIdOf(conversion);
  if (orderId) properties.order_id = orderId;
  return Object.keys(properties).length > 0 ? properties : undefined;
}

/** `value` when it is an absolute http(s) URL, else `undefined`. */
function absoluteHttpUrl(value: string | null | undefined): string | undefined {
  if (!value || !URL.canParse(value)) return undefined;
  const { protocol } = new URL(value);
  return protocol === "http:" || protocol === "https:" ? value : undefined;
}

/**
 * The `page` object from the landing page of the attributed visit. TikTok spec §2.2: `page.url` is a
 * full URL (`location.href`), so a relative or non-http(s) landing page is left out rather than
 * making TikTok refuse the whole event; the referrer likewise.
 */
export function buildPage(touchpoint: Touchpoint | undefined): TikTokPage | undefined {
  const url = absoluteHttpUrl(touchpoint?.landingPage);
  if (url === undefined) return undefined;
  const referrer = absoluteHttpUrl(touchpoint?.referrer);
  return referrer === undefined ? { url } : { url, referrer };
}

/** The order id of a conversion: the Chargebee invoice it paid or created (TikTok spec §2.3). */
function orderIdOf(conversion: Conversion): string | undefined {
  const billing = conversion.billingEvent;
  return billing?.payment?.invoiceId || billing?.invoice?.id || undefined;
}

/**
 * The default `event_id` (TikTok spec §7: deterministic, identical on every retry, and one the browser
 * pixel can derive too): the order id — the Chargebee invoice id, also sent as
 * `properties.order_id` — when the conversion has one, so a pixel firing the same event with
 * `{ event_id: invoiceId }` on the thank-you page is deduplicated; otherwise (server-only events such
 * as a trial start or a lead) the conversion id, derived from the Chargebee event id.
 */
export function defaultEventId(conversion: Conversion): string {
  return orderIdOf(conversion) ?? conversion.id;
}

/** Settings the mapper reads. */
export type TikTokMapperSettings = Pick<TikTokSettings, "events" | "maxEventAgeDays"> &
  Partial<Pick<TikTokSettings, "defaultCountry" | "limitedDataUse" | "eventId">>;

/** The mapping of one conversion: an event for a target pixel, or a reason not to send it. */
export type TikTokMapResult =
  | { kind: "event"; target: TikTokTarget; event: TikTokEvent; notes: string[] }
  | { kind: "skip"; reason: string };

/**
 * Maps one conversion to a TikTok event. `now` is epoch milliseconds. Skips refunds, unmapped
 * conversions, conversions older than `maxEventAgeDays`, and conversions without any matching key.
 */
export function mapConversion(
  conversion: Conversion,
  settings: TikTokMapperSettings,
  now: number,
): TikTokMapResult {
  if (conversion.name === "refund") {
    // TikTok spec §3: no standard refund event and no negative-value convention.
    return { kind: "skip", reason: "refunds have no TikTok event" };
  }
  const mapping = settings.events[conversion.name];
  if (!mapping) return { kind: "skip", reason: `no TikTok event is mapped to ${conversion.name}` };
  if (now - conversion.occurredAt > settings.maxEventAgeDays * DAY_MS) {
    // TikTok spec §8: stale events are not attributed; skip and say so rather than send them.
    return {
      kind: "skip",
      reason: `older than ${settings.maxEventAgeDays} days (maxEventAgeDays)`,
    };
  }
  const touchpoint = attributedTouchpoint(conversion);
  const user = buildUser(conversion, touchpoint, settings.defaultCountry);
  const matchable =
    user.ttclid ||
    user.ttp ||
    user.email ||
    user.phone ||
    user.external_id ||
    (user.ip && user.user_agent);
  if (!matchable) {
    return {
      kind: "skip",
      reason: "no TikTok matching key (ttclid, ttp, email, phone, external_id, ip + user agent)",
    };
  }
  const notes: string[] = [];
  const event: TikTokEvent = {
    event: mapping.event,
    // Unix seconds, never in the future (TikTok spec §2.2, §8): clock skew is clamped to now.
    event_time: Math.floor(Math.min(conversion.occurredAt, now) / 1000),
    // Deterministic, so every retry and the browser pixel dedupe within 48 h (TikTok spec §7).
    event_id: (settings.eventId ?? defaultEventId)(conversion),
    user,
  };
  const properties = buildProperties(conversion, notes);
  if (properties) event.properties = properties;
  const page = buildPage(touchpoint);
  if (page) event.page = page;
  if (settings.limitedDataUse !== undefined) event.limited_data_use = settings.limitedDataUse;
  return {
    kind: "event",
    target: { pixelCode: mapping.pixelCode, accessToken: mapping.accessToken },
    event,
    notes,
  };
}
