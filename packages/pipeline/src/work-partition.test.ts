import type { InboxEvent } from "@revtrace/core";
import type { IdentityResolver } from "@revtrace/identity";
import { describe, expect, it } from "vitest";
import { serialLinks } from "./serial-links.js";
import { runPartitioned, workPartition } from "./work-partition.js";

const inbox = (source: string, event: unknown): InboxEvent =>
  ({
    key: "k",
    source,
    type: "t",
    receivedAt: 0,
    rawBody: "",
    event,
    seq: 1,
    duplicates: 0,
  }) as InboxEvent;

describe("workPartition", () => {
  it("is the Chargebee customer, wherever the event carries it", () => {
    expect(workPartition(inbox("chargebee", { customer: { id: "c1" } }))).toBe("customer:c1");
    expect(
      workPartition(inbox("chargebee", { customer: null, subscription: { customerId: "c2" } })),
    ).toBe("customer:c2");
    expect(
      workPartition(
        inbox("chargebee", {
          customer: null,
          subscription: null,
          payment: null,
          refund: { customerId: "c3" },
        }),
      ),
    ).toBe("customer:c3");
    expect(workPartition(inbox("chargebee", { customer: null }))).toBe("chargebee");
    expect(workPartition(inbox("retention", { account: { billingId: "c1" } }))).toBe("customer:c1");
    expect(workPartition(inbox("tracker", { visitorId: "v1" }))).toBe("visitor:v1");
  });
});

describe("runPartitioned", () => {
  it("runs one partition's items in order and different partitions side by side", async () => {
    const log: string[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const items = ["a1", "b1", "a2", "b2"];
    const done = runPartitioned(
      items,
      (item) => item[0] as string,
      async (item) => {
        log.push(`start ${item}`);
        if (item === "a1") await gate; // a2 must wait for a1; b1 and b2 need not
        log.push(`end ${item}`);
      },
    );
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toEqual(["start a1", "start b1", "end b1", "start b2", "end b2"]);
    release();
    await done;
    expect(log.slice(5)).toEqual(["end a1", "start a2", "end a2"]);
  });
});

describe("serialLinks", () => {
  it("starts a link only when the one before it settled, failed ones included", async () => {
    const log: string[] = [];
    let inFlight = 0;
    const resolver = {
      async link(keys: { value: string }[]) {
        inFlight++;
        expect(inFlight).toBe(1);
        log.push(`link ${keys[0]?.value}`);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        if (keys[0]?.value === "bad") throw new Error("refused");
        return { personId: keys[0]?.value };
      },
      forget: async () => ({ keys: 0 }),
      resolve: async () => null,
      resolveAt: async () => null,
      get: async () => null,
      explain: async () => null,
    } as unknown as IdentityResolver;
    const serial = serialLinks(resolver);
    const evidence = { source: "test", observationId: "o", at: 0 };
    const results = await Promise.allSettled(
      ["a", "bad", "c"].map((value) => serial.link([{ kind: "email", value }], evidence)),
    );
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(log).toEqual(["link a", "link bad", "link c"]);
  });
});
