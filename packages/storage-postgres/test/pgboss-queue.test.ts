import { ConfigError, StorageError } from "@revtrace/core";
import { afterEach, describe, expect, it } from "vitest";
import { createPgBossQueue, type PgBossQueue, type QueueJob } from "../src/index.js";
import { describePostgres, TEST_DATABASE_URL, useTestSchemas } from "./postgres-test-db.js";

describe("createPgBossQueue options", () => {
  it("needs exactly one of pool and connectionString, and a valid schema name", () => {
    expect(() => createPgBossQueue({})).toThrow(ConfigError);
    expect(() =>
      createPgBossQueue({ connectionString: TEST_DATABASE_URL, schema: "Bad Name" }),
    ).toThrow(ConfigError);
  });
});

describePostgres("pg-boss queue", () => {
  const db = useTestSchemas();
  /**
   * Resolves once the queue is idle: it holds exactly `jobs` jobs and every one of them is done
   * (completed, failed or cancelled; none created, retrying or active). A job is marked done only
   * after its handler resolved, so nothing can be delivered after this, and the test's counts are
   * final: a duplicate delivered late is counted, not missed by a poll that stopped at the first
   * count reaching the expected one.
   */
  const idle = (schema: string, queue: string, jobs: number) =>
    expect
      .poll(
        async () => {
          const { rows } = await db.pool.query(
            `SELECT count(*)::int AS jobs, (count(*) FILTER (WHERE state < 'completed'))::int AS open
               FROM "${schema}".job WHERE name = $1`,
            [queue],
          );
          return rows[0];
        },
        { timeout: 10_000, interval: 100 },
      )
      .toEqual({ jobs, open: 0 });
  const started: PgBossQueue[] = [];
  const start = async (queue: PgBossQueue) => {
    started.push(queue);
    await queue.start();
    return queue;
  };
  afterEach(async () => {
    await Promise.all(started.splice(0).map((q) => q.stop(5_000)));
  });

  it("delivers sent jobs to a worker, once per idempotency key", async () => {
    const schema = db.schema();
    const queue = await start(createPgBossQueue({ pool: db.pool, schema }));
    const seen: QueueJob<{ n: number }>[] = [];
    await queue.work<{ n: number }>(
      "deliver",
      async (jobs) => {
        seen.push(...jobs);
      },
      { pollingIntervalSeconds: 0.5, batchSize: 5 },
    );
    const first = await queue.send("deliver", { n: 1 }, { key: "tiktok:ev_1" });
    expect(first).toMatch(/^[0-9a-f-]{36}$/);
    expect(await queue.send("deliver", { n: 2 }, { key: "tiktok:ev_1" })).toBeNull();
    expect(await queue.send("deliver", { n: 3 })).not.toBeNull();
    await idle(schema, "deliver", 2);
    expect(seen).toHaveLength(2);
    const byN = [...seen].sort((x, y) => x.data.n - y.data.n);
    expect(byN.map((job) => [job.queue, job.data, job.retryCount])).toEqual([
      ["deliver", { n: 1 }, 0],
      ["deliver", { n: 3 }, 0],
    ]);
    expect(byN[0]?.id).toBe(first);
  });

  it("retries the jobs of a handler that throws", async () => {
    const schema = db.schema();
    const queue = await start(createPgBossQueue({ pool: db.pool, schema }));
    const attempts: number[] = [];
    await queue.work(
      "flaky",
      async (jobs) => {
        attempts.push(...jobs.map((job) => job.retryCount));
        if (attempts.length === 1) throw new Error("vendor answered 503");
      },
      { pollingIntervalSeconds: 0.5 },
    );
    await queue.send("flaky", { n: 1 }, { retryLimit: 3 });
    await idle(schema, "flaky", 1);
    expect(attempts).toEqual([0, 1]);
  });

  it("shares a queue between workers on separate connections: each job runs once", async () => {
    const schema = db.schema();
    const a = await start(createPgBossQueue({ pool: db.pool, schema }));
    const b = await start(
      createPgBossQueue({ connectionString: TEST_DATABASE_URL, schema, poolSize: 3 }),
    );
    const handled: [string, number][] = [];
    for (const [name, queue] of [
      ["a", a],
      ["b", b],
    ] as const) {
      await queue.work<{ n: number }>(
        "shared",
        async (jobs) => {
          for (const job of jobs) handled.push([name, job.data.n]);
        },
        { pollingIntervalSeconds: 0.5, batchSize: 3 },
      );
    }
    for (let n = 0; n < 30; n++) await (n % 2 ? a : b).send("shared", { n });
    await idle(schema, "shared", 30);
    expect(handled.map(([, n]) => n).sort((x, y) => x - y)).toEqual(
      Array.from({ length: 30 }, (_, n) => n),
    );
  });

  it("rejects calls after stop() with StorageError; stop() is idempotent", async () => {
    const queue = await start(createPgBossQueue({ pool: db.pool, schema: db.schema() }));
    await queue.stop();
    await queue.stop();
    await expect(queue.send("x", {})).rejects.toSatisfy(StorageError.isInstance);
  });
});
