import { describe, expect, it } from "vitest";
import { CONVERSION_NAMES, type ConversionName, conversionId } from "./model/conversion.js";
import { type ItemResult, sendHandled } from "./sink.js";

const item = (id: string, name: ConversionName) => ({ id, name });

describe("sendHandled", () => {
  const handles = new Set<ConversionName>(["first_payment", "refund"]);

  it("sends only the handled items and skips the rest with a reason, in input order", async () => {
    const sent: string[][] = [];
    const results = await sendHandled(
      "demo",
      handles,
      [
        item("a", "lead"),
        item("b", "first_payment"),
        item("c", "customer_deleted"),
        item("d", "refund"),
      ],
      async (handled) => {
        sent.push(handled.map((h) => h.id));
        return handled.map((h): ItemResult => ({ id: h.id, status: "delivered" }));
      },
    );
    expect(sent).toEqual([["b", "d"]]);
    expect(results).toEqual([
      { id: "a", status: "skipped", reason: 'the demo sink does not handle "lead" conversions' },
      { id: "b", status: "delivered" },
      {
        id: "c",
        status: "skipped",
        reason: 'the demo sink does not handle "customer_deleted" conversions',
      },
      { id: "d", status: "delivered" },
    ]);
  });

  it("never calls send when nothing is handled, and takes a custom reason", async () => {
    let called = false;
    const results = await sendHandled(
      "demo",
      handles,
      [item("a", "lead")],
      async () => {
        called = true;
        return [];
      },
      (name) => `no mapping for ${name}`,
    );
    expect(called).toBe(false);
    expect(results).toEqual([{ id: "a", status: "skipped", reason: "no mapping for lead" }]);
  });

  it("refuses a send that lost or invented results", async () => {
    await expect(
      sendHandled("demo", handles, [item("b", "first_payment")], async () => []),
    ).rejects.toThrow(/0 results for 1 items/);
  });
});

describe("conversionId", () => {
  it("is deterministic per (source, event, meaning) and distinct across meanings", () => {
    expect(conversionId("chargebee", "ev_1", "first_payment")).toBe("chargebee:ev_1:first_payment");
    const ids = CONVERSION_NAMES.map((name) => conversionId("chargebee", "ev_1", name));
    expect(new Set(ids).size).toBe(CONVERSION_NAMES.length);
    expect(conversionId("retention", "ev_1", "retention")).not.toBe(
      conversionId("chargebee", "ev_1", "retention"),
    );
  });

  it("refuses an empty source event id", () => {
    expect(() => conversionId("chargebee", "", "refund")).toThrow(TypeError);
  });
});
