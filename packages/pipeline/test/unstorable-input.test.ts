/**
 * Strings no store holds (U+0000, a lone UTF-16 surrogate) are refused at the door, never
 * acknowledged and then refused by storage in the worker on every attempt (dead-lettering the batch
 * or the event, valid parts included, with no replay that could help): the collect endpoint answers
 * 400; a Chargebee event whose identity key holds one loses that key (rejected as `unstorable`) and is
 * processed; one whose id holds one is invalid (400) and quarantined.
 */
import { afterEach, expect, test } from "vitest";
import { fixture, type Served, serve } from "./served-harness.ts";

let s: Served | undefined;
afterEach(async () => {
  await s?.served.close();
  s = undefined;
});

async function deadWork(served: Served) {
  await served.pipeline.drain({ timeoutMs: 10_000 });
  const failures = await served.pipeline.storage.listFailures({ limit: 100 });
  return failures
    .filter((f) => f.status === "dead")
    .map((f) => `${f.idempotencyKey}: ${f.lastError}`);
}

test("collect: a click id holding U+0000 is dropped (200 naming it), the landings stored, nothing dead-lettered", async () => {
  s = await serve({ worker: { maxAttempts: 1 } });
  const at = Date.now();
  const response = await fetch(`${s.url}/rt/collect`, {
    method: "POST",
    headers: { "content-type": "text/plain" },
    // what the tracker sends for a landing on /?ttclid=abc%00 next to an ordinary one
    body: JSON.stringify({
      v: 1,
      events: [
        { type: "touch", at, url: "https://site.example/pricing", utm: { source: "google" } },
        {
          type: "touch",
          at: at + 1,
          url: "https://site.example/?ttclid=abc%00",
          clickIds: { ttclid: "abc\u0000" },
        },
      ],
    }),
  });
  // Acknowledging and then never applying it would lose both landings: the bad click id alone goes.
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual({
    dropped: [
      {
        path: ["events", "1", "clickIds", "ttclid"],
        message: "must not contain U+0000 or a lone UTF-16 surrogate",
      },
    ],
  });
  expect(await deadWork(s)).toEqual([]);
  expect(s.pipeline.metrics().collect).toMatchObject({ touchpoints: 2, droppedFields: 1 });
}, 30_000);

type Fixture = {
  id: string;
  content: { subscription: Record<string, unknown>; customer: Record<string, unknown> };
};

test("webhook: a cf_click_id holding U+0000 is dropped as a key, a customer id holding it is quarantined", async () => {
  s = await serve({ worker: { maxAttempts: 1 } });
  const click = fixture("subscription_created.bonusly.1.json") as Fixture;
  click.id = "ev_nul_click";
  click.content.subscription.cf_click_id = "ttclid\u0000";
  const customer = fixture("payment_succeeded.bonusly.1.json") as Fixture;
  customer.id = "ev_nul_customer";
  customer.content.customer.id = "cus\u0000";
  const lone = fixture("payment_succeeded.bonusly.1.json") as Fixture;
  lone.id = "ev_lone_subscription";
  lone.content.subscription.id = "sub_\ud800";
  const statuses = [
    (await s.post(JSON.stringify(click))).status,
    (await s.post(JSON.stringify(customer))).status,
    (await s.post(JSON.stringify(lone))).status,
  ];
  const dead = await deadWork(s);
  // The click id is no key (the identity resolver rejects it as `unstorable`) and the event is
  // processed; ids that name stored rows make the event invalid: 400, kept in quarantine.
  expect({ statuses, dead }).toEqual({ statuses: [200, 400, 400], dead: [] });
  const quarantined = await s.pipeline.storage.listQuarantine({ limit: 10 });
  const paths = quarantined.map((q) => (q.error.issues as { path: string[] }[])[0]?.path.join("."));
  expect(paths).toEqual(["content.customer.id", "content.subscription.id"]);
  expect(await s.pipeline.storage.getInboxEvent("chargebee:ev_nul_click")).not.toBeNull();
}, 30_000);
