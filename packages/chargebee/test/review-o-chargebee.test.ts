/**
 * Review o: v1 first payments from the invoice's period (b5e9b28) and the click id / affiliate ref
 * read from the event's customer (da5a37b), on odd payloads.
 */
import { describe, expect, it } from "vitest";
import { conversionNamesOf, parseChargebeeEvent } from "../src/index.js";
import { fixtureJson } from "./fixtures/index.js";

// biome-ignore lint/suspicious/noExplicitAny: a raw webhook body, reached into by path
type Body = Record<string, any>;

const v1 = () => fixtureJson<Body>("payment_succeeded.cbgo.1.json");
const v2 = () => fixtureJson<Body>("payment_succeeded.bonusly.1.json");
const TERM = 30 * 86_400;

describe("v1 first payments: only the invoice starting at the activation", () => {
  it("an invoice whose period starts before the activation is not a first payment (a reactivated subscription's old term)", () => {
    const body = v1();
    // reactivated: activated_at is when the subscription last became active; the invoice paid now
    // is an older term's (dunning collected after the reactivation)
    body.content.subscription.activated_at = body.content.invoice.start_date + 3 * TERM;
    const event = parseChargebeeEvent(body);
    expect(event.payment?.isFirstPayment).not.toBe(true);
    expect(conversionNamesOf(event)).toEqual(["recurring_payment"]);
  });

  it("a trial subscription's invoice at the trial's start (a setup fee) is not a second first payment", () => {
    const body = v1();
    const sub = body.content.subscription;
    sub.trial_start = body.content.invoice.start_date;
    sub.started_at = sub.trial_start;
    sub.trial_end = sub.trial_start + 14 * 86_400;
    sub.activated_at = sub.trial_end;
    // the invoice of the trial's start; the one at activation is the first payment
    expect(parseChargebeeEvent(body).payment?.isFirstPayment).not.toBe(true);
    body.content.invoice.start_date = sub.activated_at;
    expect(parseChargebeeEvent(body).payment?.isFirstPayment).toBe(true);
  });

  it("the reactivation's invoice is not a first payment (activated_at moved to the reactivation)", () => {
    // the dates of the real v2 subscription_reactivated.bonusly.1.json, whose invoice has
    // first_invoice: false; on the v1 payment
    const body = v1();
    const sub = body.content.subscription;
    sub.created_at = 1341085225;
    sub.started_at = 1341690024;
    sub.trial_start = 1341690024;
    sub.trial_end = 1344368424;
    sub.activated_at = 1362166854;
    body.content.invoice.start_date = 1362166854;
    expect(parseChargebeeEvent(body).payment?.isFirstPayment).not.toBe(true);
    // v1 without started_at (the real cbgo payload): reactivated long after its creation
    const v1Only = v1();
    v1Only.content.subscription.activated_at += 5 * TERM;
    v1Only.content.invoice.start_date = v1Only.content.subscription.activated_at;
    expect(parseChargebeeEvent(v1Only).payment?.isFirstPayment).not.toBe(true);
  });

  it("v2 payloads keep first_invoice", () => {
    const body = v2();
    const expected = body.content.invoice.first_invoice;
    body.content.subscription.activated_at = (body.content.invoice.date ?? 0) + 10 * TERM;
    expect(parseChargebeeEvent(body).payment?.isFirstPayment).toBe(expected);
  });
});

describe("click id from the event's customer: odd values", () => {
  for (const [label, value, expected] of [
    ["an empty string", "", null],
    ["blanks", "   ", null],
    ["a boolean", true, null],
    ["a number beyond 2^53", 2 ** 64, null],
    ["a number", 42, "42"],
    ["padded text", "  abc  ", "abc"],
  ] as const) {
    it(`${label} on the customer`, () => {
      const body = v2();
      delete body.content.subscription.cf_click_id;
      body.content.customer.cf_click_id = value;
      expect(parseChargebeeEvent(body).subscription?.clickId ?? null).toBe(expected);
    });
  }

  it("a blank subscription field falls back to the customer's", () => {
    const body = v2();
    body.content.subscription.cf_click_id = "  ";
    body.content.customer.cf_click_id = "cust-click";
    expect(parseChargebeeEvent(body).subscription?.clickId).toBe("cust-click");
  });

  it("customer meta_data as a JSON string, and not an object", () => {
    const body = v2();
    body.content.customer.meta_data = JSON.stringify({ affiliate_ref: "REF-1" });
    expect(parseChargebeeEvent(body).subscription?.affiliateRef).toBe("REF-1");
    body.content.customer.meta_data = JSON.stringify({ affiliate_ref: { nested: 1 } });
    expect(parseChargebeeEvent(body).subscription?.affiliateRef ?? null).toBeNull();
    body.content.customer.meta_data = JSON.stringify({ constructor: "x" });
    expect(parseChargebeeEvent(body).subscription?.affiliateRef ?? null).toBeNull();
  });

  it("a subscription of another customer does not take this customer's click id", () => {
    const body = v2();
    delete body.content.subscription.cf_click_id;
    body.content.subscription.customer_id = "cus_someone_else";
    body.content.customer.cf_click_id = "payer-click";
    body.content.customer.meta_data = { affiliate_ref: "PAYER-REF" };
    const sub = parseChargebeeEvent(body).subscription;
    expect(sub?.customerId).toBe("cus_someone_else");
    expect(sub?.clickId ?? null).toBeNull();
    expect(sub?.affiliateRef ?? null).toBeNull();
  });

  it("no subscription: nothing to attach, nothing thrown", () => {
    const body = v2();
    delete body.content.subscription;
    body.content.customer.cf_click_id = "c";
    expect(parseChargebeeEvent(body).subscription ?? null).toBeNull();
  });
});
