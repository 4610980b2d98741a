/**
 * The click id and affiliate ref on the customer (spec §4.6: custom fields and `meta_data` exist on
 * customers and subscriptions alike). A checkout that set `customer[cf_click_id]` rather than
 * `subscription[cf_click_id]` lost its click: only the subscription's field was read.
 */
import { describe, expect, it } from "vitest";
import { createChargebeeParser, parseChargebeeEvent } from "../src/index.js";
import { fixtureJson } from "./fixtures/index.js";

// biome-ignore lint/suspicious/noExplicitAny: a raw webhook body, reached into by path
type Body = Record<string, any>;

const payment = () => fixtureJson<Body>("payment_succeeded.bonusly.1.json");
const created = () => fixtureJson<Body>("subscription_created.bonusly.1.json");

describe("click id and affiliate ref on the event's customer", () => {
  it("reads the customer's click-id field when the subscription has none", () => {
    const body = payment();
    body.content.customer.cf_click_id = "E.C.P.customer-click";
    const event = parseChargebeeEvent(body);
    expect(event.subscription?.clickId).toBe("E.C.P.customer-click");
    expect(event.customer?.customFields.cf_click_id).toBe("E.C.P.customer-click");

    const sub = created();
    sub.content.customer.cf_click_id = 1234567;
    expect(parseChargebeeEvent(sub).subscription?.clickId).toBe("1234567");
  });

  it("prefers the subscription's own click id and affiliate ref", () => {
    const body = payment();
    body.content.customer.cf_click_id = "customer-click";
    body.content.subscription.cf_click_id = "subscription-click";
    body.content.customer.meta_data = { affiliate_ref: "CUSTOMER-REF" };
    body.content.subscription.meta_data = { affiliate_ref: "SUB-REF" };
    const event = parseChargebeeEvent(body);
    expect(event.subscription?.clickId).toBe("subscription-click");
    expect(event.subscription?.affiliateRef).toBe("SUB-REF");
  });

  it("reads the customer's meta_data affiliate ref (also as a JSON string) when the subscription has none", () => {
    const body = payment();
    body.content.customer.meta_data = JSON.stringify({ affiliate_ref: "PARTNER42" });
    expect(parseChargebeeEvent(body).subscription?.affiliateRef).toBe("PARTNER42");
  });

  it("follows the configured field and key names, and ignores other fields", () => {
    const body = payment();
    body.content.customer.cf_ttclid = "tt-on-customer";
    body.content.customer.cf_click_id = "not-this-one";
    body.content.customer.meta_data = { partner: "P7" };
    const parser = createChargebeeParser({ clickIdField: "cf_ttclid", affiliateRefKey: "partner" });
    const event = parser.parse(body);
    expect(event.subscription?.clickId).toBe("tt-on-customer");
    expect(event.subscription?.affiliateRef).toBe("P7");
  });

  it("reads nothing from a customer whose PII is cleared, or from empty values", () => {
    const body = payment();
    body.content.customer.cf_click_id = "cleared-click";
    body.content.customer.pii_cleared = "cleared";
    expect(parseChargebeeEvent(body).subscription?.clickId).toBeNull();

    const empty = payment();
    empty.content.customer.cf_click_id = "  ";
    expect(parseChargebeeEvent(empty).subscription?.clickId).toBeNull();
  });

  it("keeps every subscription of a customer event on the customer's click id", () => {
    const body = fixtureJson<Body>("customer_deleted.bonusly.1.json");
    body.content.customer.cf_click_id = "deleted-customer-click";
    body.content.subscriptions ??= [];
    const event = parseChargebeeEvent(body);
    for (const s of event.subscriptions ?? []) expect(s.clickId).toBe("deleted-customer-click");
  });
});
