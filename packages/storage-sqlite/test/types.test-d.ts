import type { Storage } from "@revtrace/core";
import { describe, expectTypeOf, it } from "vitest";
import { createSqliteStorage, type SqliteStorageOptions } from "../src/index.js";

describe("public types", () => {
  it("creates a Storage from a path and optional tuning", () => {
    expectTypeOf(createSqliteStorage).returns.toEqualTypeOf<Storage>();
    expectTypeOf<{ path: string }>().toExtend<SqliteStorageOptions>();
    expectTypeOf<SqliteStorageOptions>()
      .toHaveProperty("synchronous")
      .toEqualTypeOf<"FULL" | "NORMAL" | undefined>();
  });
});
