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
    expect(error.message).toBe("Chargebee webhook body: not valid JSON");
    expect(error.message).not.toContain("someone");
    expect(error.issues).toEqual([{ code: "custom", path: [], message: "Invalid JSON" }]);
    expect(payloadError(new Uint8Array([0x7b, 0xff, 0x7d])).message).toBe(
      "Chargebee webhook body: not valid UTF-8",
    );
  });

  it("a body that is not an object is rejected", () => {
    for (const body of ["[]", "null", "42", '"text"', "true"]) {
      expect(payloadError(body).message).toBe(
        "Invalid Chargebee event: (body): Expected a JSON object",
      );
    }
  });

  it("a missing or malformed id, event_type or occurred_at is rejected, naming the field", () => {
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
      // ids name stored rows: U+0000 or a lone surrogate could never be stored
      [
        { ...envelope, content: { transaction, customer: { id: "cus\u0000" } } },
        "content.customer.id",
      ],
      [
        { ...envelope, content: { transaction: { ...transaction, id: "txn_\udc00" } } },
        "content.transaction.id",
      ],
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
    expect(error.message).toBe(
      "Invalid Chargebee event: content.transaction.amount: Amount in CLF exceeds the safe integer range",
    );
  });

  it("calls that are not a body at all say what to pass", () => {
    for (const input of [123, null, undefined, true]) {
      expect(payloadError(input).message).toMatch(
        /^Chargebee webhook body: got \w+; pass the raw body/,
      );
    }
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
      [{ unknownOption: true }, "unknownOption"],
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

/** The one field path of the error `body` gets. */
function refusedAt(body: unknown): string {
  const error = payloadError(body);
  expect(error.httpStatus).toBe(400);
  expect(error.issues).toHaveLength(1);
  return error.issues[0]?.path.join(".") ?? "";
}

const v2 = { ...envelope, api_version: "v2" };

describe("money is never misread (refused, naming the field)", () => {
  it("a v2 amount with no currency anywhere is refused, not read as USD", () => {
    expect(refusedAt({ ...v2, content: { transaction: { id: "t", amount: 500 } } })).toBe(
      "content.transaction.currency_code",
    );
    expect(
      refusedAt({
        ...v2,
        event_type: "subscription_created",
        content: { subscription: { id: "s", plan_id: "p", plan_unit_price: 900 } },
      }),
    ).toBe("content.subscription.currency_code");
    // A v2 event whose money objects carry a code elsewhere in the event uses it.
    const event = parseChargebeeEvent({
      ...v2,
      content: {
        transaction: { id: "t", amount: 500 },
        invoice: { id: "i", currency_code: "EUR" },
      },
    });
    expect(event.payment?.amount).toEqual({ amount: 500, currency: "EUR" });
  });

  it("occurred_at and other times in milliseconds are refused", () => {
    expect(refusedAt({ ...v2, occurred_at: 1_700_000_000_000, content: { transaction } })).toBe(
      "occurred_at",
    );
    expect(payloadError({ ...v2, occurred_at: 1_700_000_000_000 }).message).toMatch(
      /looks like milliseconds/,
    );
    expect(
      refusedAt({ ...v2, content: { transaction: { ...transaction, date: 1_700_000_000_000 } } }),
    ).toBe("content.transaction.date");
  });

  it.each([
    [{ transaction: { ...transaction, amount: -1 } }, "content.transaction.amount"],
    [{ transaction, invoice: { id: "i", total: -5 } }, "content.invoice.total"],
    [{ transaction, invoice: { id: "i", amount_due: -5 } }, "content.invoice.amount_due"],
    [
      { transaction, subscription: { id: "s", plan_id: "p", plan_quantity: -2 } },
      "content.subscription.plan_quantity",
    ],
    [
      {
        transaction,
        subscription: {
          id: "s",
          subscription_items: [{ item_price_id: "p", item_type: "plan", quantity: -1 }],
        },
      },
      "content.subscription.subscription_items.0.quantity",
    ],
  ])("a negative amount or quantity is refused (%#)", (content, path) => {
    expect(refusedAt({ ...v2, content })).toBe(path);
  });

  it("an event id that is blank or longer than 40 characters is refused", () => {
    expect(refusedAt({ ...v2, id: "   ", content: { transaction } })).toBe("id");
    expect(refusedAt({ ...v2, id: `ev_${"x".repeat(38)}`, content: { transaction } })).toBe("id");
    expect(
      parseChargebeeEvent({ ...v2, id: `ev_${"x".repeat(37)}`, content: { transaction } }).id,
    ).toHaveLength(40);
    // Unsupported types are refused the same way: the id is the dedupe key of every event.
    expect(refusedAt({ ...v2, event_type: "plan_created", id: "x".repeat(41) })).toBe("id");
  });

  it("a payment_succeeded whose transaction is a refund, or did not succeed, is refused", () => {
    for (const type of ["refund", "payment_reversal", "authorization"]) {
      expect(refusedAt({ ...v2, content: { transaction: { ...transaction, type } } })).toBe(
        "content.transaction.type",
      );
    }
    expect(
      refusedAt({ ...v2, content: { transaction: { ...transaction, status: "failure" } } }),
    ).toBe("content.transaction.status");
  });

  it("payment_failed fills failedPayment, never payment; a 'successful' failure is refused", () => {
    const failed = parseChargebeeEvent({
      ...v2,
      event_type: "payment_failed",
      content: {
        transaction: { ...transaction, status: "failure", error_text: "Do not honor" },
        invoice: { id: "i", amount_due: 1000, dunning_status: "exhausted" },
      },
    });
    expect(failed.payment).toBeNull();
    expect(failed.failedPayment).toMatchObject({
      attemptedAmount: { amount: 1000, currency: "USD" },
      amountDue: { amount: 1000, currency: "USD" },
      dunningStatus: "exhausted",
      nextRetryAt: null,
      errorText: "Do not honor",
    });
    expect(
      refusedAt({
        ...v2,
        event_type: "payment_failed",
        content: { transaction: { ...transaction, status: "success" } },
      }),
    ).toBe("content.transaction.status");
  });

  it("CLP keeps every peso exactly and refuses a fraction of one rather than round it", () => {
    const clp = (amount: number) => ({
      ...v2,
      content: { transaction: { id: "t", amount, currency_code: "CLP" } },
    });
    expect(parseChargebeeEvent(clp(150000)).payment?.amount).toEqual({
      amount: 1500,
      currency: "CLP",
    });
    expect(refusedAt(clp(150050))).toBe("content.transaction.amount");
  });

  it("lower-case currency codes are refused", () => {
    expect(
      refusedAt({ ...v2, content: { transaction: { ...transaction, currency_code: "usd" } } }),
    ).toBe("content.transaction.currency_code");
  });
});

describe("what users need is kept", () => {
  it("transaction_created keeps only collected money in payment; failed attempts go to failedPayment", () => {
    const created = (status: string | undefined) =>
      parseChargebeeEvent({
        ...v2,
        event_type: "transaction_created",
        content: { transaction: { ...transaction, type: "payment", status } },
      });
    expect(created("success").payment).not.toBeNull();
    for (const status of ["failure", "timeout", "late_failure"]) {
      expect(created(status).payment).toBeNull();
      expect(created(status).failedPayment?.status).toBe(status);
    }
    for (const status of ["in_progress", "voided", "needs_attention", undefined]) {
      expect(created(status).payment).toBeNull();
      expect(created(status).failedPayment).toBeNull();
    }
  });

  it("pii_cleared: cleared empties every personal field of the customer and the subscription", () => {
    const event = parseChargebeeEvent({
      ...v2,
      event_type: "subscription_created",
      content: {
        subscription: { id: "s", created_from_ip: "203.0.113.7", currency_code: "USD" },
        customer: {
          id: "c",
          pii_cleared: "cleared",
          email: "jane@example.com",
          phone: "+1 555 0100",
          first_name: "Jane",
          last_name: "Doe",
          company: "Jane Doe LLC",
          created_from_ip: "203.0.113.7",
          billing_address: { line1: "1 Main St", city: "Springfield", zip: "12345" },
          contacts: [{ email: "j@example.com" }],
          cf_nickname: "JD",
          meta_data: { twitter: "@jane" },
        },
      },
    });
    expect(event.customer).toMatchObject({
      id: "c",
      piiCleared: "cleared",
      email: null,
      emailSource: null,
      phone: null,
      firstName: null,
      lastName: null,
      company: null,
      billingAddress: null,
      createdFromIp: null,
      customFields: {},
      metaData: null,
    });
    expect(event.subscription?.createdFromIp).toBeNull();
    expect(JSON.stringify(event)).not.toMatch(/jane|Jane|203\.0\.113|Main St|@jane/);
  });

  it("*_with_backdating events are normalized like their base events", () => {
    const subscription = { id: "s", status: "cancelled", currency_code: "USD", mrr: 0 };
    const event = parseChargebeeEvent({
      ...v2,
      event_type: "subscription_canceled_with_backdating",
      content: { subscription, customer: { id: "c" } },
    });
    expect(event).toMatchObject({
      type: "subscription_canceled_with_backdating",
      supported: true,
      subscription: { id: "s", status: "cancelled", customerId: "c" },
      customer: { id: "c" },
    });
    const invoice = parseChargebeeEvent({
      ...v2,
      event_type: "invoice_generated_with_backdating",
      content: { invoice: { id: "i", total: 100, currency_code: "EUR", customer_id: "c" } },
    });
    expect(invoice.invoice).toMatchObject({ id: "i", customerId: "c", total: { amount: 100 } });
    expect(
      refusedAt({ ...v2, event_type: "subscription_created_with_backdating", content: {} }),
    ).toBe("content.subscription");
  });

  it("keeps term dates, next billing, affiliate token, signup IP, mrr and the plan's quantity and price", () => {
    const event = parseChargebeeEvent({
      ...v2,
      event_type: "subscription_changed",
      content: {
        subscription: {
          id: "s",
          currency_code: "EUR",
          current_term_start: 1_700_000_000,
          current_term_end: 1_702_592_000,
          next_billing_at: 1_702_592_000,
          affiliate_token: "aff_tok_1",
          created_from_ip: "198.51.100.4",
          mrr: 4900,
          subscription_items: [
            { item_price_id: "addon-EUR", item_type: "addon", quantity: 2, unit_price: 500 },
            { item_price_id: "pro-EUR", item_type: "plan", quantity: 3, unit_price: 1300 },
          ],
        },
      },
    });
    expect(event.subscription).toMatchObject({
      currentTermStart: 1_700_000_000_000,
      currentTermEnd: 1_702_592_000_000,
      nextBillingAt: 1_702_592_000_000,
      affiliateToken: "aff_tok_1",
      createdFromIp: "198.51.100.4",
      mrr: { amount: 4900, currency: "EUR" },
      planId: "pro-EUR",
      planQuantity: 3,
      planUnitPrice: { amount: 1300, currency: "EUR" },
    });
  });

  it("keeps the transaction's exchange rate and base currency", () => {
    const event = parseChargebeeEvent({
      ...v2,
      content: {
        transaction: {
          ...transaction,
          currency_code: "INR",
          exchange_rate: 83.28,
          base_currency_code: "USD",
        },
      },
    });
    expect(event.payment).toMatchObject({ exchangeRate: 83.28, baseCurrencyCode: "USD" });
  });
});
