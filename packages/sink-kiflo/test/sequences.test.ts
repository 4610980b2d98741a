/**
 * Exact request sequences against the Kiflo emulator (`@revtrace/sandbox`, behind msw; unhandled
 * requests fail): every option combination, known and unknown customers, duplicated webhooks, and
 * the invalid combination.
 */
import { ConfigError, SinkError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import { createKifloSink, KIFLO_NAMESPACES } from "../src/index.js";
import {
  CB_CUSTOMER_ID,
  CB_INVOICE_ID,
  CB_TRANSACTION_ID,
  EMAIL,
  firstPayment,
  laterPayment,
  otherCustomerPayment,
} from "./fixtures/conversions.js";
import { bodyOf, page, sequence, setup, TOKEN } from "./helpers.js";

const server = useMockServer();

const PROPS = ["GET /customers/properties", "GET /transactions/properties"];
const CUSTOMER_PROPS = {
  email: EMAIL,
  name: "Tax Customer",
  cf_chargebee_customer_id: CB_CUSTOMER_ID,
};
const transactionBody = (customerId: number) => ({
  currency: "USD",
  properties: {
    name: `Chargebee invoice ${CB_INVOICE_ID}`,
    amount: 4500,
    cf_chargebee_transaction_id: CB_TRANSACTION_ID,
    cf_chargebee_invoice_id: CB_INVOICE_ID,
  },
  customer: { id: customerId },
});

describe("options", () => {
  it("refuses createTransactionFromPayment alone, as Kiflo does, without a request", () => {
    const store = setup(server, {}).store;
    const make = (options: Record<string, unknown>) => () =>
      createKifloSink({ apiToken: TOKEN, store, ...options });
    expect(make({ createTransactionFromPayment: true })).toThrow(ConfigError);
    try {
      make({ createTransactionFromPayment: true })();
    } catch (error) {
      expect((error as ConfigError).fields).toEqual(["createTransactionFromPayment"]);
      expect((error as Error).message).toContain(
        "convertLeadToCustomer or associateCustomerOnDeal",
      );
    }
    expect(make({})).toThrow(/turn on at least one action/);
    expect(make({ convertLeadToCustomer: true, apiToken: `Bearer ${TOKEN}` })).toThrow(/apiToken/);
    expect(make({ convertLeadToCustomer: true, store: {} })).toThrow(
      /store: must be a MappingStore/,
    );
    expect(make({ convertLeadToCustomer: true, pageSize: 500 })).toThrow(/pageSize/);
    expect(make({ convertLeadToCustomer: true, baseUrl: "ftp://kiflo.example/v3/" })).toThrow(
      "Invalid Kiflo sink options: baseUrl: must be an http(s) URL",
    );
    expect(server.calls).toEqual([]);
  });

  it("never puts the token in a ConfigError", () => {
    const store = setup(server, {}).store;
    try {
      createKifloSink({ apiToken: `Bearer ${TOKEN}`, store, convertLeadToCustomer: true });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain(TOKEN);
    }
  });

  it("handles payments, and refunds only when transactions are on", () => {
    const { sink } = setup(server, {});
    expect([...sink({ convertLeadToCustomer: true }).handles].sort()).toEqual([
      "first_payment",
      "recurring_payment",
    ]);
    expect(
      [...sink({ convertLeadToCustomer: true, createTransactionFromPayment: true }).handles].sort(),
    ).toEqual(["first_payment", "recurring_payment", "refund"]);
  });
});

describe("convert lead to customer + create transaction", () => {
  const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

  it("unknown customer with a lead: converts it, then creates the transaction on its customer", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addLead({ email: "other@example.com", partnerId: 3 }); // 1000
    const lead = kiflo.addLead({ email: "Taxes@Test.com", partnerId: 7 }); // 1001
    const results = await sink().send([firstPayment()]);
    expect(results).toEqual([{ id: firstPayment().id, status: "delivered" }]);
    const customerId = lead.id + 1;
    expect(sequence(server)).toEqual([
      ...PROPS,
      `GET /customers${page()}`,
      `GET /leads${page()}`,
      `POST /leads/${lead.id}/convert/customer`,
      `GET /transactions${page(0, 100, `customer_id=${customerId}&`)}`,
      "POST /transactions",
    ]);
    expect(bodyOf(server, "POST", `/leads/${lead.id}/convert/customer`)).toEqual({
      customer: { sourcePartnerId: 7, properties: CUSTOMER_PROPS },
    });
    expect(bodyOf(server, "POST", "/transactions")).toEqual(transactionBody(customerId));
    expect(kiflo.transactions).toHaveLength(1);
    // Tied to the customer's source partner: the lead's partner earns the reward.
    expect(kiflo.transactions[0]).toMatchObject({ customerId, partnerId: 7, currency: "USD" });
    for (const call of server.calls) {
      expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    }
  });

  it("known customer (Kiflo has its ChargeBee Customer ID): no lead search, one transaction", async () => {
    const { kiflo, sink } = setup(server, base);
    const customer = kiflo.addCustomer({
      properties: { email: EMAIL, cf_chargebee_customer_id: CB_CUSTOMER_ID },
      sourcePartnerId: 9,
    });
    const s = sink();
    await s.send([firstPayment()]);
    expect(sequence(server)).toEqual([
      ...PROPS,
      `GET /customers${page()}`,
      `GET /transactions${page(0, 100, `customer_id=${customer.id}&`)}`,
      "POST /transactions",
    ]);
    expect(bodyOf(server, "POST", "/transactions")).toEqual(transactionBody(customer.id));
    expect(kiflo.transactions[0]).toMatchObject({ customerId: customer.id, partnerId: 9 });

    // A renewal: the mapping knows the customer; only the look and the create.
    server.calls.length = 0;
    expect(await s.send([laterPayment(1, 1999)])).toEqual([
      { id: laterPayment(1).id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual([
      `GET /transactions${page(0, 100, `customer_id=${customer.id}&`)}`,
      "POST /transactions",
    ]);
    expect(bodyOf(server, "POST", "/transactions")).toEqual({
      currency: "USD",
      properties: {
        name: "Chargebee invoice inv_synthetic_1",
        amount: 19.99,
        cf_chargebee_transaction_id: "txn_synthetic_1",
        cf_chargebee_invoice_id: "inv_synthetic_1",
      },
      customer: { id: customer.id },
    });
    expect(kiflo.transactions).toHaveLength(2);
  });

  it("unknown customer without a lead: skipped, nothing created", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addLead({ email: "other@example.com" });
    const results = await sink().send([firstPayment()]);
    expect(results[0]).toMatchObject({ status: "skipped" });
    expect((results[0] as { reason: string }).reason).toContain("no lead or deal matches");
    expect(sequence(server)).toEqual([...PROPS, `GET /customers${page()}`, `GET /leads${page()}`]);
    expect(kiflo.customers).toHaveLength(0);
    expect(kiflo.transactions).toHaveLength(0);
  });

  it("converts the oldest unconverted lead when several share the email", async () => {
    const { kiflo, sink } = setup(server, { convertLeadToCustomer: true });
    const converted = kiflo.addLead({ email: EMAIL });
    converted.customerId = 1;
    const oldest = kiflo.addLead({ email: EMAIL, partnerId: 4 });
    kiflo.addLead({ email: EMAIL, partnerId: 5 });
    await sink().send([firstPayment()]);
    expect(sequence(server)).toEqual([
      "GET /customers/properties",
      `GET /customers${page()}`,
      `GET /leads${page()}`,
      `POST /leads/${oldest.id}/convert/customer`,
    ]);
    expect(kiflo.customers[0]?.sourcePartnerId).toBe(4);
  });

  it("reads no more than maxPages pages when the mapping misses", async () => {
    const { kiflo, sink } = setup(server, { convertLeadToCustomer: true });
    kiflo.addLead({ email: EMAIL }); // the oldest: beyond 2 pages of 2, newest first
    for (let i = 0; i < 5; i++) kiflo.addLead({ email: `someone${i}@example.com` });
    const results = await sink({ pageSize: 2, maxPages: 2 }).send([firstPayment()]);
    expect(results[0]?.status).toBe("skipped");
    expect(sequence(server)).toEqual([
      "GET /customers/properties",
      `GET /customers${page(0, 2)}`,
      `GET /leads${page(0, 2)}`,
      `GET /leads${page(2, 2)}`,
    ]);
  });

  it("uses the stored email → lead mapping instead of scanning", async () => {
    const { kiflo, sink, store } = setup(server, { convertLeadToCustomer: true });
    const lead = kiflo.addLead({ email: EMAIL, partnerId: 2 });
    const { emailKey } = await import("../src/index.js");
    await store.putMapping(
      KIFLO_NAMESPACES.leadsByEmail,
      emailKey(EMAIL),
      JSON.stringify([lead.id]),
    );
    await sink().send([firstPayment()]);
    expect(sequence(server)).toEqual([
      "GET /customers/properties",
      `GET /customers${page()}`,
      `GET /leads/${lead.id}`,
      `POST /leads/${lead.id}/convert/customer`,
    ]);
  });
});

describe("associate customer on deal", () => {
  it("+ transaction, unknown customer: creates the customer, associates every matching deal, then the transaction", async () => {
    const { kiflo, sink } = setup(server, {
      associateCustomerOnDeal: true,
      createTransactionFromPayment: true,
    });
    const first = kiflo.addDeal({ contactEmail: "TAXES@test.com", sourcePartnerId: 11 }); // contact 1000, deal 1001
    kiflo.addDeal({ contactEmail: "someone@example.com" }); // 1002, 1003
    const second = kiflo.addDeal({ contactEmail: EMAIL, sourcePartnerId: 12 }); // 1004, 1005
    kiflo.addDeal({ contactEmail: EMAIL, customerId: 77 }); // another customer's deal: left alone
    const results = await sink().send([firstPayment()]);
    expect(results[0]?.status).toBe("delivered");
    const customerId = 1008;
    expect(sequence(server)).toEqual([
      ...PROPS,
      `GET /customers${page()}`,
      `GET /deals${page()}`,
      `GET /contacts/${second.contactId}`,
      "GET /contacts/1002",
      `GET /contacts/${first.contactId}`,
      "POST /customers",
      `POST /deals/${second.id}/associate/customer`,
      `POST /deals/${first.id}/associate/customer`,
      `GET /transactions${page(0, 100, `customer_id=${customerId}&`)}`,
      "POST /transactions",
    ]);
    expect(bodyOf(server, "POST", "/customers")).toEqual({
      properties: CUSTOMER_PROPS,
      partnerId: 12,
      source: "Chargebee",
    });
    expect(bodyOf(server, "POST", `/deals/${first.id}/associate/customer`)).toEqual({ customerId });
    expect(kiflo.deals.map((d) => d.customerId)).toEqual([customerId, null, customerId, 77]);
    expect(kiflo.transactions).toEqual([expect.objectContaining({ customerId, partnerId: 12 })]);
  });

  it("only on the first payment: a renewal of an unknown customer creates nothing", async () => {
    const { kiflo, sink } = setup(server, { associateCustomerOnDeal: true });
    kiflo.addDeal({ contactEmail: EMAIL });
    const results = await sink().send([laterPayment(1)]);
    expect(results[0]?.status).toBe("skipped");
    expect(sequence(server)).toEqual(["GET /customers/properties", `GET /customers${page()}`]);
  });

  it("known customer: associated with its deals, nothing created", async () => {
    const { kiflo, sink } = setup(server, { associateCustomerOnDeal: true });
    const customer = kiflo.addCustomer({
      properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID },
    });
    const deal = kiflo.addDeal({ contactEmail: EMAIL });
    await sink().send([firstPayment()]);
    expect(sequence(server)).toEqual([
      "GET /customers/properties",
      `GET /customers${page()}`,
      `GET /deals${page()}`,
      `GET /contacts/${deal.contactId}`,
      `POST /deals/${deal.id}/associate/customer`,
    ]);
    expect(kiflo.customers).toHaveLength(1);
    expect(kiflo.deals[0]?.customerId).toBe(customer.id);
  });

  it("no matching deal: no customer is created", async () => {
    const { kiflo, sink } = setup(server, { associateCustomerOnDeal: true });
    kiflo.addDeal({ contactEmail: "someone@example.com" });
    const results = await sink().send([firstPayment()]);
    expect(results[0]?.status).toBe("skipped");
    expect(kiflo.customers).toHaveLength(0);
  });
});

describe("all three actions", () => {
  it("converts the lead, associates the converted customer with the deal, creates the transaction", async () => {
    const { kiflo, sink } = setup(server, {
      convertLeadToCustomer: true,
      associateCustomerOnDeal: true,
      createTransactionFromPayment: true,
    });
    const lead = kiflo.addLead({ email: EMAIL, partnerId: 7 }); // 1000
    const deal = kiflo.addDeal({ contactEmail: EMAIL }); // contact 1001, deal 1002
    await sink().send([firstPayment()]);
    const customerId = 1003;
    expect(sequence(server)).toEqual([
      ...PROPS,
      `GET /customers${page()}`,
      `GET /leads${page()}`,
      `POST /leads/${lead.id}/convert/customer`,
      `GET /deals${page()}`,
      `GET /contacts/${deal.contactId}`,
      `POST /deals/${deal.id}/associate/customer`,
      `GET /transactions${page(0, 100, `customer_id=${customerId}&`)}`,
      "POST /transactions",
    ]);
    expect(kiflo.customers).toHaveLength(1);
    expect(kiflo.transactions).toEqual([expect.objectContaining({ customerId, partnerId: 7 })]);
  });

  it("convert only: no transaction properties needed, no transaction", async () => {
    const { kiflo, sink } = setup(server, { convertLeadToCustomer: true });
    kiflo.addLead({ email: EMAIL });
    await sink().send([firstPayment()]);
    expect(sequence(server)).not.toContain("GET /transactions/properties");
    expect(kiflo.transactions).toHaveLength(0);
    expect(kiflo.customers).toHaveLength(1);
  });
});

describe("duplicates", () => {
  const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

  it("the same webhook twice, and again after a restart: one transaction, no second create", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addLead({ email: EMAIL, partnerId: 7 });
    const s = sink();
    await s.send([firstPayment()]);
    const before = server.calls.length;
    expect(await s.send([firstPayment()])).toEqual([
      { id: firstPayment().id, status: "delivered" },
    ]);
    expect(server.calls.length).toBe(before);

    // A restarted process (new sink, same store): only the property definitions are read again.
    server.calls.length = 0;
    expect(await sink().send([firstPayment()])).toEqual([
      { id: firstPayment().id, status: "delivered" },
    ]);
    expect(sequence(server)).toEqual(PROPS);
    expect(kiflo.transactions).toHaveLength(1);
  });

  it("the same payment in one batch twice: one transaction", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addLead({ email: EMAIL });
    const results = await sink().send([firstPayment(), firstPayment()]);
    expect(results.map((r) => r.status)).toEqual(["delivered", "delivered"]);
    expect(kiflo.transactions).toHaveLength(1);
    expect(sequence(server).filter((s) => s === "POST /transactions")).toHaveLength(1);
  });

  it("two processes sending the same payment at once: one transaction", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    const [a, b] = [sink(), sink()];
    const results = await Promise.all([a.send([firstPayment()]), b.send([firstPayment()])]);
    expect(kiflo.transactions).toHaveLength(1);
    const statuses = results.map((r) => r[0]?.status).sort();
    // The loser either saw the outcome recorded, or the claim held: retryable, never a duplicate.
    expect(statuses[0]).toBe("delivered");
    for (const result of results.flat()) {
      if (result.status === "rejected") expect(result.error.retryable).toBe(true);
    }
  });

  it("a store that lost everything (memory storage after a restart) still finds the transaction", async () => {
    const first = setup(server, base);
    first.kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    await first.sink().send([firstPayment()]);
    server.calls.length = 0;
    const fresh = createKifloSink({ apiToken: TOKEN, ...base, store: createMemoryStorage() });
    expect((await fresh.send([firstPayment()]))[0]?.status).toBe("delivered");
    expect(sequence(server)).not.toContain("POST /transactions");
    expect(first.kiflo.transactions).toHaveLength(1);
  });
});

describe("failures", () => {
  it("a payment for another customer with no email is skipped with a reason", async () => {
    const { sink } = setup(server, { convertLeadToCustomer: true });
    const results = await sink().send([otherCustomerPayment(1, null)]);
    expect(results[0]).toMatchObject({ status: "skipped" });
    expect((results[0] as { reason: string }).reason).toContain("no usable email");
  });

  it("a missing Chargebee property is a clear setup error", async () => {
    const { sink } = setup(
      server,
      { convertLeadToCustomer: true, createTransactionFromPayment: true },
      { chargebeeProperties: false },
    );
    const s = sink();
    const error = await s.verifyCredentials().catch((e: unknown) => e);
    expect(ConfigError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('"ChargeBee Customer ID"');
    const sendError = await s.send([firstPayment()]).catch((e: unknown) => e);
    expect(SinkError.isInstance(sendError)).toBe(true);
    expect((sendError as SinkError).retryable).toBe(false);
    expect((sendError as Error).message).toContain("Kiflo's Chargebee integration");
  });

  it("a refused token fails the whole send, not retryable", async () => {
    const { sink } = setup(server, { convertLeadToCustomer: true }, { tokens: ["another"] });
    const error = await sink()
      .send([firstPayment()])
      .catch((e: unknown) => e);
    expect(SinkError.isInstance(error)).toBe(true);
    expect((error as SinkError).status).toBe(401);
    expect((error as SinkError).retryable).toBe(false);
    expect((error as SinkError).vendorCode).toBe("Unauthorized");
    expect(sequence(server)).toEqual(["GET /customers/properties"]);
  });

  it("a transaction Kiflo refuses is rejected alone; the next item is delivered", async () => {
    const { kiflo, sink } = setup(server, {
      convertLeadToCustomer: true,
      createTransactionFromPayment: true,
    });
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    kiflo.failNext({
      type: "error",
      status: 400,
      errorCode: "Transactions.InvalidCustomerIdentifier",
      match: { method: "POST", path: "/transactions" },
    });
    const results = await sink().send([firstPayment(), laterPayment(1)]);
    expect(results.map((r) => r.status)).toEqual(["rejected", "delivered"]);
    const rejected = results[0] as { error: SinkError };
    expect(rejected.error.retryable).toBe(false);
    expect(rejected.error.vendorCode).toBe("Transactions.InvalidCustomerIdentifier");
    expect(kiflo.transactions).toHaveLength(1);
  });
});
