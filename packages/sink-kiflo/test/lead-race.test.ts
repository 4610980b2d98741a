/**
 * Two processes paying the same new customer at once (shuffled and redelivered webhooks on several
 * workers): one converts the lead; the other looked for the customer before that conversion and for
 * the lead after it. It must still find the customer the conversion created (it carries the
 * "ChargeBee Customer ID") and record its own payment, not skip it (Kiflo spec §4: the payment of a
 * known customer creates a transaction). Seen as a first payment's transaction missing after SIGKILLs
 * in the reliability suite's PostgreSQL row (packages/reliability/README.md, finding 6).
 */
import type { SinkError } from "@revtrace/core";
import { useMockServer } from "@revtrace/testing/msw";
import { describe, expect, it } from "vitest";
import {
  CB_TRANSACTION_ID,
  EMAIL,
  firstPayment,
  laterPayment,
  refundOf,
} from "./fixtures/conversions.js";
import { setup } from "./helpers.js";

const server = useMockServer();
const base = { convertLeadToCustomer: true, createTransactionFromPayment: true };

describe("two processes converting one lead", () => {
  it("the payment that lost the conversion race finds the converted customer and records its transaction", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addLead({ email: EMAIL, partnerId: 7 });
    // Process A: the customer's renewal, delivered by another worker.
    const other = sink();
    let raced = false;
    // Process B: its lead scan runs just after A converted the lead and recorded its payment.
    const late = sink({
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (!raced && url.pathname.endsWith("/leads")) {
          raced = true;
          expect((await other.send([laterPayment(2)]))[0]?.status).toBe("delivered");
        }
        return globalThis.fetch(input, init);
      },
    });
    expect(await late.send([firstPayment()])).toEqual([
      { id: firstPayment().id, status: "delivered" },
    ]);
    expect(raced).toBe(true);
    expect(kiflo.customers).toHaveLength(1);
    const customerId = kiflo.customers[0]?.id;
    const txns = kiflo.transactions.map((t) => ({
      customerId: t.customerId,
      txn: Object.values(t.properties).find((v) => typeof v === "string" && v.startsWith("txn_")),
    }));
    expect(txns).toEqual(
      expect.arrayContaining([
        { customerId, txn: CB_TRANSACTION_ID },
        { customerId, txn: "txn_synthetic_2" },
      ]),
    );
    expect(txns).toHaveLength(2);
  });

  it("a refund that lost the race is retried until its payment comes, not skipped", async () => {
    const { kiflo, sink } = setup(server, base);
    kiflo.addLead({ email: EMAIL, partnerId: 7 });
    const other = sink();
    let raced = false;
    const late = sink({
      fetch: async (input, init) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        if (!raced && url.pathname.endsWith("/leads")) {
          raced = true;
          expect((await other.send([laterPayment(2)]))[0]?.status).toBe("delivered");
        }
        return globalThis.fetch(input, init);
      },
    });
    // A full refund of the first payment, which has not been delivered yet.
    const [early] = await late.send([refundOf(CB_TRANSACTION_ID, 450_000, "txn_refund_full")]);
    expect(raced).toBe(true);
    expect(early).toMatchObject({ status: "rejected" });
    expect((early as { error: SinkError }).error.retryable).toBe(true);
  });
});
