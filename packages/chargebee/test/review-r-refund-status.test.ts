/**
 * Review R: `payment_refunded` is "a refund transaction succeeded" (spec §6), and only a `success`
 * transaction has moved money (spec §4.4). One whose transaction says it failed was normalized into
 * `refund` all the same, so `conversionNamesOf` gave it a `refund` meaning and the pipeline sent a
 * negative value (money taken back from revenue and commissions) for money that never moved. It is
 * refused instead, like a `payment_succeeded` that did not succeed.
 */
import { readFileSync } from "node:fs";
import { WebhookPayloadError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { parseChargebeeEvent } from "../src/index.js";

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/review-r/${name}`, import.meta.url), "utf8");

function refusal(body: string | object): WebhookPayloadError | null {
  try {
    parseChargebeeEvent(body);
    return null;
  } catch (error) {
    if (WebhookPayloadError.isInstance(error)) return error;
    throw error;
  }
}

describe("review-r: payment_refunded needs a successful refund transaction", () => {
  it("refuses a payment_refunded whose refund transaction failed, naming the status", () => {
    const error = refusal(fixture("payment_refunded.failure-status.synthetic.json"));
    expect(error?.issues.map((issue) => issue.path)).toEqual([
      ["content", "transaction", "status"],
    ]);
  });

  it.each(["in_progress", "voided", "timeout", "needs_attention", "late_failure"])(
    "refuses status %s",
    (status) => {
      const body = JSON.parse(fixture("payment_refunded.two-credit-notes.synthetic.json"));
      body.content.transaction.status = status;
      expect(refusal(body)).not.toBeNull();
    },
  );

  it("still reads a successful refund, and one without a status", () => {
    const body = JSON.parse(fixture("payment_refunded.two-credit-notes.synthetic.json"));
    expect(parseChargebeeEvent(body).refund?.amount).toEqual({ amount: 1500, currency: "EUR" });
    delete body.content.transaction.status;
    expect(parseChargebeeEvent(body).refund?.status).toBeNull();
  });
});
