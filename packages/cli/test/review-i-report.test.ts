/**
 * review-i: `revtrace report` must not write into the user's files beyond the --html it was given.
 */
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { DatabaseSync } from "node:sqlite";
import { describe, expect, it } from "vitest";
import { BIN, tempDir } from "./helpers.ts";

/** `revtrace <args>` from source with `cwd` (tsx resolved absolutely, so any folder works). */
function run(
  args: string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const tsx = import.meta.resolve("tsx");
  const child = spawn(
    process.execPath,
    ["--conditions=@revtrace/source", "--import", tsx, BIN, ...args],
    {
      cwd,
      env: { ...process.env, CI: "true" },
    },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

function foreignDb(dir: string) {
  const path = join(dir, "crm.db");
  const db = new DatabaseSync(path);
  db.exec("create table customers (id integer primary key, name text)");
  db.close();
  return path;
}

const tables = (path: string) => {
  const db = new DatabaseSync(path);
  const names = (
    db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[]
  ).map((r) => r.name);
  db.close();
  return names;
};

describe("revtrace report", { timeout: 40_000 }, () => {
  // commands/report.ts:49 runs storage.migrate() on the --db file: a SQLite database of another
  // application gets revtrace's ~20 tables written into it by a command that only reads.
  it("--db naming another application's SQLite database leaves that database unchanged", async () => {
    const dir = tempDir();
    const db = foreignDb(dir);
    const result = await run(["report", "--db", db, "--json"], dir);
    expect(tables(db)).toEqual(["customers"]);
    expect(result.code).not.toBe(0); // not a revtrace database: bad usage (2), as a non-database is
  });

  // cac joins a repeated option into an array; String(["a.html","b.html"]) is "a.html,b.html" and
  // report.ts mkdirs "a.html,/…/" and writes there, exit 0 (cli.ts:121).
  it("a repeated --html is refused (exit 2), not written to a path made of both joined by a comma", async () => {
    const dir = tempDir();
    const db = foreignDb(dir);
    const result = await run(
      ["report", "--db", db, "--html", join(dir, "a.html"), "--html", join(dir, "b.html")],
      dir,
    );
    expect(readdirSync(dir).filter((name) => name.includes(","))).toEqual([]);
    expect(result.code).toBe(2);
  });

  // cac turns `--html ""` into the number 0: the report is written to a file named "0" in the
  // working directory, exit 0.
  it('--html "" is refused (exit 2), no file named "0" is written', async () => {
    const dir = tempDir();
    const db = foreignDb(dir);
    const result = await run(["report", "--db", db, "--html", ""], dir);
    expect(existsSync(join(dir, "0"))).toBe(false);
    expect(result.code).toBe(2);
  });
});
