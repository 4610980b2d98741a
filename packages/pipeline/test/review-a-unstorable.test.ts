/**
 * review-a: strings the storage refuses as input (U+0000, a lone UTF-16 surrogate) pass the collect
 * endpoint's and the webhook parser's validation, are acknowledged (204 / 200), and then every attempt
 * of the worker fails with an invalid-input StorageError until the item is dead-lettered: the batch
 * (every touchpoint in it, valid ones included) or the Chargebee event is never applied, and
 * `replayDeadLetters` cannot help. The README promises such bodies are refused (400) and quarantined.
 */
import { afterEach, expect, test } from "vitest";
import { fixture, type Served, serve } from "./review-a-harness.ts";

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

test("collect: a click id holding U+0000 is answered 204, then its whole batch is dead-lettered", async () => {
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
  // Either refuse it (400) or store it; acknowledging and then never applying it loses the landing.
  const dead = await deadWork(s);
  expect({ status: response.status, dead }).toEqual(
    response.status === 400 ? { status: 400, dead: [] } : { status: 204, dead: [] },
  );
}, 30_000);

test("webhook: a cf_click_id or customer id holding U+0000 is answered 200, then dead-lettered by the worker", async () => {
  s = await serve({ worker: { maxAttempts: 1 } });
  const click = fixture("subscription_created.bonusly.1.json") as any;
  click.id = "ev_review_a_nul_click";
  click.content.subscription.cf_click_id = "ttclid\u0000";
  const customer = fixture("payment_succeeded.bonusly.1.json") as any;
  customer.id = "ev_review_a_nul_customer";
  customer.content.customer.id = "cus\u0000";
  const statuses = [
    (await s.post(JSON.stringify(click))).status,
    (await s.post(JSON.stringify(customer))).status,
  ];
  const dead = await deadWork(s);
  // 200 promises the event will be processed; a 400 would have quarantined it for a replay.
  expect({ statuses, dead }).toEqual({ statuses: [200, 200], dead: [] });
}, 30_000);
