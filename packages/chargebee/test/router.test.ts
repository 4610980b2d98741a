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
