import { describe, expect, it } from "vitest";
import { postgresGate } from "./postgres-test-db.js";

describe("postgresGate", () => {
  const url = "postgres://postgres:pw@db.test:5432/test";

  it("runs the tests when the server answers, in CI or not", () => {
    expect(postgresGate(null, "true", url)).toEqual({ mode: "run" });
    expect(postgresGate(null, undefined, url)).toEqual({ mode: "run" });
  });

  it("fails them under CI=true when the server is unreachable", () => {
    expect(postgresGate("ECONNREFUSED", "true", url)).toEqual({
      mode: "fail",
      reason:
        "PostgreSQL at db.test:5432 is unreachable (ECONNREFUSED); CI=true requires these tests to run",
    });
  });

  it("skips them elsewhere, saying why, without the password", () => {
    expect(postgresGate("ECONNREFUSED", undefined, url)).toEqual({
      mode: "skip",
      reason:
        "PostgreSQL at db.test:5432 is unreachable (ECONNREFUSED); set TEST_POSTGRES_URL or start PostgreSQL to run them",
    });
  });
});
