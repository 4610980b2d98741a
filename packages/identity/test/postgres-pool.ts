/**
 * A `pg` pool for the identity tests that run on PostgreSQL (127.0.0.1:5432, database `test`):
 * `pg` is CommonJS without bundled types, so it is loaded through `require` and typed as the pool
 * `createPostgresStorage` takes, plus `end()`.
 */
import { createRequire } from "node:module";
import type { createPostgresStorage } from "@revtrace/storage-postgres";

type StoragePool = NonNullable<Parameters<typeof createPostgresStorage>[0]["pool"]>;
export type TestPool = StoragePool & { end(): Promise<void> };

const pg = createRequire(import.meta.url)("pg") as {
  Pool: new (options: { connectionString: string; max: number }) => TestPool;
};

export const POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** A pool of `max` connections to the test database. */
export function testPool(max: number): TestPool {
  return new pg.Pool({ connectionString: POSTGRES_URL, max });
}
