import { createAttributionEngine, createCommissionLedger } from "@revtrace/attribution";
import { parseChargebeeEvent } from "@revtrace/chargebee";
import { type ConversionName, createTouchpoint, type InboxEvent, type Sink } from "@revtrace/core";
import { createIdentityResolver } from "@revtrace/identity";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { describe, expect, it } from "vitest";
import { fixtureJson, fixtureText } from "../test/fixtures.ts";
import { createEventProcessor } from "./event-processor.js";
import type { PipelineStorage } from "./pipeline-options.js";

const silent = { debug() {}, info() {}, warn() {}, error() {} };

function sink(name: string, handles: ConversionName[]): Sink {
  return {
    specificationVersion: "v1",
    name,
    handles: new Set(handles),
    send: async (items) => items.map((item) => ({ id: item.id, status: "delivered" as const })),
  };
}

function setup() {
  const storage = createMemoryStorage() as unknown as PipelineStorage;
  const ledger = createCommissionLedger({ store: storage, rules: [{ percent: 20 }] });
  const processEvent = createEventProcessor({
    storage,
    identity: createIdentityResolver({ storage }),
    attribution: createAttributionEngine({ models: ["first_touch", "click_id_chain"] }),
    touchpointLookbackMs: 90 * 86_400_000,
    ledger,
    partnerModel: "click_id_chain",
    sinks: [sink("ads", ["first_payment"]), sink("crm", ["first_payment", "customer_updated"])],
    logger: silent,
  });
  return { storage, ledger, processEvent };
}

function inbox(body: string): InboxEvent {
  const event = parseChargebeeEvent(body);
  return {
    key: `chargebee:${event.id}`,
    source: "chargebee",
    type: event.type,
    receivedAt: event.occurredAt,
    rawBody: body,
    event: JSON.parse(JSON.stringify(event)),
    seq: 1,
    duplicates: 0,
  };
}

const PAYMENT = fixtureText("payment_succeeded.items-click-id.synthetic.json").replaceAll(
  "ada@example.com",
  "ada@lovelace-analytics.io",
);

describe("event processing", () => {
  it("resolves the person, attributes, books the commission and fans out to the sinks that handle it", async () => {
    const { storage, processEvent } = setup();
    const event = parseChargebeeEvent(PAYMENT);
    await storage.addTouchpoints([
      createTouchpoint({
        id: "tp_ad",
        anonymousId: "anon_1",
        occurredAt: event.occurredAt - 86_400_000,
        clickIds: { ttclid: "E.C.P.x", affiliateRef: "partner-42" },
      }),
    ]);
    await createIdentityResolver({ storage }).link(
      [
        { kind: "anonymous_id", value: "anon_1" },
        { kind: "email", value: "ada@lovelace-analytics.io" },
      ],
      { source: "lead_form", observationId: "form:1", at: event.occurredAt - 86_400_000 },
    );
    const { conversions, items } = await processEvent(inbox(PAYMENT));
    expect(conversions).toHaveLength(1);
    const [conversion] = conversions;
    expect(conversion).toMatchObject({
      id: "chargebee:ev_synthetic_items_paid_1:first_payment",
      name: "first_payment",
      value: { amount: 4900, currency: "EUR" },
      anonymousId: "anon_1",
      contact: { email: "ada@lovelace-analytics.io", externalId: "user_4711", country: "DE" },
    });
    expect(conversion?.credits.map((c) => [c.model, c.touchpoint.id, c.amount?.amount])).toEqual([
      ["first_touch", "tp_ad", 4900],
      ["click_id_chain", "tp_ad", 4900],
    ]);
    expect(items.map((item) => [item.sink, item.idempotencyKey])).toEqual([
      ["ads", "chargebee:ev_synthetic_items_paid_1:first_payment"],
      ["crm", "chargebee:ev_synthetic_items_paid_1:first_payment"],
    ]);
    const entries = await storage.listCommissions({ partnerId: "partner-42" });
    expect(entries.map((e) => [e.kind, e.amount.amount])).toEqual([["earned", 980]]);
  });

  it("is idempotent: processing the same event again books nothing twice", async () => {
    const { storage, processEvent } = setup();
    await processEvent(inbox(PAYMENT));
    const again = await processEvent(inbox(PAYMENT));
    expect(again.items).toHaveLength(2);
    const entries = await storage.listCommissions({ partnerId: "partner-42" });
    expect(entries).toHaveLength(1);
  });

  it("never delivers stale state, and never drops a late payment", async () => {
    const { processEvent } = setup();
    const changed = fixtureJson("customer_changed.bonusly.1.json") as {
      id: string;
      content: { customer: { resource_version: number } };
    };
    const newer = structuredClone(changed);
    newer.id = "ev_customer_changed_newer";
    newer.content.customer.resource_version += 1000;
    const first = await processEvent(inbox(JSON.stringify(newer)));
    expect(first.items.map((i) => i.idempotencyKey)).toEqual([
      "chargebee:ev_customer_changed_newer:customer_updated",
    ]);
    const stale = await processEvent(inbox(JSON.stringify(changed)));
    expect(stale.items).toEqual([]);

    // A payment carrying an older subscription version still counts.
    const payment = JSON.parse(PAYMENT) as {
      id: string;
      content: { subscription: { resource_version: number } };
    };
    const later = structuredClone(payment);
    later.id = "ev_later";
    later.content.subscription.resource_version += 10_000;
    await processEvent(inbox(JSON.stringify(later)));
    const late = await processEvent(inbox(JSON.stringify(payment)));
    expect(late.items.map((i) => i.idempotencyKey)).toContain(
      "chargebee:ev_synthetic_items_paid_1:first_payment",
    );
  });

  it("sends only the customer id once Chargebee cleared the personal data", async () => {
    const { processEvent } = setup();
    const body = JSON.parse(PAYMENT) as { content: { customer: Record<string, unknown> } };
    body.content.customer.pii_cleared = "cleared";
    const { conversions } = await processEvent(inbox(JSON.stringify(body)));
    expect(conversions[0]?.contact).toEqual({
      email: null,
      phone: null,
      externalId: "user_4711",
      firstName: null,
      lastName: null,
      company: null,
      country: null,
    });
    expect(conversions[0]?.identityKeys.some((key) => key.kind === "email")).toBe(false);
  });
});
