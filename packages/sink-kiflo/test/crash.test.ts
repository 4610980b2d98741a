/**
 * A crash between "Kiflo created the transaction" and "the sink recorded it" never gives a second
 * transaction: the mapping store failing the record, and Kiflo's answer lost on the way back. (A real
 * process killed after the create: process-crash.test.ts.)
 */
import { type MappingStore, SinkError, StorageError } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import { createKifloSink, KIFLO_NAMESPACES } from "../src/index.js";
import { CB_CUSTOMER_ID, CB_TRANSACTION_ID, firstPayment } from "./fixtures/conversions.js";
import { page, sequence, setup, TOKEN } from "./helpers.js";

const server = useMockServer();
const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

describe("crash between create and record", () => {
  it("the store failing to record: the send fails retryable, the retry finds the transaction", async () => {
    const { kiflo, store } = setup(server, base);
    const customer = kiflo.addCustomer({
      properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID },
    });
    let fail = true;
    const failing: MappingStore = {
      ...store,
      async replaceMapping(namespace, key, expected, value) {
        if (fail && namespace === KIFLO_NAMESPACES.transaction && value.includes('"created"')) {
          fail = false;
          throw new StorageError("memory storage: replaceMapping failed", { engine: "memory" });
        }
        return store.replaceMapping(namespace, key, expected, value);
      },
    };
    const sink = createKifloSink({ apiToken: TOKEN, store: failing, ...base });
    const error = await sink.send([firstPayment()]).catch((e: unknown) => e);
    expect(SinkError.isInstance(error)).toBe(true);
    expect((error as SinkError).retryable).toBe(true);
    expect(kiflo.transactions).toHaveLength(1);

    server.calls.length = 0;
    expect(await sink.send([firstPayment()])).toEqual([
      { id: firstPayment().id, status: "delivered" },
    ]);
    // Its own claim: taken back at once; the look finds the transaction; nothing is created.
    expect(sequence(server)).toEqual([
      `GET /transactions${page(0, 100, `customer_id=${customer.id}&`)}`,
    ]);
    expect(kiflo.transactions).toHaveLength(1);
    const recorded = JSON.parse(
      (await store.getMapping(KIFLO_NAMESPACES.transaction, CB_TRANSACTION_ID)) ?? "null",
    );
    expect(recorded).toMatchObject({ state: "created", kifloId: kiflo.transactions[0]?.id });
  });

  it("Kiflo's answer to the create lost: the retry looks first and creates nothing more", async () => {
    const { kiflo, sink } = setup(server, base);
    const customer = kiflo.addCustomer({
      properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID },
    });
    kiflo.failNext({
      type: "network",
      afterApply: true,
      match: { method: "POST", path: "/transactions" },
    });
    expect((await sink().send([firstPayment()]))[0]?.status).toBe("delivered");
    const look = `GET /transactions${page(0, 100, `customer_id=${customer.id}&`)}`;
    expect(sequence(server).slice(-3)).toEqual([look, "POST /transactions", look]);
    expect(kiflo.transactions).toHaveLength(1);
  });

  it("a 503 after the create was applied: no second transaction", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addCustomer({ properties: { cf_chargebee_customer_id: CB_CUSTOMER_ID } });
    kiflo.failNext({
      type: "http",
      status: 503,
      afterApply: true,
      match: { method: "POST", path: "/transactions" },
    });
    expect((await sink().send([firstPayment()]))[0]?.status).toBe("delivered");
    expect(sequence(server).filter((s) => s === "POST /transactions")).toHaveLength(1);
    expect(kiflo.transactions).toHaveLength(1);
  });

  it("a lead conversion whose answer was lost: the retry reads the lead, no second customer", async () => {
    const { kiflo, sink } = setup(server, base);
    const lead = kiflo.addLead({ email: "taxes@test.com" });
    kiflo.failNext({
      type: "http",
      status: 502,
      afterApply: true,
      match: { method: "POST", path: "/leads/*/convert/customer" },
    });
    expect((await sink().send([firstPayment()]))[0]?.status).toBe("delivered");
    expect(sequence(server)).toContain(`GET /leads/${lead.id}`);
    expect(kiflo.customers).toHaveLength(1);
    expect(kiflo.transactions).toHaveLength(1);
  });
});
