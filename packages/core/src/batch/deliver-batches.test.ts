import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { SinkError } from "../errors.js";
import type { ItemResult } from "../sink.js";
import { type BatchAnswer, deliverInBatches } from "./deliver-batches.js";

/** How the simulated vendor names the items of a refused batch. */
type Naming = "none" | "all" | "first" | "wrong";

interface Vendor {
  send(batch: readonly number[]): Promise<BatchAnswer>;
  probe(): Promise<boolean>;
  requests: number[][];
  probes: number;
}

const refusal = (message = "Param error") =>
  new SinkError(`demo: ${message}`, {
    sink: "demo",
    reason: "vendor_error",
    retryable: false,
    vendorCode: 40002,
  });

/**
 * A vendor validating all-or-nothing: a batch holding any bad item is refused; `requestLevel` refuses
 * every request, empty ones included (a bad credential, a bad envelope).
 */
function vendor(bad: ReadonlySet<number>, naming: Naming, requestLevel = false): Vendor {
  const requests: number[][] = [];
  const state = { probes: 0 };
  return {
    requests,
    get probes() {
      return state.probes;
    },
    async send(batch) {
      requests.push([...batch]);
      if (requestLevel) return { outcome: "refused", error: refusal() };
      const positions = batch.flatMap((item, i) => (bad.has(item) ? [i] : []));
      if (positions.length === 0) return { outcome: "accepted" };
      const named =
        naming === "all"
          ? positions
          : naming === "first"
            ? positions.slice(0, 1)
            : naming === "wrong"
              ? [(positions[0] as number) === 0 ? batch.length - 1 : 0]
              : undefined;
      return { outcome: "refused", error: refusal(), named };
    },
    async probe() {
      state.probes++;
      return requestLevel;
    },
  };
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i);
const idOf = (item: number) => `item-${item}`;

function deliver(items: number[], v: Vendor, maxItems = 1000, probe = true) {
  return deliverInBatches(items, {
    name: "demo",
    idOf,
    limits: { maxItems },
    send: (batch) => v.send(batch),
    probeRequest: probe ? () => v.probe() : undefined,
  });
}

function statuses(results: readonly ItemResult[]) {
  return results.map((r) => r.status);
}

const log2 = (n: number) => Math.ceil(Math.log2(Math.max(n, 2)));

describe("deliverInBatches", () => {
  it("sends everything in one request when nothing is refused", async () => {
    const v = vendor(new Set(), "none");
    const results = await deliver(ids(10), v);
    expect(results).toEqual(ids(10).map((i) => ({ id: idOf(i), status: "delivered" })));
    expect(v.requests).toEqual([ids(10)]);
  });

  it("cuts by maxItems, in order", async () => {
    const v = vendor(new Set(), "none");
    await deliver(ids(25), v, 10);
    expect(v.requests.map((r) => r.length)).toEqual([10, 10, 5]);
  });

  it("two bad items at 100 and 700 of 1,000, refusals naming nothing: 998 delivered, 2 rejected alone", async () => {
    const bad = new Set([100, 700]);
    const v = vendor(bad, "none");
    const results = await deliver(ids(1000), v);
    expect(statuses(results)).toEqual(
      ids(1000).map((i) => (bad.has(i) ? "rejected" : "delivered")),
    );
    // The probe ran once (nothing was accepted yet) and found the request itself fine.
    expect(v.probes).toBe(1);
    expect(v.requests.length).toBeLessThanOrEqual(1 + 2 * 2 * log2(1000));
    // Rejected only after being refused alone.
    for (const item of bad) expect(v.requests).toContainEqual([item]);
    const rejected = results[100] as Extract<ItemResult, { status: "rejected" }>;
    expect(rejected.error).toMatchObject({
      reason: "invalid_item",
      retryable: false,
      vendorCode: 40002,
    });
  });

  it("two bad items at 100 and 200: every good one delivered, nothing thrown", async () => {
    const bad = new Set([100, 200]);
    const v = vendor(bad, "none");
    const results = await deliver(ids(1000), v);
    expect(results.filter((r) => r.status === "delivered")).toHaveLength(998);
    expect(statuses([results[100], results[200]] as ItemResult[])).toEqual([
      "rejected",
      "rejected",
    ]);
  });

  it("a named item is sent alone, then the rest once: 3 requests", async () => {
    const v = vendor(new Set([3]), "all");
    const results = await deliver(ids(5), v);
    expect(statuses(results)).toEqual([
      "delivered",
      "delivered",
      "delivered",
      "rejected",
      "delivered",
    ]);
    expect(v.requests).toEqual([ids(5), [3], [0, 1, 2, 4]]);
    expect(v.probes).toBe(0);
  });

  it("never trusts a wrong name: the named item is accepted alone and delivered", async () => {
    const v = vendor(new Set([2]), "wrong");
    const results = await deliver(ids(3), v);
    expect(statuses(results)).toEqual(["delivered", "delivered", "rejected"]);
    expect(v.requests[1]).toEqual([0]);
  });

  it("a request-level refusal: two requests and one probe, then one non-retryable error", async () => {
    const v = vendor(new Set(), "none", true);
    const error = await deliver(ids(1000), v).catch((e: unknown) => e);
    expect(SinkError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ retryable: false, vendorCode: 40002, reason: "vendor_error" });
    expect((error as SinkError).message).toContain("the request itself is at fault");
    expect(v.requests.map((r) => r.length)).toEqual([1000]);
    expect(v.probes).toBe(1);
  });

  it("every item bad: each rejected alone, with payload O(n log n), not n²", async () => {
    for (const naming of ["none", "first", "all"] as const) {
      const v = vendor(new Set(ids(1000)), naming);
      const results = await deliver(ids(1000), v);
      expect(results.every((r) => r.status === "rejected")).toBe(true);
      const sent = v.requests.reduce((sum, r) => sum + r.length, 0);
      expect(sent).toBeLessThanOrEqual(1000 * (2 * log2(1000) + 3));
      expect(v.requests.length).toBeLessThanOrEqual(2 * 1000 * log2(1000) + 2);
    }
  });

  it("a partial success rejects exactly the items the vendor failed, without resending", async () => {
    const failure = refusal("dropped");
    const sent: number[][] = [];
    const results = await deliverInBatches(ids(4), {
      name: "demo",
      idOf,
      limits: { maxItems: 10 },
      send: async (batch) => {
        sent.push([...batch]);
        return {
          outcome: "accepted",
          failed: [
            { index: 1, error: failure },
            { index: 1, error: failure },
            { index: 9, error: failure },
          ],
        };
      },
    });
    expect(statuses(results)).toEqual(["delivered", "rejected", "delivered", "delivered"]);
    expect(sent).toEqual([ids(4)]);
    expect(results[1]).toEqual({ id: "item-1", status: "rejected", error: failure });
  });

  it("rethrows a transport error from send", async () => {
    const transport = new SinkError("demo: HTTP 503", {
      sink: "demo",
      reason: "http_status",
      retryable: true,
      status: 503,
    });
    const error = await deliverInBatches(ids(3), {
      name: "demo",
      idOf,
      limits: { maxItems: 10 },
      send: async () => {
        throw transport;
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(transport);
  });

  it("a request failing as a whole after others were settled keeps their results and rejects the rest with its error", async () => {
    const transport = new SinkError("demo: HTTP 503", {
      sink: "demo",
      reason: "http_status",
      retryable: true,
      status: 503,
    });
    const bad = new Set([1]);
    let requests = 0;
    const results = await deliverInBatches(ids(6), {
      name: "demo",
      idOf,
      limits: { maxItems: 2 },
      send: async (batch) => {
        requests++;
        // request 1 refuses [0, 1]; 0 and 1 alone settle; [2, 3] accepted; [4, 5] fails whole
        if (batch.includes(4)) throw transport;
        if (batch.some((item) => bad.has(item)))
          return { outcome: "refused", error: refusal(), named: undefined };
        return { outcome: "accepted" };
      },
    });
    expect(results.map((r) => r.status)).toEqual([
      "delivered",
      "rejected",
      "delivered",
      "delivered",
      "rejected",
      "rejected",
    ]);
    expect((results[1] as { error?: SinkError }).error?.reason).toBe("invalid_item");
    expect(results[4]).toEqual({ id: "item-4", status: "rejected", error: transport });
    expect((results[5] as { error?: SinkError }).error).toBe(transport);
    expect(requests).toBe(5);
  });

  it("an abort after others were settled is still thrown", async () => {
    const aborted = new SinkError("demo: aborted", {
      sink: "demo",
      reason: "aborted",
      retryable: true,
    });
    const error = await deliverInBatches(ids(4), {
      name: "demo",
      idOf,
      limits: { maxItems: 2 },
      send: async (batch) => {
        if (batch.includes(2)) throw aborted;
        return { outcome: "accepted" };
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(aborted);
  });

  it("without a probe, a refusal of every request rejects every item (never thrown)", async () => {
    const v = vendor(new Set(), "none", true);
    const results = await deliver(ids(8), v, 1000, false);
    expect(results.every((r) => r.status === "rejected")).toBe(true);
  });

  it("the probe is not used once something was accepted", async () => {
    const v = vendor(new Set([7]), "none");
    await deliver(ids(8), v, 4);
    expect(v.probes).toBe(0);
  });
});

describe("deliverInBatches properties", () => {
  const scenario = fc.integer({ min: 1, max: 300 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      bad: fc.uniqueArray(fc.integer({ min: 0, max: n - 1 }), { maxLength: n }),
      naming: fc.constantFrom<Naming>("none", "all", "first", "wrong"),
      maxItems: fc.integer({ min: 1, max: 400 }),
    }),
  );

  it("for any set of bad positions: every good item delivered once, every bad one rejected, bounded cost", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ n, bad, naming, maxItems }) => {
        const badSet = new Set(bad);
        const v = vendor(badSet, naming);
        const results = await deliver(ids(n), v, maxItems);
        expect(results.map((r) => r.id)).toEqual(ids(n).map(idOf));
        expect(statuses(results)).toEqual(
          ids(n).map((i) => (badSet.has(i) ? "rejected" : "delivered")),
        );
        // Each bad item was refused alone; each good item was in exactly one accepted request.
        const accepted = v.requests.filter((r) => !r.some((item) => badSet.has(item)));
        const deliveredCounts = new Map<number, number>();
        for (const r of accepted)
          for (const item of r) deliveredCounts.set(item, (deliveredCounts.get(item) ?? 0) + 1);
        for (let i = 0; i < n; i++) {
          if (badSet.has(i)) expect(v.requests).toContainEqual([i]);
          else expect(deliveredCounts.get(i)).toBe(1);
        }
        // Requests: the batches, plus O(k log n) for k bad items (and one for a wrong name).
        const batches = Math.ceil(n / maxItems);
        const size = Math.min(n, maxItems);
        expect(v.requests.length).toBeLessThanOrEqual(
          batches + 2 * bad.length * (log2(size) + 1) + 1,
        );
        // Payload O(n log n): no item is sent more than 2·log2(size) + 3 times.
        const times = new Map<number, number>();
        for (const r of v.requests)
          for (const item of r) times.set(item, (times.get(item) ?? 0) + 1);
        for (const count of times.values()) expect(count).toBeLessThanOrEqual(2 * log2(size) + 3);
        expect(v.probes).toBeLessThanOrEqual(1);
      }),
      { numRuns: 200 },
    );
  });

  it("a request-level refusal is thrown after at most two requests and one probe, whatever the size", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 2000 }), async (n) => {
        const v = vendor(new Set(), "none", true);
        const error = await deliver(ids(n), v).catch((e: unknown) => e);
        expect(SinkError.isInstance(error) && error.retryable).toBe(false);
        expect(v.requests.length).toBeLessThanOrEqual(2);
        expect(v.probes).toBe(1);
      }),
      { numRuns: 30 },
    );
  });
});
