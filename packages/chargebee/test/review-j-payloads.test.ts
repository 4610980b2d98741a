/**
 * Review J: Chargebee payloads the other tests never saw, through the public API.
 *
 * - Held-out real payloads (bonusly/mock_chargebee, see fixtures/review-j/SOURCES.md) for event types
 *   the package does not interpret: acknowledged as `supported: false`, never an error.
 * - `meta_data` as a JSON-encoded string: Chargebee takes meta_data as a JSON string on input (its KB
 *   article on passing subscription meta_data); one arriving in that form refused the whole event,
 *   the payment with it.
 * - `linked_invoices[]` / `linked_credit_notes[]` entries without their id (optional in
 *   chargebee-node's `InvoiceTransaction` / `CreditNoteTransaction` types) refused the payment.
 * - v1-era transactions carry no `customer_id` (spec §8): a refund outside a subscription lost its
 *   customer although `content.customer` names it.
 * - A click id held in a number custom field beyond 2^53 − 1 arrives rounded by JSON parsing; its
 *   text named another click.
 */
import { readFileSync } from "node:fs";
import { BillingEventSchema, WebhookPayloadError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { conversionNamesOf, parseChargebeeEvent } from "../src/index.js";
import { fixtureJson } from "./fixtures/index.js";

/** A parsed payload, mutated freely by the attacks below. */
// biome-ignore lint/suspicious/noExplicitAny: a raw webhook body, reached into by path
type Body = Record<string, any>;

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/review-j/${name}`, import.meta.url), "utf8");
const json = (name: string) => JSON.parse(fixture(name)) as Body;

function refusal(body: object): WebhookPayloadError {
  try {
    parseChargebeeEvent(body);
  } catch (error) {
    if (WebhookPayloadError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a WebhookPayloadError");
}

describe("review-j: held-out real payloads of types the package does not interpret", () => {
  it.each([
    "subscription_paused.bonusly.1.json",
    "subscription_resumed.bonusly.1.json",
    "refund_initiated.bonusly.1.json",
    "payment_initiated.bonusly.1.json",
    "payment_source_added.bonusly.1.json",
    "customer_moved_out.bonusly.1.json",
    "gift_scheduled.bonusly.1.json",
    "virtual_bank_account_added.bonusly.1.json",
    "authorization_succeeded.bonusly.1.json",
  ])("%s is acknowledged (supported: false, no money, no meaning)", (name) => {
    const event = parseChargebeeEvent(fixture(name));
    expect(BillingEventSchema.parse(event)).toEqual(event);
    expect(event.supported).toBe(false);
    expect(event.type).toBe(json(name).event_type);
    expect(event.payment).toBeNull();
    expect(event.refund).toBeNull();
    expect(conversionNamesOf(event)).toEqual([]);
  });
});

describe("review-j: meta_data as a JSON-encoded string", () => {
  it("reads the payment and the affiliate ref of a subscription whose meta_data is a JSON string", () => {
    const event = parseChargebeeEvent(fixture("payment_succeeded.meta-data-string.synthetic.json"));
    expect(BillingEventSchema.parse(event)).toEqual(event);
    expect(conversionNamesOf(event)).toEqual(["first_payment"]);
    expect(event.payment?.amount).toEqual({ amount: 4900, currency: "EUR" });
    expect(event.subscription?.affiliateRef).toBe("partner-rj");
    expect(event.subscription?.clickId).toBe("clk_rj_meta_1");
    expect(event.subscription?.metaData).toEqual({
      affiliate_ref: "partner-rj",
      note: "{not a bracket}",
    });
    expect(event.customer?.metaData).toEqual({ crm_id: "crm-7" });
    expect(event.customer?.email).toBe("jörg.müller@example.de");
  });

  it("reads a blank meta_data string as absent", () => {
    const body = fixtureJson<Body>("subscription_changed.bonusly.1.json");
    body.content.subscription.meta_data = "  ";
    expect(parseChargebeeEvent(body).subscription?.metaData).toBeNull();
  });

  it.each([
    ["not JSON", "affiliate_ref=p1"],
    ["a JSON array", "[1,2]"],
    ["a JSON number", "42"],
    ["nested deeper than 64 levels", `${"[".repeat(5000)}${"]".repeat(5000)}`],
  ])("refuses a meta_data string that is %s, naming the field", (_, value) => {
    const body = fixtureJson<Body>("subscription_changed.bonusly.1.json");
    body.content.subscription.meta_data = value;
    const error = refusal(body);
    expect(error.message).toContain("content.subscription.meta_data");
    expect(error.message).not.toContain(value.slice(0, 10));
  });
});

describe("review-j: optional ids of linked entries", () => {
  it("a linked_invoices entry without invoice_id links nothing and refuses nothing", () => {
    const body = fixtureJson<Body>("payment_succeeded.bonusly.1.json");
    body.content.transaction.linked_invoices.unshift({ applied_amount: 0 });
    const event = parseChargebeeEvent(body);
    expect(event.payment?.amount).toEqual({ amount: 450000, currency: "USD" });
    expect(event.payment?.invoiceId).toBe(body.content.invoice.id);
  });

  it("a linked_credit_notes entry without cn_id is skipped; the others still link", () => {
    const body = fixtureJson<Body>("payment_refunded.bonusly.1.json");
    const notes = body.content.transaction.linked_credit_notes as Record<string, unknown>[];
    notes.unshift({ applied_amount: 1 });
    const event = parseChargebeeEvent(body);
    expect(event.refund?.amount).toEqual({ amount: 2, currency: "USD" });
    expect(event.refund?.creditNoteIds).toEqual([body.content.credit_note.id]);
  });

  it("a linked entry whose id is of the wrong kind is still refused", () => {
    const body = fixtureJson<Body>("payment_succeeded.bonusly.1.json");
    body.content.transaction.linked_invoices[0].invoice_id = 22;
    expect(refusal(body).message).toContain("content.transaction.linked_invoices.0.invoice_id");
  });
});

describe("review-j: whose money it is when only content.customer says so (v1)", () => {
  it("a v1 refund outside a subscription carries the content customer's id", () => {
    const event = parseChargebeeEvent(fixture("payment_refunded.v1-customer-only.synthetic.json"));
    expect(BillingEventSchema.parse(event)).toEqual(event);
    expect(event.apiVersion).toBe("v1");
    expect(conversionNamesOf(event)).toEqual(["refund"]);
    expect(event.refund).toMatchObject({
      customerId: "cus_synthetic_rj_v1_1",
      refundedTransactionId: "txn_synthetic_rj_v1_payment_1",
      invoiceId: "9",
      // v1, no currency_code anywhere: the parser's defaultCurrency.
      amount: { amount: 500, currency: "USD" },
    });
  });

  it("a v1 payment without customer_id on transaction, invoice or subscription", () => {
    const body = json("payment_refunded.v1-customer-only.synthetic.json");
    body.event_type = "payment_succeeded";
    body.content.transaction.type = "payment";
    delete body.content.transaction.refunded_txn_id;
    const event = parseChargebeeEvent(body);
    expect(event.payment?.customerId).toBe("cus_synthetic_rj_v1_1");
  });

  it("the transaction's own customer_id still wins over content.customer", () => {
    const body = json("payment_refunded.v1-customer-only.synthetic.json");
    body.content.transaction.customer_id = "cus_on_transaction";
    expect(parseChargebeeEvent(body).refund?.customerId).toBe("cus_on_transaction");
  });
});

describe("review-j: click ids in number custom fields", () => {
  const withClick = (value: unknown) => {
    const body = fixtureJson<Body>("subscription_changed.bonusly.1.json");
    body.content.subscription.cf_click_id = value;
    return parseChargebeeEvent(body).subscription;
  };

  it("drops a click id beyond 2^53 − 1 (JSON parsing rounded it) instead of naming another click", () => {
    const subscription = withClick(JSON.parse("12345678901234567891"));
    expect(subscription?.clickId).toBeNull();
    // The custom field itself is still kept as received.
    expect(typeof subscription?.customFields.cf_click_id).toBe("number");
  });

  it("keeps a safe integer click id as its digits", () => {
    expect(withClick(9007199254740991)?.clickId).toBe("9007199254740991");
  });
});
