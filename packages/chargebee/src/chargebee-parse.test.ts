import { ConfigError, WebhookPayloadError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { createChargebeeParser, parseChargebeeEvent } from "./chargebee-parse.js";

const envelope = { id: "ev_1", event_type: "payment_succeeded", occurred_at: 1700000000 };
const transaction = { id: "txn_1", amount: 1000, currency_code: "USD" };

function payloadError(input: unknown): WebhookPayloadError {
  try {
    parseChargebeeEvent(input as object);
  } catch (error) {
    if (WebhookPayloadError.isInstance(error)) return error;
    throw error;
  }
  throw new Error("expected a WebhookPayloadError");
}

describe("parseChargebeeEvent errors", () => {
  it("invalid JSON and invalid UTF-8 are 400s that do not quote the body", () => {
    const secretish = '{"id": "ev_1", "email": "someone@example.com",';
    const error = payloadError(secretish);
    expect(error.httpStatus).toBe(400);
    expect(error.code).toBe("webhook_payload_invalid");
    expect(error.message).toBe("Webhook body is not valid JSON");
    expect(error.message).not.toContain("someone");
    expect(error.issues).toEqual([{ code: "custom", path: [], message: "Invalid JSON" }]);
    expect(payloadError(new Uint8Array([0x7b, 0xff, 0x7d])).message).toBe(
      "Webhook body is not valid UTF-8",
    );
  });

  it("a body that is not an object is rejected", () => {
    for (const body of ["[]", "null", "42", '"text"', "true"]) {
      expect(payloadError(body).message).toMatch(/not a JSON object/);
    }
  });

  it("a missing or malformed id, event_type or occurred_at is rejected with zod issues", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...envelope, id: undefined }, "id"],
      [{ ...envelope, id: "" }, "id"],
      [{ ...envelope, id: 42 }, "id"],
      [{ ...envelope, event_type: undefined }, "event_type"],
      [{ ...envelope, event_type: "" }, "event_type"],
      [{ ...envelope, occurred_at: undefined }, "occurred_at"],
      [{ ...envelope, occurred_at: "1700000000" }, "occurred_at"],
      [{ ...envelope, occurred_at: 1.5 }, "occurred_at"],
      [{ ...envelope, occurred_at: -1 }, "occurred_at"],
      [{ ...envelope, occurred_at: 1e16 }, "occurred_at"],
    ];
    for (const [body, field] of cases) {
      const error = payloadError({ ...body, content: { transaction } });
      expect(error.issues.map((issue) => issue.path.join("."))).toContain(field);
      expect(error.message).toContain(field);
    }
  });

  it("unsupported types only need a valid envelope", () => {
    const event = parseChargebeeEvent({ ...envelope, event_type: "plan_created", content: 5 });
    expect(event.supported).toBe(false);
    expect(() => parseChargebeeEvent({ ...envelope, event_type: "plan_created" })).not.toThrow();
    expect(payloadError({ event_type: "plan_created", occurred_at: 1 }).issues[0]?.path).toEqual([
      "id",
    ]);
  });

  it("a supported event without its primary object, or with a wrongly shaped one, is rejected", () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...envelope, content: {} }, "content.transaction"],
      [{ ...envelope }, "content"],
      [
        { ...envelope, content: { transaction: { ...transaction, amount: "10.00" } } },
        "content.transaction.amount",
      ],
      [
        { ...envelope, content: { transaction: { ...transaction, amount: 10.5 } } },
        "content.transaction.amount",
      ],
      [
        { ...envelope, content: { transaction: { ...transaction, currency_code: "XYZ" } } },
        "content.transaction.currency_code",
      ],
      [
        { ...envelope, content: { transaction: { ...transaction, id: "" } } },
        "content.transaction.id",
      ],
      [{ ...envelope, content: { transaction, customer: { id: 7 } } }, "content.customer.id"],
      [
        { ...envelope, content: { transaction, invoice: { id: "1", first_invoice: "yes" } } },
        "content.invoice.first_invoice",
      ],
      [
        { ...envelope, event_type: "subscription_created", content: { customer: { id: "c" } } },
        "content.subscription",
      ],
      [
        {
          ...envelope,
          event_type: "subscription_created",
          content: {
            subscription: {
              id: "s",
              subscription_items: [{ item_price_id: "p", item_type: "gift" }],
            },
          },
        },
        "content.subscription.subscription_items.0.item_type",
      ],
      [
        {
          ...envelope,
          event_type: "subscription_created",
          content: { subscription: { id: "s", meta_data: "[]" } },
        },
        "content.subscription.meta_data",
      ],
      [
        {
          ...envelope,
          event_type: "customer_changed",
          content: { customer: { id: "c", billing_address: [] } },
        },
        "content.customer.billing_address",
      ],
      [
        {
          ...envelope,
          event_type: "customer_deleted",
          content: { customer: { id: "c" }, subscriptions: {} },
        },
        "content.subscriptions",
      ],
      [{ ...envelope, api_version: "v3", content: { transaction } }, "api_version"],
    ];
    for (const [body, path] of cases) {
      const error = payloadError(body);
      expect(error.issues.map((issue) => issue.path.join("."))).toContain(path);
    }
  });

  it("issues carry no input values", () => {
    const error = payloadError({
      ...envelope,
      content: { transaction: { ...transaction, amount: "someone@example.com" } },
    });
    expect(JSON.stringify(error.issues)).not.toContain("someone@example.com");
    expect(error.message).not.toContain("someone@example.com");
  });

  it("accepts null for optional fields and ignores unknown keys", () => {
    const event = parseChargebeeEvent({
      ...envelope,
      source: null,
      brand_new_envelope_field: { x: 1 },
      content: {
        transaction: { ...transaction, gateway: null, some_future_field: [1, 2] },
        invoice: null,
        customer: { id: "c", email: null, billing_address: null, pii_cleared: "unknown-state" },
      },
    });
    expect(event.source).toBeNull();
    expect(event.payment?.gateway).toBeNull();
    expect(event.invoice).toBeNull();
    expect(event.customer?.piiCleared).toBeNull();
  });

  it("an amount that cannot be represented after rescaling is a payload error", () => {
    const error = payloadError({
      ...envelope,
      content: {
        transaction: { ...transaction, amount: Number.MAX_SAFE_INTEGER, currency_code: "CLF" },
      },
    });
    expect(error.message).toMatch(/out of range/);
  });
});

describe("parser options", () => {
  const body = {
    ...envelope,
    event_type: "subscription_created",
    content: {
      subscription: {
        id: "s",
        cf_click_id: "default-click",
        cf_ttclid: "tt-123",
        meta_data: { affiliate_ref: "a1", partner: "p9" },
      },
    },
  };

  it("reads the click id and affiliate ref from the configured names", () => {
    expect(parseChargebeeEvent(body).subscription).toMatchObject({
      clickId: "default-click",
      affiliateRef: "a1",
    });
    const parser = createChargebeeParser({ clickIdField: "cf_ttclid", affiliateRefKey: "partner" });
    expect(parser.parse(body).subscription).toMatchObject({
      clickId: "tt-123",
      affiliateRef: "p9",
    });
    expect(
      parseChargebeeEvent(body, { clickIdField: "cf_missing" }).subscription?.clickId,
    ).toBeNull();
  });

  it("uses defaultCurrency only when the payload carries no currency", () => {
    const v1 = { ...envelope, content: { transaction: { id: "t", amount: 500 } } };
    expect(parseChargebeeEvent(v1).payment?.amount).toEqual({ amount: 500, currency: "USD" });
    expect(parseChargebeeEvent(v1, { defaultCurrency: "EUR" }).payment?.amount).toEqual({
      amount: 500,
      currency: "EUR",
    });
    const withCustomer = {
      ...v1,
      content: { ...v1.content, customer: { id: "c", preferred_currency_code: "GBP" } },
    };
    expect(parseChargebeeEvent(withCustomer).payment?.amount.currency).toBe("GBP");
  });

  it("rejects bad options with a ConfigError naming the field", () => {
    const bad = [
      [{ clickIdField: "click_id" }, "clickIdField"],
      [{ affiliateRefKey: "" }, "affiliateRefKey"],
      [{ defaultCurrency: "usd" }, "defaultCurrency"],
      [{ unknownOption: true }, "(root)"],
    ] as const;
    for (const [options, field] of bad) {
      try {
        createChargebeeParser(options as never);
        throw new Error("expected a ConfigError");
      } catch (error) {
        expect(ConfigError.isInstance(error)).toBe(true);
        expect((error as ConfigError).fields).toEqual([field]);
        expect(
          (error as ConfigError).message.startsWith(`Invalid Chargebee parser options: ${field}: `),
        ).toBe(true);
      }
    }
    expect(() => createChargebeeParser({ defaultCurrency: "usd" })).toThrow(
      "Invalid Chargebee parser options: defaultCurrency: Unknown ISO 4217 currency code",
    );
  });
});

describe("transactions (spec §4.4)", () => {
  const created = (fields: Record<string, unknown>) =>
    parseChargebeeEvent({
      ...envelope,
      event_type: "transaction_created",
      content: { transaction: { ...transaction, status: "success", ...fields } },
    });

  it("only a `payment` transaction is a payment", () => {
    const event = created({ type: "payment" });
    expect(event.payment?.amount).toEqual({ amount: 1000, currency: "USD" });
    expect(event.refund).toBeNull();
  });

  it("refunds and payment reversals are money going back, with their kind", () => {
    const refund = created({ type: "refund", refunded_txn_id: "txn_0" });
    expect(refund.payment).toBeNull();
    expect(refund.refund).toMatchObject({
      transactionType: "refund",
      refundedTransactionId: "txn_0",
      amount: { amount: 1000, currency: "USD" },
    });
    const reversal = created({ type: "payment_reversal", reference_transaction_id: "txn_0" });
    expect(reversal.payment).toBeNull();
    expect(reversal.refund).toMatchObject({
      transactionType: "payment_reversal",
      refundedTransactionId: "txn_0",
      amount: { amount: 1000, currency: "USD" },
      status: "success",
    });
  });

  it("authorizations, unknown and missing types are neither payment nor refund", () => {
    for (const type of ["authorization", "capture_of_the_future", undefined]) {
      const event = created({ type });
      expect(event.supported).toBe(true);
      expect(event.payment).toBeNull();
      expect(event.refund).toBeNull();
    }
  });

  it("refunded_txn_id wins over reference_transaction_id on refunds", () => {
    const event = created({
      type: "refund",
      refunded_txn_id: "txn_online",
      reference_transaction_id: "txn_offline",
    });
    expect(event.refund?.refundedTransactionId).toBe("txn_online");
  });
});

describe("subscription cancel reasons (spec §4.2)", () => {
  const cancelled = (fields: Record<string, unknown>) =>
    parseChargebeeEvent({
      ...envelope,
      event_type: "subscription_cancelled",
      content: { subscription: { id: "sub_1", status: "cancelled", ...fields } },
    }).subscription;

  it("keeps the system enum and the merchant's code apart", () => {
    expect(
      cancelled({ cancel_reason: "not_paid", cancel_reason_code: "Too expensive" }),
    ).toMatchObject({ cancelReason: "not_paid", cancelReasonCode: "Too expensive" });
    expect(cancelled({ cancel_reason_code: "Too expensive" })).toMatchObject({
      cancelReason: null,
      cancelReasonCode: "Too expensive",
    });
    expect(cancelled({})).toMatchObject({ cancelReason: null, cancelReasonCode: null });
  });
});
