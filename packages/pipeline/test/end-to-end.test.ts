/**
 * End to end over real HTTP with Basic auth: touchpoints and a lead form → Chargebee webhooks →
 * identity, attribution, commissions → the TikTok sandbox; then refunds, duplicates, shuffles,
 * replays, quarantine and a sink outage.
 */
import { createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createTouchpoint } from "@revtrace/core";
import { createIdentityResolver } from "@revtrace/identity";
import { afterEach, describe, expect, it } from "vitest";
import { fixtureJson, shifted } from "./fixtures.ts";
import { PIXEL, type Stack, startStack } from "./stack.ts";

const HOUR = 3_600_000;
const EMAIL = "ada@lovelace-analytics.io";
const TTCLID = "E.C.P.v3E2eClick9x";
const VISITOR = "anon_e2e_5c1e9b2f";
const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

/** The synthetic checkout payment, moved to a few minutes ago, with a real-looking email. */
function paymentBody(now: number, overrides: { n?: number } = {}): string {
  const event = shifted(fixtureJson("payment_succeeded.items-click-id.synthetic.json"), now, 300, {
    "ada@example.com": EMAIL,
  });
  if (overrides.n !== undefined) {
    const n = overrides.n;
    const content = event.content as Record<string, Record<string, unknown>>;
    event.id = `ev_synthetic_items_paid_${n}`;
    (content.transaction as Record<string, unknown>).id = `txn_synthetic_items_${n}`;
    (content.invoice as Record<string, unknown>).id = `inv_e2e_${n}`;
    (content.transaction as { linked_invoices: Array<{ invoice_id: string }> }).linked_invoices[0] =
      {
        invoice_id: `inv_e2e_${n}`,
        applied_amount: 4900,
      } as never;
  }
  return JSON.stringify(event);
}

/** A `subscription_created` for the same subscription (synthetic: built from the payment fixture). */
function subscriptionCreatedBody(now: number): string {
  const payment = JSON.parse(paymentBody(now)) as Record<string, unknown> & {
    content: Record<string, unknown>;
  };
  return JSON.stringify({
    ...payment,
    id: "ev_synthetic_items_sub_created_1",
    event_type: "subscription_created",
    occurred_at: (payment.occurred_at as number) - 10,
    content: { subscription: payment.content.subscription, customer: payment.content.customer },
  });
}

function refundBody(now: number): string {
  return JSON.stringify(
    shifted(fixtureJson("payment_refunded.partial.synthetic.json"), now, 60, {
      "ada@example.com": EMAIL,
    }),
  );
}

async function recordVisitAndLead(s: Stack, now: number) {
  await s.storage.addTouchpoints([
    createTouchpoint({
      id: "tp_tiktok_ad",
      anonymousId: VISITOR,
      occurredAt: now - 72 * HOUR,
      clickIds: { ttclid: TTCLID },
      utm: { source: "tiktok", medium: "paid_social", campaign: "spring_launch" },
      landingPage: `https://app.lovelace-analytics.io/?ttclid=${TTCLID}`,
      userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)",
      ip: "203.0.113.7",
    }),
    createTouchpoint({
      id: "tp_direct",
      anonymousId: VISITOR,
      occurredAt: now - 2 * HOUR,
      landingPage: "https://app.lovelace-analytics.io/signup",
    }),
  ]);
  await createIdentityResolver({ storage: s.storage }).link(
    [
      { kind: "anonymous_id", value: VISITOR },
      { kind: "email", value: ` ${EMAIL.toUpperCase()}` },
    ],
    { source: "lead_form", observationId: "form:e2e-1", at: now - 2 * HOUR },
  );
}

describe("the pipeline end to end", () => {
  it("delivers an attributed first payment to TikTok, Segment, ActiveCampaign and Kiflo, and reverses the commission of a partial refund", async () => {
    stack = await startStack({}, { allSinks: true });
    const now = Date.now();
    await recordVisitAndLead(stack, now);
    // The partner registered the lead in Kiflo (Kiflo converts it into the paying customer).
    stack.sandbox.kiflo.addLead({ email: EMAIL, partnerId: 42 });

    expect(await stack.post(subscriptionCreatedBody(now))).toBe(200);
    expect(await stack.post(paymentBody(now))).toBe(200);
    await stack.pipeline.drain();

    const recorded = stack.sandbox.recorded.tiktok;
    expect(recorded).toHaveLength(1);
    const [purchase] = recorded;
    expect(purchase?.pixelCode).toBe(PIXEL);
    expect(purchase?.event).toMatchObject({
      event: "Purchase",
      event_id: "inv_9001",
      user: { email: sha256(EMAIL), ttclid: TTCLID },
      properties: { value: 49, currency: "EUR", order_id: "inv_9001" },
    });

    // Segment: the customer's identify and an attributed Order Completed, with deterministic ids.
    const segment = stack.sandbox.segment.recorded.map((r) => r.message);
    const order = segment.find((m) => m.event === "Order Completed");
    expect(order).toMatchObject({
      type: "track",
      messageId: "chargebee:ev_synthetic_items_paid_1:first_payment:track",
      anonymousId: VISITOR,
      properties: { order_id: "inv_9001", revenue: 49, currency: "EUR" },
      context: { campaign: { source: "tiktok", name: "spring_launch", ttclid: TTCLID } },
    });
    expect(segment.filter((m) => m.type === "identify").length).toBeGreaterThan(0);
    expect(stack.sandbox.segment.dropped).toEqual([]);
    // ActiveCampaign: the contact, by email, with the first-touch source.
    const contacts = stack.sandbox.activecampaign.state.contacts;
    expect(contacts.map((c) => c.email)).toEqual([EMAIL]);
    // Kiflo: one transaction of EUR 49.00 for the payment.
    const transactions = stack.sandbox.kiflo.transactions.filter((t) => !t.isDeleted);
    expect(transactions.map((t) => [t.properties.amount, t.currency])).toEqual([[49, "EUR"]]);

    const earned = await stack.storage.listCommissions({ partnerId: "partner-42" });
    expect(earned.map((entry) => [entry.kind, entry.amount.amount])).toEqual([["earned", 980]]);

    expect(await stack.post(refundBody(now))).toBe(200);
    await stack.pipeline.drain();
    const entries = await stack.storage.listCommissions({ partnerId: "partner-42" });
    // 20 % of EUR 49.00 = 9.80; a refund of 15.00 reverses 9.80 × 15 / 49 = 3.00.
    expect(entries.map((entry) => [entry.kind, entry.amount.amount])).toEqual([
      ["earned", 980],
      ["reversed", -300],
    ]);
    expect(stack.sandbox.recorded.tiktok).toHaveLength(1); // TikTok has no refund event
    expect(stack.sandbox.segment.recorded.map((r) => r.message.event)).toContain("Order Refunded");
    // Kiflo: the transaction now carries what is left after the refund (EUR 49.00 − 15.00).
    const adjusted = stack.sandbox.kiflo.transactions.filter((t) => !t.isDeleted);
    expect(adjusted.map((t) => t.properties.amount)).toEqual([34]);
    expect(stack.pipeline.metrics()).toMatchObject({
      received: 3,
      processed: 3,
      sinks: { tiktok: { delivered: 1, deadLetters: 0, backlog: 0 } },
    });
  });
});

/** A deterministic shuffle (mulberry32). */
function shuffle<T>(items: T[], seed: number): T[] {
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("exactly one delivery per sink per meaning", () => {
  it("under duplicated, shuffled, concurrent and replayed webhooks", async () => {
    stack = await startStack();
    const now = Date.now();
    await recordVisitAndLead(stack, now);
    const bodies = Array.from({ length: 40 }, (_, n) => paymentBody(now, { n: n + 1 }));
    const deliveries = shuffle([...bodies, ...bodies.slice(0, 12), ...bodies.slice(5, 9)], 7);
    const statuses = await Promise.all(deliveries.map((body) => stack?.post(body)));
    expect(statuses.every((status) => status === 200)).toBe(true);

    const dir = join(stack.dir, "recorded");
    mkdirSync(dir);
    for (const [i, body] of bodies.slice(0, 10).entries()) {
      writeFileSync(join(dir, `${i}.json`), body);
    }
    const replay = await stack.pipeline.replayFiles([dir]);
    expect(replay).toEqual({ stored: 0, duplicates: 10, invalid: 0 });
    await stack.pipeline.drain();

    const ids = stack.sandbox.recorded.tiktok.map((r) => String(r.event.event_id));
    expect(ids).toHaveLength(40);
    expect(new Set(ids).size).toBe(40);
    expect(stack.pipeline.metrics()).toMatchObject({ received: 40, duplicates: 26, processed: 40 });
    const audited = await stack.storage.getInboxEvent("chargebee:ev_synthetic_items_paid_6");
    expect(audited?.duplicates).toBe(3); // once in the copies, once in the burst, once replayed
  });

  it("replays a quarantined body once its cause is fixed, and keeps what still fails", async () => {
    stack = await startStack();
    const now = Date.now();
    await recordVisitAndLead(stack, now);
    // As an older version would have refused it: a valid body in quarantine, and a broken one.
    await stack.storage.quarantine({
      source: "chargebee",
      receivedAt: now - HOUR,
      rawBody: paymentBody(now),
      contentType: "application/json",
      error: { code: "webhook_payload_invalid", message: "unknown field (old parser)" },
    });
    expect(await stack.post('{"id":"ev_broken","event_type":"payment_succeeded"}')).toBe(400);

    const report = await stack.pipeline.replayQuarantine();
    expect(report).toEqual({ stored: 1, duplicates: 0, invalid: 0, stillInvalid: 1 });
    expect(await stack.pipeline.replayQuarantine()).toEqual({
      stored: 0,
      duplicates: 0,
      invalid: 0,
      stillInvalid: 1,
    });
    await stack.pipeline.drain();
    expect(stack.sandbox.recorded.tiktok.map((r) => r.event.event_id)).toEqual(["inv_9001"]);
    const left = await stack.storage.listQuarantine({ limit: 10 });
    expect(left).toHaveLength(1);
    expect(left[0]?.rawBody).toContain("ev_broken");
  });

  it("ends with everything delivered after a sink outage (5xx, then 429 with Retry-After)", async () => {
    stack = await startStack({
      delivery: { batchSize: 5, baseDelayMs: 20, maxDelayMs: 100, maxAttempts: 30 },
    });
    const now = Date.now();
    await recordVisitAndLead(stack, now);
    // Roughly the first third of the run's requests fail.
    stack.sandbox.tiktok.failNext({ type: "http", status: 503 }, 3);
    stack.sandbox.tiktok.failNext({ type: "http", status: 429, retryAfter: "1" }, 1);
    stack.sandbox.tiktok.failNext({ type: "http", status: 502 }, 2);
    const bodies = Array.from({ length: 30 }, (_, n) => paymentBody(now, { n: n + 100 }));
    for (const body of bodies) expect(await stack.post(body)).toBe(200);
    await stack.pipeline.drain({ timeoutMs: 20_000 });

    const ids = stack.sandbox.recorded.tiktok.map((r) => String(r.event.event_id));
    expect(new Set(ids).size).toBe(30);
    expect(ids).toHaveLength(30);
    const { tiktok } = stack.pipeline.metrics().sinks;
    expect(tiktok).toMatchObject({ delivered: 30, deadLetters: 0, backlog: 0 });
    expect(tiktok?.retries).toBeGreaterThanOrEqual(6);
    const failed = stack.sandbox.tiktok.requests.filter((r) => r.status !== 200);
    expect(failed.map((r) => r.status)).toEqual([503, 503, 503, 429, 502, 502]);
    expect(await stack.storage.listFailures({ limit: 100 })).toEqual([]);
  });
});
