import type { BillingEvent } from "@revtrace/core";
import { ConfigError } from "@revtrace/core";
import { describe, expect, it, vi } from "vitest";
import { createChargebeeRouter, parseChargebeeEvent } from "../src/index.js";
import { fixtureText, webhookBody } from "./fixtures/index.js";

const payment = parseChargebeeEvent(webhookBody("payment_succeeded.bonusly.1.json"));
const cancelled = parseChargebeeEvent(webhookBody("subscription_cancelled.bonusly.1.json"));
const unknown = parseChargebeeEvent(fixtureText("unknown_event.synthetic.json"));

describe("createChargebeeRouter", () => {
  it("runs the handlers of the event's type, then onAny, in registration order", async () => {
    const calls: string[] = [];
    const router = createChargebeeRouter()
      .on("payment_succeeded", (event) => {
        calls.push(`pay1:${event.payment.transactionId}`);
      })
      .on("subscription_cancelled", (event) => {
        calls.push(`cancel:${event.subscription.id}`);
      })
      .onAny((event) => {
        calls.push(`any:${event.type}`);
      })
      .on("payment_succeeded", async (event) => {
        await Promise.resolve();
        calls.push(`pay2:${event.payment.amount.amount}`);
      });
    expect(await router.dispatch(payment)).toEqual({ handled: 3 });
    expect(calls).toEqual(["pay1:txn_AzqYRySIstMLf6N", "pay2:450000", "any:payment_succeeded"]);
    calls.length = 0;
    expect(await router.dispatch(cancelled)).toEqual({ handled: 2 });
    expect(calls).toEqual(["cancel:AzqgumSAxXl3xAxW", "any:subscription_cancelled"]);
  });

  it("sends unsupported events to onUnsupported only", async () => {
    const onUnsupported = vi.fn();
    const onPayment = vi.fn();
    const router = createChargebeeRouter()
      .onUnsupported(onUnsupported)
      .on("payment_succeeded", onPayment);
    expect(await router.dispatch(unknown)).toEqual({ handled: 1 });
    expect(onUnsupported).toHaveBeenCalledWith(unknown);
    expect(onPayment).not.toHaveBeenCalled();
  });

  it("an unsupported event named like a supported type is not routed as that type", async () => {
    const onPayment = vi.fn();
    const fake: BillingEvent = { ...payment, supported: false };
    await createChargebeeRouter().on("payment_succeeded", onPayment).dispatch(fake);
    expect(onPayment).not.toHaveBeenCalled();
  });

  it("collects handler errors, runs the remaining handlers, reports and throws them together", async () => {
    const first = new Error("first failed");
    const third = new TypeError("third failed");
    const second = vi.fn();
    const onError = vi.fn();
    const logged: unknown[] = [];
    const router = createChargebeeRouter({
      onError,
      logger: { error: (obj: unknown) => logged.push(obj) },
    })
      .on("payment_succeeded", () => {
        throw first;
      })
      .on("payment_succeeded", second)
      .onAny(async () => {
        throw third;
      });
    const failure = await router.dispatch(payment).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(AggregateError);
    expect((failure as AggregateError).errors).toEqual([first, third]);
    expect((failure as AggregateError).message).toBe(
      "2 of 3 handlers failed for payment_succeeded (ev_AzqYRySIstMN16O)",
    );
    expect(second).toHaveBeenCalledOnce();
    expect(onError).toHaveBeenCalledWith(failure, payment);
    expect(logged).toEqual([
      { eventId: "ev_AzqYRySIstMN16O", eventType: "payment_succeeded", failed: 2 },
    ]);
  });

  it("still throws the handler errors when onError itself throws", async () => {
    const router = createChargebeeRouter({
      onError: () => {
        throw new Error("reporter down");
      },
    }).on("payment_succeeded", () => {
      throw new Error("boom");
    });
    await expect(router.dispatch(payment)).rejects.toBeInstanceOf(AggregateError);
  });

  it("refuses an event type it does not know", () => {
    const router = createChargebeeRouter();
    expect(() => router.on("subscription_updated" as never, () => {})).toThrow(ConfigError);
  });
});

describe("router: several types, removing handlers, out-of-contract calls", () => {
  const refund = parseChargebeeEvent(webhookBody("payment_refunded.bonusly.1.json"));

  it("on([...types]) registers one handler for each type", async () => {
    const seen: string[] = [];
    const router = createChargebeeRouter().on(
      ["payment_succeeded", "payment_refunded"],
      (event) => {
        seen.push(event.type);
      },
    );
    await router.dispatch(payment);
    await router.dispatch(refund);
    await router.dispatch(cancelled);
    expect(seen).toEqual(["payment_succeeded", "payment_refunded"]);
  });

  it("removeListener removes a handler from one type, several, onAny and onUnsupported", async () => {
    const handler = vi.fn();
    const router = createChargebeeRouter()
      .on(["payment_succeeded", "payment_refunded"], handler)
      .onAny(handler)
      .onUnsupported(handler);
    router.removeListener("payment_succeeded", handler);
    expect(await router.dispatch(payment)).toEqual({ handled: 1 }); // onAny only
    router.removeListener(["payment_refunded"], handler).removeListener("*", handler);
    expect(await router.dispatch(refund)).toEqual({ handled: 0 });
    router.removeListener("unsupported", handler);
    expect(await router.dispatch(unknown)).toEqual({ handled: 0 });
    // Removing what is not registered does nothing.
    expect(() => router.removeListener("customer_created", () => {})).not.toThrow();
    expect(handler).toHaveBeenCalledTimes(1);
  });

  it("removes one registration at a time, the latest first", async () => {
    const handler = vi.fn();
    const router = createChargebeeRouter()
      .on("payment_succeeded", handler)
      .on("payment_succeeded", handler);
    router.removeListener("payment_succeeded", handler);
    expect(await router.dispatch(payment)).toEqual({ handled: 1 });
  });

  it("out-of-contract calls throw ConfigErrors that say what to pass", async () => {
    const router = createChargebeeRouter();
    expect(() => router.on([], () => {})).toThrow(/at least one Chargebee event type/);
    expect(() => router.on(["payment_succeeded", 42 as never], () => {})).toThrow(
      /pass one of SUPPORTED_EVENT_TYPES/,
    );
    expect(() => router.on("payment_succeeded", "handler" as never)).toThrow(
      "on() takes a handler function as its last argument",
    );
    expect(() => router.onAny(undefined as never)).toThrow(ConfigError);
    await expect(router.dispatch("{}" as never)).rejects.toThrow(
      "dispatch() takes a parsed event: pass the result of parseChargebeeEvent(body)",
    );
  });

  it("routes *_with_backdating events under their own name", async () => {
    const backdated = parseChargebeeEvent({
      id: "ev_bd",
      event_type: "subscription_canceled_with_backdating",
      occurred_at: 1_700_000_000,
      api_version: "v2",
      content: { subscription: { id: "s", status: "cancelled" } },
    });
    const handler = vi.fn();
    await createChargebeeRouter()
      .on("subscription_canceled_with_backdating", handler)
      .dispatch(backdated);
    expect(handler).toHaveBeenCalledWith(backdated);
  });
});
