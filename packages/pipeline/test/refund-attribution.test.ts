/**
 * Attribution through the pipeline on a hand-computed path (touchpoints A–D, a payment, a later
 * touchpoint, a renewal and a partial refund) under every model: a refund takes back its payment's
 * credit from the same touchpoints, whether or not its body carries the subscription.
 */
import { type Conversion, createTouchpoint } from "@revtrace/core";
import { createIdentityResolver } from "@revtrace/identity";
import { createCaptureSink } from "@revtrace/testing/sink";
import { afterEach, describe, expect, it } from "vitest";
import { account, type RStack, rstack } from "./sandbox-stack.ts";

let s: RStack | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});
const DAY = 86_400_000;

describe("attribution through the pipeline", () => {
  for (const withSub of [true, false])
    it(`the README path A..D under every model, the renewal and a refund (refund body ${withSub ? "with" : "without"} subscription)`, async () => {
      const cap = createCaptureSink(["first_payment", "recurring_payment", "refund"]);
      s = await rstack(
        {
          attribution: {
            models: [
              "first_touch",
              "last_touch",
              "last_non_direct",
              "linear",
              { model: "time_decay", halfLifeMs: 7 * DAY },
              "position_based",
              "click_id_chain",
            ],
          },
        },
        { include: [], extraSinks: [cap] },
      );
      const t0 = Date.now() - 50 * DAY; // day 0
      const V = "anon_rb_attr_1";
      await s.storage.addTouchpoints([
        createTouchpoint({
          id: "A",
          anonymousId: V,
          occurredAt: t0,
          clickIds: { gclid: "gclid-A" },
          landingPage: "https://x.io/?gclid=gclid-A",
        }),
        createTouchpoint({
          id: "B",
          anonymousId: V,
          occurredAt: t0 + 3 * DAY,
          referrer: "https://facebook.com/",
          landingPage: "https://x.io/",
        }),
        createTouchpoint({
          id: "C",
          anonymousId: V,
          occurredAt: t0 + 6 * DAY,
          utm: { medium: "email", source: "newsletter" },
          landingPage: "https://x.io/?utm_medium=email",
        }),
        createTouchpoint({
          id: "D",
          anonymousId: V,
          occurredAt: t0 + 9 * DAY,
          landingPage: "https://x.io/pricing",
        }),
        createTouchpoint({
          id: "E",
          anonymousId: V,
          occurredAt: t0 + 20 * DAY,
          clickIds: { ttclid: "tt-E" },
          landingPage: "https://x.io/?ttclid=tt-E",
        }),
      ]);
      const a = account(20, {
        createdAt: t0 + 10 * DAY,
        clickId: "gclid-A",
        plan: { id: "p100", currency: "USD", price: 10000 },
      });
      await createIdentityResolver({ storage: s.storage }).link(
        [
          { kind: "anonymous_id", value: V },
          { kind: "email", value: a.acct.email },
        ],
        { source: "lead_form", observationId: "form:rb-attr", at: t0 + 9 * DAY },
      );
      await s.post(a.created());
      await s.post(a.paid(1, t0 + 10 * DAY));
      await s.post(a.paid(2, t0 + 40 * DAY)); // renewal on day 40, after E (day 20)
      const refundBody = JSON.parse(a.refunded(1, 3000, false, 1, t0 + 41 * DAY));
      if (withSub) {
        refundBody.content.subscription = JSON.parse(a.paid(1, t0 + 10 * DAY)).content.subscription;
      }
      await s.post(JSON.stringify(refundBody));
      await s.pipeline.drain();
      const byName = (name: string) => cap.delivered.find((c) => c.name === name) as Conversion;
      const table = (c: Conversion) => {
        const out: Record<string, Record<string, number>> = {};
        for (const cr of c.credits ?? []) {
          out[cr.model] ??= {};
          (out[cr.model] as Record<string, number>)[cr.touchpoint.id] = cr.amount?.amount ?? 0;
        }
        return out;
      };
      const first = table(byName("first_payment"));
      expect(first).toEqual({
        first_touch: { A: 10000 },
        last_touch: { D: 10000 },
        last_non_direct: { C: 10000 },
        linear: { A: 2500, B: 2500, C: 2500, D: 2500 },
        time_decay: { A: 1516, B: 2041, C: 2746, D: 3697 },
        position_based: { A: 4000, B: 1000, C: 1000, D: 4000 },
        click_id_chain: { A: 10000 },
      });
      const renewal = table(byName("recurring_payment"));
      expect(renewal).toEqual(first);
      const refund = table(byName("refund"));
      // The refund takes back 30 % of payment 1's credit from the same touchpoints, under every model.
      expect(refund).toEqual({
        first_touch: { A: -3000 },
        last_touch: { D: -3000 },
        last_non_direct: { C: -3000 },
        linear: { A: -750, B: -750, C: -750, D: -750 },
        time_decay: { A: -455, B: -612, C: -824, D: -1109 },
        position_based: { A: -1200, B: -300, C: -300, D: -1200 },
        click_id_chain: { A: -3000 },
      });
    });
});
