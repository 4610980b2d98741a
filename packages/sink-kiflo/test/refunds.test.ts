/**
 * Refunds reflected on the Kiflo transaction as far as Kiflo's API allows: a partial refund sets the
 * transaction's amount to what is left (`PUT`, absolute, so repeating it is harmless); a full refund
 * deletes the transaction (`DELETE`). Each Chargebee refund is applied once.
 */
import type { SinkError } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import { KIFLO_NAMESPACES } from "../src/index.js";
import {
  CB_CUSTOMER_ID,
  CB_INVOICE_ID,
  CB_TRANSACTION_ID,
  firstPayment,
  laterPayment,
  refundOf,
} from "./fixtures/conversions.js";
import { bodyOf, sequence, setup } from "./helpers.js";

const server = useMockServer();
const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

async function paid() {
  const context = setup(server, base);
  const customer = context.kiflo.addCustomer({
    properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID },
  });
  const sinkFactory = context.sink;
  const sink = sinkFactory();
  await sink.send([firstPayment()]);
  const transaction = context.kiflo.transactions[0];
  if (!transaction) throw new Error("no transaction");
  server.calls.length = 0;
  return { ...context, sinkFactory, sink, customer, transaction };
}

describe("refunds", () => {
  it("a partial refund lowers the amount; the same refund again sends nothing", async () => {
    const { kiflo, sink, customer, transaction } = await paid();
    const refund = refundOf(CB_TRANSACTION_ID, 50_000, "txn_refund_1");
    expect(await sink.send([refund])).toEqual([{ id: refund.id, status: "delivered" }]);
    expect(sequence(server)).toEqual([`PUT /transactions/${transaction.id}`]);
    expect(bodyOf(server, "PUT", `/transactions/${transaction.id}`)).toEqual({
      id: transaction.id,
      currency: "USD",
      properties: {
        name: `Chargebee invoice ${CB_INVOICE_ID}`,
        amount: 4000,
        cf_chargebee_transaction_id: CB_TRANSACTION_ID,
        cf_chargebee_invoice_id: CB_INVOICE_ID,
      },
      customerId: customer.id,
    });
    expect(kiflo.transactions[0]?.properties.amount).toBe(4000);

    server.calls.length = 0;
    expect(await sink.send([refund])).toEqual([{ id: refund.id, status: "delivered" }]);
    expect(server.calls).toEqual([]);
  });

  it("refunds add up; the one that takes the rest deletes the transaction", async () => {
    const { kiflo, sink, transaction } = await paid();
    await sink.send([refundOf(CB_TRANSACTION_ID, 100_000, "txn_refund_1")]);
    await sink.send([refundOf(CB_TRANSACTION_ID, 150_000, "txn_refund_2")]);
    expect(kiflo.transactions[0]?.properties.amount).toBe(2000);
    server.calls.length = 0;
    await sink.send([refundOf(CB_TRANSACTION_ID, 200_000, "txn_refund_3")]);
    expect(sequence(server)).toEqual([`DELETE /transactions/${transaction.id}`]);
    expect(kiflo.transactions[0]?.isDeleted).toBe(true);

    // Nothing left to reverse: later refunds are skipped, and the payment is never re-created.
    const late = await sink.send([refundOf(CB_TRANSACTION_ID, 1, "txn_refund_4")]);
    expect(late[0]).toMatchObject({ status: "skipped" });
    expect((await sink.send([firstPayment()]))[0]?.status).toBe("delivered");
    expect(kiflo.transactions).toHaveLength(1);
  });

  it("a refund of a payment not delivered yet, for a customer in Kiflo, is retried, without a write", async () => {
    const { sink } = await paid();
    const results = await sink.send([refundOf("txn_unknown", 100, "txn_refund_x")]);
    expect(results[0]).toMatchObject({ status: "rejected" });
    const error = (results[0] as { error: SinkError }).error;
    expect(error.retryable).toBe(true);
    expect(error.message).toContain("not recorded yet");
    expect(server.calls).toEqual([]);
  });

  it("a refund whose customer is neither in Kiflo nor a lead is skipped", async () => {
    const { sink } = setup(server, base);
    const results = await sink().send([refundOf(CB_TRANSACTION_ID, 100, "txn_refund_x")]);
    expect(results[0]).toMatchObject({ status: "skipped" });
    expect((results[0] as { reason: string }).reason).toContain("no Kiflo transaction");
    expect(sequence(server).every((call) => call.startsWith("GET "))).toBe(true);
  });

  it("a full refund delivered before its payment is retried, then deletes the transaction the payment made", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    const send = sink();
    const full = refundOf(CB_TRANSACTION_ID, 450_000, "txn_refund_full");
    const early = await send.send([full]);
    expect(early[0]).toMatchObject({ status: "rejected" });
    expect((early[0] as { error: SinkError }).error.retryable).toBe(true);
    expect(kiflo.transactions).toHaveLength(0);
    expect((await send.send([firstPayment()]))[0]?.status).toBe("delivered");
    expect(kiflo.transactions[0]?.isDeleted).not.toBe(true);
    // The outbox's retry of the refund:
    expect(await send.send([full])).toEqual([{ id: full.id, status: "delivered" }]);
    expect(kiflo.transactions[0]?.isDeleted).toBe(true);
  });

  it("a payment no JSON number holds exactly is rejected, no transaction created", async () => {
    const { kiflo, sink } = await paid();
    const huge = laterPayment(9, Number.MAX_SAFE_INTEGER);
    const [result] = await sink.send([huge]);
    expect(result).toMatchObject({
      id: huge.id,
      status: "rejected",
      error: {
        reason: "invalid_item",
        retryable: false,
        message: "kiflo: the amount in USD has more digits than a JSON number holds exactly",
      },
    });
    expect(sequence(server)).toEqual([]);
    expect(kiflo.transactions).toHaveLength(1);
  });

  it("a refund while the payment's create is in progress elsewhere is retryable", async () => {
    const { sink, store } = setup(server, base);
    await store.putMapping(
      KIFLO_NAMESPACES.transaction,
      CB_TRANSACTION_ID,
      JSON.stringify({ state: "claimed", owner: "another-process", at: Date.now() }),
    );
    const results = await sink().send([refundOf(CB_TRANSACTION_ID, 100, "txn_refund_1")]);
    expect(results[0]?.status).toBe("rejected");
    expect((results[0] as { error: SinkError }).error.retryable).toBe(true);
  });

  it("two refunds of one payment at once, in one process or two, both count", async () => {
    const { kiflo, sink, ...context } = await paid();
    await Promise.all([
      sink.send([refundOf(CB_TRANSACTION_ID, 100_000, "txn_refund_1")]),
      sink.send([refundOf(CB_TRANSACTION_ID, 50_000, "txn_refund_2")]),
    ]);
    expect(kiflo.transactions[0]?.properties.amount).toBe(3000);
    // Two processes (two sinks on one store): compare-and-set makes the loser recompute.
    const results = await Promise.all([
      context.sinkFactory().send([refundOf(CB_TRANSACTION_ID, 40_000, "txn_refund_3")]),
      context.sinkFactory().send([refundOf(CB_TRANSACTION_ID, 60_000, "txn_refund_4")]),
    ]);
    expect(results.flat().map((r) => r.status)).toEqual(["delivered", "delivered"]);
    expect(kiflo.transactions[0]?.properties.amount).toBe(2000);
  });
});
