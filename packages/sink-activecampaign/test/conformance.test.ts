/**
 * The ActiveCampaign sink against the vendor-neutral sink conformance suite of `@revtrace/testing`.
 * The items are payments: each becomes one `POST /ecomOrders` (the item-carrying request, whose
 * dedupe id is the order's `externalid`, the Chargebee transaction id) among Deep Data lookups that
 * the suite answers as an empty account would.
 */
import type { Conversion, RateLimiter } from "@revtrace/core";
import { runSinkConformance } from "@revtrace/testing/sink";
import { HttpResponse } from "msw";
import { createActiveCampaignSink, USER_AGENT } from "../src/index.js";
import { conversionOf } from "./fixtures.js";

const TOKEN = "ac-conformance-secret-token";
const unlimited: RateLimiter = { acquire: async () => {} };

/** Real payment event; synthetic: three distinct transaction ids. */
function payments(): Conversion[] {
  return [1, 2, 3].map((n) => {
    const base = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    const event = base.billingEvent as NonNullable<Conversion["billingEvent"]>;
    const payment = event.payment as NonNullable<typeof event.payment>;
    return {
      ...base,
      id: `${base.id}:${n}`,
      billingEvent: { ...event, payment: { ...payment, transactionId: `txn_conformance_${n}` } },
    };
  });
}

const externalIds = (body: unknown): string[] => {
  const id = (body as { ecomOrder?: { externalid?: unknown } } | undefined)?.ecomOrder?.externalid;
  return typeof id === "string" ? [id] : [];
};

const list = (key: string) => HttpResponse.json({ [key]: [], meta: { total: "0" } });

runSinkConformance({
  name: "activecampaign",
  endpoint: "https://acme.api-us1.com/api/3/*",
  createSink: () =>
    createActiveCampaignSink({
      apiUrl: "https://acme.api-us1.com",
      apiToken: TOKEN,
      listId: 1,
      deepData: { site: "acme" },
      rateLimiter: unlimited,
      retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    }),
  items: payments,
  dedupeIdOf: (conversion) => conversion.billingEvent?.payment?.transactionId ?? "",
  isDelivery: (request) =>
    request.method === "POST" && new URL(request.url).pathname.endsWith("/ecomOrders"),
  deliveriesPerSend: 3,
  vendor: {
    dedupeIds: externalIds,
    accept: (body) =>
      HttpResponse.json(
        { ecomOrder: { id: "30", externalid: externalIds(body)[0], totalPrice: 450000 } },
        { status: 201 },
      ),
    reject: (_body, detail) =>
      HttpResponse.json(
        { errors: [{ title: detail, detail: "", code: "field_invalid" }] },
        { status: 422 },
      ),
    support: (request) => {
      const path = new URL(request.url).pathname.replace("/api/3/", "");
      if (request.method === "GET") return list(path);
      if (path === "connections")
        return HttpResponse.json(
          { connection: { id: "2", service: "Chargebee", externalid: "acme" } },
          { status: 201 },
        );
      if (path === "ecomCustomers")
        return HttpResponse.json(
          { ecomCustomer: { id: "12", externalid: "16BjsrSIh4AdLqkD" } },
          { status: 201 },
        );
      return HttpResponse.json({ message: "Not Found" }, { status: 404 });
    },
  },
  secrets: [TOKEN],
  userAgent: USER_AGENT,
});
