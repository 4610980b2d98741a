/**
 * v1 payloads carry no `invoice.first_invoice` (spec §8): every v1 payment was classed a renewal
 * (`recurring_payment`), so a v1 site's new customers never reached the destinations as first
 * payments. A v1 invoice keeps its period (`start_date`): the first one starts at the
 * subscription's activation.
 */
import { describe, expect, it } from "vitest";
import { conversionNamesOf, parseChargebeeEvent } from "../src/index.js";
import { fixtureJson } from "./fixtures/index.js";

// biome-ignore lint/suspicious/noExplicitAny: a raw webhook body, reached into by path
type Body = Record<string, any>;

/** The real v1 payment (`payment_succeeded.cbgo.1.json`): invoice 3 starts at activation. */
const v1 = () => fixtureJson<Body>("payment_succeeded.cbgo.1.json");
const TERM = 30 * 86_400;

describe("v1 first payments, from the invoice's period", () => {
  it("classes the invoice starting at activation as the first payment", () => {
    const event = parseChargebeeEvent(v1());
    expect(event.payment?.isFirstPayment).toBe(true);
    expect(conversionNamesOf(event)).toEqual(["first_payment"]);
  });

  it("classes a later term's invoice as a renewal", () => {
    const body = v1();
    body.content.invoice.start_date += TERM;
    body.content.invoice.end_date += TERM;
    const event = parseChargebeeEvent(body);
    expect(event.payment?.isFirstPayment).toBe(false);
    expect(conversionNamesOf(event)).toEqual(["recurring_payment"]);
  });

  it("after a trial, the first invoice starts at activation (the trial's end)", () => {
    const body = v1();
    const sub = body.content.subscription;
    sub.trial_start = sub.created_at;
    sub.trial_end = sub.created_at + 14 * 86_400;
    sub.activated_at = sub.trial_end;
    body.content.invoice.start_date = sub.trial_end;
    expect(parseChargebeeEvent(body).payment?.isFirstPayment).toBe(true);
  });

  it("does not guess without a period, a subscription, a recurring invoice or a matching subscription", () => {
    const noPeriod = v1();
    delete noPeriod.content.invoice.start_date;
    const noSubscription = v1();
    delete noSubscription.content.subscription;
    const oneOff = v1();
    oneOff.content.invoice.recurring = false;
    const other = v1();
    other.content.invoice.subscription_id = "another_subscription";
    for (const body of [noPeriod, noSubscription, oneOff, other]) {
      const event = parseChargebeeEvent(body);
      expect(event.payment?.isFirstPayment).toBeNull();
      expect(conversionNamesOf(event)).toEqual(["recurring_payment"]);
    }
  });

  it("keeps first_invoice when the payload has it, whatever the period says", () => {
    const body = v1();
    body.content.invoice.first_invoice = false;
    expect(parseChargebeeEvent(body).payment?.isFirstPayment).toBe(false);
  });

  it("classes a failed v1 payment the same way", () => {
    const body = v1();
    body.event_type = "payment_failed";
    body.content.transaction.status = "failure";
    body.content.invoice.status = "payment_due";
    const event = parseChargebeeEvent(body);
    expect(event.failedPayment?.isFirstPayment).toBe(true);
  });
});
