import type { Conversion, ItemResult, Sink } from "@revtrace/core";
import { describe, expectTypeOf, it } from "vitest";
import { createTikTokSink, type TikTokSink, type TikTokSinkOptions } from "../src/index.js";

describe("public types", () => {
  it("createTikTokSink returns a Sink of conversions", () => {
    expectTypeOf(createTikTokSink).returns.toEqualTypeOf<TikTokSink>();
    expectTypeOf<TikTokSink>().toExtend<Sink<Conversion>>();
    expectTypeOf<ReturnType<TikTokSink["send"]>>().toEqualTypeOf<Promise<readonly ItemResult[]>>();
  });

  it("options take event names, legacy aliases, custom names and per-event pixels", () => {
    expectTypeOf<{ accessToken: string; pixelCode: string }>().toExtend<TikTokSinkOptions>();
    expectTypeOf<{
      accessToken: string;
      pixelCode: string;
      events: {
        first_payment: "CompletePayment";
        lead: { event: "Lead"; pixelCode: string };
        recurring_payment: false;
      };
    }>().toExtend<TikTokSinkOptions>();
    // Refunds have no TikTok event: the mapping has no `refund` key.
    expectTypeOf<{
      accessToken: string;
      pixelCode: string;
      events: { refund: "Purchase" };
    }>().not.toExtend<TikTokSinkOptions>();
    expectTypeOf<{ pixelCode: string }>().not.toExtend<TikTokSinkOptions>();
  });
});
