/**
 * review-i: a payment and its refund in the same send (the outbox batches 5 items). The payment's
 * order slot is taken inside its contact slot (activecampaign-sink.ts:492-493, after a microtask),
 * while the refund takes the order slot at once (activecampaign-sink.ts:535): the refund runs first,
 * finds no order and is `skipped` for good, though its payment is delivered in the same send.
 */
import type { Conversion, RateLimiter } from "@revtrace/core";
import { createActiveCampaignSandbox } from "@revtrace/sandbox";
import { useMockServer } from "@revtrace/testing/msw";
import { beforeEach, expect, it } from "vitest";
import { createActiveCampaignSink } from "../src/index.js";
import { billingEventOf, conversionOf } from "./fixtures.js";

const ORIGIN = "https://acme.api-us1.com";
const ac = createActiveCampaignSandbox({
  origin: ORIGIN,
  tokens: ["emulator-token"],
  rateLimit: false,
});
useMockServer(...ac.handlers());
const unlimited: RateLimiter = { acquire: async () => {} };
beforeEach(() => ac.reset());

/** Synthetic: a refund of the fixture payment (txn_AzqYRySIstMLf6N). */
function refundOf(payment: Conversion, amount: number): Conversion {
  const base = billingEventOf("payment_refunded.bonusly.1");
  return {
    ...conversionOf("payment_refunded.bonusly.1", "refund"),
    billingEvent: {
      ...base,
      customer: payment.billingEvent?.customer ?? null,
      refund: {
        ...(base.refund as NonNullable<typeof base.refund>),
        refundedTransactionId: "txn_AzqYRySIstMLf6N",
        amount: { amount, currency: "USD" },
      },
    },
  };
}

it("a refund sent after its payment in the same send is applied, not skipped", async () => {
  const sink = createActiveCampaignSink({
    apiUrl: ORIGIN,
    apiToken: "emulator-token",
    listId: "1",
    rateLimiter: unlimited,
    deepData: { site: "acme" },
    retry: { retries: 3, minTimeoutMs: 1, maxTimeoutMs: 5, maxElapsedMs: 20_000 },
  });
  const payment = conversionOf("payment_succeeded.bonusly.1", "first_payment");
  const refund = refundOf(payment, 150_000);
  const results = await sink.send([payment, refund]);
  expect(results[0]).toEqual({ id: payment.id, status: "delivered" });
  expect(results[1]).toEqual({ id: refund.id, status: "delivered" });
  expect(ac.state.ecomOrders).toHaveLength(1);
  expect(ac.state.ecomOrders[0]).toMatchObject({ totalPrice: 300_000, discountAmount: 150_000 });
});
