/**
 * review-a: the pipeline caches the promise of its first `storage.migrate()` (pipeline.ts `ready()`),
 * rejection included. One transient failure of that first migrate (here the SQLite file locked by
 * another process for longer than the 5 s busy timeout: a backup, a long `revtrace replay`, a second
 * process) makes every later webhook and collect request answer 500 and readiness 503 for the rest of
 * the process's life, while liveness stays 200 (so nothing restarts it), nothing is logged and the
 * `refused` counter stays 0. Chargebee gives up after ~3 days of 500s: those events are lost.
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, expect, test } from "vitest";
import { fixture, type Served, serve } from "./review-a-harness.ts";

let s: Served | undefined;
afterEach(async () => {
  await s?.served.close();
  s = undefined;
});

test("a storage failure during the first migrate is not cached forever", async () => {
  s = await serve();
  const lock = new DatabaseSync(join(s.dir, "rt.db"));
  lock.exec("BEGIN EXCLUSIVE");
  const event = fixture("payment_succeeded.bonusly.1.json") as Record<string, unknown>;
  event.id = "ev_review_a_lock_1";
  const during = await s.post(JSON.stringify(event));
  const refused = s.pipeline.metrics().refused; // README: `refused` counts 500 answers
  lock.exec("ROLLBACK");
  lock.close();

  // The lock is gone: the retry must be stored.
  event.id = "ev_review_a_lock_2";
  const after = await s.post(JSON.stringify(event));
  const ready = await fetch(`${s.url}/health/ready`);
  expect({ during: during.status, refused, after: after.status, ready: ready.status }).toEqual({
    during: 500, // Chargebee retries: fine
    refused: 1,
    after: 200,
    ready: 200,
  });
  expect(await s.pipeline.storage.getInboxEvent("chargebee:ev_review_a_lock_2")).not.toBeNull();
}, 30_000);
