/**
 * bad input to the resolver must give a typed error (README "Errors": `TypeError` for
 * malformed evidence, `forget` without a string `personId`, …), never a `StorageError` from the
 * engine's own validation, and never a different answer per engine.
 */
import type { IdentityKey, IdentityKeyKind, IdentityStore } from "@revtrace/core";
import { StorageError } from "@revtrace/core";
import { createMemoryStorage } from "@revtrace/storage-memory";
import { createPostgresStorage } from "@revtrace/storage-postgres";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIdentityResolver, type IdentityResolver } from "../src/index.js";
import { testPool } from "./postgres-pool.js";

const k = (kind: IdentityKeyKind, value: string): IdentityKey => ({ kind, value });
const ev = (over: Record<string, unknown> = {}) =>
  ({ source: "form", observationId: "o1", at: 1_000, ...over }) as never;

const schema = `review_d_bad_${process.pid}_${Date.now().toString(36)}`;
const pool = testPool(2);
const stores: Record<string, IdentityStore & { close(): Promise<void> }> = {};
beforeAll(async () => {
  const sqlite = createSqliteStorage({ path: ":memory:" });
  await sqlite.migrate();
  const postgres = createPostgresStorage({ pool, schema });
  await postgres.migrate();
  Object.assign(stores, { memory: createMemoryStorage(), sqlite, postgres });
});
afterAll(async () => {
  for (const s of Object.values(stores)) await s.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await pool.end();
});

const CASES: [string, (r: IdentityResolver) => Promise<unknown>][] = [
  // finite, but not integer epoch ms: the store refuses the person's createdAt
  ["link with at = 1.5", (r) => r.link([k("email", "a1@acme.io")], ev({ at: 1.5 }))],
  [
    "link with at = 1e20",
    (r) => r.link([k("email", "a2@acme.io")], ev({ at: 1e20, observationId: "o2" })),
  ],
  // unstorable evidence text (keys holding these are rejected as `unstorable`; evidence is not checked)
  [
    "link with U+0000 in source",
    (r) => r.link([k("email", "a3@acme.io")], ev({ source: "f\u0000", observationId: "o3" })),
  ],
  [
    "link with a lone surrogate in observationId",
    (r) => r.link([k("email", "a4@acme.io")], ev({ observationId: "o\ud800" })),
  ],
  // PostgreSQL: SQLSTATE 54000 (index row too large); memory and SQLite accept it
  [
    "link with a 1 MB observationId",
    (r) => r.link([k("email", "a5@acme.io")], ev({ observationId: "x".repeat(1_000_000) })),
  ],
  ["get(5)", (r) => r.get(5 as never)],
  ["get with U+0000", (r) => r.get("p_\u0000")],
  ["explain with a lone surrogate", (r) => r.explain("p_\ud800")],
  ["forget({ personId }) with U+0000", (r) => r.forget({ personId: "p_\u0000" })],
  // resolve() answers null for the same key; forget() lets the store throw
  [
    "forget({ keys }) with U+0000 in a value",
    (r) => r.forget({ keys: [k("email", "a\u0000@acme.io")] }),
  ],
];

describe("bad input never surfaces as a StorageError", () => {
  for (const engine of ["memory", "sqlite", "postgres"]) {
    for (const [name, call] of CASES) {
      it(`${engine}: ${name}`, async () => {
        const identity = createIdentityResolver({ storage: stores[engine] as IdentityStore });
        const outcome = await call(identity).then(
          () => "ok",
          (error: unknown) =>
            StorageError.isInstance(error)
              ? `StorageError: ${(error as Error).message.slice(0, 120)}`
              : "typed",
        );
        // observed: "StorageError: <engine> storage: applyIdentityChange: invalid input: …"
        expect(["ok", "typed"]).toContain(outcome);
      });
    }
  }
});
