/**
 * A failed first `storage.migrate()` is not remembered: one transient failure (the SQLite file
 * locked by another process for longer than the busy timeout: a backup, a long `revtrace replay`)
 * answers 500 (logged, counted as refused), and the next request migrates again and is stored. Were
 * the rejection cached, every later request would answer 500 and readiness 503 for the life of the
 * process while liveness stays 200, and Chargebee gives up after about 3 days.
 */

import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, expect, test } from "vitest";
import { fixture, type Served, serve } from "./served-harness.ts";

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
  event.id = "ev_lock_1";
  const during = await s.post(JSON.stringify(event));
  const refused = s.pipeline.metrics().refused; // README: `refused` counts 500 answers
  lock.exec("ROLLBACK");
  lock.close();

  // The lock is gone: the retry must be stored.
  event.id = "ev_lock_2";
  const after = await s.post(JSON.stringify(event));
  const ready = await fetch(`${s.url}/health/ready`);
  expect({ during: during.status, refused, after: after.status, ready: ready.status }).toEqual({
    during: 500, // Chargebee retries: fine
    refused: 1,
    after: 200,
    ready: 200,
  });
  expect(await s.pipeline.storage.getInboxEvent("chargebee:ev_lock_2")).not.toBeNull();
}, 30_000);
