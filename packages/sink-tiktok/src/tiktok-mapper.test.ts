import type { Conversion, Touchpoint } from "@revtrace/core";
import { hashIdentityValue, normalizeEmail } from "@revtrace/identity";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TikTokEventSchema } from "./tiktok-api-types.js";
import {
  attributedTouchpoint,
  buildPage,
  defaultEventId,
  hashMatchKey,
  mapConversion,
  normalizeExternalId,
  normalizeLocation,
  normalizeName,
  normalizeTikTokPhone,
  normalizeZip,
  type TikTokMapperSettings,
  tiktokIp,
} from "./tiktok-mapper.js";
import { parseTikTokSinkOptions } from "./tiktok-settings.js";

// TikTok's published test vectors (shared/specs/tiktok-events-api.md §4).
const VECTORS = {
  email: {
    input: " ALICE_abc@gmail.com ",
    normalized: "alice_abc@gmail.com",
    hash: "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f",
  },
  phone: {
    input: "(+1)2133734253",
    normalized: "+12133734253",
    hash: "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd",
  },
  externalId: {
    input: "user_123",
    hash: "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b",
  },
};

const NOW = Date.UTC(2026, 2, 1, 12);
const settings: TikTokMapperSettings = parseTikTokSinkOptions({
  accessToken: "token",
  pixelCode: "PIXEL",
});

function touchpoint(overrides: Partial<Touchpoint> = {}): Touchpoint {
  return {
    id: "tp_1",
    anonymousId: "anon_1",
    occurredAt: NOW - 86_400_000,
    clickIds: { ttclid: "E.C.P.abc" },
    utm: {},
    landingPage: "https://example.com/?ttclid=E.C.P.abc",
    channel: "paid_social",
    ...overrides,
  };
}

function conversion(overrides: Partial<Conversion> = {}): Conversion {
  return {
    id: "chargebee:ev_1:first_payment",
    name: "first_payment",
    source: "chargebee",
    sourceEventId: "ev_1",
    occurredAt: NOW - 60_000,
    value: { amount: 1999, currency: "USD" },
    billingEvent: null,
    retentionEvent: null,
    contact: {
      email: "a@example.com",
      phone: null,
      externalId: null,
      firstName: null,
      lastName: null,
      company: null,
      country: null,
    },
    personId: null,
    anonymousId: null,
    identityKeys: [],
    credits: [{ model: "first_touch", touchpoint: touchpoint(), share: 1, amount: null }],
    ...overrides,
  };
}

describe("normalization and hashing (TikTok spec §4)", () => {
  it("matches TikTok's published test vectors", () => {
    expect(normalizeEmail(VECTORS.email.input)).toBe(VECTORS.email.normalized);
    expect(hashMatchKey(VECTORS.email.input, normalizeEmail)).toBe(VECTORS.email.hash);
    expect(normalizeTikTokPhone(VECTORS.phone.input)).toBe(VECTORS.phone.normalized);
    expect(hashMatchKey(VECTORS.phone.input, (v) => normalizeTikTokPhone(v))).toBe(
      VECTORS.phone.hash,
    );
    expect(hashMatchKey(VECTORS.externalId.input, normalizeExternalId)).toBe(
      VECTORS.externalId.hash,
    );
    // The `+` is part of the hashed string.
    expect(hashIdentityValue(VECTORS.phone.normalized)).toBe(VECTORS.phone.hash);
  });

  it("writes phones in E.164 with the +, a bracketed country code included", () => {
    expect(normalizeTikTokPhone("(+44) 20 7946 0958")).toBe("+442079460958");
    expect(normalizeTikTokPhone("+44 (0)20 7946 0958")).toBe("+442079460958");
    expect(normalizeTikTokPhone("020 7946 0958", "GB")).toBe("+442079460958");
    expect(normalizeTikTokPhone("0044 20 7946 0958", "gb")).toBe("+442079460958");
    expect(normalizeTikTokPhone("(203) 470-3337", "US")).toBe("+12034703337");
    expect(normalizeTikTokPhone("+1 203 470")).toBeUndefined();
    expect(normalizeTikTokPhone("2034703337")).toBeUndefined();
    expect(normalizeTikTokPhone("not a phone", "US")).toBeUndefined();
  });

  it("drops emails that are not addresses instead of hashing them", () => {
    expect(hashMatchKey("  ", normalizeEmail)).toBeUndefined();
    expect(hashMatchKey("no-at-sign", normalizeEmail)).toBeUndefined();
    expect(hashMatchKey("\tBob@Example.COM\n", normalizeEmail)).toBe(
      hashIdentityValue("bob@example.com"),
    );
  });

  it("normalizes names, zip codes and locations", () => {
    expect(normalizeName(" O'Brien ")).toBe("obrien");
    expect(normalizeName("Mary Ann")).toBe("maryann");
    expect(normalizeName("  ")).toBeUndefined();
    expect(normalizeZip("SW1A 1AA")).toBe("sw1a1aa");
    expect(normalizeZip("44145-1234")).toBe("441451234");
    expect(normalizeLocation("San Francisco")).toBe("sanfrancisco");
    expect(normalizeLocation("Zürich")).toBe("zürich");
    expect(normalizeLocation("--")).toBeUndefined();
  });

  it("passes pre-hashed values through unchanged (lower-cased), never hashing twice", () => {
    expect(hashMatchKey(VECTORS.email.hash, normalizeEmail)).toBe(VECTORS.email.hash);
    expect(hashMatchKey(VECTORS.email.hash.toUpperCase(), normalizeEmail)).toBe(VECTORS.email.hash);
    expect(hashMatchKey(` ${VECTORS.phone.hash} `, (v) => normalizeTikTokPhone(v))).toBe(
      VECTORS.phone.hash,
    );
  });

  it("property: hashing is idempotent — a digest of any email hashes to itself", () => {
    fc.assert(
      fc.property(fc.emailAddress(), fc.constantFrom("", " ", "\t", "  \n"), (email, pad) => {
        const once = hashMatchKey(`${pad}${email.toUpperCase()}${pad}`, normalizeEmail);
        expect(once).toMatch(/^[0-9a-f]{64}$/);
        expect(once).toBe(hashIdentityValue(email.toLowerCase()));
        expect(hashMatchKey(once as string, normalizeEmail)).toBe(once);
      }),
    );
  });

  it("property: a normalized phone is E.164 and normalizing it again changes nothing", () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[2-9]\d{2}[2-9]\d{6}$/), (digits) => {
        const e164 = normalizeTikTokPhone(
          `(${digits.slice(0, 3)}) ${digits.slice(3, 6)}-${digits.slice(6)}`,
          "US",
        );
        expect(e164).toMatch(/^\+1\d{10}$/);
        expect(normalizeTikTokPhone(e164 as string)).toBe(e164);
      }),
    );
  });
});

describe("buildPage (TikTok spec §2.2: page.url is a full URL)", () => {
  it("sends the landing page and referrer only when they are absolute http(s) URLs", () => {
    const page = (landingPage?: string, referrer?: string) =>
      buildPage(touchpoint({ landingPage, referrer }));
    expect(page("https://example.com/pricing?x=1", "https://www.tiktok.com/")).toEqual({
      url: "https://example.com/pricing?x=1",
      referrer: "https://www.tiktok.com/",
    });
    expect(page("/pricing?x", "https://www.tiktok.com/")).toBeUndefined();
    expect(page("pricing", undefined)).toBeUndefined();
    expect(page("javascript:alert(1)", undefined)).toBeUndefined();
    expect(page("ftp://example.com/file", undefined)).toBeUndefined();
    expect(page("http://example.com/", "android-app://com.zhiliaoapp.musically/")).toEqual({
      url: "http://example.com/",
    });
    expect(page("http://example.com/", "/internal")).toEqual({ url: "http://example.com/" });
    expect(page(undefined, "https://www.tiktok.com/")).toBeUndefined();
  });
});

describe("attributedTouchpoint", () => {
  it("prefers the most recent credited touchpoint with a ttclid", () => {
    const older = touchpoint({ id: "old", occurredAt: 1, clickIds: { ttclid: "E.C.P.old" } });
    const newer = touchpoint({ id: "new", occurredAt: 3, clickIds: { ttclid: "E.C.P.new" } });
    const direct = touchpoint({ id: "direct", occurredAt: 5, clickIds: {} });
    const credits = [older, direct, newer].map((tp) => ({
      model: "linear",
      touchpoint: tp,
      share: 1 / 3,
      amount: null,
    }));
    expect(attributedTouchpoint({ credits })?.id).toBe("new");
    expect(
      attributedTouchpoint({ credits: credits.filter((c) => c.touchpoint.id === "direct") })?.id,
    ).toBe("direct");
    expect(attributedTouchpoint({ credits: [] })).toBeUndefined();
  });
});

describe("mapConversion", () => {
  it("maps value in major units with the currency's own exponent", () => {
    const yen = mapConversion(
      conversion({ value: { amount: 1500, currency: "JPY" } }),
      settings,
      NOW,
    );
    const dinar = mapConversion(
      conversion({ value: { amount: 1234, currency: "KWD" } }),
      settings,
      NOW,
    );
    const zero = mapConversion(
      conversion({ value: { amount: 0, currency: "USD" } }),
      settings,
      NOW,
    );
    expect(yen.kind === "event" && yen.event.properties).toEqual({ value: 1500, currency: "JPY" });
    expect(dinar.kind === "event" && dinar.event.properties).toEqual({
      value: 1.234,
      currency: "KWD",
    });
    // 0 is sent explicitly (TikTok spec §2.3).
    expect(zero.kind === "event" && zero.event.properties).toEqual({ value: 0, currency: "USD" });
  });

  it("does not send a currency TikTok does not support, and says so", () => {
    const result = mapConversion(
      conversion({ value: { amount: 1000, currency: "XOF" } }),
      settings,
      NOW,
    );
    expect(result.kind).toBe("event");
    if (result.kind !== "event") return;
    expect(result.event.properties).toBeUndefined();
    expect(result.notes).toEqual(["currency XOF is not supported by TikTok; value not sent"]);
  });

  it("never hashes ttclid or ttp, and sends the ip only when it is an address", () => {
    const tp = touchpoint({
      clickIds: { ttclid: "E.C.P.Raw-Click_ID" },
      ttp: "raw_ttp_cookie",
      ip: "not-an-ip",
      userAgent: "UA/1",
    });
    const result = mapConversion(
      conversion({ credits: [{ model: "first_touch", touchpoint: tp, share: 1, amount: null }] }),
      settings,
      NOW,
    );
    if (result.kind !== "event") throw new Error("expected an event");
    expect(result.event.user).toEqual({
      ttclid: "E.C.P.Raw-Click_ID",
      ttp: "raw_ttp_cookie",
      email: hashIdentityValue("a@example.com"),
      user_agent: "UA/1",
    });
  });

  it("drops an IPv6 address with a zone id (fe80::1%eth0) and keeps the event", () => {
    for (const ip of ["fe80::1%eth0", "fe80::1%25en0", " fe80::1%1 "]) {
      const tp = touchpoint({ ip, userAgent: "UA/1" });
      const result = mapConversion(
        conversion({ credits: [{ model: "first_touch", touchpoint: tp, share: 1, amount: null }] }),
        settings,
        NOW,
      );
      if (result.kind !== "event") throw new Error("expected an event");
      expect(result.event.user.ip).toBeUndefined();
      // The event itself passes the request schema: nothing is rejected because of the IP.
      expect(TikTokEventSchema.safeParse(result.event).success).toBe(true);
    }
    expect(tiktokIp("2001:db8::7")).toBe("2001:db8::7");
    expect(tiktokIp("203.0.113.7")).toBe("203.0.113.7");
    expect(tiktokIp("fe80::1%eth0")).toBeUndefined();
  });

  it("merges contact and identity-key emails into an array of distinct hashes", () => {
    const result = mapConversion(
      conversion({
        identityKeys: [
          { kind: "email", value: "A@example.com" },
          { kind: "email", value: hashIdentityValue("b@example.com") },
        ],
      }),
      settings,
      NOW,
    );
    if (result.kind !== "event") throw new Error("expected an event");
    expect(result.event.user.email).toEqual([
      hashIdentityValue("a@example.com"),
      hashIdentityValue("b@example.com"),
    ]);
  });

  it("sends only ad identifiers when Chargebee cleared the customer's personal data", () => {
    const base = conversion({
      contact: { ...conversion().contact, firstName: "Ann", phone: "+12133734253" },
    });
    const billingEvent = {
      customer: { piiCleared: "cleared", billingAddress: null, locale: null },
    } as unknown as Conversion["billingEvent"];
    const result = mapConversion({ ...base, billingEvent }, settings, NOW);
    if (result.kind !== "event") throw new Error("expected an event");
    expect(result.event.user).toEqual({ ttclid: "E.C.P.abc" });
  });

  it("uses the order (invoice) id as event_id, so the browser pixel can send the same id (spec §7)", () => {
    const billingEvent = {
      id: "ev_cb_1",
      payment: { invoiceId: "inv_42" },
      invoice: null,
      subscription: null,
      customer: null,
    } as unknown as Conversion["billingEvent"];
    const paid = conversion({ billingEvent });
    const first = mapConversion(paid, settings, NOW);
    const retried = mapConversion(paid, settings, NOW + 5_000);
    expect(first.kind === "event" && first.event.event_id).toBe("inv_42");
    expect(first.kind === "event" && first.event.properties?.order_id).toBe("inv_42");
    expect(retried.kind === "event" && retried.event.event_id).toBe("inv_42");
    expect(defaultEventId(paid)).toBe("inv_42");
  });

  it("falls back to the conversion id for server-only events, and takes an eventId function", () => {
    const lead = mapConversion(conversion(), settings, NOW);
    expect(lead.kind === "event" && lead.event.event_id).toBe("chargebee:ev_1:first_payment");
    expect(defaultEventId(conversion())).toBe("chargebee:ev_1:first_payment");
    const custom = mapConversion(
      conversion(),
      { ...settings, eventId: (c) => `order-${c.id}` },
      NOW,
    );
    expect(custom.kind === "event" && custom.event.event_id).toBe(
      "order-chargebee:ev_1:first_payment",
    );
  });

  it("sends event_time in seconds and clamps a future time to now", () => {
    const past = mapConversion(conversion({ occurredAt: NOW - 61_500 }), settings, NOW);
    const future = mapConversion(conversion({ occurredAt: NOW + 120_000 }), settings, NOW);
    expect(past.kind === "event" && past.event.event_time).toBe(Math.floor((NOW - 61_500) / 1000));
    expect(future.kind === "event" && future.event.event_time).toBe(NOW / 1000);
  });

  it("skips events older than maxEventAgeDays with a reason", () => {
    const old = conversion({ occurredAt: NOW - 7 * 86_400_000 - 1 });
    expect(mapConversion(old, settings, NOW)).toEqual({
      kind: "skip",
      reason: "older than 7 days (maxEventAgeDays)",
    });
    const wider = parseTikTokSinkOptions({ accessToken: "t", pixelCode: "p", maxEventAgeDays: 28 });
    expect(mapConversion(old, wider, NOW).kind).toBe("event");
  });

  it("skips a conversion without any matching key", () => {
    const bare = conversion({
      contact: { ...conversion().contact, email: null },
      credits: [
        { model: "first_touch", touchpoint: touchpoint({ clickIds: {} }), share: 1, amount: null },
      ],
    });
    expect(mapConversion(bare, settings, NOW)).toEqual({
      kind: "skip",
      reason: "no TikTok matching key (ttclid, ttp, email, phone, external_id, ip + user agent)",
    });
  });
});
