/**
 * Review L: Kiflo sink against shared/specs/kiflo.md. Synthetic answers (a Kiflo that serves smaller
 * pages than asked, an error body quoting the customer's email) are named as such.
 */
import { SinkError } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { HttpResponse, http } from "msw";
import { describe, expect, it } from "vitest";
import {
  CB_CUSTOMER_ID,
  CB_INVOICE_ID,
  CB_TRANSACTION_ID,
  EMAIL,
  firstPayment,
  laterPayment,
  refundOf,
} from "./fixtures/conversions.js";
import { bodyOf, page, sequence, setup, TOKEN } from "./helpers.js";

const server = useMockServer();
const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

describe("review-l: Kiflo list scans", () => {
  it("keeps reading while totalCount says more items exist, even when Kiflo serves a smaller page than asked (spec §1: max limit unknown)", async () => {
    const { kiflo, sink } = setup(server, base);
    const target = kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    for (let i = 0; i < 60; i++) {
      kiflo.addCustomer({ properties: { cf_chargebee_customer_id: `cus_other_${i}` } });
    }
    // Synthetic: a Kiflo whose page size is capped at 50 (its maximum is not documented).
    server.use(
      http.get("https://api.kiflo.com/v3/customers", ({ request }) => {
        expect(request.headers.get("authorization")).toBe(`Bearer ${TOKEN}`);
        const query = new URL(request.url).searchParams;
        const offset = Number(query.get("offset"));
        const limit = Math.min(Number(query.get("limit")), 50);
        const newestFirst = [...kiflo.customers].sort((a, b) => b.id - a.id);
        return HttpResponse.json({
          items: newestFirst.slice(offset, offset + limit),
          paginationSkipCount: offset,
          totalCount: newestFirst.length,
        });
      }),
    );
    const results = await sink().send([firstPayment()]);
    expect(results).toEqual([{ id: firstPayment().id, status: "delivered" }]);
    expect(sequence(server).filter((line) => line.startsWith("GET /customers?"))).toEqual([
      `GET /customers${page(0)}`,
      `GET /customers${page(50)}`,
    ]);
    expect(kiflo.transactions).toHaveLength(1);
    expect(kiflo.transactions[0]?.customerId).toBe(target.id);
  });
});

describe("review-l: Kiflo errors carry no raw PII", () => {
  it("a refused item's error (message and responseBody) does not quote the email Kiflo echoed", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    // Synthetic: Kiflo's 400 body quoting the customer (spec §1 error shape).
    server.use(
      http.post("https://api.kiflo.com/v3/transactions", () =>
        HttpResponse.json(
          {
            errorCode: "Transactions.InvalidCustomerIdentifier",
            errorMessage: `Customer ${EMAIL} (+1 415 555 0132) cannot receive transactions`,
          },
          { status: 400 },
        ),
      ),
    );
    const [result] = await sink().send([firstPayment()]);
    expect(result?.status).toBe("rejected");
    const error = (result as { error: SinkError }).error;
    expect(SinkError.isInstance(error)).toBe(true);
    expect(error.vendorCode).toBe("Transactions.InvalidCustomerIdentifier");
    const seen = JSON.stringify({
      message: error.message,
      body: error.responseBody,
      cause: SinkError.isInstance(error.cause)
        ? { message: error.cause.message, body: error.cause.responseBody }
        : String(error.cause),
    });
    expect(seen).not.toContain(EMAIL);
    expect(seen).not.toContain("415 555 0132");
    expect(seen).not.toContain(TOKEN);
  });
});

describe("review-l: one bad item never fails the batch (DESIGN §3 Sink)", () => {
  it("a transactionName that throws for one payment rejects that item only", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    const bad = laterPayment(1);
    const good = laterPayment(2);
    const kifloSink = sink({
      transactionName: (conversion) => {
        // Synthetic: user code that fails on one payment's data.
        if (conversion.id === bad.id) throw new TypeError(`no plan for ${EMAIL}`);
        return `Payment ${conversion.id}`;
      },
    });
    const results = await kifloSink.send([bad, good]);
    expect(results[1]).toEqual({ id: good.id, status: "delivered" });
    expect(results[0]).toMatchObject({ id: bad.id, status: "rejected" });
    const error = (results[0] as { error: SinkError }).error;
    expect(SinkError.isInstance(error)).toBe(true);
    expect(error.reason).toBe("invalid_item");
    expect(error.retryable).toBe(false);
    expect(error.message).not.toContain(EMAIL);
    expect(kiflo.transactions.map((t) => t.properties.name)).toEqual([`Payment ${good.id}`]);
  });
});

describe("review-l: a refund's PUT keeps the transaction's partner (spec §3 PUT body)", () => {
  it("sends back the partnerId Kiflo gave the transaction, so the reward's partner is not dropped", async () => {
    const { kiflo, sink } = setup(server, base);
    const customer = kiflo.addCustomer({
      properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID },
      sourcePartnerId: 77,
    });
    const kifloSink = sink();
    await kifloSink.send([firstPayment()]);
    const transaction = kiflo.transactions[0];
    expect(transaction?.partnerId).toBe(77);
    const refund = refundOf(CB_TRANSACTION_ID, 50_000, "txn_refund_l1");
    expect(await kifloSink.send([refund])).toEqual([{ id: refund.id, status: "delivered" }]);
    // Spec §3: `PUT /transactions/{id}` takes {currency, id, properties, customerId, dealId,
    // partnerId}; a PUT replaces, so what the sink leaves out may be cleared.
    expect(bodyOf(server, "PUT", `/transactions/${transaction?.id}`)).toEqual({
      id: transaction?.id,
      currency: "USD",
      properties: {
        name: `Chargebee invoice ${CB_INVOICE_ID}`,
        amount: 4000,
        cf_chargebee_transaction_id: CB_TRANSACTION_ID,
        cf_chargebee_invoice_id: CB_INVOICE_ID,
      },
      customerId: customer.id,
      partnerId: 77,
    });
  });
});
