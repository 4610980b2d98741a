import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { createActiveCampaignSink, DEFAULT_FIELD_KEYS } from "../src/index.js";
import {
  API,
  fieldId,
  fieldsAnswer,
  listOf,
  script,
  sequence,
  sink,
  TOKEN,
} from "./fake-account.js";
import { conversionOf, syntheticTouchpoint } from "./fixtures.js";

const server = useMockServer();

const TRIAL_END = Date.UTC(2020, 9, 2);
/** Real event, synthetic changes: an email, a name and a trial (the fixture's customer has none). */
const trialStarted = () =>
  conversionOf(
    "subscription_created.bonusly.1",
    "trial_started",
    {
      customer: { email: " Ann.Lee@Example.com ", firstName: "Ann", lastName: "Lee" },
      subscription: { status: "in_trial", trialEnd: TRIAL_END },
    },
    [syntheticTouchpoint(Date.UTC(2020, 8, 1))],
  );

const SETUP = [
  ["GET fields?limit=100&offset=0"],
  ["GET tags?search=chargebee:&limit=100&offset=0"],
] as const;

describe("a new customer", () => {
  it("syncs the contact with its fields, subscribes it, and tags its state", async () => {
    script(server, {
      "GET fields": fieldsAnswer(),
      "GET tags": listOf("tags", [{ id: "40", tag: "chargebee:active" }]),
      "POST contact/sync": { contact: { id: "7", email: "ann.lee@example.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", []),
      "POST contactLists": { contactList: { id: "1", list: "3", contact: "7", status: "1" } },
      "GET contacts/7/contactTags": listOf("contactTags", []),
      "POST tags": { tag: { id: "41", tag: "chargebee:trial" } },
      "POST contactTags": { contactTag: { id: "90", tag: "41", contact: "7" } },
    });
    const conversion = trialStarted();
    const results = await sink().send([conversion]);
    expect(results).toEqual([{ id: conversion.id, status: "delivered" }]);
    const values: Array<[string, string]> = [
      ["customerId", "16CHTnSAxXWqMAg8"],
      ["company", "Test Company with Plan"],
      ["createdAt", "2020-09-18"],
      ["locale", "en"],
      ["subscriptionId", "AzqgumSAxXl3xAxW"],
      ["plan", "test-company-custom-pro-plan"],
      ["subscriptionStatus", "in_trial"],
      ["mrr", "800.00"],
      ["currency", "USD"],
      ["billingPeriod", "1 year"],
      ["trialEnd", "2020-10-02"],
      // The parser now keeps the subscription's next_billing_at.
      ["nextBillingAt", "2020-10-01"],
      ["firstTouchSource", "google"],
      ["firstTouchMedium", "cpc"],
      ["firstTouchCampaign", "spring"],
      ["firstTouchLandingPage", "https://www.example.com/pricing?gclid=Cj0KCQsynthetic"],
      ["firstTouchReferrer", "https://www.google.com/"],
      ["firstTouchClickId", "Cj0KCQsynthetic"],
    ];
    expect(sequence(server)).toEqual([
      ...SETUP,
      [
        "POST contact/sync",
        {
          contact: {
            email: "ann.lee@example.com",
            firstName: "Ann",
            lastName: "Lee",
            fieldValues: values.map(([key, value]) => ({
              field: fieldId(key as (typeof DEFAULT_FIELD_KEYS)[number]),
              value,
            })),
          },
        },
      ],
      ["GET contacts/7/contactLists?limit=100&offset=0"],
      ["POST contactLists", { contactList: { list: "3", contact: "7", status: 1 } }],
      ["GET contacts/7/contactTags?limit=100&offset=0"],
      [
        "POST tags",
        {
          tag: {
            tag: "chargebee:trial",
            tagType: "contact",
            description: "Written by revtrace from Chargebee",
          },
        },
      ],
      ["POST contactTags", { contactTag: { contact: "7", tag: "41" } }],
    ]);
    for (const call of server.calls) expect(call.headers["api-token"]).toBe(TOKEN);
  });
});

describe("a changed customer", () => {
  it("re-syncs without blank values, keeps the membership, swaps the old state tag", async () => {
    script(server, {
      "GET fields": fieldsAnswer(),
      "GET tags": listOf("tags", [
        { id: "40", tag: "chargebee:active" },
        { id: "41", tag: "chargebee:trial" },
      ]),
      "POST contact/sync": { contact: { id: "7", email: "ann.lee@example.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", [{ id: "1", list: "3", status: "1" }]),
      "GET contacts/7/contactTags": [
        listOf("contactTags", []),
        listOf("contactTags", [{ id: "90", tag: "41" }]),
      ],
      "POST contactTags": { contactTag: { id: "91", tag: "40", contact: "7" } },
      "DELETE contactTags/90": {},
    });
    const acSink = sink();
    await acSink.send([trialStarted()]);
    server.calls.length = 0;
    // Synthetic change: the trial converted, and the customer's last name was removed in Chargebee.
    const converted = conversionOf("subscription_created.bonusly.1", "trial_converted", {
      customer: { email: "ann.lee@example.com", firstName: "Ann", lastName: "" },
      subscription: { status: "active", activatedAt: Date.UTC(2020, 9, 2) },
    });
    expect(await acSink.send([converted])).toEqual([{ id: converted.id, status: "delivered" }]);
    const [sync, ...rest] = sequence(server);
    expect(sync?.[0]).toBe("POST contact/sync");
    const contact = (sync?.[1] as { contact: Record<string, unknown> } | undefined)?.contact;
    expect(contact).not.toHaveProperty("lastName");
    expect(JSON.stringify(contact)).not.toContain('""');
    expect(contact?.fieldValues).toContainEqual({
      field: fieldId("activatedAt"),
      value: "2020-10-02",
    });
    expect(contact?.fieldValues).toContainEqual({
      field: fieldId("subscriptionStatus"),
      value: "active",
    });
    // The list membership is known from the first event: no second look.
    expect(rest).toEqual([
      ["GET contacts/7/contactTags?limit=100&offset=0"],
      ["POST contactTags", { contactTag: { contact: "7", tag: "40" } }],
      ["DELETE contactTags/90"],
    ]);
  });
});

describe("two processes changing one contact's tags", () => {
  it("counts a state tag already removed (DELETE answers 404) as removed", async () => {
    script(server, {
      "GET fields": fieldsAnswer(),
      "GET tags": listOf("tags", [
        { id: "40", tag: "chargebee:active" },
        { id: "41", tag: "chargebee:trial" },
      ]),
      "POST contact/sync": { contact: { id: "7", email: "ann.lee@example.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", [{ id: "1", list: "3", status: "1" }]),
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "90", tag: "41" }]),
      "POST contactTags": { contactTag: { id: "91", tag: "40", contact: "7" } },
      "DELETE contactTags/90": HttpResponse.json(
        { message: "No Result found for ContactTag with id 90" },
        { status: 404 },
      ),
    });
    const converted = conversionOf("subscription_created.bonusly.1", "trial_converted", {
      customer: { email: "ann.lee@example.com", firstName: "Ann", lastName: "Lee" },
      subscription: { status: "active", activatedAt: Date.UTC(2020, 9, 2) },
    });
    expect(await sink().send([converted])).toEqual([{ id: converted.id, status: "delivered" }]);
    expect(sequence(server).slice(-2)).toEqual([
      ["POST contactTags", { contactTag: { contact: "7", tag: "40" } }],
      ["DELETE contactTags/90"],
    ]);
  });
});

describe("an unsubscribed contact", () => {
  it("is never subscribed again, and its status is remembered", async () => {
    script(server, {
      "GET fields": fieldsAnswer(),
      "GET tags": listOf("tags", [{ id: "41", tag: "chargebee:trial" }]),
      "POST contact/sync": { contact: { id: "7", email: "ann.lee@example.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", [{ id: "1", list: "3", status: "2" }]),
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "90", tag: "41" }]),
    });
    const acSink = sink();
    await acSink.send([trialStarted()]);
    await acSink.send([trialStarted()]);
    const lines = sequence(server).map(([line]) => line);
    expect(lines.filter((line) => line.startsWith("POST contactLists"))).toEqual([]);
    expect(lines.filter((line) => line.includes("contactLists"))).toHaveLength(1);
    expect(lines.filter((line) => line === "POST contact/sync")).toHaveLength(2);
  });
});

describe("a field missing at setup", () => {
  it("is created once (with a relation to every list) and used, past the default page of 20", async () => {
    const filler = Array.from({ length: 110 }, (_, i) => ({
      id: String(1000 + i),
      title: `Other ${i}`,
      perstag: `OTHER_${i}`,
    }));
    const mine = fieldsAnswer(["plan"]).fields;
    const all = [...filler, ...mine];
    script(server, {
      "GET fields": (_body: unknown, url: URL) => {
        const offset = Number(url.searchParams.get("offset"));
        return { fields: all.slice(offset, offset + 100), meta: { total: String(all.length) } };
      },
      "POST fields": { field: { id: "555", perstag: "CHARGEBEE_PLAN", title: "Chargebee plan" } },
      "POST fieldRels": { fieldRel: { id: "1", field: "555", relid: "0" } },
      "GET tags": listOf("tags", []),
    });
    const acSink = sink();
    await acSink.setup();
    await acSink.setup();
    expect(sequence(server)).toEqual([
      ["GET fields?limit=100&offset=0"],
      ["GET fields?limit=100&offset=100"],
      [
        "POST fields",
        {
          field: {
            title: "Chargebee plan",
            type: "text",
            perstag: "CHARGEBEE_PLAN",
            descript: "Written by revtrace from Chargebee",
            visible: 1,
          },
        },
      ],
      ["POST fieldRels", { fieldRel: { field: "555", relid: 0 } }],
      ["GET tags?search=chargebee:&limit=100&offset=0"],
    ]);
  });

  it("retries the setup on the next call after it failed", async () => {
    script(server, {
      "GET fields": [HttpResponse.json({ message: "Forbidden" }, { status: 403 }), fieldsAnswer()],
      "GET tags": listOf("tags", []),
    });
    const acSink = sink();
    await expect(acSink.setup()).rejects.toMatchObject({ status: 403, retryable: false });
    await acSink.setup();
    expect(sequence(server).map(([line]) => line)).toEqual([
      "GET fields?limit=100&offset=0",
      "GET fields?limit=100&offset=0",
      "GET tags?search=chargebee:&limit=100&offset=0",
    ]);
  });
});

const DEEP_DATA = { deepData: { site: "acme" } } as const;

describe("a payment", () => {
  it("becomes one Deep Data order keyed by the transaction id, in cents, live", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    const paidAt = payment.billingEvent?.payment?.paidAt as number;
    script(server, {
      "GET connections": listOf("connections", []),
      "POST connections": { connection: { id: "2", service: "Chargebee", externalid: "acme" } },
      "GET ecomCustomers": listOf("ecomCustomers", []),
      "POST ecomCustomers": { ecomCustomer: { id: "12", externalid: "16BjsrSIh4AdLqkD" } },
      "GET ecomOrders": [
        listOf("ecomOrders", []),
        listOf("ecomOrders", [{ id: "30", externalid: "txn_AzqYRySIstMLf6N", totalPrice: 450000 }]),
      ],
      "POST ecomOrders": {
        ecomOrder: { id: "30", externalid: "txn_AzqYRySIstMLf6N", totalPrice: 450000 },
      },
    });
    const acSink = sink({ ...DEEP_DATA, now: () => paidAt + 60_000 });
    expect(await acSink.send([payment])).toEqual([{ id: payment.id, status: "delivered" }]);
    // The same webhook again: found by its externalid, never a second order.
    expect(await acSink.send([payment])).toEqual([{ id: payment.id, status: "delivered" }]);
    const orders = "GET ecomOrders?filters[connectionid]=2&filters[externalid]=txn_AzqYRySIstMLf6N";
    expect(sequence(server)).toEqual([
      ["GET connections?filters[service]=Chargebee&filters[externalid]=acme"],
      [
        "POST connections",
        {
          connection: {
            service: "Chargebee",
            externalid: "acme",
            name: "Chargebee",
            logoUrl: "https://www.chargebee.com/static/resources/brand/chargebee.png",
            linkUrl: "https://acme.chargebee.com",
          },
        },
      ],
      ["GET ecomCustomers?filters[connectionid]=2&filters[externalid]=16BjsrSIh4AdLqkD"],
      [
        "POST ecomCustomers",
        {
          ecomCustomer: {
            connectionid: "2",
            externalid: "16BjsrSIh4AdLqkD",
            email: "taxes@test.com",
            acceptsMarketing: "0",
          },
        },
      ],
      [orders],
      [
        "POST ecomOrders",
        {
          ecomOrder: {
            externalid: "txn_AzqYRySIstMLf6N",
            source: 1,
            email: "taxes@test.com",
            totalPrice: 450000,
            currency: "USD",
            connectionid: "2",
            customerid: "12",
            externalCreatedDate: "2020-12-11T15:34:58Z",
            orderProducts: [
              {
                externalid: "contract-plan",
                name: "contract-plan",
                price: 50000,
                quantity: 6,
                category: "plan",
              },
            ],
            orderNumber: "22",
          },
        },
      ],
      [orders],
    ]);
  });

  it("is a historical order (source 0) when older than a day at delivery", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      "GET ecomCustomers": listOf("ecomCustomers", [{ id: "12", externalid: "16BjsrSIh4AdLqkD" }]),
      "GET ecomOrders": listOf("ecomOrders", []),
      "POST ecomOrders": {
        ecomOrder: { id: "30", externalid: "txn_AzqYRySIstMLf6N", totalPrice: 450000 },
      },
    });
    await sink({ ...DEEP_DATA, now: () => Date.UTC(2026, 0, 1) }).send([payment]);
    const post = server.calls.find((call) => call.method === "POST");
    expect((post?.body as { ecomOrder: { source: number } } | undefined)?.ecomOrder.source).toBe(0);
  });

  it("uses the ecomCustomer another process created between its lookup and its create (422)", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      // Not there at the first lookup; there (created by another worker) when looked up again.
      "GET ecomCustomers": [
        listOf("ecomCustomers", []),
        listOf("ecomCustomers", [{ id: "12", externalid: "16BjsrSIh4AdLqkD" }]),
      ],
      "POST ecomCustomers": HttpResponse.json(
        {
          errors: [{ title: "A customer with this externalid already exists", code: "duplicate" }],
        },
        { status: 422 },
      ),
      "GET ecomOrders": listOf("ecomOrders", []),
      "POST ecomOrders": {
        ecomOrder: { id: "30", externalid: "txn_AzqYRySIstMLf6N", totalPrice: 450000 },
      },
    });
    const paidAt = payment.billingEvent?.payment?.paidAt as number;
    const acSink = sink({ ...DEEP_DATA, now: () => paidAt + 60_000 });
    expect(await acSink.send([payment])).toEqual([{ id: payment.id, status: "delivered" }]);
    const customers =
      "GET ecomCustomers?filters[connectionid]=2&filters[externalid]=16BjsrSIh4AdLqkD";
    expect(sequence(server).map(([line]) => line)).toEqual([
      "GET connections?filters[service]=Chargebee&filters[externalid]=acme",
      customers,
      "POST ecomCustomers",
      customers,
      "GET ecomOrders?filters[connectionid]=2&filters[externalid]=txn_AzqYRySIstMLf6N",
      "POST ecomOrders",
    ]);
    const order = server.calls.find(
      (call) => call.url.includes("ecomOrders") && call.method === "POST",
    );
    expect(order?.body).toMatchObject({ ecomOrder: { customerid: "12" } });
  });

  it("uses the connection another process created between its lookup and its create (422)", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    script(server, {
      // Not there at the first lookup; there (created by another worker) when looked up again.
      "GET connections": [
        listOf("connections", []),
        listOf("connections", [{ id: "2", service: "Chargebee", externalid: "acme" }]),
      ],
      "POST connections": HttpResponse.json(
        {
          errors: [
            {
              title: "A connection for this service and externalid already exists",
              code: "duplicate",
            },
          ],
        },
        { status: 422 },
      ),
      "GET ecomCustomers": listOf("ecomCustomers", [{ id: "12", externalid: "16BjsrSIh4AdLqkD" }]),
      "GET ecomOrders": listOf("ecomOrders", []),
      "POST ecomOrders": {
        ecomOrder: { id: "30", externalid: "txn_AzqYRySIstMLf6N", totalPrice: 450000 },
      },
    });
    const paidAt = payment.billingEvent?.payment?.paidAt as number;
    const acSink = sink({ ...DEEP_DATA, now: () => paidAt + 60_000 });
    expect(await acSink.send([payment])).toEqual([{ id: payment.id, status: "delivered" }]);
    const connections = "GET connections?filters[service]=Chargebee&filters[externalid]=acme";
    expect(sequence(server).map(([line]) => line)).toEqual([
      connections,
      "POST connections",
      connections,
      "GET ecomCustomers?filters[connectionid]=2&filters[externalid]=16BjsrSIh4AdLqkD",
      "GET ecomOrders?filters[connectionid]=2&filters[externalid]=txn_AzqYRySIstMLf6N",
      "POST ecomOrders",
    ]);
  });

  it("still refuses the payment when the 422 was not a duplicate (the lookup finds nothing)", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      "GET ecomCustomers": listOf("ecomCustomers", []),
      "POST ecomCustomers": HttpResponse.json(
        { errors: [{ title: "Missing attribute", code: "field_missing" }] },
        { status: 422 },
      ),
    });
    const [result] = await sink(DEEP_DATA).send([payment]);
    expect(result).toMatchObject({ status: "rejected", error: { status: 422 } });
  });
});

describe("a refund", () => {
  it("lowers the original order's total once, recording the refund as a discount line", async () => {
    const refund = conversionOf("payment_refunded.bonusly.1", "refund");
    const original = {
      id: "30",
      externalid: "txn_3Nl7oGgQqGFs2lf",
      totalPrice: 1095,
      currency: "USD",
    };
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      "GET ecomOrders": [
        listOf("ecomOrders", [{ ...original, discountAmount: 0, orderDiscounts: [] }]),
        listOf("ecomOrders", [
          {
            ...original,
            totalPrice: 1093,
            discountAmount: 2,
            orderDiscounts: [
              { name: "refund txn_3Nl7oGgQqGG07E3V", type: "order", discountAmount: 2 },
            ],
          },
        ]),
      ],
      "PUT ecomOrders/30": { ecomOrder: { ...original, totalPrice: 1093 } },
    });
    const acSink = sink(DEEP_DATA);
    expect(await acSink.send([refund])).toEqual([{ id: refund.id, status: "delivered" }]);
    expect(await acSink.send([refund])).toEqual([{ id: refund.id, status: "delivered" }]);
    const lookup = "GET ecomOrders?filters[connectionid]=2&filters[externalid]=txn_3Nl7oGgQqGFs2lf";
    expect(sequence(server)).toEqual([
      ["GET connections?filters[service]=Chargebee&filters[externalid]=acme"],
      [lookup],
      [
        "PUT ecomOrders/30",
        {
          ecomOrder: {
            totalPrice: 1093,
            discountAmount: 2,
            orderDiscounts: [
              { name: "refund txn_3Nl7oGgQqGG07E3V", type: "order", discountAmount: 2 },
            ],
          },
        },
      ],
      [lookup],
    ]);
  });

  it("is skipped when the refunded payment has no order", async () => {
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      "GET ecomOrders": listOf("ecomOrders", []),
    });
    const refund = conversionOf("payment_refunded.bonusly.1", "refund");
    expect(await sink(DEEP_DATA).send([refund])).toEqual([
      {
        id: refund.id,
        status: "skipped",
        reason: "the refunded payment has no ActiveCampaign order",
      },
    ]);
  });
});

describe("a deleted customer", () => {
  const deleted = () => conversionOf("customer_deleted.bonusly.1", "customer_deleted");
  const found = listOf("contacts", [{ id: "7", email: "benjamin@test.com" }]);
  const lookup = ["GET contacts?email=benjamin@test.com"];

  it("keep: nothing is sent", async () => {
    script(server, {});
    const item = deleted();
    expect(await sink({ onCustomerDeleted: "keep" }).send([item])).toEqual([
      { id: item.id, status: "skipped", reason: "the deletion policy is keep" },
    ]);
    expect(server.calls).toEqual([]);
  });

  it("unsubscribe: status 2 on the list", async () => {
    script(server, {
      "GET contacts": found,
      "POST contactLists": { contactList: { id: "1", list: "3", contact: "7", status: "2" } },
    });
    await sink({ onCustomerDeleted: "unsubscribe" }).send([deleted()]);
    expect(sequence(server)).toEqual([
      lookup,
      ["POST contactLists", { contactList: { list: "3", contact: "7", status: 2 } }],
    ]);
  });

  it("delete: the contact is deleted", async () => {
    script(server, { "GET contacts": found, "DELETE contacts/7": {} });
    await sink({ onCustomerDeleted: "delete" }).send([deleted()]);
    expect(sequence(server)).toEqual([lookup, ["DELETE contacts/7"]]);
  });

  it("tag: the deletion tag, looked up before it is created", async () => {
    script(server, {
      "GET contacts": found,
      "GET tags": listOf("tags", [{ id: "45", tag: "chargebee:deleted-not-this" }]),
      "POST tags": { tag: { id: "46", tag: "chargebee:deleted" } },
      "GET contacts/7/contactTags": listOf("contactTags", []),
      "POST contactTags": { contactTag: { id: "92", tag: "46", contact: "7" } },
    });
    await sink({ onCustomerDeleted: "tag" }).send([deleted()]);
    expect(sequence(server)).toEqual([
      lookup,
      ["GET tags?search=chargebee:deleted&limit=100&offset=0"],
      [
        "POST tags",
        {
          tag: {
            tag: "chargebee:deleted",
            tagType: "contact",
            description: "Written by revtrace from Chargebee",
          },
        },
      ],
      // Lookup before create (spec §1 idempotency): see review-l-activecampaign.test.ts.
      ["GET contacts/7/contactTags?limit=100&offset=0"],
      ["POST contactTags", { contactTag: { contact: "7", tag: "46" } }],
    ]);
  });

  it("runs after an earlier change of the same contact in the same send (input order)", async () => {
    script(server, {
      "GET fields": fieldsAnswer(),
      "GET tags": listOf("tags", [{ id: "42", tag: "chargebee:cancelled" }]),
      "POST contact/sync": { contact: { id: "7", email: "benjamin@test.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", [
        { id: "1", list: "3", contact: "7", status: "1" },
      ]),
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "91", tag: "42", contact: "7" }]),
      "GET contacts": found,
      "DELETE contacts/7": {},
    });
    const cancelled = conversionOf("subscription_created.bonusly.1", "subscription_cancelled", {
      customer: { email: "benjamin@test.com", firstName: "Ben", lastName: null },
      subscription: { status: "cancelled" },
    });
    const noFields = Object.fromEntries(DEFAULT_FIELD_KEYS.map((key) => [key, false] as const));
    const item = deleted();
    expect(
      await sink({ onCustomerDeleted: "delete", fields: noFields }).send([cancelled, item]),
    ).toEqual([
      { id: cancelled.id, status: "delivered" },
      { id: item.id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual([
      ...SETUP,
      ["POST contact/sync", { contact: { email: "benjamin@test.com", firstName: "Ben" } }],
      ["GET contacts/7/contactLists?limit=100&offset=0"],
      ["GET contacts/7/contactTags?limit=100&offset=0"],
      lookup,
      ["DELETE contacts/7"],
    ]);
  });

  it("a contact another email owns is never touched (the lookup's answer is checked)", async () => {
    script(server, {
      "GET contacts": listOf("contacts", [{ id: "8", email: "someone@else.com" }]),
    });
    const item = deleted();
    expect(await sink({ onCustomerDeleted: "delete" }).send([item])).toEqual([
      { id: item.id, status: "skipped", reason: "no ActiveCampaign contact has this email" },
    ]);
    expect(sequence(server)).toEqual([lookup]);
  });
});

describe("failures", () => {
  it("rejects an item ActiveCampaign refuses with 422, naming its error code", async () => {
    script(server, {
      "GET fields": fieldsAnswer(),
      "GET tags": listOf("tags", []),
      "POST contact/sync": HttpResponse.json(
        { errors: [{ title: "Contact Email is not valid", detail: "", code: "email_invalid" }] },
        { status: 422 },
      ),
    });
    const item = trialStarted();
    const [result] = await sink().send([item]);
    expect(result).toMatchObject({
      id: item.id,
      status: "rejected",
      error: { reason: "invalid_item", retryable: false, status: 422, vendorCode: "email_invalid" },
    });
  });

  it("fails the whole send on 403 (bad token), without retrying", async () => {
    script(server, { "GET fields": HttpResponse.json({ message: "Forbidden" }, { status: 403 }) });
    await expect(sink().send([trialStarted()])).rejects.toMatchObject({
      name: "SinkError",
      status: 403,
      retryable: false,
    });
    expect(server.calls).toHaveLength(1);
  });

  it("skips a customer without an email, a cleared one, and unhandled names, without a request", async () => {
    script(server, {});
    const noEmail = conversionOf("customer_changed.bonusly.1", "customer_updated");
    const cleared = conversionOf("payment_succeeded.bonusly.1", "customer_updated", {
      customer: { piiCleared: "cleared" },
    });
    const lead = { ...trialStarted(), id: "lead-1", name: "lead" as const };
    const results = await sink().send([noEmail, cleared, lead]);
    expect(results).toEqual([
      { id: noEmail.id, status: "skipped", reason: "the customer has no valid email address" },
      {
        id: cleared.id,
        status: "skipped",
        reason: "Chargebee cleared this customer's personal data",
      },
      {
        id: "lead-1",
        status: "skipped",
        reason: 'the activecampaign sink does not handle "lead" conversions',
      },
    ]);
    expect(server.calls).toEqual([]);
  });

  it("a send aborted during the shared setup does not fail another send waiting on it", async () => {
    script(server, {
      "GET fields": async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return fieldsAnswer();
      },
      "GET tags": listOf("tags", [{ id: "41", tag: "chargebee:trial" }]),
      "POST contact/sync": { contact: { id: "7", email: "ann.lee@example.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", [{ id: "1", list: "3", status: "1" }]),
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "90", tag: "41" }]),
    });
    const acSink = sink();
    const controller = new AbortController();
    const aborted = acSink.send([trialStarted()], { signal: controller.signal });
    const other = acSink.send([trialStarted()]);
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await expect(aborted).rejects.toMatchObject({ reason: "aborted" });
    expect((await other).map((r) => r.status)).toEqual(["delivered"]);
  });

  it("answers 429 with Retry-After by waiting and retrying", async () => {
    script(server, {
      "GET fields": [
        new HttpResponse(null, { status: 429, headers: { "retry-after": "0" } }),
        fieldsAnswer(),
      ],
      "GET tags": listOf("tags", []),
    });
    await sink().setup();
    expect(sequence(server).map(([line]) => line)).toEqual([
      "GET fields?limit=100&offset=0",
      "GET fields?limit=100&offset=0",
      "GET tags?search=chargebee:&limit=100&offset=0",
    ]);
  });
});

describe("options", () => {
  it("asks for sends of 5 items: at 5 requests a second a send must end within the pipeline's send timeout", () => {
    // About 7.6 requests an item: 5 items are ~8 s of requests, 50 (the pipeline's default) over 75 s.
    expect(sink(DEEP_DATA).batchSize).toBe(5);
  });

  it("refuses bad options with a ConfigError naming the fields, never the token", () => {
    let error: unknown;
    try {
      createActiveCampaignSink({
        apiUrl: "http://acme.api-us1.com",
        apiToken: "has space secret",
        listId: "x",
        onCustomerDeleted: "archive" as never,
      });
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({
      name: "ConfigError",
      fields: ["apiUrl", "apiToken", "listId", "onCustomerDeleted"],
    });
    expect(String((error as Error).message)).not.toContain("secret");
  });

  it("accepts the API URL as pasted, with or without /api/3", async () => {
    script(server, { "GET lists/3": { list: { id: "3", name: "Customers" } } });
    await sink({ apiUrl: `${API}` }).verifyCredentials();
    await sink({ apiUrl: "https://acme.api-us1.com/" }).verifyCredentials();
    expect(sequence(server)).toEqual([["GET lists/3"], ["GET lists/3"]]);
  });

  it("verifyCredentials names listId when the list does not exist", async () => {
    script(server, {
      "GET lists/3": HttpResponse.json(
        { message: "No Result found for List with id 3" },
        { status: 404 },
      ),
    });
    await expect(sink().verifyCredentials()).rejects.toMatchObject({
      name: "ConfigError",
      fields: ["listId"],
    });
  });

  it("refuses duplicate perstags among the fields", () => {
    expect(() =>
      sink({ extraFields: [{ perstag: "chargebee_plan", title: "Again", source: "cf_x" }] }),
    ).toThrow(expect.objectContaining({ name: "ConfigError", fields: ["extraFields.0"] }));
  });
});
