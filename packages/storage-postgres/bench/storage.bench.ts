/**
 * Storage engines compared, with the memory engine as the baseline measured in the same run:
 * receipts claimed/s, outbox enqueue+claim+ack/s, touchpoint inserts/s and range queries/s, for
 * memory, SQLite (a file in a temp dir; FULL and NORMAL sync, group commit on and off) and PostgreSQL
 * (`TEST_POSTGRES_URL` or 127.0.0.1:5432/test, in a throwaway schema; skipped when unreachable).
 *
 * Writes are issued 16 at a time (`Promise.all`), as concurrent webhook requests would; each row of
 * the tables counts single operations.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Storage, Touchpoint } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { type BenchResult, benchAsync, report } from "../../../scripts/bench-kit.ts";
import { createPostgresStorage } from "../src/index.js";
import { createPgPool } from "../src/postgres-pool.js";

const CONCURRENCY = 16;
const VISITORS = 1_000;
const DAY = 86_400_000;
const T0 = 1_700_000_000_000;
const url = process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

const dir = mkdtempSync(join(tmpdir(), "revtrace-bench-"));
const admin = createPgPool(url, 2, undefined);
const schema = `rt_bench_${process.pid}`;
const pgReachable = await admin.query("SELECT 1").then(
  () => true,
  (error: { code?: string }) => {
    console.log(
      `\nPostgreSQL at ${new URL(url).host} unreachable (${error.code}): benchmarking without it.`,
    );
    return false;
  },
);

const engines: [string, () => Storage][] = [
  ["memory", () => createMemoryStorage()],
  ["sqlite FULL, group commit", () => createSqliteStorage({ path: join(dir, "full.db") })],
  [
    "sqlite NORMAL, group commit",
    () => createSqliteStorage({ path: join(dir, "normal.db"), synchronous: "NORMAL" }),
  ],
  [
    "sqlite FULL, one txn per write",
    () => createSqliteStorage({ path: join(dir, "plain.db"), groupCommit: false }),
  ],
  ...(pgReachable
    ? [
        [
          "postgres (pool of 10)",
          () => createPostgresStorage({ connectionString: url, schema }),
        ] as [string, () => Storage],
      ]
    : []),
];

const touchpoint = (id: string, visitor: number, occurredAt: number): Touchpoint => ({
  id,
  anonymousId: `anon-${visitor}`,
  occurredAt,
  clickIds: { ttclid: "E.C.P.v3Zq", affiliateRef: "partner-7" },
  utm: { source: "tiktok", medium: "cpc", campaign: "spring" },
  landingPage: "https://shop.example/pricing?ttclid=E.C.P.v3Zq",
  userAgent: "Mozilla/5.0 (X11; Linux x86_64)",
  ip: "203.0.113.7",
  channel: "paid_social",
});

const results = new Map<string, BenchResult[]>();
const record = (metric: string, result: BenchResult) => {
  results.set(metric, [...(results.get(metric) ?? []), result]);
};

for (const [name, create] of engines) {
  const storage = create();
  await storage.migrate();
  // Range queries run against 20 touchpoints per visitor over 60 days.
  const seed = Array.from({ length: VISITORS * 20 }, (_, i) =>
    touchpoint(`seed-${i}`, i % VISITORS, T0 + ((i * 7_919) % (60 * DAY))),
  );
  for (let i = 0; i < seed.length; i += 1_000)
    await storage.addTouchpoints(seed.slice(i, i + 1_000));

  let n = 0;
  const opts = { opsPerCall: CONCURRENCY };
  record(
    "receipt claims",
    await benchAsync(
      name,
      () =>
        Promise.all(
          Array.from({ length: CONCURRENCY }, () =>
            storage.claimReceipt({
              key: `chargebee:ev_${n++}`,
              type: "payment_succeeded",
              receivedAt: T0,
            }),
          ),
        ),
      opts,
    ),
  );
  record(
    "outbox enqueue + claim + ack (per item)",
    await benchAsync(
      name,
      async () => {
        const batch = Array.from({ length: CONCURRENCY }, () => ({
          sink: "tiktok",
          idempotencyKey: `ev_${n++}`,
          payload: { event: "CompletePayment", value: 49.99, currency: "USD" },
        }));
        await storage.enqueue(batch, T0);
        const items = await storage.claim({
          sink: "tiktok",
          limit: CONCURRENCY,
          leaseMs: 60_000,
          now: T0,
        });
        await Promise.all(items.map((item) => storage.ack(item.id, item.leaseToken as string, T0)));
      },
      opts,
    ),
  );
  record(
    "touchpoint inserts",
    await benchAsync(
      name,
      () =>
        Promise.all(
          Array.from({ length: CONCURRENCY }, () =>
            storage.addTouchpoints([touchpoint(`tp-${n++}`, n % VISITORS, T0 + (n % (60 * DAY)))]),
          ),
        ),
      opts,
    ),
  );
  record(
    "touchpoint range queries (3 visitors, 30 days)",
    await benchAsync(name, () => {
      const v = n++ % (VISITORS - 3);
      return storage.listTouchpoints({
        anonymousIds: [`anon-${v}`, `anon-${v + 1}`, `anon-${v + 2}`],
        range: { from: T0 + 10 * DAY, to: T0 + 40 * DAY },
      });
    }),
  );
  await storage.close();
}

for (const [metric, list] of results) {
  const [baseline, ...others] = list as [BenchResult, ...BenchResult[]];
  report(`${metric}: ops/s by engine (memory is the baseline)`, baseline, others);
}

if (pgReachable) await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
await admin.end();
rmSync(dir, { recursive: true, force: true });
