/**
 * The synthetic Chargebee bodies are what `@revtrace/chargebee` accepts: every event of one
 * subscription's life parses into the billing event it stands for.
 */
import { parseChargebeeEvent } from "@revtrace/chargebee";
import { describe, expect, it } from "vitest";
import {
  type ChargebeeAccount,
  chargebeeEventBody,
  chargebeeSubscriptionWebhooks,
} from "../src/index.js";

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 5, 10);

function account(overrides: Partial<ChargebeeAccount> = {}): ChargebeeAccount {
  let version = 0;
  return {
    customerId: "cus_test_1",
    subscriptionId: "sub_test_1",
    email: "ada@example.com",
    firstName: "Ada",
    lastName: "Lovelace",
    plan: { id: "pro-EUR-monthly", currency: "EUR", price: 3900 },
    billingPeriodUnit: "month",
    createdAt: T0,
    trial: true,
    clickId: "E.C.P.test",
    affiliateRef: "ada-reviews",
    resourceVersion: (at) => at + ++version,
    ...overrides,
  };
}

describe("chargebeeSubscriptionWebhooks", () => {
  it("writes a subscription's life as bodies @revtrace/chargebee parses", () => {
    const life = chargebeeSubscriptionWebhooks(account());
    const activated = T0 + 7 * DAY;
    const payment = { transactionId: "txn_1", invoiceId: "inv_1" };
    const events = [
      [T0, life.created()],
      [activated, life.activated("inv_1")],
      [activated + 60_000, life.paid(activated + 60_000, { ...payment, firstInvoice: true })],
      [activated + 30 * DAY, life.renewed(activated + 30 * DAY, activated + 60 * DAY, "inv_2")],
      [
        activated + DAY,
        life.refunded(activated + DAY, {
          transactionId: "txn_r",
          creditNoteId: "CN-1",
          amount: 1560,
          full: false,
          payment,
        }),
      ],
      [activated + 40 * DAY, life.cancelled(activated + 40 * DAY)],
    ] as const;
    const parsed = events.map(([at, { type, content }], i) =>
      parseChargebeeEvent(chargebeeEventBody(`ev_${i}`, at, type, content)),
    );
    expect(parsed.map((event) => [event.id, event.type])).toEqual([
      ["ev_0", "subscription_created"],
      ["ev_1", "subscription_activated"],
      ["ev_2", "payment_succeeded"],
      ["ev_3", "subscription_renewed"],
      ["ev_4", "payment_refunded"],
      ["ev_5", "subscription_cancelled"],
    ]);
    expect(parsed.map((event) => event.occurredAt)).toEqual(events.map(([at]) => at));
  });

  it("numbers resources in the order they are written, and writes optional fields only when given", () => {
    const life = chargebeeSubscriptionWebhooks(
      account({ trial: false, clickId: null, affiliateRef: null, phone: "+14155550100" }),
    );
    const created = life.created().content as {
      subscription: Record<string, unknown>;
      customer: Record<string, unknown>;
    };
    expect(created.subscription.status).toBe("active");
    expect(created.subscription.resource_version).toBe(T0 + 1);
    expect(created.customer.resource_version).toBe(T0 + 2);
    expect(created.customer.phone).toBe("+14155550100");
    expect(created.subscription).not.toHaveProperty("cf_click_id");
    expect(created.subscription).not.toHaveProperty("meta_data");
    expect(created.subscription).not.toHaveProperty("trial_end");

    const noPhone = chargebeeSubscriptionWebhooks(account()).created().content as {
      customer: Record<string, unknown>;
      subscription: Record<string, unknown>;
    };
    expect(noPhone.customer).not.toHaveProperty("phone");
    expect(noPhone.subscription).toMatchObject({
      status: "in_trial",
      cf_click_id: "E.C.P.test",
      meta_data: { affiliate_ref: "ada-reviews" },
    });
  });
});
