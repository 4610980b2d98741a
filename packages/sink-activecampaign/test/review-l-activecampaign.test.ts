/**
 * Review L: ActiveCampaign sink against shared/specs/activecampaign.md. The scripted answers are
 * synthetic (fake-account.ts); the conversions are real Chargebee events (fixtures.ts).
 */
import { SinkError } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse } from "msw";
import { describe, expect, it } from "vitest";
import { DEFAULT_FIELD_KEYS } from "../src/index.js";
import { listOf, script, sequence, sink } from "./fake-account.js";
import { conversionOf } from "./fixtures.js";

const server = useMockServer();

describe("review-l: the deletion tag is idempotent (spec §1: contactTags need lookup-before-create)", () => {
  const deleted = () => conversionOf("customer_deleted.bonusly.1", "customer_deleted");

  it("a redelivered customer_deleted does not attach the deletion tag a second time", async () => {
    script(server, {
      "GET contacts": listOf("contacts", [{ id: "7", email: "benjamin@test.com" }]),
      "GET tags": listOf("tags", [{ id: "46", tag: "chargebee:deleted" }]),
      // The first delivery attached it already.
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "92", tag: "46", contact: "7" }]),
    });
    const item = deleted();
    expect(await sink({ onCustomerDeleted: "tag" }).send([item])).toEqual([
      { id: item.id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual([
      ["GET contacts?email=benjamin@test.com"],
      ["GET tags?search=chargebee:deleted&limit=100&offset=0"],
      ["GET contacts/7/contactTags?limit=100&offset=0"],
    ]);
  });

  it("a first delivery looks at the contact's tags, then attaches the tag once", async () => {
    script(server, {
      "GET contacts": listOf("contacts", [{ id: "7", email: "benjamin@test.com" }]),
      "GET tags": listOf("tags", [{ id: "46", tag: "chargebee:deleted" }]),
      "GET contacts/7/contactTags": listOf("contactTags", []),
      "POST contactTags": { contactTag: { id: "92", tag: "46", contact: "7" } },
    });
    const item = deleted();
    expect(await sink({ onCustomerDeleted: "tag" }).send([item])).toEqual([
      { id: item.id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual([
      ["GET contacts?email=benjamin@test.com"],
      ["GET tags?search=chargebee:deleted&limit=100&offset=0"],
      ["GET contacts/7/contactTags?limit=100&offset=0"],
      ["POST contactTags", { contactTag: { contact: "7", tag: "46" } }],
    ]);
  });
});

describe("review-l: one bad item never fails the batch (DESIGN §3 Sink)", () => {
  it("a field source that throws on one customer's data rejects that item only, not the send as 'aborted'", async () => {
    script(server, {
      "GET fields": {
        fields: [{ id: "500", title: "Segment", perstag: "RT_SEGMENT", type: "text" }],
        meta: { total: "1" },
      },
      "GET tags": listOf("tags", [{ id: "42", tag: "chargebee:cancelled" }]),
      "POST contact/sync": { contact: { id: "7", email: "benjamin@test.com" } },
      "GET contacts/7/contactLists": listOf("contactLists", [
        { id: "1", list: "3", contact: "7", status: "1" },
      ]),
      "GET contacts/7/contactTags": listOf("contactTags", [{ id: "91", tag: "42", contact: "7" }]),
    });
    const cancelled = (email: string) =>
      conversionOf("subscription_created.bonusly.1", "subscription_cancelled", {
        customer: { email, firstName: "Ben", lastName: null },
        subscription: { status: "cancelled" },
      });
    const noFields = Object.fromEntries(DEFAULT_FIELD_KEYS.map((key) => [key, false] as const));
    const acSink = sink({
      fields: noFields,
      extraFields: [
        {
          perstag: "RT_SEGMENT",
          title: "Segment",
          source: (context) => {
            // Synthetic: user code that fails on one customer's data.
            if (context.customer?.email === "bad@test.com") throw new TypeError("boom");
            return "smb";
          },
        },
      ],
    });
    const bad = { ...cancelled("bad@test.com"), id: "bad" };
    const good = cancelled("benjamin@test.com");
    const results = await acSink.send([bad, good]);
    expect(results[1]).toEqual({ id: good.id, status: "delivered" });
    expect(results[0]).toMatchObject({ id: "bad", status: "rejected" });
    const error = (results[0] as { error: SinkError }).error;
    expect(SinkError.isInstance(error)).toBe(true);
    expect(error.reason).toBe("invalid_item");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain("bad@test.com");
    expect(bodyOf("POST contact/sync")).toEqual({
      contact: {
        email: "benjamin@test.com",
        firstName: "Ben",
        fieldValues: [{ field: "500", value: "smb" }],
      },
    });
  });
});

function bodyOf(line: string): unknown {
  return sequence(server).find(([l]) => l === line)?.[1];
}

describe("review-l: Chargebee's pii_cleared is respected by Deep Data too (DESIGN §3 Privacy)", () => {
  it("a payment of a customer whose personal data Chargebee cleared sends nothing, even when the contact still carries an email", async () => {
    script(server, {});
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment", {
      customer: { piiCleared: "cleared" },
    });
    // Synthetic: a caller-built conversion whose contact kept the address.
    const item = { ...payment, contact: { ...payment.contact, email: "taxes@test.com" } };
    const results = await sink({ deepData: { site: "acme" } }).send([item]);
    expect(results).toEqual([
      {
        id: item.id,
        status: "skipped",
        reason: "Chargebee cleared this customer's personal data",
      },
    ]);
    expect(server.calls).toEqual([]);
  });
});

describe("review-l: a lost answer to POST /ecomOrders is not retried into a second order (spec §1: no idempotency key)", () => {
  it("looks the order up before retrying the create", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    const paidAt = payment.billingEvent?.payment?.paidAt as number;
    const orders: Array<{ id: string; externalid: string; totalPrice: number }> = [];
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      "GET ecomCustomers": listOf("ecomCustomers", [{ id: "12", externalid: "16BjsrSIh4AdLqkD" }]),
      "GET ecomOrders": () => listOf("ecomOrders", orders),
      // Synthetic: ActiveCampaign stores the order, and its answer is lost (a network error).
      "POST ecomOrders": (body: unknown) => {
        const order = (body as { ecomOrder: { externalid: string; totalPrice: number } }).ecomOrder;
        orders.push({
          id: String(30 + orders.length),
          externalid: order.externalid,
          totalPrice: order.totalPrice,
        });
        return orders.length === 1
          ? HttpResponse.error()
          : { ecomOrder: orders[orders.length - 1] };
      },
    });
    const results = await sink({ deepData: { site: "acme" }, now: () => paidAt + 60_000 }).send([
      payment,
    ]);
    expect(results).toEqual([{ id: payment.id, status: "delivered" }]);
    expect(orders).toHaveLength(1);
    const lookup = "GET ecomOrders?filters[connectionid]=2&filters[externalid]=txn_AzqYRySIstMLf6N";
    expect(sequence(server).map(([line]) => line)).toEqual([
      "GET connections?filters[service]=Chargebee&filters[externalid]=acme",
      "GET ecomCustomers?filters[connectionid]=2&filters[externalid]=16BjsrSIh4AdLqkD",
      lookup,
      "POST ecomOrders",
      lookup,
    ]);
  });
});

describe("review-l: a lost answer to POST /ecomCustomers is not retried into a second customer", () => {
  it("looks the ecomCustomer up before retrying the create", async () => {
    const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
    const paidAt = payment.billingEvent?.payment?.paidAt as number;
    const customers: Array<{ id: string; externalid: string }> = [];
    script(server, {
      "GET connections": listOf("connections", [
        { id: "2", service: "Chargebee", externalid: "acme" },
      ]),
      "GET ecomCustomers": () => listOf("ecomCustomers", customers),
      // Synthetic: ActiveCampaign stores the customer, and its answer is lost (a network error).
      "POST ecomCustomers": (body: unknown) => {
        const input = (body as { ecomCustomer: { externalid: string } }).ecomCustomer;
        customers.push({ id: String(12 + customers.length), externalid: input.externalid });
        return customers.length === 1
          ? HttpResponse.error()
          : { ecomCustomer: customers[customers.length - 1] };
      },
      "GET ecomOrders": listOf("ecomOrders", [
        { id: "30", externalid: "txn_AzqYRySIstMLf6N", totalPrice: 450000 },
      ]),
    });
    const results = await sink({ deepData: { site: "acme" }, now: () => paidAt + 60_000 }).send([
      payment,
    ]);
    expect(results).toEqual([{ id: payment.id, status: "delivered" }]);
    expect(customers).toHaveLength(1);
    const lookup = "GET ecomCustomers?filters[connectionid]=2&filters[externalid]=16BjsrSIh4AdLqkD";
    expect(sequence(server).map(([line]) => line)).toEqual([
      "GET connections?filters[service]=Chargebee&filters[externalid]=acme",
      lookup,
      "POST ecomCustomers",
      lookup,
      "GET ecomOrders?filters[connectionid]=2&filters[externalid]=txn_AzqYRySIstMLf6N",
    ]);
  });
});
