/**
 * Business rules through the whole pipeline (webhooks in, the four sandbox destinations out):
 * refunds before their payment, duplicates, zero-decimal currencies, proportional refunds, clawbacks
 * after a payout, late events (money still counts, their outdated state is not written), test-site
 * customers, and what the sink counters count.
 */
import { createCommissionLedger } from "@revtrace/attribution";
import { afterEach, describe, expect, it } from "vitest";
import { account, type RStack, rstack } from "./sandbox-stack.ts";

let s: RStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});
const DAY = 86_400_000;

const ledgerOf = async (st: RStack, partnerId = "p_alice") =>
  (await st.storage.listCommissions({ partnerId })).map((e) => [
    e.kind,
    e.amount.amount,
    e.amount.currency,
  ]);

describe("business rules through the whole pipeline", () => {
  it("refund before payment (held), then the payment: earned and reversed exactly once; Kiflo amount net", async () => {
    s = await rstack();
    const a = account(1, { affiliateRef: "p_alice" });
    s.sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    expect(await s.post(a.created())).toBe(200);
    expect(await s.post(a.refunded(1, 1000, false, 1))).toBe(200);
    await s.pipeline.drain({ timeoutMs: 300 }).catch(() => {});
    expect(await s.post(a.paid(1))).toBe(200);
    await s.pipeline.drain({ timeoutMs: 10_000 });
    // 20% of 49.00 = 9.80; refund of 10.00 reverses 9.80*10/49 = 2.00
    expect(await ledgerOf(s)).toEqual([
      ["earned", 980, "USD"],
      ["reversed", -200, "USD"],
    ]);
    const tx = s.sandbox.kiflo.transactions.filter((t) => !t.isDeleted);
    expect(tx.map((t) => t.properties.amount)).toEqual([39]);
  });

  it("duplicates: the same webhooks three times are one delivery everywhere and one booking", async () => {
    s = await rstack();
    const a = account(2, { affiliateRef: "p_alice" });
    s.sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    const bodies = [a.created(), a.paid(1), a.refunded(1, 4900, true, 1)];
    for (let i = 0; i < 3; i++) for (const b of bodies) expect(await s.post(b)).toBe(200);
    await s.pipeline.drain();
    expect(s.pipeline.metrics()).toMatchObject({ received: 3, duplicates: 6 });
    expect(s.sandbox.recorded.tiktok.length).toBe(1);
    expect(await ledgerOf(s)).toEqual([
      ["earned", 980, "USD"],
      ["reversed", -980, "USD"],
    ]);
    expect(s.sandbox.kiflo.transactions.map((t) => t.isDeleted)).toEqual([true]);
  });

  it("JPY zero-decimal: value, commission and every destination in yen", async () => {
    s = await rstack();
    const a = account(3, {
      affiliateRef: "p_alice",
      plan: { id: "pro-JPY", currency: "JPY", price: 5000 },
    });
    s.sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    await s.post(a.created());
    await s.post(a.paid(1));
    await s.post(a.refunded(1, 1250, false, 1));
    await s.pipeline.drain();
    expect(await ledgerOf(s)).toEqual([
      ["earned", 1000, "JPY"],
      ["reversed", -250, "JPY"],
    ]);
    const tt = s.sandbox.recorded.tiktok[0]?.event as { properties: Record<string, unknown> };
    expect(tt.properties).toMatchObject({ value: 5000, currency: "JPY" });
    const order = s.sandbox.segment.recorded.find((r) => r.message.event === "Order Completed")
      ?.message as {
      properties: Record<string, unknown>;
    };
    expect(order.properties).toMatchObject({ revenue: 5000, currency: "JPY" });
    const refund = s.sandbox.segment.recorded.find((r) => r.message.event === "Order Refunded")
      ?.message as { properties: Record<string, unknown> } | undefined;
    expect(refund?.properties).toMatchObject({ currency: "JPY" });
    expect(s.sandbox.kiflo.transactions.map((t) => [t.properties.amount, t.currency])).toEqual([
      [3750, "JPY"],
    ]);
  });

  it("proportional refunds: three partial refunds then the rest reverse exactly the commission", async () => {
    s = await rstack({ commissions: { rules: [{ percent: 30, duration: "lifetime" }] } });
    const a = account(4, {
      affiliateRef: "p_alice",
      plan: { id: "basic", currency: "USD", price: 999 },
    });
    await s.post(a.created());
    await s.post(a.paid(1));
    await s.post(a.refunded(1, 333, false, 1));
    await s.post(a.refunded(2, 500, false, 1, a.acct.createdAt + 130_000));
    await s.post(a.refunded(3, 166, true, 1, a.acct.createdAt + 140_000));
    await s.pipeline.drain();
    const l = await ledgerOf(s);
    expect(l).toEqual([
      ["earned", 300, "USD"],
      ["reversed", -100, "USD"],
      ["reversed", -150, "USD"],
      ["reversed", -49, "USD"],
      ["reversed", -1, "USD"],
    ]);
  });

  it("refund after payout becomes a clawback; before payout a reversal", async () => {
    s = await rstack({
      commissions: { rules: [{ percent: 20, duration: "lifetime", holdMs: 0 }] },
    });
    const a = account(5, { affiliateRef: "p_alice" });
    await s.post(a.created());
    await s.post(a.paid(1));
    await s.post(a.paid(2, a.acct.createdAt + 3_600_000));
    await s.pipeline.drain();
    const ledger = createCommissionLedger({
      store: s.storage,
      rules: [{ percent: 20, duration: "lifetime", holdMs: 0 }],
    });
    await ledger.record({
      type: "payout",
      payoutId: "po_1",
      partnerId: "p_alice",
      paidAt: Date.now(),
    } as never);
    await s.post(a.refunded(1, 4900, true, 1, Date.now() - 1000));
    await s.pipeline.drain();
    const l = await ledgerOf(s);
    expect(l.filter(([k]) => k === "clawback")).toEqual([["clawback", -980, "USD"]]);
  });

  it("old events days late: a payment of 12 days ago is still booked and sent to Segment; TikTok skips it", async () => {
    s = await rstack();
    const a = account(6, { affiliateRef: "p_alice", createdAt: Date.now() - 12 * DAY });
    await s.post(a.paid(1));
    await s.post(a.created());
    await s.pipeline.drain();
    expect(await ledgerOf(s)).toEqual([["earned", 980, "USD"]]);
    expect(s.sandbox.recorded.tiktok.length).toBe(0);
    expect(s.pipeline.metrics().sinks.tiktok).toMatchObject({ skipped: 1, deadLetters: 0 });
    const order = s.sandbox.segment.recorded.find((r) => r.message.event === "Order Completed");
    expect(order).toBeDefined();
  });

  it("subscription_cancelled before subscription_created: the late created does not resurrect the state", async () => {
    // Chargebee spec §7.5: apply state only from the newest resource_version.
    s = await rstack({}, { include: ["segment", "activecampaign"] });
    const a = account(7);
    await s.post(a.cancelled());
    await s.pipeline.drain();
    await s.post(a.created());
    await s.post(a.paid(1));
    await s.pipeline.drain();
    const contact = s.sandbox.activecampaign.contactByEmail(a.acct.email);
    expect(contact?.fieldValuesByPerstag.CHARGEBEE_SUBSCRIPTION_STATUS).toBe("cancelled");
    expect(contact?.tagNames.filter((t) => t.startsWith("chargebee:"))).toEqual([
      "chargebee:cancelled",
    ]);
    // Segment merges identify traits: the late events' identifies leave the status out, so the
    // last status Segment was told is still the newest one.
    const statuses = s.sandbox.segment.recorded
      .filter((r) => r.message.type === "identify")
      .map((r) => (r.message as { traits?: { subscription_status?: string } }).traits)
      .flatMap((traits) => (traits?.subscription_status ? [traits.subscription_status] : []));
    expect(statuses.at(-1)).toBe("cancelled");
    // the late payment is still delivered (money always counts)
    expect(
      s.sandbox.segment.recorded.filter((r) => r.message.event === "Order Completed"),
    ).toHaveLength(1);
  });

  it("example.com customers with identity.rules.email.allowReservedDomains reach every destination with their email", async () => {
    s = await rstack({ identity: { rules: { email: { allowReservedDomains: true } } } });
    const a = account(8, { email: "jane@example.com" });
    s.sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    await s.post(a.created());
    await s.post(a.paid(1));
    await s.pipeline.drain();
    const tt = s.sandbox.recorded.tiktok[0]?.event as
      | { user?: Record<string, unknown> }
      | undefined;
    expect(s.sandbox.activecampaign.state.contacts.map((c) => c.email)).toEqual([
      "jane@example.com",
    ]);
    expect(tt?.user?.email).toBeDefined();
    const identify = s.sandbox.segment.recorded.find((r) => r.message.type === "identify")
      ?.message as { traits?: { email?: string }; userId?: string };
    expect(identify?.traits?.email).toBe("jane@example.com");
    expect(s.sandbox.kiflo.transactions.length).toBe(1);
  });
});

describe("sink counters", () => {
  it("a retryable rejection that is delivered later is not counted as a rejected item", async () => {
    s = await rstack({}, { include: ["kiflo"] });
    const a = account(30, { affiliateRef: "p_alice" });
    s.sandbox.kiflo.addLead({ email: a.acct.email, partnerId: 7 });
    await s.post(a.created());
    await s.post(a.refunded(1, 1000, false, 1)); // retried until its payment is delivered
    await s.pipeline.drain({ timeoutMs: 200 }).catch(() => {});
    await s.post(a.paid(1));
    await s.pipeline.drain();
    expect(
      s.sandbox.kiflo.transactions.filter((t) => !t.isDeleted).map((t) => t.properties.amount),
    ).toEqual([39]);
    const k = s.pipeline.metrics().sinks.kiflo;
    // two items (payment, refund), both delivered: "per-item results" add up to 2
    expect((k?.delivered ?? 0) + (k?.skipped ?? 0) + (k?.rejected ?? 0)).toBe(2);
  });
});
