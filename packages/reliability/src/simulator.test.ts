import { describe, expect, it } from "vitest";
import { COMMISSION_PERCENT, simulate, touchIdOf } from "./simulator.js";

const NOW = Date.UTC(2026, 11, 3, 12);

describe("the journey simulator", () => {
  it("is pure: the same seed gives the same output, another seed another", () => {
    const a = simulate({ seed: 7, now: NOW, buyers: 60 });
    const b = simulate({ seed: 7, now: NOW, buyers: 60 });
    expect(JSON.stringify(b)).toBe(JSON.stringify(a));
    const c = simulate({ seed: 8, now: NOW, buyers: 60 });
    expect(JSON.stringify(c.webhooks)).not.toBe(JSON.stringify(a.webhooks));
  });

  it("delivers every event at least once, with about 30 % duplicates, shuffled, some resent late", () => {
    const sim = simulate({ seed: 3, now: NOW, events: 700 });
    expect(sim.events.length).toBeGreaterThanOrEqual(700);
    const ids = new Set(sim.events.map((e) => e.eventId));
    expect(ids.size).toBe(sim.events.length);
    expect(new Set(sim.webhooks.map((w) => w.eventId))).toEqual(ids);
    const duplicates = sim.webhooks.filter((w) => w.duplicate).length;
    expect(duplicates / sim.webhooks.length).toBeCloseTo(0.3, 2);
    expect(sim.webhooks.some((w) => w.lateResend)).toBe(true);
    expect(sim.webhooks.slice(0, 50).map((w) => w.eventId)).not.toEqual(
      sim.events.slice(0, 50).map((e) => e.eventId),
    );
  });

  it("covers the hard cases: several devices, changed emails, shared inboxes, junk ids, shared refs", () => {
    const sim = simulate({ seed: 11, now: NOW, buyers: 300 });
    expect(sim.kinds.changed_email).toBeGreaterThan(10);
    expect(sim.kinds.shared_inbox).toBeGreaterThan(5);
    expect(sim.kinds.junk).toBeGreaterThan(5);
    const bodies = sim.events.map((e) => e.body).join("\n");
    for (const text of ['"cf_click_id":"null"', "test@test.com", '"currency_code":"JPY"']) {
      expect(bodies).toContain(text);
    }
    for (const type of ["subscription_activated", "subscription_renewed", "payment_refunded"]) {
      expect(sim.events.some((e) => e.eventType === type)).toBe(true);
    }
    const refs = sim.touches.filter((t) => t.ref === "ada-reviews");
    expect(new Set(refs.map((t) => t.person)).size).toBeGreaterThan(5);
    const devicesPerPerson = new Map<number, Set<string>>();
    for (const t of sim.touches) {
      devicesPerPerson.set(t.person, (devicesPerPerson.get(t.person) ?? new Set()).add(t.device));
    }
    expect([...devicesPerPerson.values()].some((d) => d.size >= 2)).toBe(true);
  });

  it("keeps the truth apart: every credited touch exists, belongs to the buyer, and precedes the payment", () => {
    const sim = simulate({ seed: 5, now: NOW, buyers: 200 });
    const touches = new Map(sim.touches.map((t) => [t.id, t]));
    for (const p of sim.truth.payments) {
      for (const id of [p.firstTouch, p.clickChain]) {
        if (id === null || id.startsWith("affiliate-ref:")) continue;
        const touch = touches.get(id);
        expect(touch?.person).toBe(p.person);
      }
      // A junk or shared identifier never makes a buyer attributable on its own.
      if (p.kind === "junk" || p.kind === "shared_inbox") {
        if (p.firstTouch !== null) {
          const body = sim.events.find((e) => e.eventId === p.eventId)?.body ?? "";
          expect(body).toMatch(/"cf_click_id":"(E\.C\.P\.|Cj0KCQ|IwAR)/);
        }
      }
    }
    // First touch is the earliest visible touch: never later than the click-id chain's.
    for (const p of sim.truth.payments) {
      const first = p.firstTouch ? touches.get(p.firstTouch) : undefined;
      const chain = p.clickChain ? touches.get(p.clickChain) : undefined;
      if (first && chain) expect(first.at).toBeLessThanOrEqual(chain.at);
    }
  });

  it("owes each partner 20 % of its payments less the refunded share, in whole minor units", () => {
    const sim = simulate({ seed: 9, now: NOW, buyers: 200 });
    let earned = 0;
    for (const p of sim.truth.payments) {
      if (p.partnerWithoutTouches) earned += (p.amount.amount * COMMISSION_PERCENT) / 100;
    }
    const owed = Object.values(sim.truth.owedWithoutTouches)
      .flatMap((byCurrency) => Object.values(byCurrency))
      .reduce((a, b) => a + b, 0);
    expect(owed).toBeLessThanOrEqual(earned);
    for (const byCurrency of Object.values(sim.truth.owed)) {
      for (const amount of Object.values(byCurrency)) expect(Number.isInteger(amount)).toBe(true);
    }
  });

  it("marks each landing with its touch id in the URL", () => {
    const sim = simulate({ seed: 1, now: NOW, buyers: 5 });
    const landing = sim.collects.find((c) => c.body.includes('"touch"'));
    const url = (JSON.parse(landing?.body ?? "{}") as { events: { url: string }[] }).events[0]?.url;
    expect(touchIdOf(url)).toMatch(/^s1t\d+$/);
    expect(touchIdOf("not a url")).toBeNull();
  });
});
