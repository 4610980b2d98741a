import type { Storage } from "@revtrace/core";
import { describe, expectTypeOf, it } from "vitest";
import {
  createPgBossQueue,
  createPostgresStorage,
  type PgPoolLike,
  type PostgresStorageOptions,
  type QueueJob,
} from "../src/index.js";

describe("public types", () => {
  it("creates a Storage from a pool or a connection string", () => {
    expectTypeOf(createPostgresStorage).parameter(0).toEqualTypeOf<PostgresStorageOptions>();
    expectTypeOf(createPostgresStorage).returns.toEqualTypeOf<Storage>();
    expectTypeOf<PostgresStorageOptions>()
      .toHaveProperty("pool")
      .toEqualTypeOf<PgPoolLike | undefined>();
    expectTypeOf<PostgresStorageOptions>()
      .toHaveProperty("schema")
      .toEqualTypeOf<string | undefined>();
  });

  it("types queue jobs by the data sent", () => {
    const queue = createPgBossQueue({ connectionString: "postgres://localhost/db" });
    expectTypeOf(queue.work<{ n: number }>)
      .parameter(1)
      .toEqualTypeOf<(jobs: QueueJob<{ n: number }>[]) => Promise<void>>();
    expectTypeOf(queue.send).returns.toEqualTypeOf<Promise<string | null>>();
  });
});
