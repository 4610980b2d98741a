import { parseChargebeeEvent } from "@revtrace/chargebee";
import { describe, expect, it } from "vitest";
import { fixtureJson, fixtureText } from "../test/fixtures.ts";
import { conversionNamesOf } from "./meanings.js";

const parse = (name: string) => parseChargebeeEvent(fixtureText(name));

describe("conversionNamesOf", () => {
  it.each([
    ["payment_succeeded.bonusly.1.json", ["first_payment"]],
    ["payment_succeeded.items-click-id.synthetic.json", ["first_payment"]],
    ["payment_refunded.bonusly.1.json", ["refund"]],
    ["payment_failed.bonusly.1.json", ["payment_failed"]],
    ["subscription_cancelled.bonusly.1.json", ["subscription_cancelled"]],
    ["subscription_deleted.bonusly.1.json", ["subscription_cancelled"]],
    ["subscription_renewed.bonusly.1.json", ["subscription_renewed"]],
    ["subscription_changed.bonusly.1.json", ["subscription_changed"]],
    ["subscription_reactivated.bonusly.1.json", ["subscription_reactivated"]],
    ["customer_created.bonusly.1.json", ["customer_created"]],
    ["customer_changed.bonusly.1.json", ["customer_updated"]],
    ["customer_deleted.bonusly.1.json", ["customer_deleted"]],
    ["invoice_generated.bonusly.1.json", []],
    ["credit_note_created.bonusly.1.json", []],
    ["transaction_created.payment-reversal.synthetic.json", ["refund"]],
    ["transaction_created.authorization.synthetic.json", []],
    ["unknown_event.synthetic.json", []],
  ])("%s means %j", (name, expected) => {
    expect(conversionNamesOf(parse(name))).toEqual(expected);
  });

  it("reads the first invoice flag: a renewal payment is recurring", () => {
    const event = parse("payment_succeeded.items-click-id.synthetic.json");
    if (!event.payment) throw new Error("the fixture has a payment");
    const renewal = { ...event, payment: { ...event.payment, isFirstPayment: false } };
    expect(conversionNamesOf(renewal)).toEqual(["recurring_payment"]);
  });

  it("a subscription created in trial is also a trial start", () => {
    const body = fixtureJson("subscription_created.bonusly.1.json") as {
      content: { subscription: Record<string, unknown> };
    };
    body.content.subscription.status = "in_trial";
    const event = parseChargebeeEvent(JSON.stringify(body));
    expect(conversionNamesOf(event)).toEqual(["subscription_created", "trial_started"]);
    body.content.subscription.status = "active";
    expect(conversionNamesOf(parseChargebeeEvent(JSON.stringify(body)))).toEqual([
      "subscription_created",
    ]);
  });

  it("a refund transaction repeats payment_refunded and means nothing on its own", () => {
    const body = fixtureJson("transaction_created.payment-reversal.synthetic.json") as {
      content: { transaction: Record<string, unknown> };
    };
    body.content.transaction.type = "refund";
    expect(conversionNamesOf(parseChargebeeEvent(JSON.stringify(body)))).toEqual([]);
    body.content.transaction.type = "payment_reversal";
    body.content.transaction.status = "in_progress";
    expect(conversionNamesOf(parseChargebeeEvent(JSON.stringify(body)))).toEqual([]);
  });
});
