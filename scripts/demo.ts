/**
 * `npm run demo`: the whole revtrace flow, end to end, on the embedded SQLite store against the local
 * TikTok sandbox — no network, no accounts.
 *
 *  1. Collect: a visitor lands from a TikTok ad (ttclid), comes back from Google, fills a lead form.
 *  2. Receive: Chargebee posts a checkout payment webhook (Basic auth); it is verified, parsed and
 *     claimed once — a second delivery of the same event is recognized as a duplicate.
 *  3. Resolve: the Chargebee customer is linked to the visitor through the email.
 *  4. Attribute: the payment is credited under first-touch (the default), linear and position-based.
 *  5. Commission: the partner named in the subscription's meta_data earns 20 %.
 *  6. Deliver: the conversion goes through the durable outbox to the TikTok sink, which posts it to the
 *     sandbox; the sandbox validates it against TikTok's contract and records it.
 *
 * The orchestration here is deliberately explicit; `@revtrace/pipeline` will package it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  attribute,
  commissionEventFromBillingEvent,
  conversionFromBillingEvent,
  createCommissionLedger,
  days,
} from "@revtrace/attribution";
import { createChargebeeWebhookVerifier, parseChargebeeEvent } from "@revtrace/chargebee";
import {
  type BillingEvent,
  type Conversion,
  conversionId,
  createTouchpoint,
  type IdentityKey,
  toMajor,
} from "@revtrace/core";
import { createIdentityResolver } from "@revtrace/identity";
import { startSandbox } from "@revtrace/sandbox";
import { createTikTokSink } from "@revtrace/sink-tiktok";
import { createSqliteStorage } from "@revtrace/storage-sqlite";

const HOUR = 3_600_000;
const FIXTURE = new URL(
  "../packages/chargebee/test/fixtures/payment_succeeded.items-click-id.synthetic.json",
  import.meta.url,
);
const WEBHOOK_USER = "chargebee";
const WEBHOOK_PASSWORD = "demo-webhook-secret";
// The fixture's example.com address is (rightly) refused by the identity rules as a reserved domain.
const FIXTURE_EMAIL = "ada@example.com";
const DEMO_EMAIL = "ada@lovelace-analytics.io";

const say = (text: string) => console.log(text);
const step = (n: number, title: string) => say(`\n${n}. ${title}`);

/** The synthetic checkout webhook, moved to "a few minutes ago" so TikTok's 7-day window accepts it. */
function webhookBody(now: number): string {
  const event = JSON.parse(readFileSync(FIXTURE, "utf8")) as { occurred_at: number };
  const shiftSeconds = Math.floor(now / 1000) - 300 - event.occurred_at;
  const shift = (value: unknown, key: string): unknown => {
    if (Array.isArray(value)) return value.map((v) => shift(v, key));
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shift(v, k)]));
    }
    if (typeof value !== "number") return value;
    if (key === "resource_version") return value + shiftSeconds * 1000;
    return key.endsWith("_at") || key === "date" ? value + shiftSeconds : value;
  };
  return JSON.stringify(shift(event, "")).replaceAll(FIXTURE_EMAIL, DEMO_EMAIL);
}

function billingKeys(event: BillingEvent): IdentityKey[] {
  const keys: IdentityKey[] = [];
  const customer = event.customer;
  if (customer) keys.push({ kind: "chargebee_customer_id", value: customer.id });
  if (customer?.email) keys.push({ kind: "email", value: customer.email });
  if (customer?.phone) keys.push({ kind: "phone", value: customer.phone });
  return keys;
}

async function main(): Promise<void> {
  const now = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "revtrace-demo-"));
  const sandbox = await startSandbox({ port: 0 });
  const storage = createSqliteStorage({ path: join(dir, "revtrace.db") });
  try {
    await storage.migrate();
    say(
      `revtrace demo — SQLite store ${join(dir, "revtrace.db")}, TikTok sandbox ${sandbox.vendors.tiktok}`,
    );
    const identity = createIdentityResolver({ storage });

    step(1, "Collect: touchpoints and a lead form");
    const visitor = "anon_5c1e9b2f";
    const touchpoints = [
      createTouchpoint({
        id: "tp_tiktok_ad",
        anonymousId: visitor,
        occurredAt: now - 72 * HOUR,
        clickIds: { ttclid: "E.C.P.v3DemoClick9x" },
        utm: { source: "tiktok", medium: "paid_social", campaign: "spring_launch" },
        landingPage: "https://app.example.com/?ttclid=E.C.P.v3DemoClick9x&utm_source=tiktok",
        referrer: "https://www.tiktok.com/",
        userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15",
        ip: "203.0.113.7",
        ttp: "2dKqVtbLhTqS5wE8VQy1mGZ9aQx",
      }),
      createTouchpoint({
        id: "tp_google",
        anonymousId: visitor,
        occurredAt: now - 26 * HOUR,
        referrer: "https://www.google.com/",
        landingPage: "https://app.example.com/pricing",
      }),
      createTouchpoint({
        id: "tp_direct",
        anonymousId: visitor,
        occurredAt: now - 2 * HOUR,
        landingPage: "https://app.example.com/signup",
      }),
    ];
    await storage.addTouchpoints(touchpoints);
    for (const tp of touchpoints)
      say(
        `   ${tp.id.padEnd(13)} ${tp.channel.padEnd(14)} ${new Date(tp.occurredAt).toISOString()}`,
      );
    const lead = await identity.link(
      [
        { kind: "anonymous_id", value: visitor },
        { kind: "email", value: " Ada@Lovelace-Analytics.io" },
      ],
      { source: "lead_form", observationId: "form:demo-1", at: now - 2 * HOUR },
    );
    say(
      `   lead form linked the visitor to person ${lead.personId} (email normalized, never printed)`,
    );

    step(2, "Receive: a Chargebee webhook, delivered twice");
    const verifier = createChargebeeWebhookVerifier({
      credentials: [{ username: WEBHOOK_USER, password: WEBHOOK_PASSWORD }],
    });
    const authorization = `Basic ${Buffer.from(`${WEBHOOK_USER}:${WEBHOOK_PASSWORD}`).toString("base64")}`;
    const body = webhookBody(now);
    let event: BillingEvent | null = null;
    for (const delivery of [1, 2]) {
      verifier.verify(authorization);
      const parsed = parseChargebeeEvent(body);
      const first = await storage.claimReceipt({
        key: `chargebee:${parsed.id}`,
        type: parsed.type,
        receivedAt: Date.now(),
      });
      say(
        `   delivery ${delivery}: ${parsed.type} ${parsed.id} → ${first ? "accepted" : "duplicate, acknowledged and skipped"}`,
      );
      if (first) event = parsed;
    }
    try {
      verifier.verify(`Basic ${Buffer.from("chargebee:wrong").toString("base64")}`);
    } catch (error) {
      say(`   a request with the wrong password → ${(error as Error).name} (HTTP 401)`);
    }
    if (!event?.payment) throw new Error("the demo webhook did not parse into a payment");

    step(3, "Resolve: Chargebee customer → visitor");
    const linked = await identity.link(billingKeys(event), {
      source: "chargebee_webhook",
      observationId: `chargebee:${event.id}`,
      at: event.occurredAt,
    });
    const personId = linked.personId;
    if (!personId) throw new Error("the customer did not resolve to a person");
    const personKeys = await storage.listPersonKeys(personId);
    const anonymousIds = personKeys
      .filter((r) => r.key.kind === "anonymous_id")
      .map((r) => r.key.value);
    say(
      `   customer ${event.customer?.id} is person ${personId} (${personKeys.length} keys, visitors: ${anonymousIds.join(", ")})`,
    );

    step(4, "Attribute the payment");
    const input = conversionFromBillingEvent(event);
    const history = await storage.listTouchpoints({
      anonymousIds,
      range: { from: input.occurredAt - days(90), to: input.occurredAt },
    });
    const result = attribute(input, history, {
      models: ["first_touch", "linear", "position_based"],
    });
    say(
      `   ${event.payment.amount.currency} ${toMajor(event.payment.amount)} (first payment: ${event.payment.isFirstPayment})`,
    );
    for (const model of result.models) {
      const parts = model.credits
        .map((c) => `${c.touchpoint.id} ${c.amount ? toMajor(c.amount) : "-"}`)
        .join(", ");
      say(`   ${model.model.padEnd(15)} ${parts}`);
    }

    step(5, "Commission for the referring partner");
    const ledger = createCommissionLedger({
      store: storage,
      rules: [{ percent: 20, duration: "lifetime" }],
    });
    const partnerId = event.subscription?.affiliateRef ?? null;
    const commissionEvent = partnerId
      ? commissionEventFromBillingEvent(event, { partnerId })
      : null;
    if (commissionEvent) {
      await ledger.record(commissionEvent);
      await ledger.record(commissionEvent); // a replay appends nothing
    }
    for (const balance of await ledger.balances()) {
      say(
        `   ${balance.partnerId}: pending ${toMajor(balance.pending)}, payable ${toMajor(balance.payable)} ${balance.currency}`,
      );
    }

    step(6, "Deliver to TikTok through the outbox");
    const customer = event.customer;
    const name = event.payment.isFirstPayment ? "first_payment" : "recurring_payment";
    const conversion: Conversion = {
      id: conversionId("chargebee", event.id, name),
      name,
      source: "chargebee",
      sourceEventId: event.id,
      occurredAt: input.occurredAt,
      value: event.payment.amount,
      billingEvent: event,
      retentionEvent: null,
      contact: {
        email: customer?.email ?? null,
        phone: customer?.phone ?? null,
        externalId: customer?.id ?? null,
        firstName: customer?.firstName ?? null,
        lastName: customer?.lastName ?? null,
        company: customer?.company ?? null,
        country: customer?.billingAddress?.country ?? null,
      },
      personId,
      anonymousId: null,
      identityKeys: personKeys.map((r) => r.key),
      credits: result.credits.filter((c) => c.model === "first_touch"),
    };
    await storage.enqueue(
      [{ sink: "tiktok", idempotencyKey: conversion.id, payload: conversion }],
      Date.now(),
    );
    await storage.enqueue(
      [{ sink: "tiktok", idempotencyKey: conversion.id, payload: conversion }],
      Date.now(),
    );
    const sink = createTikTokSink({
      accessToken: "demo-access-token",
      pixelCode: "CDEMOPIXEL123",
      baseUrl: `${sandbox.vendors.tiktok}/open_api/v1.3/`,
      testEventCode: "TEST12345",
    });
    const claimed = await storage.claim({
      sink: "tiktok",
      limit: 10,
      leaseMs: 30_000,
      now: Date.now(),
    });
    const results = await sink.send(claimed.map((item) => item.payload as Conversion));
    for (const [i, item] of claimed.entries()) {
      const outcome = results[i];
      if (outcome?.status === "delivered")
        await storage.ack(item.id, item.leaseToken as string, Date.now());
      say(
        `   outbox item ${item.id} (${claimed.length} queued for 2 enqueues) → ${outcome?.status}`,
      );
    }
    for (const recorded of sandbox.recorded.tiktok) {
      const e = recorded.event as Record<string, unknown> & {
        user?: Record<string, unknown>;
        properties?: Record<string, unknown>;
      };
      say(
        `   sandbox accepted ${String(e.event)} event_id=${String(e.event_id)} value=${String(e.properties?.value)} ${String(e.properties?.currency)} ttclid=${String(e.user?.ttclid)} email=sha256:${String(e.user?.email).slice(0, 12)}…`,
      );
    }
    if (sandbox.recorded.tiktok.length !== 1 || results[0]?.status !== "delivered") {
      throw new Error("the sandbox did not record exactly one TikTok event");
    }
    say(
      "\nDone: one webhook (delivered twice) → one person → credited touchpoints → one commission → one TikTok event.",
    );
  } finally {
    await storage.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error("revtrace demo failed:", error);
  process.exit(1);
});
