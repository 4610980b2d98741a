/**
 * `revtrace report` on damaged or mistyped inputs: invalid conversion-log lines are skipped and counted,
 * never a crash; a missing database or log file, an unknown currency and an unopenable database are
 * refused with a message and the documented exit code.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createSqliteStorage } from "@revtrace/storage-sqlite";
import { describe, expect, it } from "vitest";
import { EXIT_CODES, runCli } from "../src/index.ts";
import { tempDir } from "./helpers.ts";

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) },
    out,
    err,
  };
}

/** An empty, migrated SQLite database in a new folder. */
async function emptyDb(): Promise<{ dir: string; db: string }> {
  const dir = tempDir();
  const db = join(dir, "revtrace.db");
  const storage = createSqliteStorage({ path: db });
  await storage.migrate();
  await storage.close();
  return { dir, db };
}

const entry = (id: string, occurredAt: number) =>
  JSON.stringify({
    id,
    name: "first_payment",
    occurredAt,
    value: { amount: 4900, currency: "EUR" },
    personId: "p1",
    customerId: "c1",
    subscriptionId: "s1",
    credits: [],
    touchpoints: [],
    explanations: [],
  });

describe("revtrace report", () => {
  it("skips invalid conversion-log lines (truncated, garbage, {}), counting them, and reports the rest", async () => {
    const { dir, db } = await emptyDb();
    const log = join(dir, "log.jsonl");
    writeFileSync(
      log,
      [
        entry("conv_1", 1_764_000_000_000),
        "{}",
        "not json",
        entry("conv_2", 1_764_000_100_000),
        '{"id":"conv_3","na',
      ].join("\n"),
    );
    const { io, out, err } = capture();
    expect(await runCli(["report", "--db", db, "--log", log, "--json"], io)).toBe(EXIT_CODES.ok);
    const report = JSON.parse(out.join("\n"));
    expect(report.skippedLogLines).toBe(3);
    expect(report.data.headline.payments).toBe(2);
    expect(err.join("\n")).toContain("skipped 3 invalid line(s)");
  });

  it("refuses a missing --db (creating nothing) and a missing --log with exit 2", async () => {
    const { dir, db } = await emptyDb();
    const { io, err } = capture();
    const typo = join(dir, "revtrce.db");
    expect(await runCli(["report", "--db", typo, "--json"], io)).toBe(EXIT_CODES.usage);
    expect(existsSync(typo)).toBe(false);
    expect(await runCli(["report", "--db", db, "--log", join(dir, "typo.jsonl")], io)).toBe(
      EXIT_CODES.usage,
    );
    expect(err.join("\n")).toContain("revtrce.db");
    expect(err.join("\n")).toContain("typo.jsonl");
  });

  it("refuses a currency that is not ISO 4217", async () => {
    const { db } = await emptyDb();
    const { io, err } = capture();
    expect(await runCli(["report", "--db", db, "--currency", "xyz", "--json"], io)).toBe(
      EXIT_CODES.usage,
    );
    expect(err.join("\n")).toContain("ISO 4217");
    expect(await runCli(["report", "--db", db, "--currency", "EUR", "--json"], io)).toBe(
      EXIT_CODES.ok,
    );
  });

  it("refuses a --db that is not a database with a message, not a stack", async () => {
    const dir = tempDir();
    const db = join(dir, "garbage.db");
    writeFileSync(db, "this is not a SQLite database, just text ".repeat(100));
    const { io, err } = capture();
    expect(await runCli(["report", "--db", db, "--json"], io)).toBe(EXIT_CODES.usage);
    expect(err.join("\n")).toContain("garbage.db");
    expect(err.join("\n")).not.toMatch(/\n\s+at /);
  });
});
