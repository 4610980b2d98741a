/**
 * Each handled Chargebee event, from the real fixtures through `parseChargebeeEvent`, then the sink to
 * an msw-mocked TikTok: the whole request body is asserted exactly. Hashes are literal SHA-256 values
 * (computed outside this code), so a normalization bug cannot hide behind the code under test.
 */
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import { createTikTokSink, type TikTokSinkOptions } from "../src/index.js";
import { USER_AGENT } from "../src/version.js";
import { conversionOf, leadConversion } from "./fixtures/conversions.js";

const URL_TRACK = "https://business-api.tiktok.com/open_api/v1.3/event/track/";
const TOKEN = "tt-events-token-123";
const PIXEL = "C4PIXEL0000000000001";
const HOUR = 3_600_000;

const server = useMockServer(
  http.post(URL_TRACK, () =>
    HttpResponse.json({ code: 0, message: "OK", request_id: "req-1", data: {} }),
  ),
);

// The synthetic touchpoint of every fixture conversion (see fixtures/conversions.ts).
const browser = {
  ttclid: "E.C.P.CsYBkAsZ1v3nQqk0Q2Yt",
  ttp: "2dKqVtbLhTqS5wE8VQy1mGZ9aQx",
  ip: "203.0.113.7",
  user_agent: "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15",
};
const page = {
  url: "https://www.example.com/pricing?ttclid=E.C.P.CsYBkAsZ1v3nQqk0Q2Yt",
  referrer: "https://www.tiktok.com/",
};

function sink(at: number, options: Partial<TikTokSinkOptions> = {}) {
  return createTikTokSink({ accessToken: TOKEN, pixelCode: PIXEL, now: () => at, ...options });
}

describe("mapping Chargebee events to TikTok event/track requests", () => {
  it("payment_succeeded, first invoice → Purchase (Product Catalog 1.0, offline payment)", async () => {
    const conversion = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    const results = await sink(conversion.occurredAt + HOUR).send([conversion]);
    expect(results).toEqual([
      { id: "chargebee:ev_AzqYRySIstMN16O:first_payment", status: "delivered" },
    ]);
    expect(server.calls).toHaveLength(1);
    expect(server.calls[0]?.headers).toMatchObject({
      "access-token": TOKEN,
      "content-type": "application/json",
      "user-agent": USER_AGENT,
    });
    expect(server.calls[0]?.body).toEqual({
      event_source: "web",
      event_source_id: PIXEL,
      data: [
        {
          event: "Purchase",
          event_time: 1607708103,
          // TikTok spec §7: the order (invoice) id, which the browser pixel can send too.
          event_id: "22",
          user: {
            ...browser,
            email: "8d626537c294280a37b16a9e7b55d048c9e4ce553d679dcc499a18faa3f2be99",
            first_name: "1ffc0406b9891fcd265a225e83a668fa045f1282588f80c8d11c029bad156d85",
            last_name: "b6c45863875e34487ca3c155ed145efe12a74581e27befec5aa661b8ee8ca6dd",
            zip_code: "1d387bd971bc071dbf92916830ed40857f1c0ecef1185bffce15a56f118bffdc",
            state: "oh",
            country: "us",
            locale: "en-US",
          },
          properties: {
            value: 4500,
            currency: "USD",
            contents: [{ content_id: "contract-plan", quantity: 6, price: 500 }],
            content_type: "product",
            order_id: "22",
          },
          page,
        },
      ],
    });
  });

  it("payment_succeeded (v1-era payload) → Subscribe on its own pixel, as configured", async () => {
    const conversion = conversionOf("payment_succeeded.cbgo.1", "first_payment");
    const results = await sink(conversion.occurredAt + HOUR, {
      events: { first_payment: { event: "Subscribe", pixelCode: "C4PIXELSUBSCRIBE0002" } },
    }).send([conversion]);
    expect(results).toEqual([
      { id: "chargebee:ev_HoR7OrcNacEsxgT:first_payment", status: "delivered" },
    ]);
    expect(server.calls[0]?.body).toEqual({
      event_source: "web",
      event_source_id: "C4PIXELSUBSCRIBE0002",
      data: [
        {
          event: "Subscribe",
          event_time: 1339951249,
          event_id: "3",
          user: {
            ...browser,
            email: "d8475f70ced7b67e72f90764379108d9346b06b9576e82d3e92ebc03e9137d41",
          },
          properties: {
            value: 9,
            currency: "USD",
            contents: [{ content_id: "no_trial", quantity: 1 }],
            content_type: "product",
            order_id: "3",
          },
          page,
        },
      ],
    });
  });

  it("subscription_started in trial → StartTrial with plan and add-on prices, no value", async () => {
    const conversion = conversionOf("subscription_started.bonusly.1", "trial_started");
    await sink(conversion.occurredAt + HOUR).send([conversion]);
    expect(server.calls[0]?.body).toEqual({
      event_source: "web",
      event_source_id: PIXEL,
      data: [
        {
          event: "StartTrial",
          event_time: 1341690025,
          event_id: "chargebee:ev_3Nl7oGgQqGFr8LT:trial_started",
          user: {
            ...browser,
            email: "301a08df8b97bc5db32d10f264beb63219dae1defb0aaedc9817d1a75ac36e22",
            first_name: "8ee9938e4b960a50540f1ca9299facc5a5f342d0848b402c322fd14592e4bc32",
            last_name: "fbd8dafe1f79f47371dd79d334d9a6c1aaab28c14b9533417462629d576639f3",
          },
          properties: {
            currency: "USD",
            contents: [
              { content_id: "basic", quantity: 1, price: 9 },
              { content_id: "data_usage", quantity: 1, price: 0.95 },
            ],
            content_type: "product",
          },
          page,
        },
      ],
    });
  });

  it("renewal → Purchase with the phone in E.164 from the billing country, and the full address", async () => {
    const conversion = conversionOf("subscription_renewed.bonusly.1", "recurring_payment", {
      value: { amount: 2500, currency: "USD" },
    });
    await sink(conversion.occurredAt + HOUR).send([conversion]);
    expect(server.calls[0]?.body).toEqual({
      event_source: "web",
      event_source_id: PIXEL,
      data: [
        {
          event: "Purchase",
          event_time: 1602102737,
          event_id: "draft_inv_16BgPKSClXofl2Eic",
          user: {
            ...browser,
            email: "66c574eeb8ea39f27ccde6c6e33cdbbe8d33cd707c50a4a10d71780460fdab96",
            // "2034703337" with billing country US → "+12034703337".
            phone: "6a9a7c3ed9ac712cf90613be5efb6831d258d0f2e8661e529a02ccc1305519f8",
            first_name: "34550715062af006ac4fab288de67ecb44793c3a05c475227241535f6ef7a81b",
            last_name: "5a10c542a2891a214a49778adee3fce81380c92858066ded775c28f6708cbfc1",
            zip_code: "1cba252b4de269684e1d790c1504c137872a651c79a27eca2759254fc322bf52",
            city: "sanfrancisco",
            state: "al",
            country: "us",
          },
          properties: {
            value: 25,
            currency: "USD",
            contents: [{ content_id: "pro-monthly", quantity: 5, price: 5 }],
            content_type: "product",
            order_id: "draft_inv_16BgPKSClXofl2Eic",
          },
          page,
        },
      ],
    });
  });

  it("subscription_created (Product Catalog 2.0, INR) → Subscribe when mapped, external id hashed", async () => {
    const conversion = conversionOf("subscription_created.airbyte.1", "subscription_created", {
      value: { amount: 11667, currency: "INR" },
      identityKeys: [{ kind: "external_id", value: "user_123" }],
    });
    await sink(conversion.occurredAt + HOUR, {
      events: { subscription_created: "Subscribe" },
    }).send([conversion]);
    expect(server.calls[0]?.body).toEqual({
      event_source: "web",
      event_source_id: PIXEL,
      data: [
        {
          event: "Subscribe",
          event_time: 1702645601,
          event_id: "203",
          user: {
            ...browser,
            // TikTok's published vector for external_id "user_123".
            external_id: "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b",
          },
          properties: {
            value: 116.67,
            currency: "INR",
            contents: [
              { content_id: "cross-train-advanced-INR-1_MONTH", quantity: 1, price: 116.67 },
            ],
            content_type: "product",
            order_id: "203",
          },
          page,
        },
      ],
    });
  });

  it("lead → Lead, with the legacy name SubmitForm accepted as an alias, test code and LDU flag", async () => {
    const at = Date.UTC(2026, 0, 15, 12);
    const conversion = leadConversion(at - HOUR);
    await sink(at, {
      events: { lead: "SubmitForm" },
      testEventCode: "TEST12345",
      limitedDataUse: false,
    }).send([conversion]);
    expect(server.calls[0]?.body).toEqual({
      event_source: "web",
      event_source_id: PIXEL,
      test_event_code: "TEST12345",
      data: [
        {
          event: "Lead",
          event_time: Math.floor((at - HOUR) / 1000),
          event_id: "tracker:lead_synthetic_1:lead",
          user: {
            ...browser,
            // TikTok's published vectors (spec §4).
            email: "848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f",
            phone: "9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd",
            external_id: "80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b",
          },
          page,
          limited_data_use: false,
        },
      ],
    });
  });

  it("skips what is not mapped, refunds and stale events, without any request", async () => {
    const activated = conversionOf("subscription_activated.bonusly.1", "trial_converted");
    const refund = conversionOf("payment_refunded.bonusly.1", "refund");
    const now = activated.occurredAt + HOUR;
    const stale = conversionOf("payment_succeeded.bonusly.1", "first_payment", {
      occurredAt: now - 8 * 24 * HOUR,
    });
    const results = await sink(now).send([activated, refund, stale]);
    expect(results).toEqual([
      {
        id: activated.id,
        status: "skipped",
        reason: "no TikTok event is mapped to trial_converted",
      },
      { id: refund.id, status: "skipped", reason: "refunds have no TikTok event" },
      { id: stale.id, status: "skipped", reason: "older than 7 days (maxEventAgeDays)" },
    ]);
    expect(server.calls).toHaveLength(0);
  });

  it("groups one send by pixel: one request per pixel, results in input order", async () => {
    const at = Date.UTC(2026, 0, 15, 12);
    const purchase = {
      ...conversionOf("payment_succeeded.bonusly.1", "first_payment"),
      occurredAt: at - HOUR,
    };
    const lead = leadConversion(at - HOUR);
    const trial = {
      ...conversionOf("subscription_started.bonusly.1", "trial_started"),
      occurredAt: at - HOUR,
    };
    const results = await sink(at, {
      events: { lead: { event: "Lead", pixelCode: "C4PIXELLEADS00000003" } },
    }).send([purchase, lead, trial]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      [purchase.id, "delivered"],
      [lead.id, "delivered"],
      [trial.id, "delivered"],
    ]);
    expect(server.calls).toHaveLength(2);
    const byPixel = Object.fromEntries(
      server.calls.map((call) => {
        const body = call.body as { event_source_id: string; data: Array<{ event: string }> };
        return [body.event_source_id, body.data.map((e) => e.event)];
      }),
    );
    expect(byPixel).toEqual({
      [PIXEL]: ["Purchase", "StartTrial"],
      C4PIXELLEADS00000003: ["Lead"],
    });
  });
});
