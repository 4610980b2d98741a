/**
 * The tests' PostgreSQL: `TEST_POSTGRES_URL`, or the project's server on 127.0.0.1:5432. Each test
 * file works in schemas of its own, dropped afterwards.
 */
import { afterAll, describe, it } from "vitest";
import { createPgPool, type OwnedPool } from "../src/postgres-pool.js";

export const TEST_DATABASE_URL =
  process.env.TEST_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/** Why the server cannot be used, or `null` when it answers. */
async function probe(): Promise<string | null> {
  // A bounded wait: a server that never answers (a dropped SYN) must not hang the test run.
  const pool = createPgPool(TEST_DATABASE_URL, 1, undefined, { connectionTimeoutMillis: 3000 });
  try {
    await pool.query("SELECT 1");
    return null;
  } catch (error) {
    return String((error as { code?: unknown }).code ?? (error as Error).message);
  } finally {
    await pool.end().catch(() => {});
  }
}

const unreachable = await probe();

/** What to do with PostgreSQL tests, given why the server is unusable (`null`: it answers). */
export type PostgresGate = { mode: "run" } | { mode: "fail" | "skip"; reason: string };

/** Run when the server answers; otherwise fail under `CI=true` (CI must run them), else skip. */
export function postgresGate(
  unreachable: string | null,
  ci: string | undefined,
  url: string,
): PostgresGate {
  if (unreachable === null) return { mode: "run" };
  const reason = `PostgreSQL at ${new URL(url).host} is unreachable (${unreachable})`;
  return ci === "true"
    ? { mode: "fail", reason: `${reason}; CI=true requires these tests to run` }
    : { mode: "skip", reason: `${reason}; set TEST_POSTGRES_URL or start PostgreSQL to run them` };
}

/**
 * `describe` for tests that need PostgreSQL, following {@link postgresGate}: a skip prints its
 * reason with `console.warn`; a failure is a failing test carrying the reason.
 */
export function describePostgres(name: string, fn: () => void): void {
  const gate = postgresGate(unreachable, process.env.CI, TEST_DATABASE_URL);
  if (gate.mode === "run") {
    describe(name, fn);
  } else if (gate.mode === "fail") {
    describe(name, () => {
      it("needs PostgreSQL", () => {
        throw new Error(gate.reason);
      });
    });
  } else {
    console.warn(`Skipping "${name}": ${gate.reason}.`);
    describe.skip(name, fn);
  }
}

let counter = 0;

/**
 * A pool on the test database, and fresh schema names that are all dropped (with the pool ended)
 * after the file's tests. Call at the top of a `describePostgres` body.
 */
export function useTestSchemas(): { pool: OwnedPool; schema(): string } {
  const pool = createPgPool(TEST_DATABASE_URL, 10, undefined);
  const created: string[] = [];
  afterAll(async () => {
    for (const schema of created) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await pool.end();
  });
  return {
    pool,
    schema() {
      const name = `rt_test_${process.pid}_${Date.now().toString(36)}_${counter++}`;
      created.push(name);
      return name;
    },
  };
}
