import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { ConfigError, StorageError } from "@revtrace/core";
import { describe, expect, it } from "vitest";
import { createPostgresStorage, type PgPoolLike, readPostgresMigrations } from "../src/index.js";
import { describePostgres, TEST_DATABASE_URL, useTestSchemas } from "./postgres-test-db.js";

const rejection = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (error: unknown) => error,
  );

const configError = (options: unknown) => {
  try {
    createPostgresStorage(options as never);
  } catch (error) {
    expect(ConfigError.isInstance(error)).toBe(true);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError");
};

describe("createPostgresStorage options", () => {
  it("needs exactly one of pool and connectionString", () => {
    expect(configError({}).fields).toEqual(["pool", "connectionString"]);
    const both = { pool: { query() {}, connect() {} }, connectionString: TEST_DATABASE_URL };
    expect(configError(both).fields).toEqual(["pool", "connectionString"]);
  });

  it("names bad fields without echoing their values", () => {
    const error = configError({
      connectionString: "postgres://user:s3cret@db.example/app",
      schema: "Robert'); DROP TABLE--",
      poolSize: 0,
      pool: "not a pool",
    });
    expect(error.fields).toEqual(["pool", "poolSize", "schema"]);
    expect(error.message).not.toContain("s3cret");
    expect(error.message).not.toContain("DROP");
  });

  it("ships its migrations as SQL files listed in the package's files", () => {
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
      files: string[];
    };
    expect(pkg.files).toContain("migrations");
    expect(readPostgresMigrations().map((m) => [m.version, m.name])).toEqual([
      [1, "initial"],
      [2, "inbox"],
      [3, "mappings"],
      [4, "identity_edge_order"],
    ]);
  });

  it("reports an unreachable server as StorageError, without the connection string", async () => {
    const storage = createPostgresStorage({
      connectionString: "postgres://user:s3cret@127.0.0.1:1/db",
    });
    const error = await rejection(storage.getReceipt("k"));
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe("postgres storage: getReceipt failed: ECONNREFUSED");
    await storage.close();
  });
});

describePostgres("postgres storage engine", () => {
  const db = useTestSchemas();

  const schemaExists = async (schema: string) =>
    (await db.pool.query("SELECT 1 FROM pg_namespace WHERE nspname = $1", [schema])).rowCount === 1;

  it("creates nothing before migrate(): calls fail with a hint", async () => {
    const schema = db.schema();
    const storage = createPostgresStorage({ pool: db.pool, schema });
    const error = await rejection(storage.claimReceipt({ key: "k", type: "t", receivedAt: 1 }));
    expect(StorageError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "postgres storage: claimReceipt failed: the schema is missing: run migrate() first",
    );
    expect(await schemaExists(schema)).toBe(false);
    await storage.close();
  });

  it("migrates safely from many connections at once, applying each migration once", async () => {
    const schema = db.schema();
    const storages = Array.from({ length: 6 }, () =>
      createPostgresStorage({ connectionString: TEST_DATABASE_URL, schema, poolSize: 1 }),
    );
    await Promise.all(storages.map((s) => s.migrate()));
    await Promise.all(storages.map((s) => s.migrate()));
    const { rows } = await db.pool.query(
      `SELECT version, name FROM "${schema}".revtrace_migrations`,
    );
    expect(rows).toEqual([
      { version: 1, name: "initial" },
      { version: 2, name: "inbox" },
      { version: 3, name: "mappings" },
      { version: 4, name: "identity_edge_order" },
    ]);
    await Promise.all(storages.map((s) => s.close()));
  });

  it("refuses a schema migrated by a newer version of the package", async () => {
    const schema = db.schema();
    const storage = createPostgresStorage({ pool: db.pool, schema });
    await storage.migrate();
    await db.pool.query(`INSERT INTO "${schema}".revtrace_migrations VALUES (999, 'future', 0)`);
    const error = await rejection(storage.migrate());
    expect((error as Error).message).toMatch(/version 999, newer than this package knows \(4\)/);
    await storage.close();
  });

  it("keeps installations in different schemas apart", async () => {
    const [a, b] = [db.schema(), db.schema()].map((schema) =>
      createPostgresStorage({ pool: db.pool, schema }),
    ) as [ReturnType<typeof createPostgresStorage>, ReturnType<typeof createPostgresStorage>];
    await a.migrate();
    await b.migrate();
    expect(await a.claimReceipt({ key: "k", type: "t", receivedAt: 1 })).toBe(true);
    expect(await b.claimReceipt({ key: "k", type: "t", receivedAt: 1 })).toBe(true);
    expect(await a.getReceipt("k")).not.toBeNull();
    await a.close();
    await b.close();
  });

  it("has exactly one winner among receipt claims from several pools", async () => {
    const schema = db.schema();
    const first = createPostgresStorage({ pool: db.pool, schema });
    await first.migrate();
    const others = Array.from({ length: 4 }, () =>
      createPostgresStorage({ connectionString: TEST_DATABASE_URL, schema, poolSize: 4 }),
    );
    const all = [first, ...others];
    for (let round = 0; round < 5; round++) {
      const key = `chargebee:ev_${round}`;
      const results = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          (all[i % all.length] as (typeof all)[number]).claimReceipt({
            key,
            type: "t",
            receivedAt: i,
          }),
        ),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    }
    await Promise.all(all.map((s) => s.close()));
  });

  it("leaves a pool it was given open, and ends one it created", async () => {
    const schema = db.schema();
    const given = createPostgresStorage({ pool: db.pool, schema });
    await given.migrate();
    await given.close();
    expect((await db.pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);

    // A connection-string parameter names this storage's own connections.
    const name = `rt_owned_${process.pid}`;
    const connections = async () =>
      (
        await db.pool.query(
          "SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1",
          [name],
        )
      ).rows[0]?.n;
    const owned = createPostgresStorage({
      connectionString: `${TEST_DATABASE_URL}?application_name=${name}`,
      schema,
      poolSize: 3,
    });
    await Promise.all([owned.getReceipt("a"), owned.getReceipt("b"), owned.getReceipt("c")]);
    expect(await connections()).toBeGreaterThan(0);
    await owned.close();
    await expect.poll(connections).toBe(0);
  });

  const webhook = (key: string, receivedAt = 1) => ({
    key,
    source: "chargebee",
    type: "payment_succeeded",
    receivedAt,
    rawBody: `{"id":"${key}"}`,
    event: { id: key },
  });

  it("group-commits concurrent ingests: one statement (one transaction), each resolved after its commit", async () => {
    const schema = db.schema();
    let ingests = 0;
    const counting: PgPoolLike = {
      query(text, values) {
        if (text.includes("inbox_events (key, source, type")) ingests++;
        return db.pool.query(text, values);
      },
      async connect() {
        const client = await db.pool.connect();
        return {
          query(text: string, values?: unknown[]) {
            if (text.includes("inbox_events (key, source, type")) ingests++;
            return client.query(text, values);
          },
          release: (error?: Error | boolean) => client.release(error),
        };
      },
    };
    const storage = createPostgresStorage({ pool: counting, schema });
    await storage.migrate();
    ingests = 0;
    const visible = async (key: string) =>
      (await db.pool.query(`SELECT 1 FROM "${schema}".inbox_events WHERE key = $1`, [key]))
        .rowCount;
    const seen = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        storage
          .ingest(webhook(`ev_${i % 15}`, i), [{ sink: "s", idempotencyKey: `w${i}`, payload: {} }])
          .then(async (result) => [result.duplicate, await visible(`ev_${i % 15}`)]),
      ),
    );
    expect(ingests).toBe(1);
    expect(seen.filter(([duplicate]) => duplicate === false)).toHaveLength(15);
    expect(seen.every(([, rows]) => rows === 1)).toBe(true);
    await storage.close();
  });

  it("an ingest the database refuses fails alone; the rest of its group commits", async () => {
    const schema = db.schema();
    const storage = createPostgresStorage({ pool: db.pool, schema });
    await storage.migrate();
    // Too long for a btree index entry (random bytes, so compression cannot shrink it): SQLSTATE 54000.
    const huge = randomBytes(9_000).toString("base64");
    const results = await Promise.allSettled([
      storage.ingest(webhook("ev_a"), [{ sink: "s", idempotencyKey: "a", payload: {} }]),
      storage.ingest(webhook(huge), [{ sink: "s", idempotencyKey: "huge", payload: {} }]),
      storage.ingest(webhook("ev_b"), [{ sink: "s", idempotencyKey: "b", payload: {} }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    const error = (results[1] as PromiseRejectedResult).reason as StorageError;
    expect(StorageError.isInstance(error)).toBe(true);
    expect(error.message).toBe("postgres storage: ingest failed: SQLSTATE 54000");
    expect(await storage.getInboxEvent("ev_a")).not.toBeNull();
    expect(await storage.getInboxEvent(huge)).toBeNull();
    const claimed = await storage.claim({ sink: "s", limit: 10, leaseMs: 1, now: 10 });
    expect(claimed.map((item) => item.idempotencyKey).sort()).toEqual(["a", "b"]);
    await storage.close();
  });

  describe("close() with calls in flight", () => {
    const twenty = (storage: ReturnType<typeof createPostgresStorage>) =>
      Array.from({ length: 20 }, (_, i) =>
        i % 2 === 0
          ? storage.claimReceipt({ key: `k${i}`, type: "t", receivedAt: i })
          : storage.getReceipt(`k${i - 1}`),
      );
    const migrated = async (options: { closeTimeoutMs?: number } = {}) => {
      const schema = db.schema();
      await createPostgresStorage({ pool: db.pool, schema }).migrate();
      const storage = createPostgresStorage({
        connectionString: TEST_DATABASE_URL,
        schema,
        poolSize: 2,
        ...options,
      });
      return { storage, schema };
    };

    it.each([
      ["in the same tick", false],
      ["one tick later", true],
    ])("waits for 20 calls on a pool of 2 when called %s", async (_, tick) => {
      const { storage } = await migrated();
      const calls = twenty(storage);
      if (tick) await new Promise((resolve) => setImmediate(resolve));
      await storage.close();
      const outcomes = await Promise.allSettled(calls);
      expect(outcomes.map((o) => o.status)).toEqual(Array(20).fill("fulfilled"));
      expect(
        outcomes.filter((o, i) => i % 2 === 0 && o.status === "fulfilled" && o.value),
      ).toHaveLength(10);
    });

    it("rejects calls still running after closeTimeoutMs with StorageError, and returns", async () => {
      const { storage, schema } = await migrated({ closeTimeoutMs: 50 });
      await storage.claimReceipt({ key: "warm", type: "t", receivedAt: 0 });
      // Another connection locks the table, so the read below waits until after close() gave up.
      const locker = await db.pool.connect();
      try {
        await locker.query("BEGIN");
        await locker.query(`LOCK TABLE "${schema}".receipts IN ACCESS EXCLUSIVE MODE`);
        const blocked = rejection(storage.getReceipt("warm"));
        await storage.close();
        const error = (await blocked) as StorageError;
        expect(StorageError.isInstance(error)).toBe(true);
        expect(error.message).toBe(
          "postgres storage: getReceipt: still running when close() stopped waiting; its outcome is unknown",
        );
        await expect(storage.getReceipt("warm")).rejects.toSatisfy(StorageError.isInstance);
      } finally {
        await locker.query("ROLLBACK");
        locker.release();
      }
    });
  });

  it("keeps the ledger append-only even against raw SQL", async () => {
    const schema = db.schema();
    const storage = createPostgresStorage({ pool: db.pool, schema });
    await storage.migrate();
    await storage.appendCommissions([
      {
        key: "c1",
        partnerId: "p",
        programId: null,
        kind: "earned",
        amount: { amount: 1, currency: "USD" },
        transactionId: null,
        refundTransactionId: null,
        subscriptionId: null,
        customerId: null,
        occurredAt: 0,
        note: null,
      },
    ]);
    for (const sql of ["UPDATE %s SET amount = 2", "DELETE FROM %s", "TRUNCATE %s"]) {
      await expect(db.pool.query(sql.replace("%s", `"${schema}".commissions`))).rejects.toThrow(
        /append-only/,
      );
    }
    await storage.close();
  });
});
