/**
 * Delivery under vendor faults, against the sandbox: 429 with Retry-After, 5xx, resets, timeouts,
 * partial successes and batches refused for one bad item: every good conversion arrives once, bad
 * ones are rejected alone, dead letters replay once.
 */
import { afterEach, describe, expect, it } from "vitest";
import { account, type RStack, rstack } from "./sandbox-stack.ts";

let s: RStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

const ids = (st: RStack) => st.sandbox.recorded.tiktok.map((r) => r.event.event_id as string);
const dupes = (list: string[]) => list.filter((x, i) => list.indexOf(x) !== i);

async function feed(st: RStack, count: number, withLead = true) {
  for (let n = 1; n <= count; n++) {
    const a = account(n);
    if (withLead) st.sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    expect(await st.post(a.created())).toBe(200);
    expect(await st.post(a.paid())).toBe(200);
  }
}

describe("delivery under vendor faults", () => {
  it("tiktok: 429+Retry-After, 503, reset, timeout, then 20001 partial: good ones once, the failed one rejected", async () => {
    s = await rstack(
      { delivery: { baseDelayMs: 10, maxDelayMs: 50, maxAttempts: 20, sendTimeoutMs: 5000 } },
      { include: ["tiktok"], transport: () => ({ timeoutMs: 300 }) },
    );
    await feed(s, 8, false);
    const tt = s.sandbox.tiktok;
    tt.failNext({ type: "http", status: 429, retryAfter: "1" });
    tt.failNext({ type: "http", status: 503 });
    tt.failNext({ type: "network" });
    tt.failNext({ type: "timeout", delayMs: 1500 });
    // index 0: whatever the batch that meets it holds (batches depend on the worker's timing)
    tt.failNext({ type: "partial", failedIndexes: [0] });
    await s.pipeline.drain({ timeoutMs: 20_000 });
    const got = ids(s);
    expect(dupes(got)).toEqual([]);
    const m0 = s.pipeline.metrics().sinks.tiktok ?? { delivered: -1, rejected: -1 };
    expect(got.length).toBe(m0.delivered);
    expect(m0.delivered + m0.rejected).toBe(8);
    const reqs = tt.requests;
    // Retry-After: the request after the 429 came at least 1 s later.
    expect((reqs[1]?.receivedAt ?? 0) - (reqs[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(990);
    const m = s.pipeline.metrics().sinks.tiktok;
    expect(m).toMatchObject({ rejected: 1, deadLetters: 1 });
  }, 30_000);

  it("tiktok: one bad event in a batch (40002 naming none) is rejected alone, others delivered once", async () => {
    s = await rstack({}, { include: ["tiktok"] });
    await feed(s, 6, false);
    s.sandbox.tiktok.rejectEvents((e) => (e.event_id === "inv_rb_4_1" ? "bad value" : undefined), {
      nameIndex: false,
    });
    await s.pipeline.drain();
    const got = ids(s);
    expect(dupes(got)).toEqual([]);
    expect(got.sort()).toEqual([
      "inv_rb_1_1",
      "inv_rb_2_1",
      "inv_rb_3_1",
      "inv_rb_5_1",
      "inv_rb_6_1",
    ]);
    expect(s.pipeline.metrics().sinks.tiktok).toMatchObject({
      delivered: 5,
      rejected: 1,
      deadLetters: 1,
    });
  });

  it("segment: a batch refused 400 because of one message: only that one rejected", async () => {
    const badEmail = "buyer3@lovelace-analytics.io";
    const fetchWrap: typeof fetch = async (input, init) => {
      const req = new Request(input, init);
      const text = await req.clone().text();
      if (text.includes(badEmail)) {
        return new Response(
          JSON.stringify({ success: false, message: "bad message", code: "invalid_request" }),
          {
            status: 400,
            headers: { "content-type": "application/json" },
          },
        );
      }
      return fetch(req);
    };
    s = await rstack({}, { include: ["segment"], transport: () => ({ fetch: fetchWrap }) });
    await feed(s, 5, false);
    await s.pipeline.drain();
    const rec = s.sandbox.segment.recorded.map((r) => r.message.messageId as string);
    expect(dupes(rec)).toEqual([]);
    expect(s.sandbox.segment.dropped).toEqual([]);
    // 5 customers × (created: identify+track, paid: identify+track) = 20 messages; customer 3's 4 refused
    expect(rec.length).toBe(16);
    expect(s.pipeline.metrics().sinks.segment).toMatchObject({
      delivered: 8,
      rejected: 2,
      deadLetters: 2,
    });
  });

  it("segment: a one-off 400 for a whole batch (transient) loses nothing that was never refused alone", async () => {
    s = await rstack({}, { include: ["segment"] });
    await feed(s, 4, false);
    s.sandbox.segment.failNext({
      type: "http",
      status: 400,
      body: JSON.stringify({ success: false, message: "x", code: "invalid_request" }),
    });
    await s.pipeline.drain();
  });

  it("dead letters after maxAttempts, replay delivers once, second replay adds nothing; metrics match", async () => {
    s = await rstack(
      { delivery: { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 3 } },
      { include: ["tiktok", "segment", "activecampaign", "kiflo"] },
    );
    await feed(s, 3);
    // Every request fails until the reset below, however the worker happened to batch the items.
    s.sandbox.tiktok.failNext({ type: "http", status: 503 }, 1000);
    s.sandbox.segment.failNext({ type: "http", status: 502 }, 1000);
    s.sandbox.kiflo.failNext({ type: "http", status: 500 }, 1000);
    await s.pipeline.drain({ timeoutMs: 20_000 }).catch(() => {});
    const m1 = s.pipeline.metrics();
    expect(m1.sinks.tiktok?.deadLetters).toBe(3);
    expect(m1.sinks.segment?.deadLetters).toBe(6);
    expect(ids(s)).toEqual([]);
    for (const vendor of [s.sandbox.tiktok, s.sandbox.segment, s.sandbox.kiflo]) vendor.reset();
    const replayed = await s.pipeline.replayDeadLetters();
    expect(replayed).toBeGreaterThan(0);
    await s.pipeline.drain({ timeoutMs: 20_000 });
    expect(ids(s).sort()).toEqual(["inv_rb_1_1", "inv_rb_2_1", "inv_rb_3_1"]);
    const again = await s.pipeline.replayDeadLetters();
    expect(again).toBe(0);
    await s.pipeline.drain();
    expect(ids(s).length).toBe(3);
    const rec = s.sandbox.segment.recorded.map((r) => r.message.messageId as string);
    expect(rec.length).toBe(12);
    expect(s.sandbox.segment.dropped).toEqual([]);
    const m2 = s.pipeline.metrics();
    expect(m2.sinks.tiktok?.delivered).toBe(3);
  }, 40_000);
});
