/**
 * The cross-process rate limiter on the real PostgreSQL: several limiter instances (as separate
 * processes would have) on one key share one budget; aborts leave the line; bad options fail at
 * once. The multi-process run against the ActiveCampaign emulator is in sink-activecampaign's tests.
 */
import { expect, it } from "vitest";
import { createPostgresRateLimiter } from "../src/index.js";
import { describePostgres, useTestSchemas } from "./postgres-test-db.js";

/** The most timestamps inside any window of `windowMs`. */
function mostInWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] as number) - (sorted[start] as number) >= windowMs) start++;
    most = Math.max(most, end - start + 1);
  }
  return most;
}

describePostgres("createPostgresRateLimiter", () => {
  const db = useTestSchemas();

  it("lets at most `limit` starts into any window, across instances sharing the key", async () => {
    const schema = db.schema();
    const limiters = [1, 2, 3].map(() =>
      createPostgresRateLimiter({
        pool: db.pool,
        schema,
        key: "acct:shared",
        limit: 5,
        intervalMs: 1000,
      }),
    );
    const other = createPostgresRateLimiter({ pool: db.pool, schema, key: "acct:other", limit: 5 });
    const started = Date.now();
    const granted: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        (limiters[i % 3] as (typeof limiters)[number])
          .acquire()
          .then(() => granted.push(Date.now())),
      ),
    );
    expect(granted).toHaveLength(12);
    expect(mostInWindow(granted, 1000)).toBeLessThanOrEqual(5);
    // 12 starts at 5 per window need three windows: the limit itself, not a tighter timing.
    expect(Math.max(...granted) - started).toBeGreaterThanOrEqual(2000);
    // Another key has a budget of its own.
    const before = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => other.acquire()));
    expect(Date.now() - before).toBeLessThan(1000);
    for (const limiter of [...limiters, other]) await limiter.close();
  });

  it("holds every instance sharing the key during a pause (a shorter one never cuts it short)", async () => {
    const schema = db.schema();
    // A table from before pauses existed: the limiter adds the column it needs.
    await db.pool.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`);
    await db.pool.query(
      `CREATE TABLE "${schema}".revtrace_rate_limits (key text PRIMARY KEY, grants double precision[] NOT NULL)`,
    );
    const make = (key: string) =>
      createPostgresRateLimiter({ pool: db.pool, schema, key, limit: 5, intervalMs: 1000 });
    const [throttled, sibling, other] = [make("acct:paused"), make("acct:paused"), make("acct:x")];
    await throttled.acquire();
    const pausedAt = Date.now();
    await throttled.pause?.(1500);
    await sibling.pause?.(10); // shorter: the 1.5 s pause stands
    const order: string[] = [];
    await Promise.all([
      sibling.acquire().then(() => order.push("sibling")),
      throttled.acquire().then(() => order.push("throttled")),
      other.acquire().then(() => order.push("other")),
    ]);
    expect(order[0]).toBe("other");
    // Both instances of the paused key waited for the pause (by the database's clock, same host).
    expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(1400);
    expect(order.slice(1).sort()).toEqual(["sibling", "throttled"]);
    for (const limiter of [throttled, sibling, other]) await limiter.close();
  });

  it("rejects with the signal's reason when aborted while waiting, and frees the line", async () => {
    const limiter = createPostgresRateLimiter({
      pool: db.pool,
      schema: db.schema(),
      key: "acct:abort",
      limit: 1,
      intervalMs: 60_000,
    });
    await limiter.acquire();
    const controller = new AbortController();
    const waiting = limiter.acquire(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    const already = new AbortController();
    already.abort(new Error("early"));
    await expect(limiter.acquire(already.signal)).rejects.toThrow("early");
    await limiter.close();
  });

  it("refuses bad options with a ConfigError naming the fields", () => {
    expect(() =>
      createPostgresRateLimiter({ key: "", limit: 0, schema: "Bad-Name" } as never),
    ).toThrow(
      expect.objectContaining({
        name: "ConfigError",
        fields: expect.arrayContaining(["key", "limit", "schema"]),
      }),
    );
  });

  it("fails with a StorageError when the database cannot be reached", async () => {
    const limiter = createPostgresRateLimiter({
      connectionString: "postgres://nobody@127.0.0.1:1/none",
      key: "acct:down",
    });
    await expect(limiter.acquire()).rejects.toMatchObject({ name: "StorageError" });
    await limiter.close();
  });
});
