/**
 * The Kiflo sink against the vendor-neutral sink conformance suite of `@revtrace/testing`. Kiflo has
 * no batch endpoint: one `POST /transactions` per payment is the delivery request; the property
 * definitions and the lookups before each create are served by `handlers` and not counted.
 */
import { createMemoryStorage } from "@revtrace/storage-memory";
import { runSinkConformance } from "@revtrace/testing/sink";
import { HttpResponse, http } from "msw";
import { createKifloSink, KIFLO_DEFAULT_BASE_URL, USER_AGENT } from "../src/index.js";
import { CB_CUSTOMER_ID, laterPayment } from "./fixtures/conversions.js";

const TOKEN = "kiflo-conformance-secret-token";
const BASE = KIFLO_DEFAULT_BASE_URL;
const CUSTOMER_ID = 501;
const definition = (name: string, label: string) => ({ name, label, isCustom: true });

let nextId = 9000;

runSinkConformance({
  name: "kiflo",
  endpoint: `${BASE}transactions`,
  endpointMethod: "POST",
  requests: "item",
  remembersDelivered: true,
  handlers: () => [
    http.get(`${BASE}customers/properties`, () =>
      HttpResponse.json([
        { name: "email", label: "Email", isCustom: false },
        definition("cf_cb_customer", "ChargeBee Customer ID"),
      ]),
    ),
    http.get(`${BASE}transactions/properties`, () =>
      HttpResponse.json([
        { name: "name", label: "Name", isCustom: false },
        { name: "amount", label: "Amount", isCustom: false },
        definition("cf_cb_transaction", "Chargebee Transaction ID"),
        definition("cf_cb_invoice", "Chargebee Invoice ID"),
      ]),
    ),
    http.get(`${BASE}customers`, () =>
      HttpResponse.json({
        items: [{ id: CUSTOMER_ID, properties: { cf_cb_customer: CB_CUSTOMER_ID } }],
        paginationSkipCount: 0,
        totalCount: 1,
      }),
    ),
    http.get(`${BASE}transactions`, () =>
      HttpResponse.json({ items: [], paginationSkipCount: 0, totalCount: 0 }),
    ),
  ],
  createSink: () =>
    createKifloSink({
      apiToken: TOKEN,
      store: createMemoryStorage(),
      convertLeadToCustomer: true,
      createTransactionFromPayment: true,
      retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 10_000 },
    }),
  items: () => [laterPayment(1), laterPayment(2), laterPayment(3)],
  dedupeIdOf: (conversion) => conversion.billingEvent?.payment?.transactionId ?? "",
  vendor: {
    dedupeIds: (body) => {
      const id = (body as { properties?: { cf_cb_transaction?: unknown } } | undefined)?.properties
        ?.cf_cb_transaction;
      return typeof id === "string" ? [id] : [];
    },
    accept: (body) =>
      HttpResponse.json({
        id: nextId++,
        customerId: CUSTOMER_ID,
        currency: "USD",
        properties: (body as { properties?: unknown }).properties ?? {},
      }),
    // Kiflo's error body (spec §1).
    reject: (_body, detail) =>
      HttpResponse.json(
        { errorCode: "Transactions.InvalidRequest", errorMessage: detail },
        { status: 400 },
      ),
  },
  secrets: [TOKEN],
  userAgent: USER_AGENT,
});
