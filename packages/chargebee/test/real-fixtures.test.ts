/**
 * Every real Chargebee payload (test/fixtures, provenance in SOURCES.md) parses, the output is a valid
 * BillingEvent, and the meaningful normalized fields have the values read from the payload by hand.
 */
import { BillingEventSchema } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { parseChargebeeEvent, parseChargebeeEventList } from "../src/index.js";
import { fixtureText, REAL_FIXTURES, webhookBody } from "./fixtures/index.js";

const usd = (amount: number) => ({ amount, currency: "USD" });
const s = (seconds: number) => seconds * 1000;

/** Expected values per real fixture (a subset of fields, matched with `toMatchObject`). */
const EXPECTED: Record<string, Record<string, unknown>> = {
  "credit_note_created.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGG02Y3T",
    type: "credit_note_created",
    supported: true,
    occurredAt: s(1362253266),
    source: "admin_console",
    apiVersion: "v2",
    customer: null,
    subscription: null,
    payment: null,
    refund: null,
    creditNote: {
      id: "TEST-CN-1",
      referenceInvoiceId: "3",
      subscriptionId: "3Nl7oGgQqGFprj9",
      type: "refundable",
      status: "refund_due",
      reasonCode: "subscription_change",
      total: usd(871),
      amountRefunded: usd(0),
      date: s(1362253266),
    },
  },
  "customer_changed.bonusly.1.json": {
    id: "ev_AzqgumSAxXrFLAxn",
    type: "customer_changed",
    occurredAt: s(1600447798),
    apiVersion: "v2",
    customer: {
      id: "16CHTnSAxXWqMAg8",
      email: null,
      emailSource: null,
      company: "Test Company with Plan",
      piiCleared: "active",
      deleted: false,
      resourceVersion: 1600447797996,
    },
    subscription: null,
  },
  "customer_created.bonusly.1.json": {
    id: "ev_16CHTnSAxXWqQAg9",
    type: "customer_created",
    occurredAt: s(1600447719),
    customer: {
      id: "16CHTnSAxXWqMAg8",
      email: null,
      firstName: null,
      lastName: null,
      company: "Test Company with Plan",
      resourceVersion: 1600447719572,
    },
  },
  "customer_created.chargebeex.1.json": {
    id: "ev___test__KyVnHhSBWm4wM2ru",
    type: "customer_created",
    source: "api",
    occurredAt: s(1517505959),
    customer: {
      id: "__test__KyVnHhSBWm4tg2rq",
      email: null,
      company: null,
      piiCleared: "active",
      createdAt: s(1517505958),
      resourceVersion: 1517505958000,
    },
  },
  "customer_deleted.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGGS4673",
    type: "customer_deleted",
    occurredAt: s(1359833508),
    customer: {
      id: "3Nl7oGgQqGFprj9",
      email: "Benjamin@test.com",
      emailSource: "customer",
      firstName: "Joe",
      lastName: "Ross",
      deleted: true,
    },
    subscription: null,
    subscriptions: [
      {
        id: "3Nl7oGgQqGFprj9",
        status: "active",
        catalogModel: "plans",
        planId: "no_trial",
        currency: "USD",
        items: [
          { id: "no_trial", type: "plan", quantity: 1, unitPrice: usd(1000), amount: null },
          { id: "data_usage", type: "addon", quantity: 1, unitPrice: usd(95), amount: null },
        ],
        resourceVersion: 1359833508000,
      },
    ],
  },
  "invoice_generated.bonusly.1.json": {
    id: "ev_16CHTnSAx2s7J5Kv",
    type: "invoice_generated",
    occurredAt: s(1600440413),
    invoice: {
      id: "19",
      // Ties invoice_generated to its customer (there is no content.customer).
      customerId: "16CHTpRzjKx2O7mo",
      status: "posted",
      total: usd(500000),
      amountPaid: usd(0),
      firstInvoice: true,
      recurring: false,
      date: s(1600440413),
      paidAt: null,
    },
    payment: null,
  },
  "payment_failed.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGG8UK4s",
    type: "payment_failed",
    source: "scheduled_job",
    occurredAt: s(1364845255),
    // Nothing was collected: never `payment` (issue: a failed payment is not revenue).
    payment: null,
    failedPayment: {
      transactionId: "txn_3Nl7oGgQqGG8Pp4m",
      customerId: "3Nl7oGgQqGFprj9",
      invoiceId: "6",
      subscriptionId: "3Nl7oGgQqGFprj9",
      // Credits were applied: the failed attempt (224) is below the invoice total (1095).
      attemptedAmount: usd(224),
      amountDue: usd(224),
      dunningStatus: "in_progress",
      nextRetryAt: s(1364931655),
      status: "failure",
      errorCode: "3001",
      errorText: "Insufficient funds",
      gateway: "chargebee",
      paymentMethod: "card",
      isFirstPayment: false,
      attemptedAt: s(1364845255),
      exchangeRate: 1,
      baseCurrencyCode: "USD",
    },
    invoice: {
      id: "6",
      customerId: "3Nl7oGgQqGFprj9",
      status: "payment_due",
      total: usd(1095),
      amountPaid: usd(0),
      amountDue: usd(224),
      dunningStatus: "in_progress",
      nextRetryAt: s(1364931655),
    },
    customer: { id: "3Nl7oGgQqGFprj9", email: "Benjamin@test.com" },
    subscription: {
      id: "3Nl7oGgQqGFprj9",
      catalogModel: "plans",
      planId: "no_trial",
      currentTermEnd: s(1367437254),
      nextBillingAt: s(1367437254),
      mrr: usd(1095),
    },
  },
  "payment_refunded.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGG0Dl3f",
    type: "payment_refunded",
    occurredAt: s(1362253267),
    payment: null,
    refund: {
      transactionId: "txn_3Nl7oGgQqGG07E3V",
      refundedTransactionId: "txn_3Nl7oGgQqGFs2lf",
      invoiceId: "1",
      subscriptionId: "3Nl7oGgQqGFprj9",
      // A partial refund: 2 cents of a 995 invoice.
      amount: usd(2),
      creditNoteIds: ["TEST-CN-2"],
      refundedAt: s(1362253267),
      transactionType: "refund",
      status: "success",
    },
    creditNote: { id: "TEST-CN-2", status: "refunded", amountRefunded: usd(2) },
    invoice: { id: "1", total: usd(995), amountPaid: usd(995), firstInvoice: true },
    customer: { id: "3Nl7oGgQqGFprj9", email: "Benjamin@test.com" },
  },
  "payment_succeeded.bonusly.1.json": {
    id: "ev_AzqYRySIstMN16O",
    type: "payment_succeeded",
    occurredAt: s(1607708103),
    apiVersion: "v2",
    payment: {
      transactionId: "txn_AzqYRySIstMLf6N",
      customerId: "16BjsrSIh4AdLqkD",
      invoiceId: "22",
      subscriptionId: "tax customer test",
      amount: usd(450000),
      isFirstPayment: true,
      isRecurring: true,
      status: "success",
      gateway: "not_applicable",
      paymentMethod: "cash",
      paidAt: s(1607700898),
      errorCode: null,
      exchangeRate: 1,
      baseCurrencyCode: "USD",
    },
    customer: {
      id: "16BjsrSIh4AdLqkD",
      email: "taxes@test.com",
      firstName: "Tax",
      lastName: "Customer",
      billingAddress: { country: "US", stateCode: "OH", zip: "44145", email: null },
    },
    subscription: {
      id: "tax customer test",
      catalogModel: "plans",
      planId: "contract-plan",
      items: [
        {
          id: "contract-plan",
          type: "plan",
          quantity: 6,
          unitPrice: usd(50000),
          amount: usd(300000),
        },
      ],
      billingPeriodUnit: "year",
      clickId: null,
      currentTermEnd: s(1639241376),
      nextBillingAt: s(1639241376),
      mrr: usd(25000),
      planQuantity: 6,
      planUnitPrice: usd(50000),
    },
  },
  "payment_succeeded.cbgo.1.json": {
    id: "ev_HoR7OrcNacEsxgT",
    type: "payment_succeeded",
    occurredAt: s(1339951249),
    // v1-era: no api_version, source or object on the envelope (spec §8).
    apiVersion: "v1",
    source: null,
    payment: {
      transactionId: "txn_HoR7OrcNacEsxKR",
      invoiceId: "3",
      subscriptionId: "8avPlNabxST86",
      // No currency_code anywhere: the parser's defaultCurrency (USD) applies.
      amount: usd(900),
      // No first_invoice in v1: its period starts at the subscription's activation (spec §8).
      isFirstPayment: true,
      isRecurring: true,
      gateway: "chargebee",
    },
    invoice: {
      id: "3",
      total: usd(900),
      amountPaid: null,
      paidAt: s(1339951249),
      // v1 invoices keep their period (spec §8).
      periodStart: s(1339951248),
      periodEnd: s(1339951248),
    },
    customer: { id: "8avPlNabxST86", email: "rr@chargebee.com", resourceVersion: null },
    subscription: {
      id: "8avPlNabxST86",
      // A v1 subscription has no customer_id: the content's customer's id.
      customerId: "8avPlNabxST86",
      currentTermStart: s(1339951248),
      currentTermEnd: s(1342543248),
      catalogModel: "plans",
      planId: "no_trial",
      currency: "USD",
      resourceVersion: null,
    },
  },
  "subscription_activated.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGFsCUk",
    type: "subscription_activated",
    occurredAt: s(1344368426),
    subscription: {
      id: "3Nl7oGgQqGFprj9",
      status: "active",
      catalogModel: "plans",
      planId: "basic",
      trialStart: s(1341690024),
      trialEnd: s(1344368424),
      items: [
        { id: "basic", type: "plan", quantity: 1, unitPrice: usd(900) },
        { id: "data_usage", type: "addon", quantity: 1, unitPrice: usd(95) },
      ],
      resourceVersion: 1344368425000,
    },
    invoice: { id: "1", total: usd(995), amountPaid: usd(995), firstInvoice: true },
    customer: { id: "3Nl7oGgQqGFprj9", email: "Benjamin@test.com" },
    payment: null,
  },
  "subscription_cancelled.bonusly.1.json": {
    id: "ev_16BgX7SC8QzzQ4nbm",
    type: "subscription_cancelled",
    source: "scheduled_job",
    subscription: {
      id: "AzqgumSAxXl3xAxW",
      status: "cancelled",
      cancelledAt: s(1601524835),
      // Both kept: Chargebee's system enum and the merchant's own reason code (spec §4.2).
      cancelReason: "no_card",
      cancelReasonCode: "No Card",
      planId: "test-company-custom-pro-plan",
      items: [{ id: "test-company-custom-pro-plan", unitPrice: usd(960000) }],
    },
    customer: { id: "16CHTnSAxXWqMAg8", email: null, company: "Test Company with Plan" },
  },
  "subscription_changed.bonusly.1.json": {
    id: "ev_AzZlwkSJGPYNWQd3",
    type: "subscription_changed",
    subscription: {
      id: "AzZlzTSI7x9cAg30",
      status: "future",
      planId: "__TEST__plan_1",
      items: [{ id: "__TEST__plan_1", quantity: 300, unitPrice: usd(3600), amount: usd(1080000) }],
      metaData: { minimum_quantity: 300 },
      affiliateRef: null,
      resourceVersion: 1608055631889,
    },
    customer: {
      id: "AzZlzTSI7x16Ufzr",
      email: "hydroflask@test.com",
      phone: "2124444444",
      company: "Hydro Flask®",
      locale: "en",
    },
  },
  "subscription_created.airbyte.1.json": {
    id: "ev_16BPgETyVrQbiGhA",
    type: "subscription_created",
    occurredAt: s(1702645601),
    subscription: {
      id: "16BPgETyVrQVHGh1",
      customerId: "sarah",
      status: "active",
      catalogModel: "items",
      planId: "cross-train-advanced-INR-1_MONTH",
      currency: "INR",
      items: [
        {
          id: "cross-train-advanced-INR-1_MONTH",
          type: "plan",
          quantity: 1,
          unitPrice: { amount: 11667, currency: "INR" },
          amount: { amount: 11667, currency: "INR" },
        },
      ],
      resourceVersion: 1702645601793,
    },
    customer: { id: "sarah", email: null, createdFromIp: "10.0.0.2", piiCleared: "active" },
    invoice: {
      id: "203",
      total: { amount: 11667, currency: "INR" },
      firstInvoice: true,
      paidAt: s(1702645601),
    },
  },
  "subscription_created.bonusly.1.json": {
    id: "ev_AzqgumSAxXl56AxY",
    type: "subscription_created",
    subscription: {
      id: "AzqgumSAxXl3xAxW",
      status: "future",
      catalogModel: "plans",
      planId: "test-company-custom-pro-plan",
    },
    customer: { id: "16CHTnSAxXWqMAg8", email: null },
    invoice: null,
  },
  "subscription_deleted.bonusly.1.json": {
    id: "ev_16BdGGSIsYup61CLM",
    type: "subscription_deleted",
    subscription: {
      id: "tax customer test",
      status: "in_trial",
      planId: "__TEST__plan_1",
      trialStart: s(1607702795),
      trialEnd: s(1610294795),
    },
    customer: { id: "16BjsrSIh4AdLqkD", email: "taxes@test.com" },
  },
  "subscription_reactivated.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGFzNh3B",
    type: "subscription_reactivated",
    subscription: { id: "3Nl7oGgQqGFprj9", status: "active", planId: "basic" },
    invoice: { id: "3", total: usd(995), firstInvoice: false },
  },
  "subscription_renewed.bonusly.1.json": {
    id: "ev_16BgPKSClXogU2Eif",
    type: "subscription_renewed",
    source: "scheduled_job",
    subscription: {
      id: "16CHTSRvVVFWPYD5",
      planId: "pro-monthly",
      items: [{ id: "pro-monthly", quantity: 5, unitPrice: usd(500) }],
    },
    // The renewal invoice is still pending: no money collected yet (spec §6).
    invoice: {
      id: "draft_inv_16BgPKSClXofl2Eic",
      status: "pending",
      total: usd(2500),
      amountPaid: usd(0),
    },
    payment: null,
    customer: { id: "169yKyRvVEpMaX5Y", email: "michael@chargebee.com", company: "Chargebee" },
  },
  "subscription_started.bonusly.1.json": {
    id: "ev_3Nl7oGgQqGFr8LT",
    type: "subscription_started",
    occurredAt: s(1341690025),
    subscription: { id: "3Nl7oGgQqGFprj9", status: "in_trial", planId: "basic" },
    customer: { id: "3Nl7oGgQqGFprj9", email: "Benjamin@test.com" },
  },
  "transaction_created.bonusly.1.json": {
    id: "ev_XpbG6hnQqGGHFY3p",
    type: "transaction_created",
    payment: {
      transactionId: "txn_XpbG6hnQqGGHEQ3m",
      // Ties the transaction to its customer without content.customer.
      customerId: "3Nl7oGgQqGFqO7H",
      invoiceId: null,
      subscriptionId: null,
      amount: usd(100000),
      paymentMethod: "check",
      gateway: "not_applicable",
      paidAt: s(1367523733),
    },
    refund: null,
    invoice: null,
  },
};

describe("real Chargebee fixtures", () => {
  it("has an expectation for every real fixture file", () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...REAL_FIXTURES]);
  });

  it.each(REAL_FIXTURES)(
    "%s normalizes to a valid BillingEvent with the expected fields",
    (name) => {
      const event = parseChargebeeEvent(webhookBody(name));
      expect(BillingEventSchema.parse(event)).toEqual(event);
      expect(event.supported).toBe(true);
      expect(event).toMatchObject(EXPECTED[name] as Record<string, unknown>);
    },
  );

  it("parses the List Events response as a page (airbyte fixture)", () => {
    const page = parseChargebeeEventList(fixtureText("subscription_created.airbyte.1.json"));
    expect(page.nextOffset).toBe('["1707076198000","57873868"]');
    expect(page.events.map((event) => event.id)).toEqual(["ev_16BPgETyVrQbiGhA"]);
  });

  it("gives the same result from text, bytes, a parsed object and the GET /events/{id} wrapper", () => {
    const text = webhookBody("payment_succeeded.bonusly.1.json");
    const expected = parseChargebeeEvent(text);
    expect(parseChargebeeEvent(Buffer.from(text))).toEqual(expected);
    expect(parseChargebeeEvent(new TextEncoder().encode(text))).toEqual(expected);
    expect(parseChargebeeEvent(JSON.parse(text))).toEqual(expected);
    expect(parseChargebeeEvent({ event: JSON.parse(text) })).toEqual(expected);
    expect(parseChargebeeEvent(`\uFEFF${text}`)).toEqual(expected);
  });
});
