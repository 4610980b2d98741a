import type {
  BillingCreditNote,
  BillingCustomer,
  BillingEvent,
  BillingFailedPayment,
  BillingInvoice,
  BillingPayment,
  BillingRefund,
  BillingSubscription,
  RetentionEvent as CoreRetentionEvent,
  WebhookPayloadError,
} from "@revtrace/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ChargebeeEvent,
  type ChargebeeEventMap,
  createChargebeeRouter,
  isEventType,
  parseChargebeeEvent,
  parseRetentionEvent,
  type RetentionEvent,
  type SupportedEventType,
} from "../src/index.js";

describe("types", () => {
  it("parseChargebeeEvent returns the core BillingEvent", () => {
    expectTypeOf(parseChargebeeEvent("{}")).toEqualTypeOf<BillingEvent>();
    expectTypeOf(parseChargebeeEvent)
      .parameter(0)
      .toEqualTypeOf<string | Uint8Array | ArrayBuffer | object>();
  });

  it("router.on narrows the event by type", () => {
    createChargebeeRouter()
      .on("payment_succeeded", (event) => {
        expectTypeOf(event.type).toEqualTypeOf<"payment_succeeded">();
        expectTypeOf(event.payment).toEqualTypeOf<BillingPayment>();
        expectTypeOf(event.refund).toEqualTypeOf<BillingRefund | null>();
      })
      .on("payment_refunded", (event) => {
        expectTypeOf(event.refund).toEqualTypeOf<BillingRefund>();
        expectTypeOf(event.refund.transactionType).toEqualTypeOf<"refund" | "payment_reversal">();
      })
      .on("subscription_cancelled", (event) => {
        expectTypeOf(event.subscription).toEqualTypeOf<BillingSubscription>();
        expectTypeOf(event.customer).toEqualTypeOf<BillingCustomer | null>();
        expectTypeOf(event.subscription.cancelReasonCode).toEqualTypeOf<string | null>();
      })
      .on("customer_deleted", (event) => {
        expectTypeOf(event.customer).toEqualTypeOf<BillingCustomer>();
        expectTypeOf(event.subscriptions).toEqualTypeOf<BillingSubscription[] | null>();
      })
      .on("invoice_generated", (event) => {
        expectTypeOf(event.invoice).toEqualTypeOf<BillingInvoice>();
      })
      .on("credit_note_created", (event) => {
        expectTypeOf(event.creditNote).toEqualTypeOf<BillingCreditNote>();
      })
      .onUnsupported((event) => {
        expectTypeOf(event).toEqualTypeOf<BillingEvent>();
      });
    // @ts-expect-error: not a Chargebee event name (it is subscription_changed)
    createChargebeeRouter().on("subscription_updated", () => {});
  });

  it("the event map covers exactly the supported types", () => {
    expectTypeOf<keyof ChargebeeEventMap>().toEqualTypeOf<SupportedEventType>();
    expectTypeOf<ChargebeeEvent["type"]>().toEqualTypeOf<SupportedEventType>();
  });

  it("isEventType narrows a BillingEvent", () => {
    const event = parseChargebeeEvent("{}");
    if (isEventType(event, "payment_failed")) {
      expectTypeOf(event.failedPayment).toEqualTypeOf<BillingFailedPayment>();
      expectTypeOf(event.type).toEqualTypeOf<string & "payment_failed">();
    }
    if (isEventType(event, "payment_succeeded")) {
      expectTypeOf(event.payment).toEqualTypeOf<BillingPayment>();
    }
  });

  it("error classes carry literal codes", () => {
    expectTypeOf<WebhookPayloadError["code"]>().toEqualTypeOf<"webhook_payload_invalid">();
  });

  it("on() takes several types and hands the handler their union", () => {
    createChargebeeRouter().on(["payment_succeeded", "payment_refunded"], (event) => {
      expectTypeOf(event.type).toEqualTypeOf<"payment_succeeded" | "payment_refunded">();
    });
    // @ts-expect-error: not a Chargebee event type
    createChargebeeRouter().on(["payment_succeeded", "subscription_updated"], () => {});
  });

  it("retention events are core's type", () => {
    expectTypeOf<RetentionEvent>().toEqualTypeOf<CoreRetentionEvent>();
    const event = parseRetentionEvent("{}");
    expectTypeOf(event.call).toEqualTypeOf<"track" | "identify">();
    expectTypeOf(event.account.billingId).toEqualTypeOf<string | null>();
    expectTypeOf(event.survey.sentiment).toEqualTypeOf<number | null>();
  });
});
