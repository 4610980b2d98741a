import { ConfigError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { firstPayment, refundOf } from "../test/fixtures/conversions.js";
import {
  createTransactionRequest,
  netAmount,
  paymentFacts,
  refundFacts,
  resolvePropertyNames,
  transactionRecord,
} from "./kiflo-mapper.js";

const defs = (...labels: Array<[string, string]>) =>
  labels.map(([name, label]) => ({ name, label }));
const customerDefs = defs(["email", "Email"], ["cf_1", "  chargebee customer id "]);
const txDefs = defs(["cf_2", "CHARGEBEE TRANSACTION ID"], ["cf_3", "Chargebee Invoice ID"]);

describe("resolvePropertyNames", () => {
  it("matches labels case-insensitively, trimmed", () => {
    expect(resolvePropertyNames(customerDefs, txDefs)).toEqual({
      chargebeeCustomerId: "cf_1",
      chargebeeTransactionId: "cf_2",
      chargebeeInvoiceId: "cf_3",
      customerHasName: false,
    });
    expect(resolvePropertyNames(customerDefs, null).chargebeeTransactionId).toBeNull();
  });

  it("names the missing label in a ConfigError", () => {
    expect(() => resolvePropertyNames(defs(["email", "Email"]), null)).toThrow(ConfigError);
    expect(() => resolvePropertyNames(customerDefs, txDefs.slice(0, 1))).toThrow(
      /"Chargebee Invoice ID"/,
    );
  });
});

describe("paymentFacts", () => {
  it("reads the real payment: amount, ids, normalized email", () => {
    expect(paymentFacts(firstPayment())).toMatchObject({
      kind: "payment",
      transactionId: "txn_AzqYRySIstMLf6N",
      invoiceId: "22",
      amount: { amount: 450000, currency: "USD" },
      chargebeeCustomerId: "16BjsrSIh4AdLqkD",
      email: "taxes@test.com",
      isFirstPayment: true,
    });
  });

  it("skips what is not collected money, and never uses a PII-cleared email", () => {
    const base = firstPayment();
    const billing = base.billingEvent as NonNullable<typeof base.billingEvent>;
    const payment = billing.payment as NonNullable<typeof billing.payment>;
    const withPayment = (changes: Partial<typeof payment>) => ({
      ...base,
      billingEvent: { ...billing, payment: { ...payment, ...changes } },
    });
    expect(paymentFacts(withPayment({ status: "failure" }))).toMatchObject({ kind: "skip" });
    expect(paymentFacts(withPayment({ amount: { amount: 0, currency: "USD" } }))).toMatchObject({
      kind: "skip",
    });
    expect(paymentFacts({ ...base, billingEvent: { ...billing, payment: null } })).toMatchObject({
      kind: "skip",
    });
    const customer = billing.customer as NonNullable<typeof billing.customer>;
    const cleared = {
      ...base,
      billingEvent: { ...billing, customer: { ...customer, piiCleared: "cleared" as const } },
    };
    expect(paymentFacts(cleared)).toMatchObject({
      kind: "payment",
      email: null,
      displayName: null,
    });
  });
});

describe("amounts", () => {
  it("sends major units with the currency's exponent (JPY 0, KWD 3)", () => {
    const names = resolvePropertyNames(customerDefs, txDefs);
    const facts = paymentFacts(firstPayment());
    if (facts.kind !== "payment") throw new Error("expected a payment");
    const jpy = { ...facts, amount: { amount: 1500, currency: "JPY" } };
    const kwd = { ...facts, amount: { amount: 12345, currency: "KWD" } };
    expect(createTransactionRequest(jpy, names, 1, "n").properties.amount).toBe(1500);
    expect(createTransactionRequest(kwd, names, 1, "n").properties.amount).toBe(12.345);
  });

  it("nets refunds, never below zero", () => {
    const facts = paymentFacts(firstPayment());
    if (facts.kind !== "payment") throw new Error("expected a payment");
    const record = transactionRecord(facts, 1, 2, "n");
    expect(netAmount({ ...record, refunds: { a: 100_000, b: 50_000 } })).toBe(300_000);
    expect(netAmount({ ...record, refunds: { a: 500_000 } })).toBe(0);
  });

  it("reads a refund as positive money going back", () => {
    expect(refundFacts(refundOf("txn_1", 250, "txn_r1"))).toEqual({
      kind: "refund",
      refundId: "txn_r1",
      paymentTransactionId: "txn_1",
      amount: { amount: 250, currency: "USD" },
    });
    expect(refundFacts(firstPayment())).toMatchObject({ kind: "skip" });
  });
});
