/**
 * The Chargebee API helpers, stubbed at the HTTP level with msw: the official SDK's real requests
 * (method, path, query, form body, auth header) are asserted exactly.
 */
import { ChargebeeApiError, ConfigError, SinkError, WebhookPayloadError } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it, vi } from "vitest";
import { type ChargebeeApi, createChargebeeApi } from "../src/index.js";
import { fixtureJson } from "./fixtures/index.js";

const BASE = "https://acme-test.chargebee.com/api/v2";
const API_KEY = "test_key_abc123";
const server = useMockServer();

const api: ChargebeeApi = createChargebeeApi({ site: "acme-test", apiKey: API_KEY });

/** The query string of a recorded call as ordered [key, value] pairs, decoded. */
const query = (url: string) => [...new URL(url).searchParams.entries()];
const form = (body: unknown) => [...new URLSearchParams(body as string).entries()];

const webhookEvent = (name: string) => {
  const value = fixtureJson<{ list?: Array<{ event: unknown }> }>(name);
  return value.list ? value.list[0]?.event : value;
};

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );
}

describe("replayEvents", () => {
  it("pages through List Events with the filters, passing next_offset back verbatim", async () => {
    const offset = '["1707076198000","57873868"]';
    let page = 0;
    server.use(
      http.get(`${BASE}/events`, () => {
        page++;
        return page === 1
          ? HttpResponse.json({
              list: [
                { event: webhookEvent("subscription_created.airbyte.1.json") },
                { event: webhookEvent("payment_succeeded.bonusly.1.json") },
              ],
              next_offset: offset,
            })
          : HttpResponse.json({
              list: [{ event: webhookEvent("payment_refunded.bonusly.1.json") }],
            });
      }),
    );
    const events = await collect(
      api.replayEvents({
        types: ["subscription_created", "payment_succeeded", "payment_refunded"],
        occurredAfter: 1_700_000_000_500,
        pageSize: 2,
      }),
    );
    expect(events.map((event) => [event.type, event.id])).toEqual([
      ["subscription_created", "ev_16BPgETyVrQbiGhA"],
      ["payment_succeeded", "ev_AzqYRySIstMN16O"],
      ["payment_refunded", "ev_3Nl7oGgQqGG0Dl3f"],
    ]);
    expect(events[1]?.payment?.amount).toEqual({ amount: 450000, currency: "USD" });
    expect(server.calls.map((call) => call.method)).toEqual(["GET", "GET"]);
    const types = '["subscription_created","payment_succeeded","payment_refunded"]';
    expect(query(server.calls[0]?.url ?? "")).toEqual([
      ["limit", "2"],
      ["sort_by[asc]", "occurred_at"],
      ["event_type[in]", types],
      ["occurred_at[after]", "1700000000"],
    ]);
    expect(query(server.calls[1]?.url ?? "")).toEqual([
      ["limit", "2"],
      ["offset", offset],
      ["sort_by[asc]", "occurred_at"],
      ["event_type[in]", types],
      ["occurred_at[after]", "1700000000"],
    ]);
    expect(new URL(server.calls[0]?.url ?? "").pathname).toBe("/api/v2/events");
    // Spec §9: Basic auth with the API key as username and an empty password.
    expect(server.calls[0]?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${API_KEY}:`).toString("base64")}`,
    );
    expect(server.calls[0]?.body).toBeUndefined();
  });

  it("uses between for a closed window, honours limit and resumes from startOffset", async () => {
    server.use(
      http.get(`${BASE}/events`, () =>
        HttpResponse.json({
          list: [
            { event: webhookEvent("customer_created.bonusly.1.json") },
            { event: webhookEvent("customer_changed.bonusly.1.json") },
          ],
          next_offset: "next-page",
        }),
      ),
    );
    const pages = await collect(
      api.listEventPages({
        occurredAfter: 1_600_000_000_000,
        occurredBefore: 1_600_000_100_000,
        limit: 1,
        startOffset: "resume-here",
      }),
    );
    expect(pages).toHaveLength(1);
    expect(pages[0]?.events.map((event) => event.id)).toEqual(["ev_16CHTnSAxXWqQAg9"]);
    expect(pages[0]?.nextOffset).toBe("next-page");
    expect(query(server.calls[0]?.url ?? "")).toEqual([
      ["limit", "1"],
      ["offset", "resume-here"],
      ["sort_by[asc]", "occurred_at"],
      ["occurred_at[between]", "[1600000001,1600000099]"],
    ]);
  });

  it("stops on an invalid event, or skips it when onInvalidEvent is given", async () => {
    const broken = {
      id: "ev_broken",
      event_type: "payment_succeeded",
      occurred_at: 1,
      content: {},
    };
    server.use(
      http.get(`${BASE}/events`, () =>
        HttpResponse.json({
          list: [{ event: broken }, { event: webhookEvent("payment_succeeded.bonusly.1.json") }],
        }),
      ),
    );
    expect(await rejection(collect(api.replayEvents()))).toBeInstanceOf(WebhookPayloadError);
    const onInvalidEvent = vi.fn();
    const events = await collect(api.replayEvents({ onInvalidEvent }));
    expect(events.map((event) => event.id)).toEqual(["ev_AzqYRySIstMN16O"]);
    expect(onInvalidEvent).toHaveBeenCalledWith(expect.any(WebhookPayloadError), "ev_broken");
  });

  it("maps a 429 to a retryable ChargebeeApiError with Retry-After", async () => {
    server.use(
      http.get(`${BASE}/events`, () =>
        HttpResponse.json(
          {
            message:
              "Sorry, access has been blocked temporarily due to request count exceeding acceptable limits.",
            type: "invalid_request",
            api_error_code: "api_request_limit_exceeded",
          },
          { status: 429, headers: { "retry-after": "7" } },
        ),
      ),
    );
    const error = await rejection(collect(api.replayEvents()));
    expect(ChargebeeApiError.isInstance(error)).toBe(true);
    expect(SinkError.isInstance(error)).toBe(false);
    expect(error).toMatchObject({
      code: "chargebee_api_failed",
      operation: "list events",
      reason: "http_status",
      status: 429,
      retryable: true,
      retryAfterMs: 7000,
      apiErrorCode: "api_request_limit_exceeded",
      errorType: "invalid_request",
    });
    expect((error as Error).message).toBe(
      "Chargebee list events failed: HTTP 429 (api_request_limit_exceeded)",
    );
    expect((error as Error).message).not.toContain(API_KEY);
  });

  it("maps a 401 to a non-retryable error and a network failure to a retryable one", async () => {
    server.use(
      http.get(`${BASE}/events`, () =>
        HttpResponse.json(
          {
            message: "Sorry, authentication failed. Invalid api key",
            api_error_code: "api_authentication_failed",
          },
          { status: 401 },
        ),
      ),
    );
    expect(await rejection(collect(api.replayEvents()))).toMatchObject({
      status: 401,
      retryable: false,
      apiErrorCode: "api_authentication_failed",
    });
    server.use(http.get(`${BASE}/events`, () => HttpResponse.error()));
    expect(await rejection(collect(api.replayEvents()))).toMatchObject({
      operation: "list events",
      reason: "network",
      retryable: true,
    });
  });

  it("checks the abort signal before each request: reason aborted, never retryable", async () => {
    const controller = new AbortController();
    const reason = new Error("stop");
    controller.abort(reason);
    const error = await rejection(collect(api.replayEvents({ signal: controller.signal })));
    expect(error).toBeInstanceOf(ChargebeeApiError);
    expect(error).toMatchObject({
      code: "chargebee_api_failed",
      operation: "list events",
      reason: "aborted",
      retryable: false,
      cause: reason,
    });
    expect(server.calls).toEqual([]);
  });
});

describe("backfillCustomers", () => {
  const customer = (id: string, extra: Record<string, unknown> = {}) => ({
    customer: { id, email: `${id}@example.com`, created_at: 1700000000, ...extra },
  });

  it("stops with reason aborted when the signal fires between pages", async () => {
    server.use(
      http.get(`${BASE}/customers`, () =>
        HttpResponse.json({ list: [customer("cus_1")], next_offset: "c-next" }),
      ),
    );
    const controller = new AbortController();
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const record of api.backfillCustomers({
          includeSubscriptions: false,
          signal: controller.signal,
        })) {
          seen.push(record.customer.id);
          controller.abort();
        }
      })(),
    );
    expect(seen).toEqual(["cus_1"]);
    expect(error).toBeInstanceOf(ChargebeeApiError);
    expect(error).toMatchObject({
      operation: "list customers",
      reason: "aborted",
      retryable: false,
    });
    expect((error as ChargebeeApiError).cause).toBe(controller.signal.reason);
    expect(server.calls).toHaveLength(1);
  });

  it("lists customers newest first with a limit, and each customer's subscriptions", async () => {
    server.use(
      http.get(`${BASE}/customers`, () =>
        HttpResponse.json({
          list: [
            customer("cus_3", {
              preferred_currency_code: "EUR",
              cf_segment: "smb",
              cf_click_id: "clk_customer",
            }),
            customer("cus_2"),
          ],
          next_offset: "c-next",
        }),
      ),
      http.get(`${BASE}/subscriptions`, ({ request }) => {
        const id = new URL(request.url).searchParams.get("customer_id[is]");
        if (id === "cus_3" && !new URL(request.url).searchParams.has("offset")) {
          return HttpResponse.json({
            list: [
              {
                subscription: {
                  id: "sub_a",
                  customer_id: "cus_3",
                  status: "active",
                  subscription_items: [
                    { item_price_id: "PRO-EUR-M", item_type: "plan", quantity: 1, unit_price: 900 },
                  ],
                  cf_click_id: "clk_1",
                },
                customer: { id: "cus_3" },
              },
            ],
            next_offset: "s-next",
          });
        }
        if (id === "cus_3") {
          return HttpResponse.json({
            list: [{ subscription: { id: "sub_b", customer_id: "cus_3", plan_id: "old" } }],
          });
        }
        return HttpResponse.json({ list: [] });
      }),
    );
    const records = await collect(api.backfillCustomers({ limit: 2, pageSize: 50 }));
    expect(records.map((record) => record.customer.id)).toEqual(["cus_3", "cus_2"]);
    expect(records[0]?.customer).toMatchObject({
      email: "cus_3@example.com",
      customFields: { cf_segment: "smb", cf_click_id: "clk_customer" },
      createdAt: 1700000000000,
    });
    expect(records[0]?.subscriptions).toMatchObject([
      {
        id: "sub_a",
        catalogModel: "items",
        planId: "PRO-EUR-M",
        clickId: "clk_1",
        items: [{ unitPrice: { amount: 900, currency: "EUR" } }],
      },
      // no click id of its own: the customer's (as webhooks read it)
      {
        id: "sub_b",
        catalogModel: "plans",
        planId: "old",
        currency: "EUR",
        clickId: "clk_customer",
      },
    ]);
    expect(records[1]?.subscriptions).toEqual([]);
    expect(
      server.calls.map((call) => [call.method, new URL(call.url).pathname, query(call.url)]),
    ).toEqual([
      [
        "GET",
        "/api/v2/customers",
        [
          ["limit", "2"],
          ["sort_by[desc]", "created_at"],
        ],
      ],
      [
        "GET",
        "/api/v2/subscriptions",
        [
          ["limit", "100"],
          ["customer_id[is]", "cus_3"],
        ],
      ],
      [
        "GET",
        "/api/v2/subscriptions",
        [
          ["limit", "100"],
          ["offset", "s-next"],
          ["customer_id[is]", "cus_3"],
        ],
      ],
      [
        "GET",
        "/api/v2/subscriptions",
        [
          ["limit", "100"],
          ["customer_id[is]", "cus_2"],
        ],
      ],
    ]);
  });

  it("follows customer pages until the limit and can skip subscriptions", async () => {
    let page = 0;
    server.use(
      http.get(`${BASE}/customers`, () => {
        page++;
        return HttpResponse.json(
          page === 1
            ? { list: [customer("cus_9"), customer("cus_8")], next_offset: "p2" }
            : { list: [customer("cus_7"), customer("cus_6")], next_offset: "p3" },
        );
      }),
    );
    const records = await collect(
      api.backfillCustomers({ limit: 3, pageSize: 2, includeSubscriptions: false }),
    );
    expect(records.map((record) => record.customer.id)).toEqual(["cus_9", "cus_8", "cus_7"]);
    expect(server.calls.map((call) => query(call.url))).toEqual([
      [
        ["limit", "2"],
        ["sort_by[desc]", "created_at"],
      ],
      [
        ["limit", "1"],
        ["offset", "p2"],
        ["sort_by[desc]", "created_at"],
      ],
    ]);
  });

  it("stops on an invalid record, naming the field, or skips it when onInvalid is given", async () => {
    server.use(
      http.get(`${BASE}/customers`, () =>
        HttpResponse.json({
          list: [customer("cus_bad", { created_at: 1_700_000_000_000 }), customer("cus_1")],
        }),
      ),
      http.get(`${BASE}/subscriptions`, () =>
        HttpResponse.json({
          list: [
            {
              subscription: {
                id: "sub_x",
                customer_id: "cus_1",
                currency_code: "CLF",
                plan_id: "p",
                plan_unit_price: Number.MAX_SAFE_INTEGER,
              },
            },
            { subscription: { id: "sub_ok", customer_id: "cus_1", plan_id: "p" } },
          ],
        }),
      ),
    );
    const stop = await rejection(collect(api.backfillCustomers()));
    expect(WebhookPayloadError.isInstance(stop)).toBe(true);
    expect((stop as WebhookPayloadError).issues[0]?.path).toEqual(["customer", "created_at"]);
    const onInvalid = vi.fn();
    const records = await collect(api.backfillCustomers({ onInvalid }));
    expect(records.map((record) => record.customer.id)).toEqual(["cus_1"]);
    expect(records[0]?.subscriptions.map((subscription) => subscription.id)).toEqual(["sub_ok"]);
    expect(onInvalid.mock.calls.map(([error, record]) => [error.issues[0]?.path, record])).toEqual([
      [["customer", "created_at"], { kind: "customer", id: "cus_bad", customerId: null }],
      [
        ["subscription", "plan_unit_price"],
        { kind: "subscription", id: "sub_x", customerId: "cus_1" },
      ],
    ]);
  });

  it("stops with a typed error when next_offset repeats instead of looping forever", async () => {
    server.use(
      http.get(`${BASE}/customers`, () =>
        HttpResponse.json({ list: [customer("cus_1")], next_offset: "same" }),
      ),
    );
    const seen: string[] = [];
    const error = await rejection(
      (async () => {
        for await (const record of api.backfillCustomers({ includeSubscriptions: false })) {
          seen.push(record.customer.id);
        }
      })(),
    );
    expect(seen).toEqual(["cus_1", "cus_1"]);
    expect(error).toMatchObject({
      code: "chargebee_api_failed",
      operation: "list customers",
      reason: "pagination_loop",
      retryable: false,
    });
    expect(server.calls).toHaveLength(2);
  });

  it("refuses subscriptions of another customer (a filter Chargebee ignored, spec §10)", async () => {
    server.use(
      http.get(`${BASE}/customers`, () => HttpResponse.json({ list: [customer("cus_1")] })),
      http.get(`${BASE}/subscriptions`, () =>
        HttpResponse.json({ list: [{ subscription: { id: "sub_x", customer_id: "cus_other" } }] }),
      ),
    );
    expect(await rejection(collect(api.backfillCustomers()))).toMatchObject({
      operation: "list subscriptions",
      reason: "invalid_response",
      retryable: false,
    });
  });
});

describe("createCheckout", () => {
  const hostedPage = {
    hosted_page: {
      id: "hp_123",
      type: "checkout_new",
      url: "https://acme-test.chargebee.com/pages/v4/hp_123/",
      state: "created",
      embed: false,
      created_at: 1717000000,
      expires_at: 1717010800,
      object: "hosted_page",
    },
  };
  const expected = {
    id: "hp_123",
    url: "https://acme-test.chargebee.com/pages/v4/hp_123/",
    state: "created",
    createdAt: 1717000000000,
    expiresAt: 1717010800000,
  };

  it("Items model: checkout_new_for_items carries subscription[cf_click_id]", async () => {
    server.use(
      http.post(`${BASE}/hosted_pages/checkout_new_for_items`, () => HttpResponse.json(hostedPage)),
    );
    const checkout = await api.createCheckout({
      model: "items",
      items: [
        { itemPriceId: "PRO-USD-Monthly", quantity: 1 },
        { itemPriceId: "seats-USD-Monthly", quantity: 3 },
      ],
      clickId: "clk_8Jd2kQ",
      subscriptionCustomFields: { cf_campaign: "spring sale" },
      customer: { id: "user_4711", email: "ada@example.com", firstName: "Ada" },
      redirectUrl: "https://app.example.com/welcome",
      cancelUrl: "https://app.example.com/pricing",
      couponIds: ["WELCOME10"],
    });
    expect(checkout).toEqual(expected);
    const call = server.calls[0];
    expect(call?.method).toBe("POST");
    expect(call?.url).toBe(`${BASE}/hosted_pages/checkout_new_for_items`);
    expect(call?.headers["content-type"]).toBe("application/x-www-form-urlencoded; charset=utf-8");
    // Spec §9: every POST is idempotent, so a retried call cannot create a second page.
    expect(call?.headers["chargebee-idempotency-key"]).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(call?.body).toEqual(
      "customer%5Bid%5D=user_4711&customer%5Bemail%5D=ada%40example.com&customer%5Bfirst_name%5D=Ada" +
        "&redirect_url=https%3A%2F%2Fapp.example.com%2Fwelcome&cancel_url=https%3A%2F%2Fapp.example.com%2Fpricing" +
        "&coupon_ids%5B0%5D=WELCOME10" +
        "&subscription_items%5Bitem_price_id%5D%5B0%5D=PRO-USD-Monthly&subscription_items%5Bquantity%5D%5B0%5D=1" +
        "&subscription_items%5Bitem_price_id%5D%5B1%5D=seats-USD-Monthly&subscription_items%5Bquantity%5D%5B1%5D=3" +
        "&subscription%5Bcf_campaign%5D=spring+sale&subscription%5Bcf_click_id%5D=clk_8Jd2kQ",
    );
    expect(form(call?.body)).toEqual([
      ["customer[id]", "user_4711"],
      ["customer[email]", "ada@example.com"],
      ["customer[first_name]", "Ada"],
      ["redirect_url", "https://app.example.com/welcome"],
      ["cancel_url", "https://app.example.com/pricing"],
      ["coupon_ids[0]", "WELCOME10"],
      ["subscription_items[item_price_id][0]", "PRO-USD-Monthly"],
      ["subscription_items[quantity][0]", "1"],
      ["subscription_items[item_price_id][1]", "seats-USD-Monthly"],
      ["subscription_items[quantity][1]", "3"],
      ["subscription[cf_campaign]", "spring sale"],
      ["subscription[cf_click_id]", "clk_8Jd2kQ"],
    ]);
  });

  it("Plans model: checkout_new carries subscription[plan_id] and subscription[cf_click_id]", async () => {
    server.use(http.post(`${BASE}/hosted_pages/checkout_new`, () => HttpResponse.json(hostedPage)));
    const checkout = await api.createCheckout({
      model: "plans",
      planId: "basic",
      planQuantity: 2,
      addons: [{ id: "data_usage", quantity: 1 }],
      clickId: "clk_plans_1",
      passThruContent: "order-77",
    });
    expect(checkout).toEqual(expected);
    expect(server.calls[0]?.url).toBe(`${BASE}/hosted_pages/checkout_new`);
    expect(server.calls[0]?.headers["chargebee-idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(server.calls[0]?.body).toEqual(
      "pass_thru_content=order-77&subscription%5Bcf_click_id%5D=clk_plans_1" +
        "&subscription%5Bplan_id%5D=basic&subscription%5Bplan_quantity%5D=2" +
        "&addons%5Bid%5D%5B0%5D=data_usage&addons%5Bquantity%5D%5B0%5D=1",
    );
  });

  it("uses the configured click-id field", async () => {
    server.use(
      http.post(`${BASE}/hosted_pages/checkout_new_for_items`, () => HttpResponse.json(hostedPage)),
    );
    const custom = createChargebeeApi({
      site: "acme-test",
      apiKey: API_KEY,
      parse: { clickIdField: "cf_ttclid" },
    });
    await custom.createCheckout({ model: "items", items: [{ itemPriceId: "P" }], clickId: "tt-1" });
    expect(form(server.calls[0]?.body)).toEqual([
      ["subscription_items[item_price_id][0]", "P"],
      ["subscription[cf_ttclid]", "tt-1"],
    ]);
  });

  it("maps Chargebee's api_restricted error (a Plans call on an Items site) to a ChargebeeApiError", async () => {
    server.use(
      http.post(`${BASE}/hosted_pages/checkout_new`, () =>
        HttpResponse.json(
          {
            message: "This API operation is not enabled for this site",
            type: "invalid_request",
            api_error_code: "api_restricted",
          },
          { status: 400 },
        ),
      ),
    );
    expect(await rejection(api.createCheckout({ model: "plans", planId: "basic" }))).toMatchObject({
      code: "chargebee_api_failed",
      operation: "checkout_new",
      status: 400,
      retryable: false,
      apiErrorCode: "api_restricted",
      responseBody: "This API operation is not enabled for this site",
    });
  });

  it("sends the caller's idempotency key, the same on a retry, and a new one per call", async () => {
    server.use(
      http.post(`${BASE}/hosted_pages/checkout_new_for_items`, () => HttpResponse.json(hostedPage)),
    );
    const input = { model: "items", items: [{ itemPriceId: "P" }] } as const;
    await api.createCheckout({ ...input, idempotencyKey: "order-77-checkout" });
    await api.createCheckout({ ...input, idempotencyKey: "order-77-checkout" });
    await api.createCheckout(input);
    await api.createCheckout(input);
    const keys = server.calls.map((call) => call.headers["chargebee-idempotency-key"]);
    expect(keys.slice(0, 2)).toEqual(["order-77-checkout", "order-77-checkout"]);
    expect(keys[2]).not.toBe(keys[3]);
    expect(await rejection(api.createCheckout({ ...input, idempotencyKey: "" }))).toMatchObject({
      code: "config_invalid",
      fields: ["idempotencyKey"],
    });
  });

  it("rejects a response without a hosted page URL", async () => {
    server.use(
      http.post(`${BASE}/hosted_pages/checkout_new_for_items`, () =>
        HttpResponse.json({ hosted_page: { id: "hp_1" } }),
      ),
    );
    expect(
      await rejection(api.createCheckout({ model: "items", items: [{ itemPriceId: "P" }] })),
    ).toMatchObject({ reason: "invalid_response" });
  });

  it("validates its input before any request", async () => {
    const bad = [
      { model: "items", items: [] },
      { model: "items", items: [{ itemPriceId: "P", quantity: 0 }] },
      { model: "plans", planId: "" },
      { model: "plans", planId: "p", subscriptionCustomFields: { campaign: "x" } },
      { model: "plans", planId: "p", redirectUrl: "not a url" },
      { model: "other" },
    ];
    for (const input of bad) {
      await expect(api.createCheckout(input as never)).rejects.toMatchObject({
        code: "config_invalid",
      });
    }
    expect(server.calls).toEqual([]);
  });
});

describe("createChargebeeApi options", () => {
  it("requires a client or a site and key, and a valid site name", () => {
    expect(() => createChargebeeApi({})).toThrow(/site/);
    expect(() => createChargebeeApi({ site: "acme" })).toThrow(/site/);
    expect(() => createChargebeeApi({ site: "https://acme.chargebee.com", apiKey: "k" })).toThrow(
      /site/,
    );
    expect(() => createChargebeeApi({ site: "acme", apiKey: "k", timeoutMs: 0 })).toThrow(
      /timeoutMs/,
    );
  });

  it("names the bad fields and why, never their values (core parseOptions)", () => {
    const errorOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error("expected a ConfigError");
    };
    const timeout = errorOf(() =>
      createChargebeeApi({ site: "acme", apiKey: "secret_key_123", timeoutMs: -5 }),
    );
    expect(ConfigError.isInstance(timeout)).toBe(true);
    expect(timeout.fields).toEqual(["timeoutMs"]);
    expect(timeout.message).toMatch(/^Invalid Chargebee API options: timeoutMs: .+/);
    expect(timeout.message).not.toContain("secret_key_123");
    expect(timeout.message).not.toContain("-5");
    // Nested parser options are reported under their path.
    const parse = errorOf(() =>
      createChargebeeApi({ site: "acme", apiKey: "k", parse: { clickIdField: "ttclid" } }),
    );
    expect(parse.fields).toEqual(["parse.clickIdField"]);
    expect(parse.message).toBe(
      "Invalid Chargebee API options: parse.clickIdField: Custom field names start with cf_",
    );
  });

  it("sends requests through an injected fetch", async () => {
    const fetch = vi.fn(async (request: Request) => {
      expect(request.url).toBe(`${BASE}/events?limit=100&sort_by%5Basc%5D=occurred_at`);
      return Response.json({ list: [] });
    });
    const injected = createChargebeeApi({ site: "acme-test", apiKey: API_KEY, fetch });
    expect(await collect(injected.replayEvents())).toEqual([]);
    expect(fetch).toHaveBeenCalledOnce();
  });

  it("keeps the real status of answers without a JSON body (HTML 429, HTML 404)", async () => {
    const html = (status: number, headers: Record<string, string> = {}) =>
      new HttpResponse("<html><body>Too many requests</body></html>", {
        status,
        headers: { "content-type": "text/html", ...headers },
      });
    server.use(http.get(`${BASE}/events`, () => html(429, { "retry-after": "3" })));
    expect(await rejection(collect(api.replayEvents()))).toMatchObject({
      code: "chargebee_api_failed",
      reason: "http_status",
      status: 429,
      retryable: true,
      retryAfterMs: 3000,
      responseBody: "<html><body>Too many requests</body></html>",
    });
    server.use(http.get(`${BASE}/events`, () => html(404)));
    expect(await rejection(collect(api.replayEvents()))).toMatchObject({
      status: 404,
      retryable: false,
    });
    server.use(http.post(`${BASE}/hosted_pages/checkout_new`, () => html(502)));
    expect(await rejection(api.createCheckout({ model: "plans", planId: "p" }))).toMatchObject({
      operation: "checkout_new",
      status: 502,
      retryable: true,
    });
    // A 200 that is not JSON is an invalid response, not a server error.
    server.use(http.get(`${BASE}/events`, () => html(200)));
    expect(await rejection(collect(api.replayEvents()))).toMatchObject({
      reason: "invalid_response",
      retryable: false,
    });
    // JSON served with another content type still works.
    server.use(
      http.get(
        `${BASE}/events`,
        () => new HttpResponse('{"list":[]}', { headers: { "content-type": "text/plain" } }),
      ),
    );
    expect(await collect(api.replayEvents())).toEqual([]);
  });

  it("maps a timeout to a retryable ChargebeeApiError", async () => {
    const fetch = vi.fn(
      (_request: Request, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const slow = createChargebeeApi({ site: "acme-test", apiKey: API_KEY, fetch, timeoutMs: 20 });
    expect(await rejection(collect(slow.replayEvents()))).toMatchObject({
      reason: "timeout",
      retryable: true,
    });
  });
});
