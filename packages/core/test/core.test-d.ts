import { describe, expectTypeOf, it } from "vitest";
import {
  type BillingEvent,
  type ConfigError,
  type Conversion,
  type ItemResult,
  type Money,
  RevtraceError,
  type RevtraceErrorCode,
  type Sink,
  SinkError,
  type SinkFailureReason,
  type Storage,
  type Touchpoint,
} from "../src/index.js";

describe("public types of @revtrace/core", () => {
  it("Money is integer minor units plus a code", () => {
    expectTypeOf<Money>().toEqualTypeOf<{ amount: number; currency: string }>();
  });

  it("error codes are literal unions, and isInstance narrows", () => {
    expectTypeOf<RevtraceErrorCode>().not.toEqualTypeOf<string>();
    expectTypeOf<ConfigError["code"]>().toEqualTypeOf<"config_invalid">();
    expectTypeOf<SinkError["reason"]>().toEqualTypeOf<SinkFailureReason>();
    const e: unknown = null;
    if (SinkError.isInstance(e)) expectTypeOf(e).toEqualTypeOf<SinkError>();
    if (RevtraceError.isInstance(e)) expectTypeOf(e.code).toEqualTypeOf<RevtraceErrorCode>();
  });

  it("a sink sends its item type and answers per item", () => {
    type S = Sink<Conversion>;
    expectTypeOf<Parameters<S["send"]>[0]>().toEqualTypeOf<readonly Conversion[]>();
    expectTypeOf<Awaited<ReturnType<S["send"]>>>().toEqualTypeOf<readonly ItemResult[]>();
    expectTypeOf<Extract<ItemResult, { status: "rejected" }>["error"]>().toEqualTypeOf<SinkError>();
  });

  it("storage answers null for not-found", () => {
    expectTypeOf<
      Awaited<ReturnType<Storage["getTouchpoint"]>>
    >().toEqualTypeOf<Touchpoint | null>();
    expectTypeOf<Awaited<ReturnType<Storage["claimReceipt"]>>>().toEqualTypeOf<boolean>();
  });

  it("billing events use null, never undefined, for absent values", () => {
    expectTypeOf<BillingEvent["payment"]>().toEqualTypeOf<(BillingEvent["payment"] & {}) | null>();
    expectTypeOf<BillingEvent["occurredAt"]>().toEqualTypeOf<number>();
  });
});
