import type { BillingEvent, ConversionName } from "@revtrace/core";
import { CONVERSION_NAMES } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { REAL_FIXTURES, SYNTHETIC_FIXTURES, webhookBody } from "../test/fixtures/index.js";
import { conversionNamesOf } from "./chargebee-meanings.js";
import { parseChargebeeEvent } from "./chargebee-parse.js";

/** The meanings of every fixture, read by hand from each payload. */
const EXPECTED: Record<string, ConversionName[]> = {
  "credit_note_created.bonusly.1.json": [],
  "customer_changed.bonusly.1.json": ["customer_updated"],
  "customer_created.billing-email.synthetic.json": ["customer_created"],
  "customer_created.bonusly.1.json": ["customer_created"],
  "customer_created.chargebeex.1.json": ["customer_created"],
  "customer_deleted.bonusly.1.json": ["customer_deleted"],
  "invoice_generated.bonusly.1.json": [],
  // Nothing collected: a failed payment, never revenue.
  "payment_failed.bonusly.1.json": ["payment_failed"],
  "payment_refunded.bonusly.1.json": ["refund"],
  "payment_refunded.partial.synthetic.json": ["refund"],
  // invoice.first_invoice: true.
  "payment_succeeded.bonusly.1.json": ["first_payment"],
  // v1: no first_invoice flag, so not claimed as new revenue.
  // v1: no first_invoice; the invoice's period starts when the subscription was activated
  "payment_succeeded.cbgo.1.json": ["first_payment"],
  "payment_succeeded.items-click-id.synthetic.json": ["first_payment"],
  "payment_succeeded.jpy.synthetic.json": ["recurring_payment"],
  "payment_succeeded.kwd.synthetic.json": ["first_payment"],
  // Out of a trial (trial_start/trial_end set): the conversion.
  "subscription_activated.bonusly.1.json": ["trial_converted"],
  "subscription_cancelled.bonusly.1.json": ["subscription_cancelled"],
  "subscription_changed.bonusly.1.json": ["subscription_changed"],
  "subscription_changed.compat.synthetic.json": ["subscription_changed"],
  "subscription_created.airbyte.1.json": ["subscription_created"],
  "subscription_created.bonusly.1.json": ["subscription_created"],
  "subscription_created.custom-fields.synthetic.json": ["subscription_created", "trial_started"],
  // Deleted while in trial: it ended here.
  "subscription_deleted.bonusly.1.json": ["subscription_cancelled"],
  "subscription_reactivated.bonusly.1.json": ["subscription_reactivated"],
  "subscription_renewed.bonusly.1.json": ["subscription_renewed"],
  // A future subscription that started into its trial.
  "subscription_started.bonusly.1.json": ["trial_started"],
  "transaction_created.authorization.synthetic.json": [],
  // The same money as its payment_succeeded: counted there, once.
  "transaction_created.bonusly.1.json": [],
  "transaction_created.payment-reversal.synthetic.json": ["refund"],
  "unknown_event.synthetic.json": [],
};

const parse = (name: string) => parseChargebeeEvent(webhookBody(name));

function withSubscription(event: BillingEvent, fields: Record<string, unknown>): BillingEvent {
  return { ...event, subscription: { ...(event.subscription as object), ...fields } as never };
}

describe("conversionNamesOf", () => {
  it("has an expectation for every fixture", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...REAL_FIXTURES, ...SYNTHETIC_FIXTURES].sort());
  });

  it.each(Object.entries(EXPECTED))("%s means %j", (name, names) => {
    const meanings = conversionNamesOf(parse(name));
    expect(meanings).toEqual(names);
    for (const meaning of meanings) expect(CONVERSION_NAMES).toContain(meaning);
  });

  it("*_with_backdating events mean what their base events mean", () => {
    for (const [base, backdated] of [
      ["subscription_created.custom-fields.synthetic.json", "subscription_created_with_backdating"],
      ["subscription_activated.bonusly.1.json", "subscription_activated_with_backdating"],
      ["subscription_changed.bonusly.1.json", "subscription_changed_with_backdating"],
      ["subscription_reactivated.bonusly.1.json", "subscription_reactivated_with_backdating"],
      ["subscription_cancelled.bonusly.1.json", "subscription_canceled_with_backdating"],
      ["invoice_generated.bonusly.1.json", "invoice_generated_with_backdating"],
      ["credit_note_created.bonusly.1.json", "credit_note_created_with_backdating"],
    ] as const) {
      const body = JSON.parse(webhookBody(base));
      const event = parseChargebeeEvent({ ...body, event_type: backdated });
      expect(event.type).toBe(backdated);
      expect(conversionNamesOf(event)).toEqual(EXPECTED[base]);
    }
  });

  it("reads the subscription's state, not only the event type", () => {
    const created = parse("subscription_created.bonusly.1.json");
    expect(conversionNamesOf(withSubscription(created, { status: "in_trial" }))).toEqual([
      "subscription_created",
      "trial_started",
    ]);
    const activated = parse("subscription_activated.bonusly.1.json");
    expect(
      conversionNamesOf(withSubscription(activated, { trialStart: null, trialEnd: null })),
    ).toEqual([]);
    const started = parse("subscription_started.bonusly.1.json");
    expect(conversionNamesOf(withSubscription(started, { status: "active" }))).toEqual([
      "trial_converted",
    ]);
    expect(
      conversionNamesOf(
        withSubscription(started, { status: "active", trialStart: null, trialEnd: null }),
      ),
    ).toEqual([]);
    // A subscription deleted after it was cancelled already had its subscription_cancelled.
    const deleted = parse("subscription_deleted.bonusly.1.json");
    expect(conversionNamesOf(withSubscription(deleted, { status: "cancelled" }))).toEqual([]);
  });

  it("a refund transaction means a refund only once it succeeded", () => {
    const reversal = parse("transaction_created.payment-reversal.synthetic.json");
    const pending = {
      ...reversal,
      refund: {
        ...(reversal.refund as NonNullable<BillingEvent["refund"]>),
        status: "in_progress",
      },
    };
    expect(conversionNamesOf(pending)).toEqual([]);
  });

  it("unsupported events, even named like supported ones, mean nothing", () => {
    const payment = parse("payment_succeeded.bonusly.1.json");
    expect(conversionNamesOf({ ...payment, supported: false })).toEqual([]);
    expect(conversionNamesOf({ ...payment, type: "plan_created" })).toEqual([]);
  });

  it("returns a fresh array each time (callers may push to it)", () => {
    const unknown = parse("unknown_event.synthetic.json");
    const first = conversionNamesOf(unknown);
    first.push("lead");
    expect(conversionNamesOf(unknown)).toEqual([]);
  });
});
