import type { ChargebeeApi } from "@revtrace/chargebee";
import type { Conversion, RateLimiter, Sink } from "@revtrace/core";
import type { PostgresRateLimiter } from "@revtrace/storage-postgres";
import { describe, expectTypeOf, it } from "vitest";
import {
  type ActiveCampaignSink,
  type ActiveCampaignSinkOptions,
  type CustomerSource,
  createActiveCampaignSink,
  createInProcessRateLimiter,
} from "../src/index.js";

describe("public types", () => {
  it("createActiveCampaignSink returns a Sink of conversions", () => {
    expectTypeOf(createActiveCampaignSink).returns.toEqualTypeOf<ActiveCampaignSink>();
    expectTypeOf<ActiveCampaignSink>().toExtend<Sink<Conversion>>();
  });

  it("syncs straight from @revtrace/chargebee's API", () => {
    expectTypeOf<ChargebeeApi>().toExtend<CustomerSource>();
  });

  it("takes any RateLimiter, the Postgres one included", () => {
    expectTypeOf(createInProcessRateLimiter).returns.toExtend<RateLimiter>();
    expectTypeOf<PostgresRateLimiter>().toExtend<RateLimiter>();
    expectTypeOf<{
      apiUrl: string;
      apiToken: string;
      listId: number;
      rateLimiter: PostgresRateLimiter;
    }>().toExtend<ActiveCampaignSinkOptions>();
    expectTypeOf<{ apiUrl: string; apiToken: string }>().not.toExtend<ActiveCampaignSinkOptions>();
    expectTypeOf<{
      apiUrl: string;
      apiToken: string;
      listId: 1;
      onCustomerDeleted: "archive";
    }>().not.toExtend<ActiveCampaignSinkOptions>();
  });
});
